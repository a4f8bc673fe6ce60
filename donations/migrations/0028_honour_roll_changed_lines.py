"""The honour roll's triggers write only the lines that changed (PostgreSQL; `donations.roll_sql`)."""

from django.db import migrations

from donations import roll_sql


def changed_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(roll_sql.postgresql_roll_functions(changed_only=True))


def rewrite_all(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(roll_sql.postgresql_roll_functions(changed_only=False))


class Migration(migrations.Migration):
    dependencies = [
        ("donations", "0027_donation_day_posted_donor_month"),
    ]

    operations = [migrations.RunPython(changed_only, rewrite_all)]
