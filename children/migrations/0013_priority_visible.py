"""The priority a user without `children.view_sensitive` sees the commune's list in (every restricted
group counted as the heaviest sensitive weight), with its own index for the list's pages."""

from django.db import migrations, models


def _visible_score_sql(quote) -> str:
    """The formula's SQL (`children.priority._score_sql(visible=True)`) as it was at this migration,
    with one set of weights, so existing children get what a recompute gave then. Kept here: the
    formula has moved on (weights per fund, the commune's flags) over columns this state has not."""
    from children.reference.circumstances import SENSITIVE_CODES, SPECIAL_CIRCUMSTANCES

    child, circumstance = quote("children_child"), quote("children_circumstance")
    need, weight, group = quote("children_need"), quote("children_priorityweight"), quote("group")
    shown = ", ".join(f"'{g.code}'" for g in SPECIAL_CIRCUMSTANCES if g.code not in SENSITIVE_CODES)
    sensitive = ", ".join(f"'group:{code}'" for code in sorted(SENSITIVE_CODES))
    heaviest = f"COALESCE((SELECT MAX(r.weight) FROM {weight} r WHERE r.factor IN ({sensitive})), 0)"
    points = f"CASE WHEN g.code IN ({shown}) THEN COALESCE(w.weight, 0) ELSE {heaviest} END"
    return f"""
        COALESCE((SELECT SUM({points}) FROM (SELECT DISTINCT c.{group} AS code FROM {circumstance} c
                  WHERE c.child_id = {child}.id) g
                  LEFT JOIN {weight} w ON w.factor = 'group:' || g.code), 0)
      + COALESCE((SELECT w.weight FROM {weight} w WHERE w.factor = 'poverty:' || {child}.poverty), 0)
      + CASE WHEN {child}.out_of_school
             THEN COALESCE((SELECT w.weight FROM {weight} w WHERE w.factor = 'out_of_school'), 0)
             ELSE 0 END
      + COALESCE((SELECT SUM(w.weight * n.urgency) FROM {need} n
                  JOIN {weight} w ON w.factor = 'need:' || n.area
                  WHERE n.child_id = {child}.id
                    AND n.year = (SELECT MAX(n2.year) FROM {need} n2 WHERE n2.child_id = {child}.id)), 0)
    """


def fill(apps, schema_editor):
    table = schema_editor.quote_name("children_child")
    score = _visible_score_sql(schema_editor.quote_name)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET priority_visible = COALESCE(priority_override, {score})")


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
