"""Whether the ledger's month totals (`LedgerMonth`, kept by a database trigger) agree with the entries."""

from __future__ import annotations

from ..ledger_sql import months_from_ledger_sql


def months_differences(connection) -> list[dict]:
    """Where LedgerMonth and the entries disagree (empty when they agree): one dict per key."""
    key_columns = ("fund_id", "month", "medium", "kind", "link")
    with connection.cursor() as cursor:
        cursor.execute(months_from_ledger_sql(connection.vendor))
        expected = {tuple(str(v) for v in row[:5]): row[5:] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT fund_id, month, medium, kind, link, inflow, outflow, entries FROM donations_ledgermonth"
        )
        kept = {tuple(str(v) for v in row[:5]): row[5:] for row in cursor.fetchall()}
    differences = []
    for key in sorted(set(expected) | set(kept)):
        want, have = expected.get(key, (0, 0, 0)), kept.get(key, (0, 0, 0))
        if tuple(want) != tuple(have):
            differences.append({**dict(zip(key_columns, key, strict=True)), "ledger": want, "kept": have})
    return differences
