"""Writes of the children registry: the child, groups, consent, needs and priority, yearly review,
status, support and its overlap check, sponsorship, access logging, ageing out.

Each function checks the user's scope itself (a view, the admin, an import and a task all call
these), refuses bad input with a `ValidationError` in Vietnamese, and recomputes the child's
priority (`children.priority`) when something it depends on changes.
"""

from ..selectors.duplicates import child_duplicates
from .care import needs_assess, priority_override_set, review_record
from .registry import (
    ADULT_AGE,
    UPDATABLE_FIELDS,
    access_log,
    age_on,
    child_check,
    child_register,
    child_register_check,
    child_status_set,
    child_update,
    children_age_out,
    circumstance_add,
    circumstance_check,
    circumstance_remove,
    consent_set,
    personal_id_check_elsewhere,
)
from .support import (
    SPONSORSHIP_UPDATABLE_FIELDS,
    half_year,
    sponsorship_check,
    sponsorship_end,
    sponsorship_start,
    sponsorship_update,
    support_check,
    support_overlaps,
    support_record,
)

__all__ = [
    "SPONSORSHIP_UPDATABLE_FIELDS",
    "ADULT_AGE",
    "UPDATABLE_FIELDS",
    "access_log",
    "age_on",
    "child_check",
    "child_duplicates",
    "child_register",
    "child_register_check",
    "child_status_set",
    "child_update",
    "children_age_out",
    "circumstance_add",
    "circumstance_check",
    "circumstance_remove",
    "consent_set",
    "half_year",
    "needs_assess",
    "personal_id_check_elsewhere",
    "priority_override_set",
    "review_record",
    "sponsorship_end",
    "sponsorship_check",
    "sponsorship_start",
    "sponsorship_update",
    "support_check",
    "support_overlaps",
    "support_record",
]
