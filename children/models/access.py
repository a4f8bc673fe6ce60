"""Who looked at or exported which children (the access log)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from fund_portal.fields import account_field
from fund_portal.scope import ScopedModel

from .child import Child


class AccessAction(models.TextChoices):
    VIEW = "view", _("Viewed a child's page")
    EXPORT = "export", _("Exported children")
    SENSITIVE = "sensitive", _("Viewed sensitive data")


class AccessLog(ScopedModel):
    """Who looked at or exported which children, when, and why (for exports)."""

    user = account_field(_("user"))
    action = models.CharField(_("action"), max_length=10, choices=AccessAction.choices)
    child = models.ForeignKey(
        Child,
        verbose_name=_("child"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="access_logs",
    )
    child_ids = models.JSONField(_("children (ids)"), default=list, blank=True)
    children_count = models.PositiveIntegerField(_("children"), default=1)
    unit = models.ForeignKey(
        "fund_portal.AdministrativeUnit",
        verbose_name=_("unit"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    scope_lookup = "unit"

    class Meta:
        verbose_name = _("access to children's data")
        verbose_name_plural = _("access to children's data")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} {self.action} {self.at:%d/%m/%Y %H:%M}"
