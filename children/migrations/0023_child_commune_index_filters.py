"""The communes' name index carries the list's filters of household and review (issue 20).

A district's or a province's list is read commune by commune, each commune's names in order
(`children.selectors.registry.children_page`); with the household and the year of the last review in
the index beside the status and the date of birth, its filters are read from the index alone, not from
each child's row of the table. Rebuilt in place: a few seconds at 2,000,000 children."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("children", "0022_child_province_given")]

    operations = [
        migrations.RemoveIndex(model_name="child", name="child_commune_name_idx"),
        migrations.AddIndex(
            model_name="child",
            index=models.Index(
                fields=["commune", "name_folded", "id"],
                include=("birth_date", "personal_id", "status", "poverty", "last_reviewed_year"),
                name="child_commune_name_idx",
            ),
        ),
    ]
