"""Photos and news images stored before uploads were cleaned still carry their EXIF (a phone's GPS
position of the child's home): re-encode them once without metadata, as every new upload is
(`fund_portal.images`). The same as `manage.py photos_strip_metadata`, with the historical models."""

from django.db import migrations


def strip(apps, schema_editor):
    from fund_portal.images import images_strip_stored

    images_strip_stored(
        fields=[
            (apps.get_model("children", "Child"), "photo"),
            (apps.get_model("fund_portal", "NewsPost"), "image"),
        ]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("children", "0009_consent_withdrawal_duplicate_alerts"),
        ("fund_portal", "0003_field_labels"),
    ]

    operations = [migrations.RunPython(strip, migrations.RunPython.noop, elidable=True)]
