"""The honour roll's lines (`HonourRollYear`), kept by the database from `DonorYear`.

A line is a donor's gifts to the funds of a scope in a year (a fund's unit path, or "" for the whole
deployment), with the years running back from it. It is computed from the donor's `DonorYear` rows,
so a line changes only when those rows, the donor's name or display choice, or the unit of a fund
change; each of those writes recomputes the lines of the donors it touched (all of a donor's lines:
a few dozen rows), whoever writes (a posting, an import's COPY, a reversal, a merge, a rebuild):

- `DonorYear` inserted, updated or deleted: its donors (PostgreSQL: one statement-level trigger per
  event, over its transition table; SQLite: row triggers);
- a donor's name, kind or display choice changed: that donor (a donor who chose to stay anonymous has
  no line);
- a fund created, or moved to another unit: the lines of its scope (old and new) are recomputed.

A unit's path moving in the tree is not followed: `manage.py ledger_months --rebuild` recomputes every
line (`roll_rebuild`).

On PostgreSQL the donors' rows are locked (in id order) before their lines are recomputed, so two
transactions posting gifts of one donor to two funds recompute one after the other, each from what
the other committed. There the recomputed lines are compared with those held and only the difference
is written (`_refresh_changed`): a gift changes one line a scope, where rewriting a donor's lines
wrote all of them (about 30, each in four indexes); an import touching 15,000 donors took 7 s,
mostly writing lines that had not changed (migration 0028).
"""

from __future__ import annotations

_TABLE = "donations_honourrollyear"
_COLUMNS = "scope, donor_id, year, amount, streak, name, name_folded, kind, display_preference"

#: Each fund with the scopes it is in: "" (the whole deployment) and the unit path of every fund at or
#: above its unit (a few rows a fund).
_FUND_SCOPES = """(SELECT f.id AS fund_id, s.path AS scope
        FROM donations_fund f JOIN fund_portal_administrativeunit u ON u.id = f.unit_id
        JOIN (SELECT '' AS path UNION SELECT su.path FROM donations_fund sf
              JOIN fund_portal_administrativeunit su ON su.id = sf.unit_id) s
          ON substr(u.path, 1, length(s.path)) = s.path)"""

#: The lines of the donors whose id matches `{donors}` (a condition: "= ANY(ids)", "IN (...)"): the
#: scope's gifts of each year above nothing, and the years running (a run of consecutive years is
#: numbered from its first year: `year - position` is the same along a run). `{fence}` is "OFFSET 0" on
#: PostgreSQL: the donors' own years are read first, through the donor index, whatever the planner
#: guesses of the number of donors (it guessed a few, and read every fund's years once per scope).
#: The donors' own rows are read by the same condition (migration 0032): joined on the id alone, an
#: import's 15,757 donors (those whose years it changed) were matched by reading the donors' table in
#: id order up to the last of them (338,608 rows of the national set; the lines' CTE 443 ms, now 144).
_LINES = f"""
    SELECT n.scope, n.donor_id, n.year, n.amount,
           ROW_NUMBER() OVER (PARTITION BY n.scope, n.donor_id, n.year - n.position ORDER BY n.year)
               AS streak,
           d.name, d.name_folded, d.kind, d.display_preference
    FROM (
        SELECT given.*, ROW_NUMBER() OVER (PARTITION BY scope, donor_id ORDER BY year) AS position
        FROM (
            SELECT fs.scope, dy.donor_id, dy.year, SUM(dy.total) AS amount
            FROM (
                SELECT fund_id, donor_id, year, total FROM donations_donoryear
                WHERE donor_id {{donors}} {{fence}}
            ) dy
            JOIN {_FUND_SCOPES} fs ON fs.fund_id = dy.fund_id
            GROUP BY fs.scope, dy.donor_id, dy.year
            HAVING SUM(dy.total) > 0
        ) given
    ) n
    JOIN donations_donor d ON d.id = n.donor_id AND d.id {{donors}}
    WHERE d.display_preference <> 'anonymous'
"""


def _refresh(donors: str, fence: str = "") -> str:
    """The statements that recompute the lines of the donors whose id matches `donors`."""
    return (
        f"DELETE FROM {_TABLE} WHERE donor_id {donors};\n"
        f"        INSERT INTO {_TABLE} ({_COLUMNS}) {_LINES.format(donors=donors, fence=fence)}"
        "        ORDER BY scope, year, donor_id;"
    )


