"""Funds, donors, donations and the ledger (Decree 93/2019/NĐ-CP on social and charity funds).

Money is whole đồng in BigIntegerFields. The ledger is append-only: a fund's balance is the sum
of its entries, and a mistake is corrected by a reversing entry, never by an edit. Every write
goes through `donations.services`.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fund_portal.scope import ScopedQuerySet


class SourceCategory(models.TextChoices):
    """Where money comes from, in the categories of the source documents."""

    CHILD_FUND = "child_fund", _("Donations to the Child Protection Fund")
    POOR_FUND = "poor_fund", _("Fund for the Poor")
    STATE_BUDGET = "state_budget", _("State budget")
    OTHER = "other", _("Other lawful sources")


class NeedArea(models.TextChoices):
    """Areas of support: the three of Decision 588/QĐ-TTg, then the others the fund meets."""

    NUTRITION_HEALTH = "nutrition_health", _("Nutrition and health care")
    PLAY = "play", _("Play and recreation")
    WARM_CLOTHES = "warm_clothes", _("Warm clothes")
    EDUCATION = "education", _("Education")
    SOCIAL_ASSISTANCE = "social_assistance", _("Social assistance")
    LEGAL_AID = "legal_aid", _("Legal aid")
    COUNSELLING = "counselling", _("Counselling")


class RestrictionKind(models.TextChoices):
    """What restricted money may be spent on; unrestricted money serves any purpose of the fund."""

    NONE = "none", _("Unrestricted")
    CAMPAIGN = "campaign", _("A campaign")
    COMMUNE = "commune", _("A commune")
    NEED_AREA = "need_area", _("A need area")
    SPONSORSHIP = "sponsorship", _("A child's sponsorship")


class Medium(models.TextChoices):
    CASH = "cash", _("Money")
    GOODS = "goods", _("Goods")


class Edited(models.Model):
    """A record changed after it was entered, through its service: whoever changed it last, and when.
    An edit re-makes a proposal, so its editor may not decide on it either (maker-checker; for a
    disbursement also `disbursement_no_approval_by_editor`, and every earlier editor in `edits`)."""

    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last edited by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    edited_at = models.DateTimeField(_("last edited at"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class Restricted(models.Model):
    """The restriction of a sum of money; spending draws only on money with the same restriction."""

    restriction = models.CharField(
        _("restriction"), max_length=16, choices=RestrictionKind.choices, default=RestrictionKind.NONE
    )
    restriction_campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("restricted to campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # restriction_indexes(): nearly every row has none
    )
    restriction_unit = models.ForeignKey(
        "fund_portal.AdministrativeUnit",
        verbose_name=_("restricted to commune"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # restriction_indexes()
    )
    restriction_need = models.CharField(
        _("restricted to need area"), max_length=24, choices=NeedArea.choices, blank=True
    )
    #: The sponsored child (an id until the registry of children lands; then a foreign key).
    restriction_child_id = models.BigIntegerField(_("restricted to child (id)"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def restriction_key(self) -> tuple:
        """The restriction as a comparable value: money with equal keys is one pool."""
        return (
            self.restriction,
            self.restriction_campaign_id,
            self.restriction_unit_id,
            self.restriction_need,
            self.restriction_child_id,
        )

    @classmethod
    def restriction_fields(cls) -> list[str]:
        return [
            "restriction",
            "restriction_campaign",
            "restriction_unit",
            "restriction_need",
            "restriction_child_id",
        ]

    @staticmethod
    def restriction_indexes(prefix: str) -> list[models.Index]:
        """Indexes of the restriction's foreign keys over the rows that have one: nearly all rows have
        none, and a full index would still take an entry for each of them on every insert (a 100,000-row
        import into a table of 5,000,000 paid for them)."""
        return [
            models.Index(
                fields=[f"restriction_{target}"],
                condition=Q(**{f"restriction_{target}__isnull": False}),
                name=f"{prefix}_r_{target}_idx",
            )
            for target in ("campaign", "unit")
        ]

    @staticmethod
    def restriction_constraint(name: str) -> models.CheckConstraint:
        none = Q(
            restriction_campaign__isnull=True,
            restriction_unit__isnull=True,
            restriction_need="",
            restriction_child_id__isnull=True,
        )
        return models.CheckConstraint(
            condition=(
                (Q(restriction=RestrictionKind.NONE) & none)
                | (
                    Q(
                        restriction=RestrictionKind.CAMPAIGN,
                        restriction_campaign__isnull=False,
                        restriction_unit__isnull=True,
                        restriction_need="",
                        restriction_child_id__isnull=True,
                    )
                )
                | (
                    Q(
                        restriction=RestrictionKind.COMMUNE,
                        restriction_unit__isnull=False,
                        restriction_campaign__isnull=True,
                        restriction_need="",
                        restriction_child_id__isnull=True,
                    )
                )
                | (
                    Q(
                        restriction=RestrictionKind.NEED_AREA,
                        restriction_campaign__isnull=True,
                        restriction_unit__isnull=True,
                        restriction_child_id__isnull=True,
                    )
                    & ~Q(restriction_need="")
                )
                | (
                    Q(
                        restriction=RestrictionKind.SPONSORSHIP,
                        restriction_child_id__isnull=False,
                        restriction_campaign__isnull=True,
                        restriction_unit__isnull=True,
                        restriction_need="",
                    )
                )
            ),
            name=name,
            violation_error_message=_("The restriction does not match what it is restricted to."),
        )


class Fund(models.Model):
    """A Child Protection Fund of one level (district fund, commune fund), with its own ledger."""

    unit = models.ForeignKey(
        "fund_portal.AdministrativeUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="funds",
    )
    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Short code, used in receipt numbers and transfer references."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("higher-level fund"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lower_funds",
    )
    is_active = models.BooleanField(_("active"), default=True)
    governing_body = models.CharField(
        _("governing body"),
        max_length=200,
        blank=True,
        help_text=_("Shown above the fund's name on its documents, e.g. UBND huyện Triệu Sơn."),
    )
    place = models.CharField(
        _("place on documents"),
        max_length=100,
        blank=True,
        help_text=_("E.g. Triệu Sơn, in “Triệu Sơn, ngày … tháng … năm …”."),
    )
    director_name = models.CharField(_("director"), max_length=120, blank=True)
    treasurer_name = models.CharField(_("cashier"), max_length=120, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_lookup = "unit"

    class Meta:
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        return {"unit_id": self.unit_id}


class BankAccount(models.Model):
    """A fund's bank account; donations by transfer arrive here (VietQR uses the bank's BIN)."""

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="bank_accounts"
    )
    bank_name = models.CharField(_("bank"), max_length=120)
    bank_bin = models.CharField(_("bank BIN"), max_length=6, help_text=_("The bank's 6-digit NAPAS code."))
    account_number = models.CharField(_("account number"), max_length=19)
    account_name = models.CharField(_("account holder"), max_length=120)
    is_default = models.BooleanField(_("default account for donations"), default=False)

    objects = ScopedQuerySet.as_manager()

    scope_lookup = "fund__unit"

    class Meta:
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")
        constraints = [
            models.UniqueConstraint(fields=["bank_bin", "account_number"], name="bank_account_unique"),
            models.UniqueConstraint(
                fields=["fund"], condition=Q(is_default=True), name="one_default_account_per_fund"
            ),
            models.CheckConstraint(
                condition=Q(bank_bin__regex=r"^[0-9]{6}$"),
                name="bank_bin_six_digits",
                violation_error_message=_("The bank BIN has 6 digits."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bank_name} {self.account_number}"

    def get_additional_data(self) -> dict:
        return {"unit_id": self.fund.unit_id}


class DonorKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    BUSINESS = "business", _("Business")
    AGENCY = "agency", _("Agency or public body")
    ORGANISATION = "organisation", _("Organisation")
    FOREIGN_ORGANISATION = "foreign_organisation", _("Foreign organisation")


class DisplayPreference(models.TextChoices):
    """How a donor is shown on public pages (donor wall, transparency list)."""

    FULL_NAME = "full_name", _("Full name")
    INITIALS = "initials", _("Initials only")
    ANONYMOUS = "anonymous", _("Anonymous")


class Donor(models.Model):
    """A member of the fund's donor network (nhà tài trợ, nhà hảo tâm)."""

    unit = models.ForeignKey(
        "fund_portal.AdministrativeUnit",
        verbose_name=_("managed by unit"),
        on_delete=models.PROTECT,
        related_name="donors",
        help_text=_("The fund network (district or commune) that keeps this donor."),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=DonorKind.choices, default=DonorKind.INDIVIDUAL)
    name = models.CharField(_("name"), max_length=200)
    name_folded = models.CharField(
        _("name without diacritics"), max_length=200, editable=False, db_index=True
    )
    tax_code = models.CharField(_("tax code"), max_length=14, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    address_unit = models.ForeignKey(
        "fund_portal.AdministrativeUnit",
        verbose_name=_("address (administrative unit)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    interests = models.JSONField(
        _("likes to fund"), default=list, blank=True, help_text=_("Need areas the donor prefers.")
    )
    display_preference = models.CharField(
        _("public display"),
        max_length=16,
        choices=DisplayPreference.choices,
        default=DisplayPreference.FULL_NAME,
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="donor",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_donors",
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    scope_lookup = "unit"

    class Meta:
        verbose_name = _("donor")
        verbose_name_plural = _("donors")
        ordering = ["name"]
        indexes = [models.Index(fields=["tax_code"], name="donor_tax_code_idx")]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        return {"unit_id": self.unit_id}


class DonationKind(models.TextChoices):
    CASH = "cash", _("Cash")
    TRANSFER = "transfer", _("Bank transfer")
    GOODS = "goods", _("Goods (in kind)")


class DonationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting payment")
    POSTED = "posted", _("Posted and receipted")
    CANCELLED = "cancelled", _("Cancelled")


class DonationQuerySet(ScopedQuerySet):
    def posted(self):
        return self.filter(status=DonationStatus.POSTED)


class Donation(Restricted):
    """Money or goods given to a fund. Posting it writes the ledger entry and gives the receipt number.

    Indexes are few on purpose: each one is paid on every insert, and an import adds 100,000 rows to a
    table of millions. A foreign key whose column leads another index has no index of its own
    (db_index=False); one that is nearly always empty has a partial index over the rows that have it.
    """

    fund = models.ForeignKey(
        Fund,
        verbose_name=_("fund"),
        on_delete=models.PROTECT,
        related_name="donations",
        db_index=False,  # leads donation_fund_date_idx
    )
    donor = models.ForeignKey(
        Donor,
        verbose_name=_("donor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="donations",
        db_index=False,  # leads donation_donor_date_idx
    )
    kind = models.CharField(_("kind"), max_length=10, choices=DonationKind.choices, default=DonationKind.CASH)
    amount = models.BigIntegerField(_("amount (đồng)"), help_text=_("For goods: their value in đồng."))
    goods_description = models.CharField(_("goods"), max_length=255, blank=True)
    goods_quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    goods_unit = models.CharField(_("unit of measure"), max_length=30, blank=True)
    received_on = models.DateField(_("received on"))
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="donations",
        db_index=False,  # leads donation_campaign_idx
    )
    source = models.CharField(
        _("source"), max_length=16, choices=SourceCategory.choices, default=SourceCategory.CHILD_FUND
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DonationStatus.choices, default=DonationStatus.PENDING
    )
    receipt_year = models.PositiveSmallIntegerField(_("receipt year"), null=True, blank=True, editable=False)
    receipt_seq = models.PositiveIntegerField(_("receipt sequence"), null=True, blank=True, editable=False)
    receipt_number = models.CharField(_("receipt number"), max_length=20, blank=True, editable=False)
    #: Unique by a constraint in Meta, not unique=True: that would add a second (LIKE) index on PostgreSQL.
    #: NULL when there is none, so those never meet in the constraint.
    transfer_reference = models.CharField(  # noqa: DJ001
        _("transfer reference"), max_length=32, null=True, blank=True, editable=False
    )
    donor_name = models.CharField(
        _("name given"),
        max_length=200,
        blank=True,
        help_text=_("The name a donor gave without a donor record (public form)."),
    )
    donor_phone = models.CharField(_("phone given"), max_length=20, blank=True)
    donor_email = models.EmailField(_("email given"), blank=True)
    display_preference = models.CharField(
        _("public display"),
        max_length=16,
        choices=DisplayPreference.choices,
        default=DisplayPreference.FULL_NAME,
    )
    message = models.TextField(_("message"), blank=True)
    #: Unique by a constraint in Meta, NULL when there is none (as transfer_reference).
    client_token = models.CharField(  # noqa: DJ001
        _("form submission token"), max_length=64, null=True, blank=True, editable=False
    )
    pledge = models.ForeignKey(
        "donations.Pledge",
        verbose_name=_("instalment of pledge"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instalments",
        db_index=False,  # donation_pledge_idx, partial
    )
    drive_agency = models.ForeignKey(
        "donations.DriveAgency",
        verbose_name=_("one-day-salary payment of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
        db_index=False,  # donation_drive_agency_idx, partial
    )
    #: The document id (mã chứng từ) of the spreadsheet row it was imported from: once per fund.
    #: NULL when not imported, so those never meet in the unique constraint, and bulk loads that do
    #: not name the column (demo.seed_donations) stay valid.
    import_key = models.CharField(  # noqa: DJ001
        _("imported document id"), max_length=64, null=True, blank=True, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True, editable=False)

    objects = DonationQuerySet.as_manager()

    Status = DonationStatus
    scope_lookup = "fund__unit"

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="donation_amount_positive",
                violation_error_message=_("The amount must be more than 0 đồng."),
            ),
            models.UniqueConstraint(fields=["fund", "import_key"], name="donation_import_key_unique"),
            models.UniqueConstraint(fields=["transfer_reference"], name="donation_transfer_reference_unique"),
            models.UniqueConstraint(fields=["client_token"], name="donation_client_token_unique"),
            models.UniqueConstraint(
                fields=["fund", "receipt_year", "receipt_seq"],
                name="donation_receipt_unique",
                condition=Q(receipt_seq__isnull=False),
            ),
            models.CheckConstraint(
                condition=~Q(status=DonationStatus.POSTED)
                | Q(receipt_seq__isnull=False, posted_at__isnull=False),
                name="donation_posted_has_receipt",
            ),
            models.CheckConstraint(
                condition=~Q(kind=DonationKind.GOODS) | (~Q(goods_description="") & Q(goods_quantity__gt=0)),
                name="donation_goods_described",
                violation_error_message=_("Goods need a description and a quantity."),
            ),
            Restricted.restriction_constraint("donation_restriction_consistent"),
        ]
        indexes = [
            models.Index(fields=["fund", "-received_on", "-id"], name="donation_fund_date_idx"),
            models.Index(fields=["-received_on", "-id"], name="donation_date_idx"),
            models.Index(fields=["donor", "received_on"], name="donation_donor_date_idx"),
            models.Index(fields=["campaign", "status"], name="donation_campaign_idx"),
            models.Index(fields=["pledge"], condition=Q(pledge__isnull=False), name="donation_pledge_idx"),
            models.Index(
                fields=["drive_agency"],
                condition=Q(drive_agency__isnull=False),
                name="donation_drive_agency_idx",
            ),
            *Restricted.restriction_indexes("donation"),
        ]

    def __str__(self) -> str:
        return self.receipt_number or _("Donation %(id)s (not posted)") % {"id": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("admin:donations_donation_change", args=[self.pk])

    def get_additional_data(self) -> dict:
        return {"unit_id": self.fund.unit_id}

    @property
    def medium(self) -> str:
        return Medium.GOODS if self.kind == DonationKind.GOODS else Medium.CASH

    @property
    def public_name(self) -> str:
        """The donor's name as the donor chose to be shown publicly."""
        name = self.donor.name if self.donor else self.donor_name
        preference = self.donor.display_preference if self.donor else self.display_preference
        if not name or preference == DisplayPreference.ANONYMOUS:
            return str(_("Anonymous benefactor"))
        if preference == DisplayPreference.INITIALS:
            return ".".join(part[0].upper() for part in name.split() if part) + "."
        return name


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


class LedgerEntry(Restricted):
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
    donation = models.ForeignKey(
        Donation,
        verbose_name=_("donation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    disbursement = models.ForeignKey(
        "donations.Disbursement",
        verbose_name=_("disbursement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
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

    def get_additional_data(self) -> dict:
        return {"unit_id": self.fund.unit_id}


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


class RecipientKind(models.TextChoices):
    CHILDREN = "children", _("Support to children")
    PLAY_AREA = "play_area", _("A commune's play area")
    LOWER_FUND = "lower_fund", _("A lower-level fund")
    OTHER = "other", _("Other purpose of the fund")


class DisbursementStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved and paid out")
    REJECTED = "rejected", _("Rejected")


class Disbursement(Edited, Restricted):
    """Money or goods going out of a fund; entered by one person and approved by another (maker-checker)."""

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="disbursements"
    )
    medium = models.CharField(_("money or goods"), max_length=8, choices=Medium.choices, default=Medium.CASH)
    amount = models.BigIntegerField(_("amount (đồng)"), help_text=_("For goods: their value in đồng."))
    stock_item = models.ForeignKey(
        "donations.StockItem",
        verbose_name=_("goods from stock"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disbursements",
    )
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    recipient_kind = models.CharField(
        _("goes to"), max_length=16, choices=RecipientKind.choices, default=RecipientKind.CHILDREN
    )
    recipient_unit = models.ForeignKey(
        "fund_portal.AdministrativeUnit",
        verbose_name=_("commune"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recipient_fund = models.ForeignKey(
        Fund,
        verbose_name=_("lower-level fund"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_in",
    )
    purpose = models.CharField(_("purpose"), max_length=255)
    need_area = models.CharField(_("need area"), max_length=24, choices=NeedArea.choices, blank=True)
    spent_on = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=10, choices=DisbursementStatus.choices, default=DisbursementStatus.PROPOSED
    )
    voucher_number = models.CharField(_("payment voucher"), max_length=20, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved or rejected by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    decision_note = models.TextField(_("decision note"), blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_lookup = ("fund__unit", "recipient_unit")

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        ordering = ["-spent_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="disbursement_amount_positive",
                violation_error_message=_("The amount must be more than 0 đồng."),
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("created_by")),
                name="disbursement_no_self_approval",
                violation_error_message=_("Whoever entered a disbursement cannot decide on it."),
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True)
                | Q(edited_by__isnull=True)
                | ~Q(decided_by=F("edited_by")),
                name="disbursement_no_approval_by_editor",
                violation_error_message=_("Whoever edited a disbursement cannot decide on it."),
            ),
            models.CheckConstraint(
                condition=Q(medium=Medium.CASH, stock_item__isnull=True)
                | Q(medium=Medium.GOODS, stock_item__isnull=False, quantity__gt=0),
                name="disbursement_goods_from_stock",
                violation_error_message=_("Goods go out of stock with a quantity; money has no stock item."),
            ),
            Restricted.restriction_constraint("disbursement_restriction_consistent"),
        ]
        indexes = Restricted.restriction_indexes("disbursement")

    def __str__(self) -> str:
        return f"{self.purpose} ({self.amount:,} đ)".replace(",", ".")

    def get_additional_data(self) -> dict:
        return {"unit_id": self.fund.unit_id}


class DisbursementEdit(models.Model):
    """One change of a proposal after it was entered: who changed which fields, and when.

    Every editor, not only the last (`Disbursement.edited_by`), is barred from deciding on the
    proposal: otherwise one officer's change, touched up by a colleague, could be approved by the
    first officer himself."""

    disbursement = models.ForeignKey(
        Disbursement, verbose_name=_("disbursement"), on_delete=models.PROTECT, related_name="edits"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("edited by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("edited at"), auto_now_add=True)
    fields = models.JSONField(_("fields changed"), default=list)

    class Meta:
        verbose_name = _("edit of a disbursement")
        verbose_name_plural = _("edits of disbursements")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.disbursement_id}: {self.by} {self.at:%d/%m/%Y %H:%M}"


class StockItem(models.Model):
    """Goods a fund holds (notebooks, warm jackets, milk...), counted in one unit of measure."""

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="stock_items"
    )
    name = models.CharField(_("goods"), max_length=200)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=30)
    quantity = models.IntegerField(
        _("in stock"),
        default=0,
        editable=False,
        help_text=_("Kept by the stock movements, under a row lock."),
    )

    objects = ScopedQuerySet.as_manager()

    scope_lookup = "fund__unit"

    class Meta:
        verbose_name = _("goods in stock")
        verbose_name_plural = _("goods in stock")
        constraints = [
            models.UniqueConstraint(fields=["fund", "name", "unit_of_measure"], name="stock_item_unique"),
            models.CheckConstraint(
                condition=Q(quantity__gte=0),
                name="stock_never_negative",
                violation_error_message=_("Stock cannot go below zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit_of_measure})"

    def get_additional_data(self) -> dict:
        return {"unit_id": self.fund.unit_id}


class StockMovement(models.Model):
    """Goods received into or issued out of stock; the item's quantity is the sum of its movements."""

    item = models.ForeignKey(
        StockItem, verbose_name=_("goods in stock"), on_delete=models.PROTECT, related_name="movements"
    )
    quantity = models.IntegerField(_("quantity (+ in, − out)"))
    moved_on = models.DateField(_("date"))
    donation = models.ForeignKey(
        Donation,
        verbose_name=_("donation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    disbursement = models.ForeignKey(
        Disbursement,
        verbose_name=_("disbursement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        constraints = [models.CheckConstraint(condition=~Q(quantity=0), name="stock_movement_not_zero")]

    def __str__(self) -> str:
        return f"{self.item}: {self.quantity:+d}"


class BankStatement(models.Model):
    """A bank statement imported for one of a fund's accounts."""

    bank_account = models.ForeignKey(
        BankAccount, verbose_name=_("bank account"), on_delete=models.PROTECT, related_name="statements"
    )
    file_name = models.CharField(_("file"), max_length=255)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    new_lines = models.PositiveIntegerField(_("new lines"), default=0)
    matched_lines = models.PositiveIntegerField(_("matched and posted"), default=0)
    known_lines = models.PositiveIntegerField(_("already on record"), default=0)

    objects = ScopedQuerySet.as_manager()

    scope_lookup = "bank_account__fund__unit"

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.imported_at:%d/%m/%Y})"

    def get_additional_data(self) -> dict:
        return {"unit_id": self.bank_account.fund.unit_id}


class StatementLineStatus(models.TextChoices):
    MATCHED = "matched", _("Matched and posted")
    UNMATCHED = "unmatched", _("Waiting for a match")
    POSTED_NEW = "posted_new", _("Posted as a new donation")
    IGNORED = "ignored", _("Not a donation")


class BankStatementLine(models.Model):
    """One incoming transfer on a statement; the same transfer in a later statement is recognised and skipped.

    A transfer is the bank's transaction number (`bank_ref`, stored upper case without spaces) when the
    statement gives one: a re-export of the statement may respace or recase the description, never the
    number. A statement without numbers keeps the older identity, `line_key` (date, amount, description).
    """

    statement = models.ForeignKey(
        BankStatement, verbose_name=_("bank statement"), on_delete=models.PROTECT, related_name="lines"
    )
    bank_account = models.ForeignKey(
        BankAccount, verbose_name=_("bank account"), on_delete=models.PROTECT, related_name="+"
    )
    line_key = models.CharField(_("line key"), max_length=64, editable=False)
    booked_on = models.DateField(_("date"))
    amount = models.BigIntegerField(_("amount (đồng)"))
    description = models.CharField(_("transfer description"), max_length=500)
    bank_ref = models.CharField(_("bank's transaction number"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=StatementLineStatus.choices, default=StatementLineStatus.UNMATCHED
    )
    donation = models.OneToOneField(
        Donation,
        verbose_name=_("donation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="statement_line",
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_lookup = "bank_account__fund__unit"

    class Meta:
        verbose_name = _("bank statement line")
        verbose_name_plural = _("bank statement lines")
        ordering = ["-booked_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bank_account", "line_key"], name="statement_line_once"),
            models.UniqueConstraint(
                fields=["bank_account", "bank_ref"],
                condition=~Q(bank_ref=""),
                name="statement_line_bank_ref_once",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="statement_line_incoming"),
        ]

    def __str__(self) -> str:
        return f"{self.booked_on:%d/%m/%Y} {self.amount:,} {self.description[:40]}".replace(",", ".")

    def get_additional_data(self) -> dict:
        return {"unit_id": self.bank_account.fund.unit_id}


class Pledge(Edited):
    """A donor's promise of an amount, paid in instalments (each instalment is a donation linked to it)."""

    fund = models.ForeignKey(Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="pledges")
    donor = models.ForeignKey(
        Donor, verbose_name=_("donor"), on_delete=models.PROTECT, related_name="pledges"
    )
    amount = models.BigIntegerField(_("amount pledged (đồng)"))
    pledged_on = models.DateField(_("pledged on"))
    due_by = models.DateField(_("to be paid by"), null=True, blank=True)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pledges",
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    scope_lookup = "fund__unit"

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["-pledged_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="pledge_amount_positive",
                violation_error_message=_("The amount must be more than 0 đồng."),
            ),
            models.CheckConstraint(
                condition=Q(due_by__isnull=True) | Q(due_by__gte=F("pledged_on")),
                name="pledge_due_after_pledged",
                violation_error_message=_("The due date cannot be before the pledge."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.donor}: {self.amount:,} đ".replace(",", ".")

    def get_additional_data(self) -> dict:
        return {"unit_id": self.fund.unit_id}


class SalaryDrive(models.Model):
    """The yearly one-day-salary drive (01 ngày lương/người/năm), collected agency by agency."""

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="salary_drives"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=200)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="salary_drives",
    )

    objects = ScopedQuerySet.as_manager()

    scope_lookup = "fund__unit"

    class Meta:
        verbose_name = _("one-day-salary drive")
        verbose_name_plural = _("one-day-salary drives")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["fund", "year"], name="salary_drive_once_a_year")]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        return {"unit_id": self.fund.unit_id}


class DriveAgency(models.Model):
    """An agency asked to give in a drive: its headcount and what is expected; its donations are what came."""

    drive = models.ForeignKey(
        SalaryDrive, verbose_name=_("drive"), on_delete=models.PROTECT, related_name="agencies"
    )
    agency = models.ForeignKey(
        Donor, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="drives"
    )
    headcount = models.PositiveIntegerField(_("civil servants and workers"))
    expected_amount = models.BigIntegerField(_("expected (đồng)"))

    objects = ScopedQuerySet.as_manager()

    scope_lookup = "drive__fund__unit"

    class Meta:
        verbose_name = _("agency in the drive")
        verbose_name_plural = _("agencies in the drive")
        ordering = ["agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["drive", "agency"], name="drive_agency_once"),
            models.CheckConstraint(condition=Q(expected_amount__gte=0), name="drive_expected_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} ({self.drive.year})"

    def get_additional_data(self) -> dict:
        return {"unit_id": self.drive.fund.unit_id}
