"""The children's records in the audit trail, and what of their entries needs the sensitive permission
(see `fund_portal.audit`): an incident's entries, a sensitive group's entries (by its old, new or
current code), and a child's health notes and computed priority (a score moves by a group's weight)."""

from auditlog.registry import auditlog

from fund_portal.audit import audit_restrict

from .models import (
    Child,
    ChildTransfer,
    Circumstance,
    Incident,
    Need,
    PriorityWeight,
    Review,
    Sponsorship,
    Support,
)
from .reference.circumstances import is_sensitive

auditlog.register(Child, exclude_fields=["province"])  # derived from the commune, logged there
auditlog.register(Circumstance)
auditlog.register(Need)
auditlog.register(Review)
auditlog.register(Support)
auditlog.register(ChildTransfer)
auditlog.register(Sponsorship)
auditlog.register(Incident)
auditlog.register(PriorityWeight)


def _circumstance_hidden(changes: dict, object_repr: str) -> bool:
    """A group's entry is hidden if any code it names (before, after, or now, from the record's
    name "child: G12") is sensitive; an unknown or missing code counts as sensitive."""
    codes = {object_repr.rpartition(": ")[2].strip()}
    for field in ("group", "subgroup"):
        for value in changes.get(field) or []:
            if value not in (None, "", "None"):
                codes.add(str(value))
    return any(is_sensitive(code) for code in codes)


audit_restrict("children.incident", hidden=lambda changes, object_repr: True)
audit_restrict("children.circumstance", hidden=_circumstance_hidden)
audit_restrict("children.child", redacted=("health_notes", "priority_score", "priority"))
