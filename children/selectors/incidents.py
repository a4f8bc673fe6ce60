"""Reads of incidents (vụ việc): what a user may read (the sensitive permission and scope), the
urgent banner, and the counts of reports."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Min, Q
from django.utils import timezone

from fund_portal.models import AdministrativeUnit

from ..incidents import INTERVENTION_HOURS, _aware, deadline_text
from ..models import Child, Incident, IncidentKind, IncidentStatus
from .registry import can_see_sensitive


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
