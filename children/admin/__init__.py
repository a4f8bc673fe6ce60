"""The admin of the children registry, by noun: `registry` (children, with the import/export of
`imports` and the likely duplicates of `duplicates` mixed in; the access log), `care` (priority
weights), `support` (supports, sponsorships), `incidents`, `transfers` (read only). Imported here so
the registrations run."""

from . import care, incidents, registry, support, transfers  # noqa: F401
