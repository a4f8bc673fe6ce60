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

from . import period_sql, roll_sql

#: What a ledger entry belongs to, as LedgerMonth.link says it; `{row}` is NEW or nothing.
_LINK = (
    "CASE WHEN {row}donation_id IS NOT NULL THEN 'donation' "
    "WHEN {row}disbursement_id IS NOT NULL THEN 'disbursement' ELSE '' END"
)


def _entries_trigger(trigger: str, function: str, body: str) -> str:
    """A PostgreSQL function that runs `body` (one statement) over each INSERT's or COPY's new entries
    (`new_entries`), and its statement trigger."""
    return f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    {body};
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {trigger}
    AFTER INSERT ON donations_ledgerentry
    REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION {function}();
"""


def _entries_trigger_drop(trigger: str, function: str) -> str:
    return f"""
DROP TRIGGER IF EXISTS {trigger} ON donations_ledgerentry;
DROP FUNCTION IF EXISTS {function}();
"""


_MONTH_TRIGGER = ("donations_ledgerentry_month", "donations_ledger_month_add")
POSTGRESQL_MONTH = _entries_trigger(
    *_MONTH_TRIGGER,
    f"""INSERT INTO donations_ledgermonth AS m (fund_id, month, medium, kind, link, inflow, outflow, entries)
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
        entries = m.entries + EXCLUDED.entries""",
)
POSTGRESQL_MONTH_DROP = _entries_trigger_drop(*_MONTH_TRIGGER)

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


#: The ledger's entries joined to their donations: `e` an entry, `d` its donation; `{entries}` the
#: ledger itself (a rebuild, a check) or a statement's new entries (a trigger).
_JOINED = "{entries} e JOIN donations_donation d ON d.id = e.donation_id"
_LEDGER = _JOINED.format(entries="donations_ledgerentry")
_NEW = _JOINED.format(entries="new_entries")


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
        if "donations_donoryear" in tables:
            cursor.execute(SQLITE_DONOR_YEAR)
        if "donations_campaignraised" in tables:
            cursor.execute(SQLITE_CAMPAIGN_RAISED)
        if "donations_donormonth" in tables:
            for statement in SQLITE_DONOR_MONTH:
                cursor.execute(statement)
        if "donations_honourrollyear" in tables:
            for statement in roll_sql.SQLITE_ROLL:
                cursor.execute(statement)
        if {"donations_donationday", "donations_donormonth"} <= tables:
            for statement in period_sql.SQLITE:
                cursor.execute(statement)
        if _accounts_unchecked(cursor):
            for statement in SQLITE_ACCOUNT_NAMED:
                cursor.execute(statement)


# --- The accounts that donations and ledger entries name (from migration 0033) ---------------------

#: Donations and ledger entries name the account that recorded or posted them without a foreign-key
#: constraint (`fund_portal.fields.account_field`, `key_checked=False`): these refuse instead, in the
#: database, to delete an account they name or to change its id, whoever tries (Django's PROTECT
#: refuses first for the ORM). Each refusal is three look-ups through the columns' indexes.
_ACCOUNT_NAMED = """EXISTS (SELECT 1 FROM donations_donation WHERE created_by_id = OLD.id)
        OR EXISTS (SELECT 1 FROM donations_donation WHERE posted_by_id = OLD.id)
        OR EXISTS (SELECT 1 FROM donations_ledgerentry WHERE created_by_id = OLD.id)"""
_ACCOUNT_NAMED_MESSAGE = "A donation or a ledger entry names this account: it is kept."
POSTGRESQL_ACCOUNT_NAMED = f"""
CREATE OR REPLACE FUNCTION donations_account_named() RETURNS trigger AS $$
BEGIN
    IF {_ACCOUNT_NAMED} THEN
        RAISE EXCEPTION '{_ACCOUNT_NAMED_MESSAGE}' USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER donations_account_named_delete BEFORE DELETE ON fund_portal_user
    FOR EACH ROW EXECUTE FUNCTION donations_account_named();
