"""The ledger's three sums per donation (DonorYear, CampaignRaised, DonorMonth) kept by one PostgreSQL
trigger that joins a statement's new entries to their donations once, before any condition on the
donations (issue 20; `donations.ledger_sql.POSTGRESQL_SUMS` says why). SQLite keeps its row triggers."""

from django.db import migrations

from donations import ledger_sql


def merge(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ledger_sql.POSTGRESQL_SUMS_APART_DROP + ledger_sql.POSTGRESQL_SUMS)


def split(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ledger_sql.POSTGRESQL_SUMS_DROP + ledger_sql.POSTGRESQL_SUMS_APART)


class Migration(migrations.Migration):
    dependencies = [
        ("donations", "0030_sums_without_key_checks"),
    ]

    operations = [
        migrations.RunPython(merge, split),
    ]