def _refresh_changed(donors: str, fence: str = "") -> str:
    """The statement that brings the lines of the donors whose id matches `donors` to what they must
    hold, writing only the difference (PostgreSQL): lines no longer due deleted, lines whose amount,
    streak or donor's name changed updated, new lines inserted. The lines due are computed once (a
    CTE referenced three times is materialized)."""
    key = "h.scope = t.scope AND h.year = t.year AND h.donor_id = t.donor_id"
    fields = "amount, streak, name, name_folded, kind, display_preference"
    return f"""WITH target AS ({_LINES.format(donors=donors, fence=fence)}),
        gone AS (
            DELETE FROM {_TABLE} h WHERE h.donor_id {donors}
            AND NOT EXISTS (SELECT 1 FROM target t WHERE {key})
        ),
        changed AS (
            UPDATE {_TABLE} h SET ({fields}) = (t.amount, t.streak, t.name, t.name_folded, t.kind,
                t.display_preference)
            FROM target t WHERE {key}
            AND (h.amount, h.streak, h.name, h.name_folded, h.kind, h.display_preference)
                IS DISTINCT FROM (t.amount, t.streak, t.name, t.name_folded, t.kind, t.display_preference)
        )
        INSERT INTO {_TABLE} ({_COLUMNS})
        SELECT {_COLUMNS} FROM target t
        WHERE NOT EXISTS (SELECT 1 FROM {_TABLE} h WHERE {key})
        ORDER BY scope, year, donor_id;"""


#: The donors with gifts to a fund under the unit of `{unit}` (SQL: NEW.unit_id, OLD.unit_id).
_UNDER = """SELECT dy.donor_id FROM donations_donoryear dy
        JOIN donations_fund f ON f.id = dy.fund_id JOIN fund_portal_administrativeunit u ON u.id = f.unit_id
        JOIN fund_portal_administrativeunit p ON p.id = {unit}
        WHERE substr(u.path, 1, length(p.path)) = p.path"""
_PATH_OF = "(SELECT path FROM fund_portal_administrativeunit WHERE id = {unit})"


def _pg_function(name: str, donors: str, *, before: str = "", changed_only: bool = True) -> str:
    """A trigger function that recomputes the lines of the donors the query `donors` lists, their rows
    locked first (in id order); `changed_only=False`: by rewriting them all (before migration 0028)."""
    refresh = _refresh_changed if changed_only else _refresh
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
DECLARE
    ids bigint[];
BEGIN
    {before}
    SELECT array_agg(DISTINCT donor_id ORDER BY donor_id) INTO ids FROM ({donors}) listed(donor_id);
    IF ids IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM 1 FROM donations_donor WHERE id = ANY(ids) ORDER BY id FOR NO KEY UPDATE;
    {refresh("= ANY(ids)", "OFFSET 0")}
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


_DONOR_CHANGED = """SELECT n.id FROM new_donors n JOIN old_donors o ON o.id = n.id
    WHERE (n.name, n.name_folded, n.kind, n.display_preference)
          IS DISTINCT FROM (o.name, o.name_folded, o.kind, o.display_preference)"""
_FUND_OLD_UNIT = "CASE WHEN TG_OP = 'UPDATE' THEN OLD.unit_id END"


def postgresql_roll_functions(*, changed_only: bool = True) -> str:
    """The trigger functions (CREATE OR REPLACE): writing only the lines that changed, or (migration
    0028's reverse) rewriting every line of the donors touched."""
    how = {"changed_only": changed_only}
    return (
        _pg_function("donations_roll_years_new", "SELECT donor_id FROM new_years", **how)
        + _pg_function("donations_roll_years_old", "SELECT donor_id FROM old_years", **how)
        + _pg_function("donations_roll_donors", _DONOR_CHANGED, **how)
        + _pg_function(
            "donations_roll_fund",
            _UNDER.format(unit="NEW.unit_id") + " UNION ALL " + _UNDER.format(unit=_FUND_OLD_UNIT),
            before=f"DELETE FROM {_TABLE} WHERE scope IN ({_PATH_OF.format(unit='NEW.unit_id')}, "
            f"{_PATH_OF.format(unit=_FUND_OLD_UNIT)});",
            **how,
        )
    )


