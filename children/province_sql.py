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
  edit): the province of its commune as it is now. On PostgreSQL a writer may give the province itself
  (the import: `provinces_of`, one query for 50,000 rows, where the row trigger cost 1.2 s of a
  50,000-row COPY); a row inserted without one gets it from the row trigger, and every statement's
  new rows are then checked against their communes in one query, which refuses the statement if one
  differs;
- a commune whose path changes (a unit moved to another province, a province's code changed): its
  children's province again.

SQLite drops a table's triggers when a migration rebuilds it: `ensure_sqlite_triggers()` runs after every
migrate (children.apps), as the needs' do.
"""

from __future__ import annotations

from collections.abc import Iterable

UNIT = "fund_portal_administrativeunit"


def province_path(commune_path: str) -> str:
    """The path of the province at the head of a unit's path (`15/02647/` -> `15/`), as the SQL below
    takes it."""
    return commune_path.split("/", 1)[0] + "/"


def provinces_of(commune_ids: Iterable[int]) -> dict[int, int | None]:
    """The province of each of these communes (None where no unit has the path's head): for a writer
    that gives the province itself, which the database then checks."""
    from fund_portal.models import AdministrativeUnit

    paths = dict(AdministrativeUnit.objects.filter(pk__in=set(commune_ids)).values_list("pk", "path"))
    heads = {pk: province_path(path) for pk, path in paths.items()}
    ids = dict(AdministrativeUnit.objects.filter(path__in=set(heads.values())).values_list("path", "pk"))
    return {pk: ids.get(head) for pk, head in heads.items()}


#: The rule, once per dialect: the unit `p` is the province at the head of the path of the unit `c`.
HEAD_PG = "p.path = split_part(c.path, '/', 1) || '/'"
HEAD_SQLITE = "p.path = substr(c.path, 1, instr(c.path, '/'))"  # SQLite has no split_part


def _province_pg(commune: str) -> str:
    """The province of the commune whose id is the expression `commune`, PostgreSQL."""
    return f"(SELECT p.id FROM {UNIT} c JOIN {UNIT} p ON {HEAD_PG} WHERE c.id = {commune})"


def _province_sqlite(commune: str) -> str:
    """The same in SQLite."""
    return f"(SELECT p.id FROM {UNIT} c JOIN {UNIT} p ON {HEAD_SQLITE} WHERE c.id = {commune})"


POSTGRESQL = f"""
DROP TRIGGER IF EXISTS children_child_province ON children_child;
DROP TRIGGER IF EXISTS children_child_province_insert ON children_child;
DROP TRIGGER IF EXISTS children_child_province_given ON children_child;
CREATE OR REPLACE FUNCTION children_child_province() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.province_id := {_province_pg("NEW.commune_id")};
    RETURN NEW;
END $$;
CREATE TRIGGER children_child_province BEFORE UPDATE OF commune_id ON children_child
    FOR EACH ROW EXECUTE FUNCTION children_child_province();
CREATE TRIGGER children_child_province_insert BEFORE INSERT ON children_child
    FOR EACH ROW WHEN (NEW.province_id IS NULL) EXECUTE FUNCTION children_child_province();

CREATE OR REPLACE FUNCTION children_child_province_given() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_children n LEFT JOIN {UNIT} c ON c.id = n.commune_id
               LEFT JOIN {UNIT} p ON {HEAD_PG}
               WHERE n.province_id IS DISTINCT FROM p.id) THEN
        RAISE EXCEPTION 'A child''s province is its commune''s (children.province_sql).'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER children_child_province_given AFTER INSERT ON children_child
    REFERENCING NEW TABLE AS new_children
    FOR EACH STATEMENT EXECUTE FUNCTION children_child_province_given();

CREATE OR REPLACE FUNCTION children_commune_province() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE children_child SET province_id = {_province_pg("NEW.id")} WHERE commune_id = NEW.id;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS children_commune_province ON {UNIT};
CREATE TRIGGER children_commune_province AFTER UPDATE OF path ON {UNIT}
    FOR EACH ROW WHEN (OLD.path IS DISTINCT FROM NEW.path AND NEW.level = 'commune')
    EXECUTE FUNCTION children_commune_province();
"""

POSTGRESQL_DROP = f"""
DROP TRIGGER IF EXISTS children_child_province ON children_child;
DROP TRIGGER IF EXISTS children_child_province_insert ON children_child;
DROP TRIGGER IF EXISTS children_child_province_given ON children_child;
DROP TRIGGER IF EXISTS children_commune_province ON {UNIT};
DROP FUNCTION IF EXISTS children_child_province();
DROP FUNCTION IF EXISTS children_child_province_given();
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
                     WHERE c.id = ch.commune_id AND {HEAD_PG}
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
