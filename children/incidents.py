"""Incidents (vụ việc): abuse, violence, exploitation, trafficking, injuries and drowning involving a child.

Who may do what:

- Any commune officer or fund staff member records an incident for a commune in their scope,
  optionally naming a registered child of that commune they can see, else describing the child
  without a name. Recording does not need the sensitive permission.
- Listing, opening, intervening and closing need `children.view_sensitive` and the incident in
  scope (`Incident.objects.visible_to(user)`).

An urgent incident must be acted on within 12 hours of being reported (Decree 56/2017/NĐ-CP);
recording one emails the fund staff whose scope holds the commune, through a Celery task
enqueued on commit. Writes are the `incident_*` services below; reads the selectors after them.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fund_portal.authority import Action, requires
from fund_portal.models import AdministrativeUnit, Role, UnitLevel, User

from .models import Child, Incident, IncidentKind, IncidentStatus
from .selectors import can_see_sensitive
from .tasks_incidents import incident_notify_task

#: Decree 56/2017/NĐ-CP: the commune acts within 12 hours on a child at risk of serious harm.
INTERVENTION_HOURS = 12
#: Kinds whose counts are as sensitive as the groups they match (abuse, violence, exploitation,
#: trafficking): small counts of them are suppressed like those of sensitive groups.
SENSITIVE_INCIDENT_KINDS = frozenset(
    {
        IncidentKind.ABUSE,
        IncidentKind.SEXUAL_ABUSE,
        IncidentKind.VIOLENCE,
        IncidentKind.EXPLOITATION,
        IncidentKind.TRAFFICKING,
    }
)
#: Roles that may record an incident (an auditor only reads).
RECORDING_ROLES = (Role.COMMUNE_OFFICER, Role.DISTRICT_STAFF)


# --- Rules ------------------------------------------------------------------------------


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def format_local(value: dt.datetime) -> str:
    """dd/mm/yyyy HH:MM in Asia/Ho_Chi_Minh."""
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")


def incident_deadline(incident: Incident) -> dt.datetime:
    """When the intervention is due: 12 hours after the incident was reported."""
    return incident.reported_at + dt.timedelta(hours=INTERVENTION_HOURS)


def deadline_text(deadline: dt.datetime, *, now: dt.datetime | None = None) -> str:
    """'3 hours 20 minutes left' or 'overdue', in the user's language."""
    left = deadline - (now or timezone.now())
    if left <= dt.timedelta(0):
        return _("Overdue")
    minutes = int(left.total_seconds() // 60)
    return _("%(hours)d h %(minutes)02d min left") % {"hours": minutes // 60, "minutes": minutes % 60}


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
    elif not AdministrativeUnit.objects.visible_to(by).filter(pk=commune.pk).exists():
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


# --- Services -----------------------------------------------------------------------------


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


# --- Selectors ----------------------------------------------------------------------------


def incidents_for(*, user):
    """The incidents a user may read: the sensitive permission and scope, else none."""
    if not can_see_sensitive(user):
        return Incident.objects.none()
    return Incident.objects.visible_to(user).select_related("commune", "child")


def incident_get_for_user(*, user, incident_id: int) -> Incident:
    """One incident the user may read; otherwise `Incident.DoesNotExist` (a 404 in the portal)."""
    return incidents_for(user=user).get(pk=incident_id)


def incidents_list(*, user, status: str = "", urgent: bool | None = None):
    incidents = incidents_for(user=user)
    if status:
        incidents = incidents.filter(status=status)
    if urgent is not None:
        incidents = incidents.filter(urgent=urgent)
    return incidents.order_by("-reported_at", "-id")


def child_incidents(*, child: Child, user) -> list[Incident]:
    """The incidents of a child for the child's page; nothing without the sensitive permission."""
    return list(incidents_for(user=user).filter(child=child).order_by("-occurred_at"))


def urgent_open_summary(*, user) -> dict | None:
    """The banner: how many urgent incidents await intervention in the user's scope, and the nearest deadline.

    One aggregate query on the (status, urgent, reported_at) index; the user's unit ids are computed
    once per user object by the scope module and shared with the page's own queries."""
    row = (
        Incident.objects.visible_to(user)
        .filter(status=IncidentStatus.OPEN, urgent=True)
        .aggregate(count=Count("id"), first=Min("reported_at"))
    )
    if not row["count"]:
        return None
    deadline = row["first"] + dt.timedelta(hours=INTERVENTION_HOURS)
    return {"count": row["count"], "deadline": deadline, "deadline_text": deadline_text(deadline)}


def _period(start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Dates are whole local days, both included; datetimes are a half-open interval."""
    if not isinstance(start, dt.datetime):
        start = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    if not isinstance(end, dt.datetime):
        end = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    return _aware(start), _aware(end)


def incident_counts(
    *,
    start: dt.date | dt.datetime,
    end: dt.date | dt.datetime,
    units: list[AdministrativeUnit] | None = None,
    unit_ids: list[int] | None = None,
) -> dict[str, int]:
    """Incidents that occurred in the period in communes under the given units, by kind, for reports.

    Keys: every `IncidentKind` value, "urgent" and "total". The caller has already checked that the
    units are in the reporting user's scope (a report is about units, not about one user)."""
    paths = [u.path for u in units or []]
    if unit_ids:
        paths += list(AdministrativeUnit.objects.filter(pk__in=unit_ids).values_list("path", flat=True))
    counts = _no_incidents()
    if not paths:
        return counts
    under = Q()
    for path in paths:
        under |= Q(commune__path__startswith=path)
    since, until = _period(start, end)
    incidents = Incident.objects.filter(under, occurred_at__gte=since, occurred_at__lt=until)
    for row in _counted(incidents, "kind"):
        _add(counts, row)
    return counts


def incident_counts_by_commune(
    *, start: dt.date | dt.datetime, end: dt.date | dt.datetime, commune_ids: list[int]
) -> dict[int, dict[str, int]]:
    """`incident_counts` of each of these communes, in one query (a province report has 550)."""
    out = {pk: _no_incidents() for pk in commune_ids}
    since, until = _period(start, end)
    incidents = Incident.objects.filter(
        commune_id__in=commune_ids, occurred_at__gte=since, occurred_at__lt=until
    )
    for row in _counted(incidents, "commune_id", "kind"):
        _add(out[row["commune_id"]], row)
    return out


def _no_incidents() -> dict[str, int]:
    return {kind: 0 for kind in IncidentKind.values} | {"urgent": 0, "total": 0}


def _counted(incidents, *keys: str):
    urgent = Count("id", filter=Q(urgent=True))
    return incidents.values(*keys).annotate(n=Count("id"), n_urgent=urgent).order_by()


def _add(counts: dict[str, int], row: dict) -> None:
    counts[row["kind"]] += row["n"]
    counts["urgent"] += row["n_urgent"]
    counts["total"] += row["n"]
