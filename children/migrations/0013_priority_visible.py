"""The priority a user without `children.view_sensitive` sees the commune's list in (every restricted
group counted as the heaviest sensitive weight), with its own index for the list's pages."""

from django.db import migrations, models


def fill(apps, schema_editor):
    # The formula's own SQL (children.priority), so existing children get what a recompute gives.
    from children.priority import _score_sql

    table = schema_editor.quote_name("children_child")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET priority_visible = COALESCE(priority_override, {_score_sql(visible=True)})"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("children", "0012_incident_notified_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="child",
            name="priority_visible",
            field=models.IntegerField(
                default=0, editable=False, verbose_name="priority without the sensitive weights"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="child",
            index=models.Index(
                fields=["commune", "-priority_visible", "id"], name="child_commune_visible_idx"
            ),
        ),
    ]
