"""The append-only ledger, its monthly totals, and the counters of gapless document numbers.

Money is whole đồng in BigIntegerFields. A fund's balance is the sum of its entries, and a mistake
is corrected by a reversing entry, never by an edit.

The sums kept by the database's triggers per donor (`DonorYear`, `DonorMonth`, `HonourRollYear`,
`PostedDonorMonth`) name their fund and donor without a foreign-key constraint (`SUM_LINK`): each is
written from rows whose own keys were checked (a donation's fund and donor), and those rows' keys
keep the fund and the donor from being deleted while they exist. A 100,000-row import writes 150,000
such sums, whose checks at commit cost 0.5 s a second time.

An entry names the account that entered it without a foreign-key constraint either (`account_field`,
`key_checked=False`, as the donation's recorder and poster): a trigger on the accounts' table refuses
to delete an account that an entry or a donation names (`ledger_sql.POSTGRESQL_ACCOUNT_NAMED`).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fund_portal.fields import account_field, optional_link
from fund_portal.scope import ScopedModel, ScopedQuerySet

from .common import Medium, Restricted, RestrictionKind, SourceCategory
from .donations import Donation
from .funds import Fund

#: How a sum kept by the triggers names its fund or donor (the module's docstring says why).
SUM_LINK = {"related_name": "+", "db_constraint": False}


class DocumentSeries(models.TextChoices):
    RECEIPT = "receipt", _("Receipts (biên lai)")
    VOUCHER = "voucher", _("Payment vouchers (phiếu chi)")


class DocumentCounter(models.Model):
    """The last number a fund gave in a series and year, locked while the next is given: none is skipped."""

    fund = models.ForeignKey(Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="+")
    series = models.CharField(_("series"), max_length=10, choices=DocumentSeries.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number given"), default=0)

    class Meta:
        verbose_name = _("document counter")
        verbose_name_plural = _("document counters")
        constraints = [
            models.UniqueConstraint(fields=["fund", "series", "year"], name="document_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.year}: {self.last}"


class EntryKind(models.TextChoices):
    DONATION = "donation", _("Donation received")
    DISBURSEMENT = "disbursement", _("Disbursement")
    REVERSAL = "reversal", _("Reversal of an entry")
    OPENING = "opening", _("Opening balance")
    TRANSFER_IN = "transfer_in", _("Transfer from a higher-level fund")


class LedgerEntryQuerySet(ScopedQuerySet):
    def update(self, **kwargs):
        raise TypeError("Ledger entries are never updated; post a reversing entry.")

    def delete(self):
        raise TypeError("Ledger entries are never deleted; post a reversing entry.")


class LedgerEntry(ScopedModel, Restricted):
    """One movement of a fund's money or goods value: positive in, negative out. Never edited or deleted."""

    fund = models.ForeignKey(
        Fund,
        verbose_name=_("fund"),
        on_delete=models.PROTECT,
        related_name="entries",
        db_index=False,  # leads entry_fund_date_idx
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    medium = models.CharField(_("money or goods"), max_length=8, choices=Medium.choices, default=Medium.CASH)
    amount = models.BigIntegerField(_("amount (đồng)"))
    entry_date = models.DateField(_("date"))
    source = models.CharField(
        _("source"), max_length=16, choices=SourceCategory.choices, default=SourceCategory.CHILD_FUND
    )
    description = models.CharField(_("description"), max_length=255)
    donation = optional_link(Donation, _("donation"), related_name="entries")
    disbursement = optional_link(
        "donations.Disbursement",
        _("disbursement"),
        related_name="entries",
        db_index=False,  # entry_disbursement_idx, partial: most entries are donations
    )
    reversal_of = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    reason = models.TextField(_("reason"), blank=True)
    created_by = account_field(_("entered by"), key_checked=False, null=True)
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    objects = LedgerEntryQuerySet.as_manager()

    scope_lookup = "fund__unit"

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["entry_date", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="entry_amount_not_zero"),
            models.CheckConstraint(
                condition=Q(reversal_of__isnull=True) | ~Q(reason=""),
                name="entry_reversal_has_reason",
                violation_error_message=_("A reversal needs a reason."),
            ),
            Restricted.restriction_constraint("entry_restriction_consistent"),
        ]
        indexes = [
            models.Index(fields=["fund", "entry_date"], name="entry_fund_date_idx"),
            models.Index(fields=["entry_date", "id"], name="entry_date_idx"),
            models.Index(
                fields=["fund", "restriction"],
                condition=~Q(restriction=RestrictionKind.NONE),
                name="entry_fund_restricted_idx",
            ),
            models.Index(
                fields=["disbursement"],
                condition=Q(disbursement__isnull=False),
                name="entry_disbursement_idx",
            ),
            *Restricted.restriction_indexes("entry"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_date:%d/%m/%Y} {self.description}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise TypeError("Ledger entries are never updated; post a reversing entry.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Ledger entries are never deleted; post a reversing entry.")


class EntryLink(models.TextChoices):
    """What a ledger entry belongs to, as the month totals tell entries apart."""

    DONATION = "donation", _("donation")
    DISBURSEMENT = "disbursement", _("disbursement")
    NONE = "", _("neither")


class LedgerMonth(models.Model):
    """The ledger summed by fund, month, medium, kind of entry and what the entries belong to.

    Kept by the database itself: a trigger on `LedgerEntry` adds every inserted entry in the same
    transaction (one statement-level trigger per COPY or INSERT on PostgreSQL, a row trigger on
    SQLite; migration 0012). Entries are never updated or deleted, so the totals never have to be
    taken back. Nothing in the application writes here; `ledger_months_check()` compares the totals
    with the ledger. The public statement, the home page's year total and the balances read these
    few rows instead of summing millions of entries.
    """

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    medium = models.CharField(_("money or goods"), max_length=8, choices=Medium.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    link = models.CharField(_("belongs to"), max_length=16, choices=EntryLink.choices, blank=True)
    inflow = models.BigIntegerField(_("sum of positive amounts (đồng)"), default=0)
    outflow = models.BigIntegerField(_("sum of negative amounts (đồng)"), default=0)
    entries = models.PositiveIntegerField(_("entries"), default=0)

    class Meta:
        verbose_name = _("ledger month")
        verbose_name_plural = _("ledger months")
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "month", "medium", "kind", "link"], name="ledger_month_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fund_id} {self.month:%m/%Y} {self.medium} {self.kind} {self.link}"

    @property
    def net(self) -> int:
        return self.inflow + self.outflow


class DonorYear(models.Model):
    """What a donor gave a fund in a year, net of reversals: the honour roll reads these rows.

    Kept by the database, as `LedgerMonth` is: a trigger on `LedgerEntry` adds each donation's entry
    (and its reversal's) to the year the donation was received, for donations with a donor record that
    were not given anonymously (`donations.ledger_sql`). Only a donor merge moves gifts between donors;
    it rebuilds the two donors' rows (`donor_years_rebuild`).
    """

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, db_index=False, **SUM_LINK
    )
    donor = models.ForeignKey(
        "donations.Donor", verbose_name=_("donor"), on_delete=models.PROTECT, **SUM_LINK
    )
    year = models.PositiveSmallIntegerField(_("year"))
    total = models.BigIntegerField(_("given (đồng)"), default=0)

    class Meta:
        verbose_name = _("donor's year")
        verbose_name_plural = _("donors' years")
        constraints = [models.UniqueConstraint(fields=["fund", "donor", "year"], name="donor_year_unique")]
        indexes = [models.Index(fields=["year", "fund"], name="donor_year_year_idx")]

    def __str__(self) -> str:
        return f"{self.donor_id} {self.year}: {self.total}"


