"""Writes of incidents (vụ việc): recording one, the intervention, closing, and the district's email
about an urgent one (sent once, by its task or by the sweep). The rules are in `children.incidents`."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fund_portal.authority import Action, requires
from fund_portal.models import AdministrativeUnit, Role, UnitLevel, User
from fund_portal.scope import communes_reached

from ..incidents import RECORDING_ROLES, _aware, format_local, incident_deadline
from ..models import Child, Incident, IncidentKind, IncidentStatus
from ..selectors.registry import can_see_sensitive
from ..tasks import incident_notify_task


def _require_can_record(by) -> None:
    if not (by.is_authenticated and by.is_active and (by.is_superuser or by.role in RECORDING_ROLES)):
        raise PermissionDenied


def _require_sensitive(*, incident: Incident, by) -> None:
    """Reading or changing an incident: the sensitive permission, and the incident in scope."""
    if not can_see_sensitive(by):
        raise PermissionDenied
    if not Incident.objects.visible_to(by).filter(pk=incident.pk).exists():
        raise PermissionDenied


def incident_check(*, incident: Incident, by) -> None:
    """The rules of a recorded incident, each refusal on its field, in Vietnamese."""
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    now = timezone.now()
    commune = incident.commune if incident.commune_id else None
    if commune is None:
        refuse("commune", _("Choose the commune of the incident."))
    elif commune.level != UnitLevel.COMMUNE:
        refuse("commune", _("%(unit)s is not a commune.") % {"unit": commune})
    elif not communes_reached(by).filter(pk=commune.pk).exists():
        refuse("commune", _("%(unit)s is outside your unit.") % {"unit": commune})
    if incident.child_id:
        in_commune = (
            Child.objects.visible_to(by).filter(pk=incident.child_id, commune_id=incident.commune_id).exists()
        )
        if commune is not None and not in_commune:
            refuse("child", _("The child chosen is not registered in %(commune)s.") % {"commune": commune})
    elif not incident.child_description.strip():
        refuse("child_description", _("Choose a registered child or describe the child (age, sex)."))
    if incident.kind not in IncidentKind.values:
        refuse("kind", _("“%(value)s” is not a type of incident.") % {"value": incident.kind})
    if not incident.description.strip():
        refuse("description", _("Say what happened."))
    if incident.occurred_at is None:
        refuse("occurred_at", _("Give the date and time of the incident."))
    elif incident.occurred_at > now:
        refuse(
            "occurred_at",
            _("The incident cannot have occurred in the future (%(at)s).")
            % {"at": format_local(incident.occurred_at)},
        )
    if incident.reported_at > now:
        refuse(
            "reported_at",
            _("The report cannot be in the future (%(at)s).") % {"at": format_local(incident.reported_at)},
        )
    elif incident.occurred_at is not None and incident.reported_at < incident.occurred_at:
        refuse("reported_at", _("The incident was reported before it occurred."))
    if errors:
        raise ValidationError(errors)


def intervention_check(*, incident: Incident, actions: str, intervened_at: dt.datetime | None) -> None:
    """An intervention says what was done and when: after the incident, not in the future."""
    errors: dict[str, list[str]] = {}
    if incident.status != IncidentStatus.OPEN:
        raise ValidationError(_("This incident is not awaiting intervention."), code="status")
    if not (actions or "").strip():
        errors.setdefault("actions", []).append(_("Say what was done."))
    if intervened_at is None:
        errors.setdefault("intervened_at", []).append(_("Give the date and time of the intervention."))
    elif intervened_at > timezone.now():
        errors.setdefault("intervened_at", []).append(
            _("The intervention cannot be in the future (%(at)s).") % {"at": format_local(intervened_at)}
        )
    elif incident.occurred_at and intervened_at < incident.occurred_at:
        errors.setdefault("intervened_at", []).append(
            _("The intervention cannot be before the incident occurred.")
        )
    if errors:
        raise ValidationError(errors)


@requires(Action.INCIDENT_RECORD)
def incident_record(
    *,
    by,
    commune: AdministrativeUnit,
    kind: str,
    occurred_at: dt.datetime,
    description: str,
    urgent: bool = False,
    child: Child | None = None,
    child_description: str = "",
    reported_at: dt.datetime | None = None,
    actions: str = "",
    intervened_at: dt.datetime | None = None,
) -> Incident:
    """Record an incident reported to the commune; an urgent one alerts the district at once.

    `reported_at` (default: now) starts the 12-hour deadline. When the commune has already acted,
    `actions` and `intervened_at` record the intervention in the same step."""
    _require_can_record(by)
    incident = Incident(
        commune=commune,
        child=child,
        child_description=(child_description or "").strip(),
        kind=kind,
        occurred_at=_aware(occurred_at),
        reported_at=_aware(reported_at) or timezone.now(),
        urgent=urgent,
        description=(description or "").strip(),
        recorded_by=by,
    )
    incident_check(incident=incident, by=by)
    intervened_at = _aware(intervened_at)
    if (actions or "").strip() or intervened_at is not None:
        intervention_check(incident=incident, actions=actions, intervened_at=intervened_at)
        incident.actions, incident.intervened_at = actions.strip(), intervened_at
        incident.status = IncidentStatus.INTERVENED
    incident.full_clean()
    with transaction.atomic():
        incident.save()
        if incident.urgent:
            pk = incident.pk
            # robust: with the broker down the incident is saved and the page answers; the sweep
            # (`incidents_notify_pending`) sends the email once the broker is back.
            transaction.on_commit(lambda: incident_notify_task.delay(incident_id=pk), robust=True)
    return incident


@requires(Action.INCIDENT_HANDLE)
def incident_intervene(
    *, incident: Incident, by, actions: str, intervened_at: dt.datetime | None
) -> Incident:
    """Record what was done for the child and when: the incident is no longer awaiting intervention."""
    _require_sensitive(incident=incident, by=by)
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        intervened_at = _aware(intervened_at)
        intervention_check(incident=incident, actions=actions, intervened_at=intervened_at)
        incident.actions, incident.intervened_at = actions.strip(), intervened_at
        incident.status = IncidentStatus.INTERVENED
        incident.full_clean()
        incident.save(update_fields=["actions", "intervened_at", "status"])
    return incident


@requires(Action.INCIDENT_HANDLE)
def incident_close(*, incident: Incident, by) -> Incident:
    """Close an incident after the intervention: the case needs nothing more from the commune."""
    _require_sensitive(incident=incident, by=by)
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if incident.status == IncidentStatus.CLOSED:
            raise ValidationError(_("This incident is already closed."), code="closed")
        if incident.status != IncidentStatus.INTERVENED:
            raise ValidationError(
                _("An incident is closed only after the intervention is recorded."), code="status"
            )
        incident.status = IncidentStatus.CLOSED
        incident.save(update_fields=["status"])
    return incident


def incident_recipients(*, incident: Incident) -> list[User]:
    """Fund staff whose scope holds the incident's commune, with an email address.

    Candidates are the staff bound to the commune or a unit above it (the ancestors' paths);
    each is then confirmed through the scope module, so a change of scope rules applies here too."""
    path = incident.commune.path
    parts = path.strip("/").split("/")
    ancestor_paths = ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    candidates = (
        User.objects.filter(role=Role.DISTRICT_STAFF, is_active=True, unit__path__in=ancestor_paths)
        .exclude(email="")
        .order_by("pk")
    )
    return [user for user in candidates if Incident.objects.visible_to(user).filter(pk=incident.pk).exists()]


def incident_notify_district(*, incident_id: int) -> int:
    """Email the district staff about an urgent incident: the commune, the deadline and a link; no details.

    Once per incident: the row is locked and `notified_at` set in the same transaction, so a task run
    twice, or the sweep and the task at once, send one email. Returns the number of addresses
    written to (0 when nobody has an address, or when it was sent already)."""
    with transaction.atomic():
        incident = (
            Incident.objects.select_for_update(of=("self",)).select_related("commune").get(pk=incident_id)
        )
        if not incident.urgent or incident.notified_at is not None:
            return 0
        addresses = [user.email for user in incident_recipients(incident=incident)]
        incident.notified_at = timezone.now()
        incident.save(update_fields=["notified_at"])
        if addresses:
            _notify_email(incident, addresses).send()
    return len(addresses)


#: An urgent incident not yet notified this long after it was recorded is sent by the sweep: its
#: task was lost (the broker was down when it was recorded) or is failing.
NOTIFY_SWEEP_AFTER = dt.timedelta(minutes=2)


def incidents_notify_pending(*, now: dt.datetime | None = None) -> int:
    """Send the emails of urgent incidents whose task never ran (run by the beat every few minutes).
    Returns how many incidents were notified."""
    cutoff = (now or timezone.now()) - NOTIFY_SWEEP_AFTER
    pending = Incident.objects.filter(urgent=True, notified_at__isnull=True, recorded_at__lte=cutoff)
    return sum(1 for pk in pending.values_list("pk", flat=True) if incident_notify_district(incident_id=pk))


def _notify_email(incident: Incident, addresses: list[str]) -> EmailMessage:
    url = settings.SITE_URL + reverse("children:incident_detail", kwargs={"pk": incident.pk})
    values = {
        "commune": incident.commune.name,
        "deadline": format_local(incident_deadline(incident)),
        "url": url,
    }
    return EmailMessage(
        subject=_("Urgent incident in %(commune)s — intervene by %(deadline)s") % values,
        body=_(
            "An urgent incident involving a child has been recorded in %(commune)s.\n"
            "Under Decree 56/2017/NĐ-CP the intervention is due by %(deadline)s.\n"
            "Details (for those with the permission for sensitive data): %(url)s"
        )
        % values,
        to=addresses,
    )
