"""A child's kind and level of disability become the codes of the Law on Persons with Disabilities 2010
(`children.reference.disability`): text typed before that names a known kind or level becomes its
code; any other text stays as typed, and the record shows it as it was."""

from django.db import migrations


def to_codes(apps, schema_editor):
    from children.reference.disability import disability_severity_code, disability_type_code

    Child = apps.get_model("children", "Child")
    rows = (
        Child.objects.exclude(disability_type="", disability_severity="")
        .values_list("pk", "disability_type", "disability_severity")
        .iterator(chunk_size=2000)
    )
    changed = []
    for pk, kind, level in rows:
        new_kind, new_level = disability_type_code(kind), disability_severity_code(level)
        if (new_kind, new_level) != (kind, level):
            changed.append(Child(pk=pk, disability_type=new_kind, disability_severity=new_level))
    Child.objects.bulk_update(changed, ["disability_type", "disability_severity"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("children", "0013_priority_visible"),
    ]

    operations = [
        migrations.RunPython(to_codes, migrations.RunPython.noop, elidable=True),
    ]
