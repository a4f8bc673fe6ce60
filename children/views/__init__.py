"""The portal's pages of the children registry, by noun: `registry` (the list, a child's page, registering
and editing, groups, status, consent, photo), `care` (priority list, needs, priority set by hand,
review), `support`, `incidents`, `imports` (import and export of the list)."""