CREATE TRIGGER donations_account_named_update BEFORE UPDATE OF id ON fund_portal_user
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION donations_account_named();
"""
POSTGRESQL_ACCOUNT_NAMED_DROP = """
DROP TRIGGER IF EXISTS donations_account_named_delete ON fund_portal_user;
DROP TRIGGER IF EXISTS donations_account_named_update ON fund_portal_user;
DROP FUNCTION IF EXISTS donations_account_named();
"""
SQLITE_ACCOUNT_NAMED = [
    f"""CREATE TRIGGER IF NOT EXISTS donations_account_named_delete BEFORE DELETE ON fund_portal_user
    WHEN {_ACCOUNT_NAMED}
    BEGIN SELECT RAISE(ABORT, '{_ACCOUNT_NAMED_MESSAGE}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS donations_account_named_update BEFORE UPDATE OF id ON fund_portal_user
    WHEN OLD.id IS NOT NEW.id AND ({_ACCOUNT_NAMED})
    BEGIN SELECT RAISE(ABORT, '{_ACCOUNT_NAMED_MESSAGE}'); END""",
]
SQLITE_ACCOUNT_NAMED_DROP = [
    "DROP TRIGGER IF EXISTS donations_account_named_delete",
    "DROP TRIGGER IF EXISTS donations_account_named_update",
]


def _accounts_unchecked(cursor) -> bool:
    """SQLite: whether the ledger names its accounts without a foreign-key constraint (migration 0033
    applied, and not reversed), so that the accounts' table needs the refusal."""
    cursor.execute(
        "SELECT COUNT(*) FROM pragma_foreign_key_list('donations_ledgerentry') "
        "WHERE \"from\" = 'created_by_id'"
    )
    return cursor.fetchone()[0] == 0


# --- What each donor gave each fund in a year (DonorYear, the honour roll) -------------------------

#: A ledger entry counts for its donation's donor when it is a donation's entry or its reversal, the
#: donation has a donor record and was not given anonymously; it counts in the year the donation was
#: received. `{source}` is the entries joined to their donations (`e`, `d`), `{year}` the year in the
#: database's SQL.
_DONOR_YEAR_SELECT = """
    SELECT e.fund_id, d.donor_id, {year} AS year, SUM(e.amount) AS total
    FROM {source}
    WHERE e.kind IN ('donation', 'reversal') AND d.donor_id IS NOT NULL
      AND d.display_preference <> 'anonymous' {donors}
    GROUP BY 1, 2, 3
"""
_YEAR = {
    "postgresql": "EXTRACT(YEAR FROM d.received_on)::integer",
    "sqlite": "CAST(strftime('%Y', d.received_on) AS INTEGER)",
}


def _donor_year_insert(source: str) -> str:
    """PostgreSQL: add `source`'s entries (aliases `e` and `d`) to DonorYear."""
    return f"""INSERT INTO donations_donoryear AS y (fund_id, donor_id, year, total)
    {_DONOR_YEAR_SELECT.format(source=source, year=_YEAR["postgresql"], donors="")}
    ORDER BY 1, 2, 3
    ON CONFLICT (fund_id, donor_id, year) DO UPDATE SET total = y.total + EXCLUDED.total"""


#: Its own trigger from migration 0021 to 0031, which merged it into `POSTGRESQL_SUMS`.
_DONOR_YEAR_TRIGGER = ("donations_ledgerentry_donor_year", "donations_donor_year_add")
POSTGRESQL_DONOR_YEAR = _entries_trigger(*_DONOR_YEAR_TRIGGER, _donor_year_insert(_NEW))
POSTGRESQL_DONOR_YEAR_DROP = _entries_trigger_drop(*_DONOR_YEAR_TRIGGER)
SQLITE_DONOR_YEAR = f"""CREATE TRIGGER IF NOT EXISTS donations_ledgerentry_donor_year
    AFTER INSERT ON donations_ledgerentry
    WHEN NEW.donation_id IS NOT NULL AND NEW.kind IN ('donation', 'reversal')
    BEGIN
        INSERT INTO donations_donoryear (fund_id, donor_id, year, total)
        SELECT NEW.fund_id, d.donor_id, {_YEAR["sqlite"]}, NEW.amount
        FROM donations_donation d
        WHERE d.id = NEW.donation_id AND d.donor_id IS NOT NULL AND d.display_preference <> 'anonymous'
        ON CONFLICT (fund_id, donor_id, year) DO UPDATE SET total = total + excluded.total;
    END"""
SQLITE_DONOR_YEAR_DROP = "DROP TRIGGER IF EXISTS donations_ledgerentry_donor_year"


def donor_years_sql(vendor: str, *, donors: bool = False) -> str:
    """A SELECT of what DonorYear must hold, from the ledger (all donors, or `%s`-listed ones)."""
    condition = "AND d.donor_id IN %s" if donors else ""
    return _DONOR_YEAR_SELECT.format(source=_LEDGER, year=_YEAR[vendor], donors=condition)


def donor_years_rebuild(cursor, vendor: str, donor_ids: list[int] | None = None) -> None:
    """Recompute DonorYear from the ledger: every row, or the rows of some donors (a merge)."""
    _donors_rebuild(
        cursor,
        "donations_donoryear",
        "fund_id, donor_id, year, total",
        donor_ids,
        lambda donors: donor_years_sql(vendor, donors=donors),
    )


def _donors_rebuild(cursor, table: str, columns: str, donor_ids: list[int] | None, select) -> None:
    """Recompute a donors' sum from the ledger: `select(donors)` gives what it must hold, for every
    donor (False) or for the `%s`-listed ones (True); every row, or the rows of `donor_ids`."""
    insert = f"INSERT INTO {table} ({columns}) "
    if donor_ids is None:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608  our table's name
        cursor.execute(insert + select(False))
        return
    if not donor_ids:
        return
    listed = "(" + ", ".join(["%s"] * len(donor_ids)) + ")"
    cursor.execute(f"DELETE FROM {table} WHERE donor_id IN {listed}", donor_ids)  # noqa: S608
    cursor.execute(insert + select(True).replace("IN %s", f"IN {listed}"), donor_ids)


# --- What each campaign has raised (CampaignRaised: its page and cards) -----------------------------

_CAMPAIGN_SELECT = """
    SELECT d.campaign_id, SUM(e.amount) AS total
    FROM {source}
    WHERE e.kind IN ('donation', 'reversal') AND d.campaign_id IS NOT NULL
    GROUP BY 1
"""


def _campaign_insert(source: str) -> str:
    """PostgreSQL: add `source`'s entries (aliases `e` and `d`) to CampaignRaised."""
    return f"""INSERT INTO donations_campaignraised AS c (campaign_id, total)
    {_CAMPAIGN_SELECT.format(source=source)}
    ORDER BY 1
    ON CONFLICT (campaign_id) DO UPDATE SET total = c.total + EXCLUDED.total"""


#: Its own trigger from migration 0022 to 0031, which merged it into `POSTGRESQL_SUMS`.
_CAMPAIGN_TRIGGER = ("donations_ledgerentry_campaign_raised", "donations_campaign_raised_add")
POSTGRESQL_CAMPAIGN_RAISED = _entries_trigger(*_CAMPAIGN_TRIGGER, _campaign_insert(_NEW))
POSTGRESQL_CAMPAIGN_RAISED_DROP = _entries_trigger_drop(*_CAMPAIGN_TRIGGER)
SQLITE_CAMPAIGN_RAISED = """CREATE TRIGGER IF NOT EXISTS donations_ledgerentry_campaign_raised
    AFTER INSERT ON donations_ledgerentry
    WHEN NEW.donation_id IS NOT NULL AND NEW.kind IN ('donation', 'reversal')
    BEGIN
        INSERT INTO donations_campaignraised (campaign_id, total)
        SELECT d.campaign_id, NEW.amount FROM donations_donation d
        WHERE d.id = NEW.donation_id AND d.campaign_id IS NOT NULL
        ON CONFLICT (campaign_id) DO UPDATE SET total = total + excluded.total;
    END"""
SQLITE_CAMPAIGN_RAISED_DROP = "DROP TRIGGER IF EXISTS donations_ledgerentry_campaign_raised"


def campaigns_raised_sql() -> str:
    """A SELECT of what CampaignRaised must hold, from the ledger (the rebuild and the check)."""
    return _CAMPAIGN_SELECT.format(source=_LEDGER)


def campaigns_raised_rebuild(cursor) -> None:
    """Recompute CampaignRaised from the ledger."""
    cursor.execute("DELETE FROM donations_campaignraised")
    cursor.execute("INSERT INTO donations_campaignraised (campaign_id, total) " + campaigns_raised_sql())


# --- A fund's donors in a month (DonorMonth: the transparency page's donor lines) -----------------

#: A donation's line: its donor record, else the name it was given under (none when given anonymously).
_LINE_NAME = (
    "CASE WHEN d.donor_id IS NULL AND d.display_preference <> 'anonymous' THEN d.donor_name ELSE '' END"
)
#: Whether a line is shown anonymously: the gift's own choice, a gift without a name, or its donor
#: record's choice (`r`, the donor; kept up to date by the donor's trigger below).
_LINE_ANONYMOUS = (
    "(d.display_preference = 'anonymous' OR (d.donor_id IS NULL AND d.donor_name = '')"
    " OR COALESCE(r.display_preference = 'anonymous' OR r.name = '', FALSE))"
)
_DONOR_MONTH_SELECT = """
    SELECT e.fund_id, {month} AS month, COALESCE(d.donor_id, 0) AS donor_id, {name} AS name,
           d.display_preference, {anonymous} AS anonymous, SUM(e.amount) AS total,
           SUM(CASE WHEN e.kind = 'donation' THEN 1 ELSE 0 END) AS gifts
    FROM {source}
    LEFT JOIN donations_donor r ON r.id = d.donor_id
    WHERE e.kind IN ('donation', 'reversal') {donors}
    GROUP BY 1, 2, 3, 4, 5, 6
"""
_ENTRY_MONTH = {
    "postgresql": "date_trunc('month', e.entry_date)::date",
    "sqlite": "date(e.entry_date, 'start of month')",
}
_DONOR_MONTH_COLUMNS = "fund_id, month, donor_id, name, display_preference, anonymous, total, gifts"
_DONOR_MONTH_KEY = "(fund_id, month, donor_id, name, display_preference)"

#: A donor's lines follow the donor's name and display choice.
_DONOR_LINES_SHOWN = """UPDATE donations_donormonth
        SET anonymous = (display_preference = 'anonymous' OR NEW.display_preference = 'anonymous'
                         OR NEW.name = '')
        WHERE donor_id = NEW.id"""


def _donor_month_insert(source: str) -> str:
    """PostgreSQL: add `source`'s entries (aliases `e` and `d`) to DonorMonth."""
    select = _DONOR_MONTH_SELECT.format(
        source=source, month=_ENTRY_MONTH["postgresql"], name=_LINE_NAME, anonymous=_LINE_ANONYMOUS, donors=""
    )
    return f"""INSERT INTO donations_donormonth AS m ({_DONOR_MONTH_COLUMNS})
    {select}
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT {_DONOR_MONTH_KEY} DO UPDATE
    SET total = m.total + EXCLUDED.total, gifts = m.gifts + EXCLUDED.gifts, anonymous = EXCLUDED.anonymous"""


#: The ledger's trigger had its own from migration 0026 to 0031, which merged it into `POSTGRESQL_SUMS`.
_DONOR_MONTH_TRIGGER = ("donations_ledgerentry_donor_month", "donations_donor_month_add")
POSTGRESQL_DONOR_MONTH_ENTRIES = _entries_trigger(*_DONOR_MONTH_TRIGGER, _donor_month_insert(_NEW))
POSTGRESQL_DONOR_MONTH_ENTRIES_DROP = _entries_trigger_drop(*_DONOR_MONTH_TRIGGER)
POSTGRESQL_DONOR_MONTH = (
    POSTGRESQL_DONOR_MONTH_ENTRIES
    + f"""
CREATE OR REPLACE FUNCTION donations_donor_month_shown() RETURNS trigger AS $$
BEGIN
    {_DONOR_LINES_SHOWN};
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER donations_donor_month_shown
    AFTER UPDATE ON donations_donor
    FOR EACH ROW
    WHEN (OLD.display_preference IS DISTINCT FROM NEW.display_preference
          OR OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION donations_donor_month_shown();
"""
)
POSTGRESQL_DONOR_MONTH_DROP = (
    POSTGRESQL_DONOR_MONTH_ENTRIES_DROP
    + """
DROP TRIGGER IF EXISTS donations_donor_month_shown ON donations_donor;
DROP FUNCTION IF EXISTS donations_donor_month_shown();
"""
)
SQLITE_DONOR_MONTH = [
    f"""CREATE TRIGGER IF NOT EXISTS donations_ledgerentry_donor_month
    AFTER INSERT ON donations_ledgerentry
    WHEN NEW.donation_id IS NOT NULL AND NEW.kind IN ('donation', 'reversal')
    BEGIN
        INSERT INTO donations_donormonth ({_DONOR_MONTH_COLUMNS})
        SELECT NEW.fund_id, date(NEW.entry_date, 'start of month'), COALESCE(d.donor_id, 0), {_LINE_NAME},
               d.display_preference, {_LINE_ANONYMOUS}, NEW.amount,
               CASE WHEN NEW.kind = 'donation' THEN 1 ELSE 0 END
        FROM donations_donation d LEFT JOIN donations_donor r ON r.id = d.donor_id
        WHERE d.id = NEW.donation_id
        ON CONFLICT {_DONOR_MONTH_KEY} DO UPDATE
        SET total = total + excluded.total, gifts = gifts + excluded.gifts, anonymous = excluded.anonymous;
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS donations_donor_month_shown AFTER UPDATE ON donations_donor
    WHEN OLD.display_preference IS NOT NEW.display_preference OR OLD.name IS NOT NEW.name
    BEGIN {_DONOR_LINES_SHOWN}; END""",
]
SQLITE_DONOR_MONTH_DROP = [
    "DROP TRIGGER IF EXISTS donations_ledgerentry_donor_month",
    "DROP TRIGGER IF EXISTS donations_donor_month_shown",
]


def donor_months_sql(vendor: str, *, donors: bool = False) -> str:
    """A SELECT of what DonorMonth must hold, from the ledger (all lines, or the `%s`-listed donors')."""
    return _DONOR_MONTH_SELECT.format(
        source=_LEDGER,
        month=_ENTRY_MONTH[vendor],
        name=_LINE_NAME,
        anonymous=_LINE_ANONYMOUS,
        donors="AND d.donor_id IN %s" if donors else "",
    )


def donor_months_rebuild(cursor, vendor: str, donor_ids: list[int] | None = None) -> None:
    """Recompute DonorMonth from the ledger: every line, or the lines of some donors (a merge)."""
    _donors_rebuild(
        cursor,
        "donations_donormonth",
        _DONOR_MONTH_COLUMNS,
        donor_ids,
        lambda donors: donor_months_sql(vendor, donors=donors),
    )


# --- The three sums above in one trigger (PostgreSQL, from migration 0031) --------------------------

#: A statement's new entries of donations and reversals with what the sums read of their donations,
#: joined once (each sum had its own trigger and joined them again: three joins per import) and before
#: any condition on the donations. With one, the planner estimated from the donations' statistics: on a
#: data set where no donation had a campaign, `campaign_id IS NOT NULL` was estimated at one row and it
#: scanned a 100,000-row import's new entries once per imported donation of a campaign (140 s).
_NEW_WITH_DONATIONS = """entries AS MATERIALIZED (
        SELECT e.fund_id, e.kind, e.amount, e.entry_date,
               d.donor_id, d.campaign_id, d.received_on, d.display_preference, d.donor_name
        FROM new_entries e JOIN donations_donation d ON d.id = e.donation_id
        WHERE e.kind IN ('donation', 'reversal'))"""
#: Those rows under the aliases the sums' SELECTs read: `e` the entry, `d` its donation.
_JOINED_ONCE = (
    "entries e CROSS JOIN LATERAL "
    "(SELECT e.donor_id, e.campaign_id, e.received_on, e.display_preference, e.donor_name) d"
)
_SUMS_TRIGGER = ("donations_ledgerentry_sums", "donations_ledger_sums_add")
POSTGRESQL_SUMS = _entries_trigger(
    *_SUMS_TRIGGER,
    f"""WITH {_NEW_WITH_DONATIONS},
    years AS ({_donor_year_insert(_JOINED_ONCE)}),
    campaigns AS ({_campaign_insert(_JOINED_ONCE)})
    {_donor_month_insert(_JOINED_ONCE)}""",
)
POSTGRESQL_SUMS_DROP = _entries_trigger_drop(*_SUMS_TRIGGER)
#: What the three triggers were before (migration 0031's reverse installs them again).
POSTGRESQL_SUMS_APART = POSTGRESQL_DONOR_YEAR + POSTGRESQL_CAMPAIGN_RAISED + POSTGRESQL_DONOR_MONTH_ENTRIES
POSTGRESQL_SUMS_APART_DROP = (
    POSTGRESQL_DONOR_YEAR_DROP + POSTGRESQL_CAMPAIGN_RAISED_DROP + POSTGRESQL_DONOR_MONTH_ENTRIES_DROP
)
