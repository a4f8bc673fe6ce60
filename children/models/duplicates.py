"""Likely duplicate records: pairs checked and found different, and alerts across units."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from fund_portal.fields import account_field, optional_link
from fund_portal.scope import ScopedModel, visible_units

from .child import Child


class DuplicateDismissal(ScopedModel):
    """District staff checked two records and found two different children: not listed again."""

    child_a = models.ForeignKey(
        Child, verbose_name=_("first child"), on_delete=models.CASCADE, related_name="+"
    )
    child_b = models.ForeignKey(
        Child, verbose_name=_("second child"), on_delete=models.CASCADE, related_name="+"
    )
    by = account_field(_("checked by"))
    at = models.DateTimeField(_("checked at"), auto_now_add=True)

    scope_lookup = "child_a__commune"

    class Meta:
        verbose_name = _("checked pair (not a duplicate)")
        verbose_name_plural = _("checked pairs (not duplicates)")
        constraints = [
            models.UniqueConstraint(fields=["child_a", "child_b"], name="dismissal_once"),
            models.CheckConstraint(condition=Q(child_a__lt=F("child_b")), name="dismissal_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.child_a_id} ≠ {self.child_b_id}"


class DuplicateAlertQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Seen by whoever sees `unit` (the lowest unit over both records): the officer who typed the
        details does not see the other record, and an alert across provinces (no unit) is the fund's,
        seen by superusers only — not by every district's staff, as a unit-less record would be."""

        units = visible_units(user)
        if units is None:
            return self.all()
        return self.filter(unit__in=units.values("pk"))


class DuplicateAlert(models.Model):
    """A registration that matched a record outside the officer's scope. The officer is told only that a
    likely duplicate exists elsewhere; staff of the lowest unit over both records check it."""

    existing = models.ForeignKey(
        Child, verbose_name=_("record already registered"), on_delete=models.CASCADE, related_name="+"
    )
    registered = models.ForeignKey(
        Child,
        verbose_name=_("record registered anyway"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    unit = optional_link("fund_portal.AdministrativeUnit", _("checked by the staff of"), related_name="+")
    commune = models.ForeignKey(
        "fund_portal.AdministrativeUnit",
        verbose_name=_("commune registering"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    full_name = models.CharField(_("full name typed"), max_length=120)
    birth_date = models.DateField(_("date of birth typed"))
    personal_id = models.CharField(_("personal identification number typed"), max_length=12, blank=True)
    reason = models.CharField(_("reason"), max_length=20)
    by = account_field(_("typed by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)
    checked_by = account_field(_("checked by"), null=True, blank=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    objects = DuplicateAlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("likely duplicate outside the officer's unit")
        verbose_name_plural = _("likely duplicates outside the officer's unit")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(
                fields=["unit", "-at"], condition=Q(checked_at__isnull=True), name="dupalert_open_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ~ {self.existing_id}"
