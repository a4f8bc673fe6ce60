"""The figures of a report, computed by SQL aggregates (GROUP BY, conditional counts), never row by row.

A report's figures are a JSON-able dict:

- ``children``, ``support``, ``incidents``: additive sections. They are computed per commune (one
  GROUP BY commune query per breakdown, so a province of 1,000,000 children costs the same dozen
  queries as one commune) and the unit's figures are their sum. A commune whose report of the same
  period was accepted contributes its frozen figures instead of live ones: the district report is
  then the consolidation of the communes' accepted reports, and the sum of the communes equals the
  district by construction.
- ``money``: the posted donations of the funds of the unit's subtree (a commune: its funds; a
  district: its own fund plus the communes' funds) received in the period, by source, medium,
  campaign and donor, and the one-day-salary drive of the year.
- ``communes``: for a unit above commune level, one compact line per commune (for the table of the
  district report).

Percentages are not stored: they are derived from counts when shown (`rates`), so sums stay sums.

The registry counts are the registry as it stands when the figures are computed (active children
born by the end of the period), with ages at the end of the period: the status history of bulk-loaded
records is not complete enough to rebuild the registry at a past date. Submission freezes them.

Scope is the caller's business (the services check the user may see the unit): figures are about
units, like `children.incidents.incident_counts`.

The package by section kind: `dates` (ages and days of a period), `children` and `support` (the
per-commune GROUP BY counts of those sections), `money` (the donations and the salary drive), and
`compute` (the whole report: the sum of the communes, the commune lines, the rates).
"""
