"""The name-search index (PostgreSQL's GIN, 0002) keeps new entries in a pending list of up to 64 MB instead
of 4 MB, so an import no longer stops to merge it into the index every few thousand children (about
1 s of a 50,000-row import). Autovacuum and autoanalyze merge it in the background (keep autovacuum
on; a plain ANALYZE does not); should the list reach 64 MB first (some 150,000 new children), the
insert that fills it merges it. A search reads the pending list too: with 50,000 children in it a
name search took 81-107 ms against 82 ms."""

from django.db import migrations

PENDING_LIST_KB = 65_536


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER INDEX IF EXISTS child_name_trgm_idx SET (gin_pending_list_limit = {PENDING_LIST_KB})"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER INDEX IF EXISTS child_name_trgm_idx RESET (gin_pending_list_limit)")


class Migration(migrations.Migration):
    dependencies = [("children", "0007_fewer_indexes")]

    operations = [migrations.RunPython(forward, backward)]
