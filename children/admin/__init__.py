"""The admin of the children registry, by noun: `registry` (children, with the import/export of
`imports` and the likely duplicates of `duplicates` mixed in; the access log), `care` (priority
weights), `support` (supports, sponsorships), `incidents`. Imported here so the registrations run."""

from . import care, incidents, registry, support  # noqa: F401
