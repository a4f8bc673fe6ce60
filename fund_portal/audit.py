"""The audit trail: every create, update and delete of a scoped record, by whom and when.

django-auditlog writes the entries; each registered model adds its unit's path to the entry
(`get_additional_data`) so the admin can scope the trail like the records themselves.

The trail holds to the same rules as the records it logs. An app says, model by model
(`audit_restrict`), which entries a user without `children.view_sensitive` may not see at all
(an incident, a child's sensitive group) and which fields' values are shown to them as
"[restricted]" (a child's health notes). Whether an entry is hidden is decided when it is written
(`additional_data["restricted"]`, from its old and new values and its record's name), so the admin
filters it in SQL; an entry that changes nothing but restricted fields is hidden too.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from auditlog.cid import get_cid
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models import Q
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from .models import AdministrativeUnit, User

SENSITIVE_PERMISSION = "children.view_sensitive"
#: What a user without the permission reads in place of a restricted value.
RESTRICTED_VALUE = _("[restricted]")

auditlog.register(AdministrativeUnit)
auditlog.register(User, exclude_fields=["password", "last_login"])

#: "app_label.model" (as in ContentType) -> rule(changes, object_repr) saying the entry is hidden.
_HIDDEN: dict[str, Callable[[dict, str], bool]] = {}
#: "app_label.model" -> fields whose values are restricted.
_REDACTED: dict[str, frozenset[str]] = {}


def audit_restrict(
    label: str, *, hidden: Callable[[dict, str], bool] | None = None, redacted: tuple[str, ...] = ()
) -> None:
    """Declare what of a model's entries needs the sensitive permission (`label`: "children.child")."""
    label = label.lower()
    if hidden is not None:
        _HIDDEN[label] = hidden
    if redacted:
        _REDACTED[label] = frozenset(redacted)


def audit_entry_restricted(*, label: str, changes: dict | None, object_repr: str) -> bool | None:
    """Whether an entry of this model is hidden from users without the permission; None for a model
    that declared nothing (its entries are never restricted)."""
    if label not in _HIDDEN and label not in _REDACTED:
        return None
    changes = changes or {}
    rule = _HIDDEN.get(label)
    if rule is not None and rule(changes, object_repr):
        return True
    redacted = _REDACTED.get(label, frozenset())
    return bool(changes) and set(changes) <= redacted


def _label(entry: LogEntry) -> str:
    return f"{entry.content_type.app_label}.{entry.content_type.model}"


@receiver(pre_save, sender=LogEntry, dispatch_uid="fund_portal.audit.mark_restricted")
def _mark_restricted(sender, instance: LogEntry, **kwargs) -> None:
    restricted = audit_entry_restricted(
        label=_label(instance), changes=instance.changes_dict, object_repr=instance.object_repr
    )
    if restricted is not None:
        instance.additional_data = {**(instance.additional_data or {}), "restricted": restricted}


def audit_entries_visible(entries, *, user):
    """The entries a user may read at all: without the permission, none of the restricted ones."""
    if user.has_perm(SENSITIVE_PERMISSION):
        return entries
    # Not `exclude(additional_data__restricted=True)`: a missing key compares as NULL and would drop
    # every entry that carries no mark (units, donations...) on both PostgreSQL and SQLite.
    return entries.filter(Q(additional_data__restricted__isnull=True) | Q(additional_data__restricted=False))


def audit_redacted_fields() -> dict[str, frozenset[str]]:
    """{"app_label.model": the fields whose values are restricted}."""
    return dict(_REDACTED)


def audit_entry_for(entry: LogEntry, *, user) -> LogEntry:
    """The entry as this user may read it: restricted values replaced by "[restricted]" (a copy;
    the stored entry is never changed)."""
    redacted = _REDACTED.get(_label(entry))
    if not redacted or user.has_perm(SENSITIVE_PERMISSION):
        return entry
    shown = copy.copy(entry)
    restricted = str(RESTRICTED_VALUE)
    shown.changes = {
        field: (
            [restricted for _value in values] if field in redacted and isinstance(values, list) else values
        )
        for field, values in entry.changes_dict.items()
    }
    shown.changes_text = ""
    shown.serialized_data = None
    return shown


def audit_log_many(entries: list[tuple[models.Model, dict]], *, action: int, actor) -> None:
    """The trail's entries of rows written in bulk (`bulk_update` and `bulk_create` send no signal, so
    django-auditlog sees nothing): one entry per (record, changes {field: [old, new]}), as the library
    writes for a save, in one INSERT. `actor`: the user who acts (the service's `by`; None for the
    system). Not the library's `set_actor` context: its value outlives the request that set it.
    `action`: `LogEntry.Action.CREATE` or `UPDATE`."""
    rows = audit_entries(entries, action=action, actor=actor)
    if rows:
        LogEntry.objects.bulk_create(rows, batch_size=1000)


def audit_entries(entries: list[tuple[models.Model, dict]], *, action: int, actor) -> list[LogEntry]:
    """The entries `audit_log_many` writes, unsaved: for a caller that writes them in a statement of its
    own (`audit_entries_values`)."""
    actor = actor if isinstance(actor, User) else None
    cid = get_cid()
    rows = []
    for record, changes in entries:
        content_type = ContentType.objects.get_for_model(record)  # cached by Django
        entry = LogEntry(
            content_type=content_type,
            object_pk=str(record.pk),
            object_id=record.pk,
            object_repr=str(record),
            action=action,
            changes={field: [_text(old), _text(new)] for field, (old, new) in changes.items()},
            actor=actor,
            actor_email=getattr(actor, "email", None),
            additional_data=record.get_additional_data() if hasattr(record, "get_additional_data") else None,
            cid=cid,
        )
        _mark_restricted(LogEntry, entry)
        rows.append(entry)
    return rows


def audit_entries_insert_sql(rows: list[LogEntry], *, joined: str, taken: dict[str, str]) -> tuple[str, list]:
    """An INSERT ... SELECT of unsaved entries (`audit_entries`) and its parameters, for a caller that
    writes records and their trail in one statement (PostgreSQL: `donation_post_many`): each entry
    joined to its record's row in `joined` (a table, or what the statement has just written), and
    the columns of `taken` ({column: SQL over `joined` and the entry, `t`}) computed from it."""
    fields = [field for field in LogEntry._meta.concrete_fields if not field.primary_key]
    columns = [field.column for field in fields]
    row = "(" + ", ".join(f"%s::{field.db_type(connection)}" for field in fields) + ")"
    params = [
        field.get_db_prep_save(field.pre_save(entry, add=True), connection)
        for entry in rows
        for field in fields
    ]
    quoted = [connection.ops.quote_name(column) for column in columns]
    select = ", ".join(taken.get(column, f"t.{name}") for column, name in zip(columns, quoted, strict=True))
    return (
        f"INSERT INTO {LogEntry._meta.db_table} ({', '.join(quoted)}) "  # noqa: S608  our names
        f"SELECT {select} FROM (VALUES {', '.join([row] * len(rows))}) AS t({', '.join(quoted)}) "
        f"JOIN {joined} ON {joined}.id = t.object_id",
        params,
    )


def _text(value) -> str:
    """A value as django-auditlog stores it in `changes`: its text, "None" for none."""
    return "None" if value is None else str(value)
