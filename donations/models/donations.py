"""Donations: money or goods given to a fund, receipted when posted."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fund_portal.fields import account_field, optional_link
from fund_portal.scope import ScopedModel, ScopedQuerySet

from .common import Medium, Restricted, SourceCategory, amount_positive_constraint
from .donors import DisplayPreference, Donor
from .funds import Fund


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


class Donation(ScopedModel, Restricted):
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
    donor = optional_link(
        Donor,
        _("donor"),
        related_name="donations",
        db_index=False,  # leads donation_donor_date_idx
    )
    kind = models.CharField(_("kind"), max_length=10, choices=DonationKind.choices, default=DonationKind.CASH)
    amount = models.BigIntegerField(_("amount (đồng)"), help_text=_("For goods: their value in đồng."))
    goods_description = models.CharField(_("goods"), max_length=255, blank=True)
    goods_quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    goods_unit = models.CharField(_("unit of measure"), max_length=30, blank=True)
    received_on = models.DateField(_("received on"))
    campaign = optional_link(
        "campaigns.Campaign",
        _("campaign"),
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
    receipt_number = models.CharField(_("receipt number"), max_length=60, blank=True, editable=False)
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
    #: What the donor announced, kept when the transfer that paid it brought another amount (`amount`
    #: is then what arrived, and what the receipt and the ledger say).
    announced_amount = models.BigIntegerField(
        _("amount announced (đồng)"), null=True, blank=True, editable=False
    )
    #: Unique by a constraint in Meta, NULL when there is none (as transfer_reference).
    client_token = models.CharField(  # noqa: DJ001
        _("form submission token"), max_length=64, null=True, blank=True, editable=False
    )
    pledge = optional_link(
        "donations.Pledge",
        _("instalment of pledge"),
        related_name="instalments",
        db_index=False,  # donation_pledge_idx, partial
    )
    drive_agency = optional_link(
        "donations.DriveAgency",
        _("one-day-salary payment of"),
        related_name="payments",
        db_index=False,  # donation_drive_agency_idx, partial
    )
    #: The document id (mã chứng từ) of the spreadsheet row it was imported from: once per fund.
    #: NULL when not imported, so those never meet in the unique constraint, and bulk loads that do
    #: not name the column (demo.seed_donations) stay valid.
    import_key = models.CharField(  # noqa: DJ001
        _("imported document id"), max_length=64, null=True, blank=True, editable=False
    )
    created_by = account_field(_("recorded by"), key_checked=False, null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    posted_by = account_field(_("posted by"), key_checked=False, null=True, blank=True, editable=False)
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True, editable=False)

    objects = DonationQuerySet.as_manager()

    Status = DonationStatus
    scope_lookup = "fund__unit"

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["-received_on", "-id"]
        constraints = [
            amount_positive_constraint("donation_amount_positive"),
            models.UniqueConstraint(fields=["fund", "import_key"], name="donation_import_key_unique"),
            # Partial: the NULLs (every imported, counted or keyed-in donation's) are not indexed, so
            # writing such a donation costs no entry in either index; unique as before among the rest.
            models.UniqueConstraint(
                fields=["transfer_reference"],
                condition=Q(transfer_reference__isnull=False),
                name="donation_transfer_reference_unique",
            ),
            models.UniqueConstraint(
                fields=["client_token"],
                condition=Q(client_token__isnull=False),
                name="donation_client_token_unique",
            ),
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
            # The admin's name search reads its donors' donations from this index alone (PostgreSQL): the
            # count, the scope (the fund) and the page's order (date, id) without a row of the table.
            models.Index(
                fields=["donor", "received_on", "id"], include=["fund"], name="donation_donor_date_idx"
            ),
            # Partial: most donations name no campaign, and a campaign's donations are always asked by it.
            models.Index(
                fields=["campaign", "status"],
                condition=Q(campaign__isnull=False),
                name="donation_campaign_idx",
            ),
            models.Index(
                fields=["campaign", "-received_on", "-id"],
                condition=Q(status=DonationStatus.POSTED, campaign__isnull=False),
                name="donation_campaign_wall_idx",
            ),
            models.Index(
                fields=["receipt_number"], condition=~Q(receipt_number=""), name="donation_receipt_number_idx"
            ),
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

    @property
    def medium(self) -> str:
        return Medium.GOODS if self.kind == DonationKind.GOODS else Medium.CASH

    @property
    def public_name(self) -> str:
        """The donor's name as the donor chose to be shown publicly."""
        name = self.donor.name if self.donor else self.donor_name
        preference = (
            DisplayPreference.most_private(self.donor.display_preference, self.display_preference)
            if self.donor
            else self.display_preference
        )
        if not name or preference == DisplayPreference.ANONYMOUS:
            return str(_("Anonymous benefactor"))
        if preference == DisplayPreference.INITIALS:
            return ".".join(part[0].upper() for part in name.split() if part) + "."
        return name
