"""`manage.py import_donations FILE --user USERNAME [--dry-run]`: the donations import, from a shell."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from donations.importing import donations_import
from fund_portal.models import User
from fund_portal.money import format_vnd

#: A refused file lists at most this many problems; the rest are counted.
SHOWN_ERRORS = 200


class Command(BaseCommand):
    help = _("Import donations from an XLSX or CSV file: every row is checked, then all are posted, or none.")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("The XLSX or CSV file."))
        parser.add_argument(
            "--user",
            required=True,
            metavar="USERNAME",
            help=_("Username of the staff member who imports; their scope applies."),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Check the file and show a summary without writing anything."),
        )

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(_("No user is named %(name)s.") % {"name": options["user"]})
        path = Path(options["file"])
        try:
            with path.open("rb") as uploaded:
                result = donations_import(
                    uploaded=uploaded, by=user, dry_run=options["dry_run"], name=path.name
                )
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror}
            ) from error
        if not result.ok:
            for error in result.errors[:SHOWN_ERRORS]:
                self.stderr.write(str(error))
            if len(result.errors) > SHOWN_ERRORS:
                self.stderr.write(_("… and %(n)s more errors.") % {"n": len(result.errors) - SHOWN_ERRORS})
            raise CommandError(
                _("The file was refused (%(n)s errors); nothing was written.") % {"n": len(result.errors)}
            )
        if result.dry_run:
            self.stdout.write(
                _("Checked %(rows)s donations, %(total)s in all; nothing was written (dry run).")
                % {"rows": result.rows, "total": format_vnd(result.total)}
            )
            for row in result.preview:
                self.stdout.write(
                    _("Row %(row)s: %(date)s, %(amount)s, %(kind)s, %(donor)s, %(fund)s, %(key)s")
                    % {
                        "row": row["row"],
                        "date": row["received_on"].strftime("%d/%m/%Y"),
                        "amount": row["amount_display"],
                        "kind": row["kind"],
                        "donor": row["donor"] or _("Anonymous benefactor"),
                        "fund": row["fund"],
                        "key": row["import_key"],
                    }
                )
        else:
            self.stdout.write(
                _("Imported and posted %(rows)s donations, %(total)s in all.")
                % {"rows": result.rows, "total": format_vnd(result.total)}
            )
        for fund in result.funds:
            if result.dry_run:
                line = _("%(fund)s: %(rows)s donations, %(total)s.")
            else:
                line = _("%(fund)s: %(rows)s donations, %(total)s, receipts %(first)s to %(last)s.")
            self.stdout.write(
                line
                % {
                    "fund": fund.name,
                    "rows": fund.rows,
                    "total": format_vnd(fund.amount),
                    "first": fund.first_receipt,
                    "last": fund.last_receipt,
                }
            )
        self.stdout.write(_("New donors: %(n)s.") % {"n": result.new_donors})
