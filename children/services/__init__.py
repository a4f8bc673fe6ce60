"""Writes of the children registry, by noun: `registry` (the child, groups, consent, status, access
logging, ageing out), `care` (needs, the priority set by hand, the yearly review), `support` (support
and its overlap check, sponsorship), `incidents`, `duplicates` (alerts, `child_merge`, dismissals).

Each function checks the user's scope itself (a view, the admin, an import and a task all call
these), refuses bad input with a `ValidationError` in Vietnamese, and recomputes the child's
priority (`children.priority`) when something it depends on changes.
"""
