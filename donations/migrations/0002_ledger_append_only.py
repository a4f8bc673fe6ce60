"""The database itself refuses to change a ledger entry.

PostgreSQL refuses UPDATE and DELETE. SQLite (development only) refuses UPDATE; a DELETE
trigger there would also stop Django's test flush, which empties tables with DELETE.
"""

from django.db import migrations

FORBID = """
CREATE OR REPLACE FUNCTION donations_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Ledger entries are never updated or deleted; post a reversing entry.';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER donations_ledgerentry_append_only
    BEFORE UPDATE OR DELETE ON donations_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION donations_ledger_append_only();
"""
ALLOW = """
DROP TRIGGER IF EXISTS donations_ledgerentry_append_only ON donations_ledgerentry;
DROP FUNCTION IF EXISTS donations_ledger_append_only();
"""

SQLITE_FORBID = [
    f"""CREATE TRIGGER donations_ledgerentry_no_{action.lower()} BEFORE {action} ON donations_ledgerentry
    BEGIN SELECT RAISE(ABORT, 'Ledger entries are never updated or deleted; post a reversing entry.'); END;"""
    for action in ("UPDATE",)
]
SQLITE_ALLOW = ["DROP TRIGGER IF EXISTS donations_ledgerentry_no_update"]


def forbid(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(FORBID)
    elif vendor == "sqlite":
        for statement in SQLITE_FORBID:
            schema_editor.execute(statement)


def allow(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(ALLOW)
    elif vendor == "sqlite":
        for statement in SQLITE_ALLOW:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("donations", "0001_initial")]

    operations = [migrations.RunPython(forbid, allow)]