class DonorMonth(models.Model):
    """A line of a fund's donors in a month (the transparency page): what one donor gave, or what was
    given under one name without a donor record, net of reversals, in the month of the entries.

    Kept by the database from the ledger, as `LedgerMonth` is (`donations.ledger_sql`): each donation's
    entry counts in the month it was received (and as one gift), its reversal in the month it was
    entered. A line is keyed by the gift's own display choice too, so a gift made anonymously never
    counts on its donor's named line; gifts without a donor record given anonymously or without a
    name are one line (`donor_id` 0, `name` empty). Only a donor merge moves gifts between donors; it
    rebuilds the two donors' lines (`donor_months_rebuild`)."""

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, db_index=False, **SUM_LINK
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    #: Not a foreign key: 0 stands for the gifts without a donor record (a unique key needs no NULL).
    donor_id = models.BigIntegerField(_("donor"), default=0)
    name = models.CharField(_("name given with the gift"), max_length=200, blank=True)
    display_preference = models.CharField(_("public display of the gift"), max_length=16)
    #: The gift's choice, no name, or the donor record's choice now (a trigger on the donor keeps it).
    anonymous = models.BooleanField(_("shown anonymously"), default=False)
    total = models.BigIntegerField(_("given (đồng)"), default=0)
    gifts = models.IntegerField(_("gifts"), default=0)

    class Meta:
        verbose_name = _("donor's month")
        verbose_name_plural = _("donors' months")
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "month", "donor_id", "name", "display_preference"], name="donor_month_unique"
            )
        ]
        indexes = [
            # The page's named lines, largest first, and the month's counts and anonymous sum from the
            # index alone; a donor merge or a donor's new display choice finds its lines by the other.
            models.Index(
                fields=["fund", "month", "anonymous", "-total"],
                include=["gifts"],
                name="donor_month_total_idx",
            ),
            models.Index(fields=["donor_id"], condition=~Q(donor_id=0), name="donor_month_donor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.fund_id} {self.month:%m/%Y} {self.donor_id or self.name}: {self.total}"


class DonationDay(models.Model):
    """The posted donations of a fund received on a day, by source, kind and campaign: their number and
    amount. A report's money figures read these rows for any range of days (issue 20).

    Kept by the database from the donations themselves (`donations.period_sql`): every insert, update
    or delete of a donation takes back what it counted and adds what it counts now, so postings,
    imports, cancellations, reversals and edits are all followed. `campaign` is the campaign's id, 0
    for none (a key column: the upsert needs it not null). Nothing in the application writes here; a
    row without donations left (its fund or donor deleted once empty) goes with them (CASCADE). The
    keys have no database constraint: the triggers write here as donations are deleted, and a flush
    that empties the funds first (SQLite's tests, in any order) must not fail at its commit.
    """

    fund = models.ForeignKey(
        Fund,
        verbose_name=_("fund"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    day = models.DateField(_("received on"))
    source = models.CharField(_("source"), max_length=16)
    kind = models.CharField(_("kind"), max_length=10)
    campaign = models.BigIntegerField(_("campaign id (0: none)"), default=0)
    n = models.IntegerField(_("donations"), default=0)
    amount = models.BigIntegerField(_("amount (đồng)"), default=0)

    class Meta:
        verbose_name = _("donations' day")
        verbose_name_plural = _("donations' days")
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "day", "source", "kind", "campaign"], name="donation_day_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fund_id} {self.day} {self.source} {self.kind} {self.campaign}: {self.n}"


class PostedDonorMonth(models.Model):
    """What a donor gave a fund in a month in posted donations (number and amount, by the day each was
    received): a report's top donors read the period's whole months here and only its partial months
    from the donations. Kept by the database with `DonationDay` (`donations.period_sql`)."""

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.CASCADE, db_index=False, **SUM_LINK
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    donor = models.ForeignKey(
        "donations.Donor", verbose_name=_("donor"), on_delete=models.CASCADE, db_index=False, **SUM_LINK
    )
    n = models.IntegerField(_("donations"), default=0)
    amount = models.BigIntegerField(_("amount (đồng)"), default=0)

    class Meta:
        verbose_name = _("donor's month of posted donations")
        verbose_name_plural = _("donors' months of posted donations")
        constraints = [
            models.UniqueConstraint(fields=["fund", "month", "donor"], name="posted_donor_month_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.donor_id} {self.month:%m/%Y}: {self.amount}"


class HonourRollYear(models.Model):
    """A donor's line on the honour roll of a scope in a year: what they gave the funds of the scope
    that year (net of reversals, more than nothing) and how many years running, back from it, they gave.

    The scope is a fund's unit path (its public pages cover the funds under it), or "" for the whole
    deployment. The roll of a fund is its scope's lines of the year, filtered by the fund's thresholds
    and read in the roll's order through `honour_roll_order_idx`. Kept by the database from
    `DonorYear` (`donations.roll_sql`): every change of a donor's years, of the name or display choice
    of a donor, or of the unit of a fund recomputes the lines concerned. Donors who chose to stay
    anonymous have none. The donor's name, kind and display choice are copied here so that the roll's
    order, its search and its deep pages need no join.
    """

    scope = models.CharField(_("scope (unit path)"), max_length=255, blank=True)
    donor = models.ForeignKey(
        "donations.Donor", verbose_name=_("donor"), on_delete=models.CASCADE, **SUM_LINK
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.BigIntegerField(_("given (đồng)"))
    streak = models.PositiveSmallIntegerField(_("years running"))
    name = models.CharField(_("name"), max_length=200)
    name_folded = models.CharField(_("name without diacritics"), max_length=200)
    kind = models.CharField(_("kind"), max_length=24)
    display_preference = models.CharField(_("public display"), max_length=16)

    class Meta:
        verbose_name = _("honour roll line")
        verbose_name_plural = _("honour roll lines")
        constraints = [
            models.UniqueConstraint(fields=["scope", "year", "donor"], name="honour_roll_unique"),
        ]
        indexes = [
            # The roll's order; with what a page shows and the search reads, so that a page, a count and
            # a search read the index alone.
            models.Index(
                fields=["scope", "year", "-amount", "-streak", "name", "donor"],
                include=["name_folded", "kind", "display_preference"],
                name="honour_roll_order_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope or '*'} {self.year} {self.donor_id}: {self.amount}"


class CampaignRaised(models.Model):
    """What a campaign has raised, money and goods at value, net of reversals: its public page and
    the campaign cards read this row instead of summing the campaign's entries.

    Kept by the database like `DonorYear`: a trigger on `LedgerEntry` adds each entry of a donation to
    the campaign (`donations.ledger_sql`). A posted donation never changes campaign."""

    campaign = models.OneToOneField(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="+"
    )
    total = models.BigIntegerField(_("raised (đồng)"), default=0)

    class Meta:
        verbose_name = _("campaign's total")
        verbose_name_plural = _("campaigns' totals")

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.total}"
