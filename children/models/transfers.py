"""A child moving from one commune to another: the sending commune asks, the receiving commune accepts
(the child's record then belongs to it) or refuses. Every request is kept as the child's history."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from fund_portal.fields import account_field, optional_link
from fund_portal.scope import ScopedModel, ScopedQuerySet


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", _("Awaiting the receiving commune")
    ACCEPTED = "accepted", _("Accepted into the commune")
    REFUSED = "refused", _("Refused")
    CANCELLED = "cancelled", _("Cancelled")


class ChildTransferQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(status=TransferStatus.REQUESTED)


class ChildTransfer(ScopedModel):
    """A request to move a child's record from the commune that keeps it to another commune, and its
    decision by the receiving commune. Seen from both communes (their staff above too)."""

    child = models.ForeignKey(
        "children.Child",
        verbose_name=_("child"),
        on_delete=models.PROTECT,
        related_name="transfers",
        db_index=False,  # child_transfer_child_idx
    )
    from_commune = models.ForeignKey(
        "fund_portal.AdministrativeUnit",
        verbose_name=_("from commune"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_commune = models.ForeignKey(
        "fund_portal.AdministrativeUnit",
        verbose_name=_("to commune"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_village = optional_link(
        "fund_portal.AdministrativeUnit", _("to village"), related_name="+", db_index=False
    )
    reason = models.CharField(_("reason for the move"), max_length=255)
    status = models.CharField(
        _("status"), max_length=10, choices=TransferStatus.choices, default=TransferStatus.REQUESTED
    )
    requested_by = account_field(_("requested by"), db_index=False)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = account_field(_("decided by"), null=True, blank=True, db_index=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.CharField(_("note of the decision"), max_length=255, blank=True)
    not_duplicate_confirmed = models.BooleanField(
        _("receiver confirmed it is not a duplicate"), default=False
    )

    objects = ChildTransferQuerySet.as_manager()

    scope_lookup = ("from_commune", "to_commune")

    class Meta:
        verbose_name = _("child transfer")
        verbose_name_plural = _("child transfers")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["child", "-requested_at"], name="child_transfer_child_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=Q(status="requested"),
                name="child_transfer_one_open",
                violation_error_message=_("This child already has an open transfer request."),
            ),
            models.CheckConstraint(
                condition=~Q(from_commune=F("to_commune")),
                name="child_transfer_other_commune",
                violation_error_message=_("A child is transferred to another commune."),
            ),
            models.CheckConstraint(
                condition=Q(status="requested", decided_at__isnull=True)
                | (~Q(status="requested") & Q(decided_at__isnull=False)),
                name="child_transfer_decided_at",
                violation_error_message=_("A decided transfer has its date of decision."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child_id}: {self.from_commune_id} → {self.to_commune_id}"
