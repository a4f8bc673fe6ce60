"""Disbursements: money or goods going out of a fund (maker-checker), and their edits."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from fund_portal.fields import account_field, optional_link
from fund_portal.scope import ScopedModel

from .common import Edited, Medium, NeedArea, Restricted, amount_positive_constraint
from .funds import Fund


class RecipientKind(models.TextChoices):
    CHILDREN = "children", _("Support to children")
    PLAY_AREA = "play_area", _("A commune's play area")
    LOWER_FUND = "lower_fund", _("A lower-level fund")
    OTHER = "other", _("Other purpose of the fund")


class DisbursementStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved and paid out")
    REJECTED = "rejected", _("Rejected")


class Disbursement(ScopedModel, Edited, Restricted):
    """Money or goods going out of a fund; entered by one person and approved by another (maker-checker)."""

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="disbursements"
    )
    medium = models.CharField(_("money or goods"), max_length=8, choices=Medium.choices, default=Medium.CASH)
    amount = models.BigIntegerField(_("amount (đồng)"), help_text=_("For goods: their value in đồng."))
    stock_item = optional_link("donations.StockItem", _("goods from stock"), related_name="disbursements")
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    recipient_kind = models.CharField(
        _("goes to"), max_length=16, choices=RecipientKind.choices, default=RecipientKind.CHILDREN
    )
    recipient_unit = optional_link("fund_portal.AdministrativeUnit", _("commune"), related_name="+")
    recipient_fund = optional_link(Fund, _("lower-level fund"), related_name="transfers_in")
    purpose = models.CharField(_("purpose"), max_length=255)
    need_area = models.CharField(_("need area"), max_length=24, choices=NeedArea.choices, blank=True)
    spent_on = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=10, choices=DisbursementStatus.choices, default=DisbursementStatus.PROPOSED
    )
    voucher_number = models.CharField(_("payment voucher"), max_length=64, blank=True, editable=False)
    created_by = account_field(_("entered by"))
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    decided_by = account_field(_("approved or rejected by"), null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    decision_note = models.TextField(_("decision note"), blank=True)

    scope_lookup = ("fund__unit", "recipient_unit")

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        ordering = ["-spent_on", "-id"]
        constraints = [
            amount_positive_constraint("disbursement_amount_positive"),
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


class DisbursementEdit(models.Model):
    """One change of a proposal after it was entered: who changed which fields, and when.

    Every editor, not only the last (`Disbursement.edited_by`), is barred from deciding on the
    proposal: otherwise one officer's change, touched up by a colleague, could be approved by the
    first officer himself."""

    disbursement = models.ForeignKey(
        Disbursement, verbose_name=_("disbursement"), on_delete=models.PROTECT, related_name="edits"
    )
    by = account_field(_("edited by"))
    at = models.DateTimeField(_("edited at"), auto_now_add=True)
    fields = models.JSONField(_("fields changed"), default=list)

    class Meta:
        verbose_name = _("edit of a disbursement")
        verbose_name_plural = _("edits of disbursements")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.disbursement_id}: {self.by} {self.at:%d/%m/%Y %H:%M}"
