"""The needs' triggers: `NeedCount`, the needs counted by commune, year and area, kept by the database.

The public needs page (`children.selectors.public.public_needs_by_commune`) shows, for the latest year
assessed, how many active children of each commune (whose data consent stands) have a need in each
area. Counting them from the needs took 0.8 s for a province's 100,000 children; the page reads these
few rows instead. Each row holds two counts: `needs`, every need of the commune's children (which
years were assessed), and `shown`, those of active children whose data is not restricted (what the page
counts; a child has at most one need of an area a year, so counting needs counts children).

The database keeps the rows, so every writer is covered (the assessment's service, an import, a merge
moving a child's needs, a restore):

- a need inserted, deleted or updated: its child's commune and state as they are now (PostgreSQL: one
  statement-level trigger per event, over its transition tables; SQLite: row triggers);
- a child whose status, data restriction or commune changes: its needs move from the old counts to
  the new (a row trigger with a WHEN, so the priority recompute's updates of every child cost nothing).

A child is deleted after its needs (Django deletes the needs first), so no count is left behind.
SQLite drops a table's triggers when a migration rebuilds it: `ensure_sqlite_triggers()` runs after
every migrate (children.apps), as the ledger's do.
"""

from __future__ import annotations

TABLE = "children_needcount"
_SHOWN = "c.status = 'active' AND NOT c.data_restricted"

#: The counts of the needs in `{needs}` (a table or a transition table), `{sign}` 1 or -1.
_COUNTS = f"""
    SELECT c.commune_id, n.year, n.area, {{sign}} * COUNT(*),
           {{sign}} * COUNT(*) FILTER (WHERE {_SHOWN})
    FROM {{needs}} n JOIN children_child c ON c.id = n.child_id
    GROUP BY 1, 2, 3
"""
_UPSERT = f"""
    INSERT INTO {TABLE} AS k (commune_id, year, area, needs, shown)
    {{select}}
    ORDER BY 1, 2, 3
    ON CONFLICT (commune_id, year, area) DO UPDATE
    SET needs = k.needs + EXCLUDED.needs, shown = k.shown + EXCLUDED.shown;
"""

