"""An edit of a record after it was entered (`Edited`): the changed fields, who changed them and when."""

from __future__ import annotations

from django.utils import timezone


def _changed_fields(instance, fields: dict) -> list[str]:
    """The names among `fields` whose value differs from the instance's (foreign keys by id)."""
    changed = []
    for name, value in fields.items():
        field = instance._meta.get_field(name)
        if field.is_relation:
            current, value = getattr(instance, field.attname), getattr(value, "pk", value)
        else:
            current = getattr(instance, name)
        if current != value:
            changed.append(name)
    return changed


def edit_apply(stored, fields: dict, *, by, check) -> list[str]:
    """Apply an edit to a locked `Edited` record: the changed `fields` are set, `check(stored)` runs
    the record's rules, and who edited and when are saved with them. Returns the changed names; none
    (a save that changes nothing) writes nothing and records no editor."""
    changed = _changed_fields(stored, fields)
    if not changed:
        return []
    for name in changed:
        setattr(stored, name, fields[name])
    check(stored)
    stored.edited_by, stored.edited_at = by, timezone.now()
    stored.full_clean()
    stored.save(update_fields=[*changed, "edited_by", "edited_at"])
    return changed
