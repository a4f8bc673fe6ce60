"""The honour roll's triggers read the donors they recompute by their ids (PostgreSQL;
`donations.roll_sql._LINES`): the same lines, a plan that no longer reads the donors' table in id order.

The reverse leaves the functions as they are: the condition changes no line, only the plan."""

from django.db import migrations

from donations import roll_sql


def donors_by_id(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(roll_sql.postgresql_roll_functions(changed_only=True))


class Migration(migrations.Migration):
    dependencies = [
        ("donations", "0031_ledger_sums_one_trigger"),
    ]

    operations = [migrations.RunPython(donors_by_id, migrations.RunPython.noop)]