POSTGRESQL_ROLL = (
    postgresql_roll_functions()
    + """
CREATE TRIGGER donations_donoryear_roll_insert AFTER INSERT ON donations_donoryear
    REFERENCING NEW TABLE AS new_years FOR EACH STATEMENT EXECUTE FUNCTION donations_roll_years_new();
CREATE TRIGGER donations_donoryear_roll_update AFTER UPDATE ON donations_donoryear
    REFERENCING NEW TABLE AS new_years FOR EACH STATEMENT EXECUTE FUNCTION donations_roll_years_new();
CREATE TRIGGER donations_donoryear_roll_delete AFTER DELETE ON donations_donoryear
    REFERENCING OLD TABLE AS old_years FOR EACH STATEMENT EXECUTE FUNCTION donations_roll_years_old();
CREATE TRIGGER donations_donor_roll AFTER UPDATE ON donations_donor
    REFERENCING NEW TABLE AS new_donors OLD TABLE AS old_donors
    FOR EACH STATEMENT EXECUTE FUNCTION donations_roll_donors();
CREATE TRIGGER donations_fund_roll_insert AFTER INSERT ON donations_fund
    FOR EACH ROW EXECUTE FUNCTION donations_roll_fund();
CREATE TRIGGER donations_fund_roll_update AFTER UPDATE OF unit_id ON donations_fund
    FOR EACH ROW WHEN (OLD.unit_id IS DISTINCT FROM NEW.unit_id) EXECUTE FUNCTION donations_roll_fund();
"""
)
POSTGRESQL_ROLL_DROP = """
DROP TRIGGER IF EXISTS donations_donoryear_roll_insert ON donations_donoryear;
DROP TRIGGER IF EXISTS donations_donoryear_roll_update ON donations_donoryear;
DROP TRIGGER IF EXISTS donations_donoryear_roll_delete ON donations_donoryear;
DROP TRIGGER IF EXISTS donations_donor_roll ON donations_donor;
DROP TRIGGER IF EXISTS donations_fund_roll_insert ON donations_fund;
DROP TRIGGER IF EXISTS donations_fund_roll_update ON donations_fund;
DROP FUNCTION IF EXISTS donations_roll_years_new();
DROP FUNCTION IF EXISTS donations_roll_years_old();
DROP FUNCTION IF EXISTS donations_roll_donors();
DROP FUNCTION IF EXISTS donations_roll_fund();
"""

_SQLITE_NAMES = (
    "donations_donoryear_roll_insert",
    "donations_donoryear_roll_update",
    "donations_donoryear_roll_delete",
    "donations_donor_roll",
    "donations_fund_roll_insert",
    "donations_fund_roll_update",
)


def _sqlite_trigger(name: str, event: str, donors: str, *, when: str = "", before: str = "") -> str:
    return f"""CREATE TRIGGER IF NOT EXISTS {name} AFTER {event}
    {f"WHEN {when}" if when else ""}
    BEGIN
        {before}
        {_refresh(donors)}
    END"""


SQLITE_ROLL = [
    _sqlite_trigger(_SQLITE_NAMES[0], "INSERT ON donations_donoryear", "= NEW.donor_id"),
    _sqlite_trigger(_SQLITE_NAMES[1], "UPDATE ON donations_donoryear", "IN (NEW.donor_id, OLD.donor_id)"),
    _sqlite_trigger(_SQLITE_NAMES[2], "DELETE ON donations_donoryear", "= OLD.donor_id"),
    _sqlite_trigger(
        _SQLITE_NAMES[3],
        "UPDATE OF name, name_folded, kind, display_preference ON donations_donor",
        "= NEW.id",
        when="OLD.name IS NOT NEW.name OR OLD.name_folded IS NOT NEW.name_folded OR OLD.kind IS NOT NEW.kind "
        "OR OLD.display_preference IS NOT NEW.display_preference",
    ),
    _sqlite_trigger(
        _SQLITE_NAMES[4],
        "INSERT ON donations_fund",
        f"IN ({_UNDER.format(unit='NEW.unit_id')})",
        before=f"DELETE FROM {_TABLE} WHERE scope = {_PATH_OF.format(unit='NEW.unit_id')};",
    ),
    _sqlite_trigger(
        _SQLITE_NAMES[5],
        "UPDATE OF unit_id ON donations_fund",
        f"IN ({_UNDER.format(unit='NEW.unit_id')} UNION ALL {_UNDER.format(unit='OLD.unit_id')})",
        when="OLD.unit_id <> NEW.unit_id",
        before=f"DELETE FROM {_TABLE} WHERE scope IN ({_PATH_OF.format(unit='NEW.unit_id')}, "
        f"{_PATH_OF.format(unit='OLD.unit_id')});",
    ),
]
SQLITE_ROLL_DROP = [f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_NAMES]


def roll_lines_sql() -> str:
    """A SELECT of every line the honour roll must hold, from `DonorYear` (the rebuild and the check)."""
    return _LINES.format(donors="IS NOT NULL", fence="")


def roll_rebuild(cursor) -> None:
    """Recompute every line of the honour roll from `DonorYear` (migration 0024; `ledger_months
    --rebuild`)."""
    cursor.execute(f"DELETE FROM {_TABLE}")  # noqa: S608  no user input
    cursor.execute(f"INSERT INTO {_TABLE} ({_COLUMNS}) {roll_lines_sql()}")  # noqa: S608