POSTGRESQL = f"""
CREATE OR REPLACE FUNCTION children_need_count() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {_UPSERT.format(select=_COUNTS.format(sign=1, needs="new_needs"))}
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        {_UPSERT.format(select=_COUNTS.format(sign=-1, needs="old_needs"))}
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER children_need_count_insert AFTER INSERT ON children_need
    REFERENCING NEW TABLE AS new_needs
    FOR EACH STATEMENT EXECUTE FUNCTION children_need_count();
CREATE TRIGGER children_need_count_delete AFTER DELETE ON children_need
    REFERENCING OLD TABLE AS old_needs
    FOR EACH STATEMENT EXECUTE FUNCTION children_need_count();
CREATE TRIGGER children_need_count_update AFTER UPDATE ON children_need
    REFERENCING OLD TABLE AS old_needs NEW TABLE AS new_needs
    FOR EACH STATEMENT EXECUTE FUNCTION children_need_count();

CREATE OR REPLACE FUNCTION children_child_need_count() RETURNS trigger AS $$
BEGIN
    INSERT INTO {TABLE} AS k (commune_id, year, area, needs, shown)
    SELECT commune_id, year, area, SUM(needs), SUM(shown) FROM (
        SELECT OLD.commune_id AS commune_id, n.year, n.area, -1 AS needs,
               CASE WHEN OLD.status = 'active' AND NOT OLD.data_restricted THEN -1 ELSE 0 END AS shown
        FROM children_need n WHERE n.child_id = OLD.id
        UNION ALL
        SELECT NEW.commune_id, n.year, n.area, 1,
               CASE WHEN NEW.status = 'active' AND NOT NEW.data_restricted THEN 1 ELSE 0 END
        FROM children_need n WHERE n.child_id = NEW.id
    ) moved
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (commune_id, year, area) DO UPDATE
    SET needs = k.needs + EXCLUDED.needs, shown = k.shown + EXCLUDED.shown;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER children_child_need_count AFTER UPDATE ON children_child
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.data_restricted IS DISTINCT FROM NEW.data_restricted
          OR OLD.commune_id IS DISTINCT FROM NEW.commune_id)
    EXECUTE FUNCTION children_child_need_count();
"""
POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS children_need_count_insert ON children_need;
DROP TRIGGER IF EXISTS children_need_count_delete ON children_need;
DROP TRIGGER IF EXISTS children_need_count_update ON children_need;
DROP TRIGGER IF EXISTS children_child_need_count ON children_child;
DROP FUNCTION IF EXISTS children_need_count();
DROP FUNCTION IF EXISTS children_child_need_count();
"""


def _sqlite_need(row: str, sign: int) -> str:
    return f"""
        INSERT INTO {TABLE} (commune_id, year, area, needs, shown)
        SELECT c.commune_id, {row}.year, {row}.area, {sign},
               CASE WHEN {_SHOWN} THEN {sign} ELSE 0 END
        FROM children_child c WHERE c.id = {row}.child_id
        ON CONFLICT (commune_id, year, area) DO UPDATE
        SET needs = needs + excluded.needs, shown = shown + excluded.shown;"""


def _sqlite_child(row: str, sign: int) -> str:
    return f"""
        INSERT INTO {TABLE} (commune_id, year, area, needs, shown)
        SELECT {row}.commune_id, n.year, n.area, {sign},
               CASE WHEN {row}.status = 'active' AND NOT {row}.data_restricted THEN {sign} ELSE 0 END
        FROM children_need n WHERE n.child_id = {row}.id
        ON CONFLICT (commune_id, year, area) DO UPDATE
        SET needs = needs + excluded.needs, shown = shown + excluded.shown;"""


SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS children_need_count_insert AFTER INSERT ON children_need
    BEGIN {_sqlite_need("NEW", 1)} END""",
    f"""CREATE TRIGGER IF NOT EXISTS children_need_count_delete AFTER DELETE ON children_need
    BEGIN {_sqlite_need("OLD", -1)} END""",
    f"""CREATE TRIGGER IF NOT EXISTS children_need_count_update AFTER UPDATE ON children_need
    BEGIN {_sqlite_need("OLD", -1)} {_sqlite_need("NEW", 1)} END""",
    f"""CREATE TRIGGER IF NOT EXISTS children_child_need_count AFTER UPDATE ON children_child
    WHEN OLD.status IS NOT NEW.status OR OLD.data_restricted IS NOT NEW.data_restricted
         OR OLD.commune_id IS NOT NEW.commune_id
    BEGIN {_sqlite_child("OLD", -1)} {_sqlite_child("NEW", 1)} END""",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "children_need_count_insert",
        "children_need_count_delete",
        "children_need_count_update",
        "children_child_need_count",
    )
]


def need_counts_sql() -> str:
    """A SELECT of what NeedCount must hold, counted from the needs (the rebuild and the check)."""
    return f"""
        SELECT c.commune_id, n.year, n.area, COUNT(*) AS needs,
               SUM(CASE WHEN {_SHOWN} THEN 1 ELSE 0 END) AS shown
        FROM children_need n JOIN children_child c ON c.id = n.child_id
        GROUP BY 1, 2, 3
    """  # noqa: S608  no user input


def need_counts_rebuild(cursor) -> None:
    """Recompute NeedCount from the needs (its migration; `manage.py need_counts --rebuild`)."""
    cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608
    cursor.execute(f"INSERT INTO {TABLE} (commune_id, year, area, needs, shown) " + need_counts_sql())  # noqa: S608


def need_counts_differences(cursor) -> list[tuple]:
    """The (commune, year, area, needs, shown) where NeedCount and the needs disagree (rows of zero
    counts are the same as no row)."""
    cursor.execute(
        f"""SELECT commune_id, year, area, SUM(needs), SUM(shown) FROM (
                SELECT commune_id, year, area, needs, shown FROM ({need_counts_sql()}) counted
                UNION ALL
                SELECT commune_id, year, area, -needs, -shown FROM {TABLE}
            ) d GROUP BY 1, 2, 3 HAVING SUM(needs) <> 0 OR SUM(shown) <> 0"""  # noqa: S608
    )
    return cursor.fetchall()


def ensure_sqlite_triggers(connection) -> None:
    """Create the needs' SQLite triggers where a table rebuild dropped them (after every migrate)."""
    if connection.vendor != "sqlite":
        return
    if TABLE not in set(connection.introspection.table_names()):
        return
    with connection.cursor() as cursor:
        for statement in SQLITE:
            cursor.execute(statement)
