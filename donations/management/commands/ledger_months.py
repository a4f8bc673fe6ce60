"""`manage.py ledger_months [--rebuild]`: check the ledger's month totals against the entries.

The totals (LedgerMonth) are kept by a database trigger; this says whether they still equal the
ledger, and `--rebuild` recomputes them from the entries (the entries are never touched), with what
each donor gave each fund in a year (DonorYear, the honour roll's sums) and in a month (DonorMonth,
the transparency page's donor lines), what each campaign raised (CampaignRaised) and the honour
roll's lines (HonourRollYear), kept the same way, and the posted donations' sums by day and by donor
and month (DonationDay, PostedDonorMonth, the reports' money figures); all but the roll's lines are
checked too.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from donations.ledger_sql import (
    campaigns_raised_rebuild,
    donor_months_rebuild,
    donor_years_rebuild,
    months_rebuild,
)
from donations.models import CampaignRaised, Donation, DonorYear, LedgerEntry, LedgerMonth
from donations.period_sql import period_sums_rebuild
from donations.roll_sql import roll_rebuild
from donations.selectors.ledger import months_differences, summaries_differences


class Command(BaseCommand):
    help = _("Check the ledger's month totals against its entries; --rebuild recomputes them.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help=_(
                "Recompute the month totals and the donors' yearly sums from the entries (the entries "
                "are not changed)."
            ),
        )

    def handle(self, *args, rebuild: bool = False, **options):
        if rebuild:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    # Postings wait for the rebuild instead of adding to totals it is replacing.
                    with connection.cursor() as cursor:
                        cursor.execute(f"LOCK TABLE {LedgerEntry._meta.db_table} IN SHARE MODE")
                        cursor.execute(f"LOCK TABLE {Donation._meta.db_table} IN SHARE MODE")
                with connection.cursor() as cursor:
                    months_rebuild(cursor, connection.vendor)
                    donor_years_rebuild(cursor, connection.vendor)
                    donor_months_rebuild(cursor, connection.vendor)
                    campaigns_raised_rebuild(cursor)
                    roll_rebuild(cursor)
                    period_sums_rebuild(cursor, connection.vendor)
            self.stdout.write(
                _("Recomputed %(rows)s month totals from the ledger.") % {"rows": LedgerMonth.objects.count()}
            )
        self.check_summaries()
        differences = months_differences(connection)
        if differences:
            for difference in differences[:20]:
                self.stderr.write(
                    _(
                        "Fund %(fund)s, month %(month)s, %(medium)s, %(kind)s: the ledger gives "
                        "%(ledger)s, the totals hold %(kept)s."
                    )
                    % {
                        "fund": difference["fund_id"],
                        "month": difference["month"],
                        "medium": difference["medium"],
                        "kind": difference["kind"],
                        "ledger": difference["ledger"],
                        "kept": difference["kept"],
                    }
                )
            raise CommandError(
                _(
                    "%(count)s month totals differ from the ledger. Run `manage.py ledger_months --rebuild` "
                    "to recompute them."
                )
                % {"count": len(differences)}
            )
        self.stdout.write(
            _("The month totals equal the ledger (%(rows)s totals).") % {"rows": LedgerMonth.objects.count()}
        )

    def check_summaries(self) -> None:
        """The donors' yearly sums and the campaigns' totals against the ledger."""
        found = summaries_differences(connection)
        names = {
            "donor_years": _("donor-year sums"),
            "donor_months": _("donors' month lines"),
            "campaigns_raised": _("campaign totals"),
            "donation_days": _("donations' day sums"),
            "posted_donor_months": _("donors' month sums"),
        }
        sides = {"ledger": _("only in the ledger"), "kept": _("only in the sums")}
        for name, rows in found.items():
            for side, *row in rows[:20]:
                self.stderr.write(f"{names[name]}, {sides[side]}: " + ", ".join(str(value) for value in row))
        count = sum(len(rows) for rows in found.values())
        if count:
            raise CommandError(
                _(
                    "%(count)s donor-year or campaign sums differ from the ledger. Run `manage.py "
                    "ledger_months --rebuild` to recompute them."
                )
                % {"count": count}
            )
        self.stdout.write(
            _(
                "The donors' yearly sums (%(years)s) and the campaigns' totals (%(campaigns)s) equal the "
                "ledger."
            )
            % {"years": DonorYear.objects.count(), "campaigns": CampaignRaised.objects.count()}
        )
