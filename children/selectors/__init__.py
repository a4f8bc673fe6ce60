"""Reads of the children registry, by noun: `registry` (the list of children, a child's groups and
needs, the sensitive permission), `support` (supports, sponsorships, a sponsor's page), `incidents`,
`duplicates`. Callers import from the noun module."""
