"""Pledges: a donor's promise of an amount, paid in instalments."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from fund_portal.fields import account_field, optional_link
from fund_portal.scope import ScopedModel

from .common import Edited, amount_positive_constraint
from .donors import Donor
from .funds import Fund


class Pledge(ScopedModel, Edited):
    """A donor's promise of an amount, paid in instalments (each instalment is a donation linked to it)."""

    fund = models.ForeignKey(Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="pledges")
    donor = models.ForeignKey(
        Donor, verbose_name=_("donor"), on_delete=models.PROTECT, related_name="pledges"
    )
    amount = models.BigIntegerField(_("amount pledged (đồng)"))
    pledged_on = models.DateField(_("pledged on"))
    due_by = models.DateField(_("to be paid by"), null=True, blank=True)
    campaign = optional_link("campaigns.Campaign", _("campaign"), related_name="pledges")
    note = models.TextField(_("note"), blank=True)
    created_by = account_field(_("created by"), null=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    scope_lookup = "fund__unit"

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["-pledged_on", "-id"]
        constraints = [
            amount_positive_constraint("pledge_amount_positive"),
            models.CheckConstraint(
                condition=Q(due_by__isnull=True) | Q(due_by__gte=F("pledged_on")),
                name="pledge_due_after_pledged",
                violation_error_message=_("The due date cannot be before the pledge."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.donor}: {self.amount:,} đ".replace(",", ".")
