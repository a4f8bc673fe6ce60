"""A writer may give a new child's province itself, which the database checks (issue 20).

The province of each child inserted was set by a row trigger: 1.2 s of a 50,000-row import's COPY.
A row that comes without one still gets it so; the import gives it (`children.province_sql.
provinces_of`), and every insert's new rows are checked against their communes in one query, which
refuses the statement where one differs. PostgreSQL only: SQLite's triggers are unchanged. Nothing to
undo: these triggers keep the schema of 0021 as well, and 0021's reverse drops them all."""

from django.db import migrations

from children import province_sql


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(province_sql.POSTGRESQL)


class Migration(migrations.Migration):
    dependencies = [("children", "0021_child_province")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
