"""The province of a child's commune, kept on the child by the database (`Child.province`).

A province's staff list the province's children by name: 58,000 of 2,000,000 in the national data set
(2.9%). Reached through the communes (99 ids) the list walked the name index of the whole country and
kept one entry in 35: a deep page of the admin's list read 350,000 entries (130 ms). With the province
on the row, `child_province_name_idx` (province, name, id) holds the province's children as one range
in the list's order, and a list that names the province besides its scope (`fund_portal.scope.
scope_province_id`) reads only its own.

The province is the unit at the head of the commune's path (`15/02647/` → the unit whose path is `15/`;
the demo's three-level province too). The database sets it, so every writer is covered:

- a child inserted (a registration, an import, COPY), or its commune changed (a transfer, a merge, an
  edit): the province of its commune as it is now;
- a commune whose path changes (a unit moved to another province, a province's code changed): its
  children's province again.

SQLite drops a table's triggers when a migration rebuilds it: `ensure_sqlite_triggers()` runs after every
migrate (children.apps), as the needs' do.
"""

from __future__ import annotations

UNIT = "fund_portal_administrativeunit"


def _province_pg(commune: str) -> str:
    """The province of the commune whose id is the expression `commune`, PostgreSQL."""
    return (
        f"(SELECT p.id FROM {UNIT} c JOIN {UNIT} p ON p.path = split_part(c.path, '/', 1) || '/'"
        f" WHERE c.id = {commune})"
    )


def _province_sqlite(commune: str) -> str:
    """The same in SQLite (no split_part)."""
    return (
        f"(SELECT p.id FROM {UNIT} c JOIN {UNIT} p ON p.path = substr(c.path, 1, instr(c.path, '/'))"
        f" WHERE c.id = {commune})"
    )


POSTGRESQL = f"""
CREATE OR REPLACE FUNCTION children_child_province() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.province_id := {_province_pg("NEW.commune_id")};
    RETURN NEW;
END $$;
CREATE TRIGGER children_child_province BEFORE INSERT OR UPDATE OF commune_id ON children_child
    FOR EACH ROW EXECUTE FUNCTION children_child_province();

CREATE OR REPLACE FUNCTION children_commune_province() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE children_child SET province_id = {_province_pg("NEW.id")} WHERE commune_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER children_commune_province AFTER UPDATE OF path ON {UNIT}
    FOR EACH ROW WHEN (OLD.path IS DISTINCT FROM NEW.path AND NEW.level = 'commune')
    EXECUTE FUNCTION children_commune_province();
"""

POSTGRESQL_DROP = f"""
DROP TRIGGER IF EXISTS children_child_province ON children_child;
DROP TRIGGER IF EXISTS children_commune_province ON {UNIT};
DROP FUNCTION IF EXISTS children_child_province();
DROP FUNCTION IF EXISTS children_commune_province();
"""

_CHILD_SQLITE = (
    f"UPDATE children_child SET province_id = {_province_sqlite('NEW.commune_id')} WHERE id = NEW.id;"
)
_COMMUNE_SQLITE = (
    f"UPDATE children_child SET province_id = {_province_sqlite('NEW.id')} WHERE commune_id = NEW.id;"
)

SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS children_child_province_insert AFTER INSERT ON children_child"
    f" BEGIN {_CHILD_SQLITE} END",
    "CREATE TRIGGER IF NOT EXISTS children_child_province_update AFTER UPDATE OF commune_id ON children_child"
    f" BEGIN {_CHILD_SQLITE} END",
    f"CREATE TRIGGER IF NOT EXISTS children_commune_province AFTER UPDATE OF path ON {UNIT}"
    f" WHEN OLD.path IS NOT NEW.path AND NEW.level = 'commune' BEGIN {_COMMUNE_SQLITE} END",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "children_child_province_insert",
        "children_child_province_update",
        "children_commune_province",
    )
]

#: Every child's province from its commune (the migration's backfill, and a repair).
REBUILD = {
    "postgresql": f"""UPDATE children_child ch SET province_id = p.id FROM {UNIT} c, {UNIT} p
                     WHERE c.id = ch.commune_id AND p.path = split_part(c.path, '/', 1) || '/'
                       AND ch.province_id IS DISTINCT FROM p.id""",
    "sqlite": f"UPDATE children_child SET province_id = {_province_sqlite('children_child.commune_id')}",
}


def ensure_sqlite_triggers(connection) -> None:
    """Create the province's SQLite triggers where a table rebuild dropped them (after every migrate)."""
    if connection.vendor != "sqlite":
        return
    if "children_child" not in set(connection.introspection.table_names()):
        return
    with connection.cursor() as cursor:
        columns = {
            column.name for column in connection.introspection.get_table_description(cursor, "children_child")
        }
    if "province_id" not in columns:  # before the migration that adds it
        return
    with connection.cursor() as cursor:
        for statement in SQLITE:
            cursor.execute(statement)
