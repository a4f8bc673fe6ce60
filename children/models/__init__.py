"""The registry of children in special circumstances (cơ sở dữ liệu trẻ em).

The most sensitive data of the portal. Every query starts from `Child.objects.visible_to(user)`
(scope by commune); sensitive groups and health notes are shown only with the permission
`children.view_sensitive`; every view of a child's page and every export is written to
`AccessLog`. Writes go through `children.services`.

The models by sub-domain: `child` (the child, groups, status and consent history), `care` (needs,
yearly reviews, priority weights), `support` (supports and sponsorships), `incidents`, `transfers` (a
child moving to another commune), `duplicates` (checked pairs, alerts across units) and `access` (the
access log). Every model is imported here so
`from children.models import X` works and Django finds them.
"""

from .access import AccessAction, AccessLog
from .care import Need, NeedCount, PriorityWeight, Review, ReviewOutcome, Urgency
from .child import (
    RECORD_FIELDS,
    Child,
    ChildQuerySet,
    ChildStatus,
    ChildStatusChange,
    Circumstance,
    ConsentChange,
    Poverty,
    Sex,
)
from .duplicates import DuplicateAlert, DuplicateAlertQuerySet, DuplicateDismissal
from .incidents import Incident, IncidentKind, IncidentStatus
from .support import Sponsorship, Support, SupportKind, SupportSource
from .transfers import ChildTransfer, ChildTransferQuerySet, TransferStatus

__all__ = [
    "RECORD_FIELDS",
    "AccessAction",
    "AccessLog",
    "Child",
    "ChildQuerySet",
    "ChildStatus",
    "ChildStatusChange",
    "ChildTransfer",
    "ChildTransferQuerySet",
    "Circumstance",
    "ConsentChange",
    "DuplicateAlert",
    "DuplicateAlertQuerySet",
    "DuplicateDismissal",
    "Incident",
    "IncidentKind",
    "IncidentStatus",
    "Need",
    "NeedCount",
    "Poverty",
    "PriorityWeight",
    "Review",
    "ReviewOutcome",
    "Sex",
    "Sponsorship",
    "Support",
    "SupportKind",
    "SupportSource",
    "TransferStatus",
    "Urgency",
]
