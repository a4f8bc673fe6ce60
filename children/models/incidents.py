"""Incidents (vụ việc) involving a child, recorded by the commune."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from fund_portal.fields import account_field, optional_link
from fund_portal.scope import ScopedModel

from .child import Child


class IncidentKind(models.TextChoices):
    ABUSE = "abuse", _("Abuse")
    SEXUAL_ABUSE = "sexual_abuse", _("Sexual abuse")
    VIOLENCE = "violence", _("Violence")
    EXPLOITATION = "exploitation", _("Exploitation (child labour)")
    TRAFFICKING = "trafficking", _("Trafficking")
    INJURY = "injury", _("Injury (accident)")
    DROWNING = "drowning", _("Drowning")
    OTHER = "other", _("Other")


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("Awaiting intervention")
    INTERVENED = "intervened", _("Intervened")
    CLOSED = "closed", _("Closed")


class Incident(ScopedModel):
    """An incident (vụ việc) involving a child, recorded by the commune; visible only with the
    sensitive permission. An urgent one must be acted on within 12 hours (Decree 56/2017)."""

    commune = models.ForeignKey(
        "fund_portal.AdministrativeUnit",
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    child = optional_link(Child, _("child"), related_name="incidents")
    child_description = models.CharField(
        _("child, if not registered"), max_length=255, blank=True, help_text=_("Age, sex; no name needed.")
    )
    kind = models.CharField(_("type"), max_length=16, choices=IncidentKind.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    reported_at = models.DateTimeField(_("reported at"))
    urgent = models.BooleanField(_("urgent"), default=False)
    description = models.TextField(_("what happened"))
    actions = models.TextField(_("what was done"), blank=True)
    intervened_at = models.DateTimeField(_("intervened at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=IncidentStatus.choices, default=IncidentStatus.OPEN
    )
    recorded_by = account_field(_("recorded by"), null=True, editable=False)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    notified_at = models.DateTimeField(
        _("district notified at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the fund staff were emailed about this urgent incident."),
    )

    scope_lookup = "commune"
    scope_village_lookup = "child__village"

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-reported_at"]
        indexes = [models.Index(fields=["status", "urgent", "reported_at"], name="incident_open_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%d/%m/%Y}"
