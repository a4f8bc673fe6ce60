"""Entries of the audit trail written before the trail held to the sensitive permission get the mark
new entries get when written (`fund_portal.audit`): an incident's, a sensitive group's, or one that
changed nothing but a child's health notes is hidden from users without `children.view_sensitive`."""

import json

from django.db import migrations


def mark(apps, schema_editor):
    from fund_portal.audit import audit_entry_restricted

    LogEntry = apps.get_model("auditlog", "LogEntry")
    entries = LogEntry.objects.filter(
        content_type__app_label="children", content_type__model__in=["child", "circumstance", "incident"]
    ).select_related("content_type")
    for entry in entries.iterator():
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        if not changes and entry.changes_text:
            try:
                changes = json.loads(entry.changes_text)
            except ValueError:
                changes = {}
        restricted = audit_entry_restricted(
            label=f"{entry.content_type.app_label}.{entry.content_type.model}",
            changes=changes,
            object_repr=entry.object_repr,
        )
        if restricted is not None:
            entry.additional_data = {**(entry.additional_data or {}), "restricted": restricted}
            entry.save(update_fields=["additional_data"])


class Migration(migrations.Migration):
    dependencies = [
        ("children", "0010_strip_photo_metadata"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop, elidable=True)]
