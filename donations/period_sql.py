"""The posted donations summed by day (`DonationDay`) and by donor and month (`PostedDonorMonth`), kept by the
database: a report's money figures read these rows for any range of days instead of the period's
donations (issue 20).

Unlike the ledger's sums (`donations.ledger_sql`), these follow the donations themselves, because the
figures count posted donations by the day they were received: a donation counts while its status is
posted, under its fund, day, source, kind, campaign and donor as they are now. So the triggers are on
`Donation`, for every insert, update and delete: each statement takes back the rows as they were
(when posted) and adds them as they are (when posted), so a posting, a cancellation, a reversal, an
import's COPY, a donor merge or a campaign relinked keeps the sums exact, whoever writes. PostgreSQL
runs one statement-level trigger per event over its transition tables (an update that changes none of
the summed columns nets to nothing and writes nothing); SQLite (development) runs row triggers.
Rows are upserted in key order, so two transactions adding to the same days take their locks in the
same order. A sum taken back to nothing stays as a row of zeros (readers and the check skip them).

SQLite drops a table's triggers when a migration rebuilds the table, so `ensure_sqlite_triggers()`
(donations.ledger_sql) creates these again after every migrate; on PostgreSQL they are created once,
by migration 0027. `manage.py ledger_months --rebuild` recomputes both tables (`period_sums_rebuild`).
"""

from __future__ import annotations

_DAY_TABLE = "donations_donationday"
_DAY_KEY = "fund_id, day, source, kind, campaign"
_MONTH_TABLE = "donations_posteddonormonth"
_MONTH_KEY = "fund_id, month, donor_id"

#: The month of a donation, in each database's SQL.
_MONTH = {
    "postgresql": "date_trunc('month', received_on)::date",
    "sqlite": "date(received_on, 'start of month')",
}


def _day_select(rows: str, sign: int) -> str:
    return (
        f"SELECT fund_id, received_on AS day, source, kind, COALESCE(campaign_id, 0) AS campaign, "
        f"{sign} AS n, {sign} * amount AS amount FROM {rows} WHERE status = 'posted'"
    )


def _month_select(rows: str, sign: int, vendor: str) -> str:
    return (
        f"SELECT fund_id, {_MONTH[vendor]} AS month, donor_id, {sign} AS n, {sign} * amount AS amount "
        f"FROM {rows} WHERE status = 'posted' AND donor_id IS NOT NULL"
    )


def _pg_add(table: str, key: str, parts: list[str]) -> str:
    """Upsert the net change of `parts` (SELECTs of signed rows) into `table`, skipping keys that net
    to nothing (an update that moved no summed column)."""
    return f"""
    INSERT INTO {table} AS s ({key}, n, amount)
    SELECT {key}, SUM(n), SUM(amount) FROM ({" UNION ALL ".join(parts)}) AS change
    GROUP BY {key}
    HAVING SUM(n) <> 0 OR SUM(amount) <> 0
    ORDER BY {key}
    ON CONFLICT ({key}) DO UPDATE SET n = s.n + EXCLUDED.n, amount = s.amount + EXCLUDED.amount;"""


def _pg_function(event: str, parts: list[tuple[str, int]]) -> str:
    days = _pg_add(_DAY_TABLE, _DAY_KEY, [_day_select(rows, sign) for rows, sign in parts])
    months = _pg_add(
        _MONTH_TABLE, _MONTH_KEY, [_month_select(rows, sign, "postgresql") for rows, sign in parts]
    )
    tables = " ".join(f"{'NEW' if rows == 'new_rows' else 'OLD'} TABLE AS {rows}" for rows, _sign in parts)
    return f"""
CREATE OR REPLACE FUNCTION donations_period_sums_{event}() RETURNS trigger AS $$
BEGIN
    {days}
    {months}
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER donations_donation_period_sums_{event}
    AFTER {event.upper()} ON donations_donation
    REFERENCING {tables}
    FOR EACH STATEMENT EXECUTE FUNCTION donations_period_sums_{event}();
"""


_EVENTS = {
    "insert": [("new_rows", 1)],
    "update": [("old_rows", -1), ("new_rows", 1)],
    "delete": [("old_rows", -1)],
}

POSTGRESQL = "".join(_pg_function(event, parts) for event, parts in _EVENTS.items())
POSTGRESQL_DROP = "".join(
    f"DROP TRIGGER IF EXISTS donations_donation_period_sums_{event} ON donations_donation;\n"
    f"DROP FUNCTION IF EXISTS donations_period_sums_{event}();\n"
    for event in _EVENTS
)


def _sqlite_add(row: str, sign: int) -> list[str]:
    """The two upserts of one row (NEW or OLD) with its sign, each a no-op unless the row is posted."""
    sign_amount = f"{'-' if sign < 0 else ''}{row}.amount"
    return [
        f"""INSERT INTO {_DAY_TABLE} ({_DAY_KEY}, n, amount)
        SELECT {row}.fund_id, {row}.received_on, {row}.source, {row}.kind, COALESCE({row}.campaign_id, 0),
               {sign}, {sign_amount}
        WHERE {row}.status = 'posted'
        ON CONFLICT ({_DAY_KEY}) DO UPDATE SET n = n + excluded.n, amount = amount + excluded.amount;""",
        f"""INSERT INTO {_MONTH_TABLE} ({_MONTH_KEY}, n, amount)
        SELECT {row}.fund_id, date({row}.received_on, 'start of month'), {row}.donor_id, {sign}, {sign_amount}
        WHERE {row}.status = 'posted' AND {row}.donor_id IS NOT NULL
        ON CONFLICT ({_MONTH_KEY}) DO UPDATE SET n = n + excluded.n, amount = amount + excluded.amount;""",
    ]


SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS donations_donation_period_sums_{event}
    AFTER {event.upper()} ON donations_donation
    BEGIN
        {" ".join(s for rows, sign in parts for s in _sqlite_add(rows[:3].upper(), sign))}
    END"""
    for event, parts in _EVENTS.items()
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS donations_donation_period_sums_{event}" for event in _EVENTS]


def donation_days_sql() -> str:
    """A SELECT of what DonationDay must hold, from the donations (the rebuild and the check)."""
    return (
        f"SELECT {_DAY_KEY}, SUM(n) AS n, SUM(amount) AS amount "
        f"FROM ({_day_select('donations_donation', 1)}) AS d GROUP BY {_DAY_KEY}"
    )


def posted_donor_months_sql(vendor: str) -> str:
    """A SELECT of what DonorMonth must hold, from the donations (the rebuild and the check)."""
    return (
        f"SELECT {_MONTH_KEY}, SUM(n) AS n, SUM(amount) AS amount "
        f"FROM ({_month_select('donations_donation', 1, vendor)}) AS d GROUP BY {_MONTH_KEY}"
    )


def period_sums_rebuild(cursor, vendor: str) -> None:
    """Recompute DonationDay and PostedDonorMonth from the donations (migration 0027; `ledger_months
    --rebuild`)."""
    cursor.execute(f"DELETE FROM {_DAY_TABLE}")
    cursor.execute(f"INSERT INTO {_DAY_TABLE} ({_DAY_KEY}, n, amount) " + donation_days_sql())
    cursor.execute(f"DELETE FROM {_MONTH_TABLE}")
    cursor.execute(f"INSERT INTO {_MONTH_TABLE} ({_MONTH_KEY}, n, amount) " + posted_donor_months_sql(vendor))
