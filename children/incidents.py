"""Incidents (vụ việc): abuse, violence, exploitation, trafficking, injuries and drowning involving a child.

Who may do what:

- Any commune officer or fund staff member records an incident for a commune in their scope,
  optionally naming a registered child of that commune they can see, else describing the child
  without a name. Recording does not need the sensitive permission.
- Listing, opening, intervening and closing need `children.view_sensitive` and the incident in
  scope (`Incident.objects.visible_to(user)`).

An urgent incident must be acted on within 12 hours of being reported (Decree 56/2017/NĐ-CP);
recording one emails the fund staff whose scope holds the commune, through a Celery task
enqueued on commit. This module holds the rules of time and sensitivity; the writes are the
`incident_*` services of `children.services.incidents`, the reads `children.selectors.incidents`.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from fund_portal.models import Role

from .models import Incident, IncidentKind

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


#: Roles that may record an incident (an auditor only reads; a village volunteer is often the first to know).
RECORDING_ROLES = (Role.COMMUNE_OFFICER, Role.DISTRICT_STAFF, Role.VILLAGE_VOLUNTEER)


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
