"""The ledger's triggers: entries are append-only, and every inserted entry is added to its month.

`LedgerMonth` holds the ledger summed by fund, month, medium, kind of entry and what the entry belongs
to (a donation, a disbursement or neither). The database keeps it, so every writer is covered: the
ORM, the imports' COPY, the demo data set, a restore. PostgreSQL runs one statement-level trigger per
INSERT or COPY over its transition table (a 100,000-row import adds a few dozen rows in one
statement); SQLite (development) runs a row trigger. Rows are upserted in key order, so two
transactions adding to the same months take their locks in the same order.

SQLite drops a table's triggers when a migration rebuilds the table, so `ensure_sqlite_triggers()`
runs after every migrate (donations.apps); on PostgreSQL they are created once, by migration 0012.
"""

from __future__ import annotations

#: What a ledger entry belongs to, as LedgerMonth.link says it; `{row}` is NEW or nothing.
_LINK = (
    "CASE WHEN {row}donation_id IS NOT NULL THEN 'donation' "
    "WHEN {row}disbursement_id IS NOT NULL THEN 'disbursement' ELSE '' END"
)

POSTGRESQL_MONTH = f"""
CREATE OR REPLACE FUNCTION donations_ledger_month_add() RETURNS trigger AS $$
BEGIN
    INSERT INTO donations_ledgermonth AS m (fund_id, month, medium, kind, link, inflow, outflow, entries)
    SELECT fund_id, date_trunc('month', entry_date)::date, medium, kind, {_LINK.format(row="")},
           COALESCE(SUM(amount) FILTER (WHERE amount > 0), 0),
           COALESCE(SUM(amount) FILTER (WHERE amount < 0), 0),
           COUNT(*)
    FROM new_entries
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (fund_id, month, medium, kind, link) DO UPDATE
    SET inflow = m.inflow + EXCLUDED.inflow,
        outflow = m.outflow + EXCLUDED.outflow,
        entries = m.entries + EXCLUDED.entries;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER donations_ledgerentry_month
    AFTER INSERT ON donations_ledgerentry
    REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION donations_ledger_month_add();
"""
POSTGRESQL_MONTH_DROP = """
DROP TRIGGER IF EXISTS donations_ledgerentry_month ON donations_ledgerentry;
DROP FUNCTION IF EXISTS donations_ledger_month_add();
"""

SQLITE_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS donations_ledgerentry_no_update BEFORE UPDATE ON donations_ledgerentry
    BEGIN SELECT RAISE(ABORT, 'Ledger entries are never updated or deleted; post a reversing entry.'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS donations_ledgerentry_month AFTER INSERT ON donations_ledgerentry
    BEGIN
        INSERT INTO donations_ledgermonth (fund_id, month, medium, kind, link, inflow, outflow, entries)
        VALUES (NEW.fund_id, date(NEW.entry_date, 'start of month'), NEW.medium, NEW.kind,
                {_LINK.format(row="NEW.")}, MAX(NEW.amount, 0), MIN(NEW.amount, 0), 1)
        ON CONFLICT (fund_id, month, medium, kind, link) DO UPDATE
        SET inflow = inflow + excluded.inflow, outflow = outflow + excluded.outflow,
            entries = entries + 1;
    END""",
]
SQLITE_MONTH_DROP = "DROP TRIGGER IF EXISTS donations_ledgerentry_month"

#: The month of an entry, in each database's SQL.
_MONTH = {
    "postgresql": "date_trunc('month', entry_date)::date",
    "sqlite": "date(entry_date, 'start of month')",
}


def months_from_ledger_sql(vendor: str) -> str:
    """A SELECT of what LedgerMonth must hold, computed from the entries (the rebuild and the check)."""
    return f"""
        SELECT fund_id, {_MONTH[vendor]} AS month, medium, kind, {_LINK.format(row="")} AS link,
               COALESCE(SUM(CASE WHEN amount > 0 THEN amount ELSE 0 END), 0) AS inflow,
               COALESCE(SUM(CASE WHEN amount < 0 THEN amount ELSE 0 END), 0) AS outflow,
               COUNT(*) AS entries
        FROM donations_ledgerentry
        GROUP BY 1, 2, 3, 4, 5
    """  # noqa: S608  no user input


def months_rebuild(cursor, vendor: str) -> None:
    """Recompute LedgerMonth from the entries (migration 0012; `manage.py ledger_months --rebuild`)."""
    cursor.execute("DELETE FROM donations_ledgermonth")
    cursor.execute(
        "INSERT INTO donations_ledgermonth (fund_id, month, medium, kind, link, inflow, outflow, entries) "
        + months_from_ledger_sql(vendor)
    )


def ensure_sqlite_triggers(connection) -> None:
    """Create the ledger's SQLite triggers where a table rebuild dropped them (after every migrate)."""
    if connection.vendor != "sqlite":
        return
    tables = set(connection.introspection.table_names())
    if not {"donations_ledgerentry", "donations_ledgermonth"} <= tables:
        return
    with connection.cursor() as cursor:
        for statement in SQLITE_TRIGGERS:
            cursor.execute(statement)
