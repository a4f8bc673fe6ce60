"""The children import's database side: which registered child each row is (`_match`, run for a dry
run and again under the write's locks), the write in the caller's transaction (new children loaded
with COPY, the others updated, their groups and status history, their priority), and the alerts for
personal IDs a record outside the importer's unit holds."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from fund_portal.bulk import bulk_load, matching, reserve_ids
from fund_portal.imports import Rejected, RowError
from fund_portal.models import AdministrativeUnit, User

from ..models import (
    Child,
    ChildStatus,
    ChildStatusChange,
    Circumstance,
    ConsentChange,
    Poverty,
)
from ..priority import CommuneWeights, priority_contexts, priority_recompute, priority_score, weights_visible
from ..province_sql import provinces_of
from ..services.registry import ADULT_AGE, age_on
from .child_places import CHUNK, _chunks
from .child_rows import COLUMNS, ParsedRow

#: The model fields a column writes (the commune's two columns write one field; groups are rows).
MODEL_FIELDS = [
    name for name in COLUMNS if name not in ("commune", "commune_name", "groups", "personal_id")
] + ["personal_id", "commune"]
#: PostgreSQL takes many more (up to 65,535).
PG_CHUNK = 20_000

#: The columns a new child's row fills, in the model's order (`_child_rows` yields them so): all but
#: `data_restricted`, which a new record leaves to its database default (not restricted), and the
#: province, given last: its commune's, which the database checks (`children.province_sql`).
CHILD_COLUMNS = [
    field.column for field in Child._meta.concrete_fields if field.name not in ("data_restricted", "province")
] + ["province_id"]
_ATTNAMES = {f.attname: f.name for f in Child._meta.concrete_fields if f.attname != f.name}
CIRCUMSTANCE_COLUMNS = ["child_id", "group", "subgroup", "identified_on", "note"]
STATUS_COLUMNS = ["child_id", "status_from", "status_to", "on", "reason", "by_id", "at"]
#: What is read of an existing child to match and compare it with a row.
_EXISTING_FIELDS = (
    "id",
    "status",
    "name_folded",
    "consent_recorded_by_id",
    "consent_recorded_at",
    "commune_id",
    "village_id",
    *(name for name in MODEL_FIELDS if name not in ("commune", "village")),
)


@dataclass(slots=True)
class _Registered:
    """The registered children a file's rows may be, as read by `_registered`."""

    by_id: dict[str, dict]  # personal ID -> child, in the user's scope
    by_name: dict[tuple, dict]  # (folded name, date of birth, commune id) -> child, merged records left out
    outside: set[str]  # personal IDs a child outside the user's scope holds


def _match(rows: list[ParsedRow], *, by: User) -> list[RowError]:
    """The checks that read the database: which child each row is, and the rules that depend on it.

    Sets each row's `child_id` (None for a new child) and `changed`.
    """
    registered = _registered(rows, visible=Child.objects.visible_to(by))
    today = timezone.localdate()
    first_row_of_child: dict[int, int] = {}
    errors: list[RowError] = []
    for row in rows:
        error = _match_row(row, registered, today=today, first_row_of_child=first_row_of_child)
        if error is not None:
            errors.append(error)
    _set_new_groups(rows)
    return errors


def _registered(rows: list[ParsedRow], *, visible) -> _Registered:
    """The children of the rows' communes, and those holding the rows' personal IDs elsewhere."""
    commune_ids = sorted({row.values["commune_id"] for row in rows})
    existing: dict[int, dict] = {}
    for chunk in _chunks(commune_ids, CHUNK):
        for child in visible.filter(commune_id__in=chunk).values(*_EXISTING_FIELDS):
            existing[child["id"]] = child
    by_id = {child["personal_id"]: child for child in existing.values() if child["personal_id"]}
    wanted_ids = sorted({pid for row in rows if (pid := row.values.get("personal_id")) and pid not in by_id})
    # Usually none of them exists yet: one query says which do, the scoped one reads only those.
    taken = sorted(_registered_personal_ids(wanted_ids))
    for chunk in _chunks(taken, _chunk_size()):
        for child in visible.filter(personal_id__in=chunk).values(*_EXISTING_FIELDS):
            existing[child["id"]] = child
            by_id[child["personal_id"]] = child
    by_name = {
        (child["name_folded"], child["birth_date"], child["commune_id"]): child
        for child in existing.values()
        if child["status"] != ChildStatus.MERGED
    }
    return _Registered(by_id=by_id, by_name=by_name, outside={pid for pid in taken if pid not in by_id})


def _match_row(
    row: ParsedRow, registered: _Registered, *, today, first_row_of_child: dict[int, int]
) -> RowError | None:
    """Which child the row is, set on the row (a new child: `child_id` None), or why it is refused."""
    pid = row.values.get("personal_id")
    child = registered.by_id.get(pid) if pid else None
    if pid and child is None and pid in registered.outside:
        return _held_elsewhere_error(row, pid)
    if child is None:
        candidate = registered.by_name.get(row.name_key)
        if candidate is not None and not (pid and candidate["personal_id"]):
            child = candidate
    status = child["status"] if child else ChildStatus.ACTIVE
    if child is not None and status == ChildStatus.MERGED:
        return RowError(row.row, "", "merged", _("A merged record does not change any more."), row.full_name)
    birth_date = row.values["birth_date"]
    if status == ChildStatus.ACTIVE and age_on(birth_date, today) >= ADULT_AGE:
        return RowError(
            row.row,
            COLUMNS["birth_date"][0],
            "adult",
            _("Born on %(date)s, this person is 16 or older and is not a child.")
            % {"date": birth_date.strftime("%d/%m/%Y")},
            birth_date.strftime("%d/%m/%Y"),
        )
    if child is None:
        row.child_id, row.new, row.changed, row.new_groups = None, True, True, list(row.groups)
        return None
    first = first_row_of_child.setdefault(child["id"], row.row)
    if first != row.row:
        return RowError(
            row.row,
            "",
            "duplicate_in_file",
            _("This row is the same child as row %(first)s of this file.") % {"first": first},
            row.full_name,
        )
    _compare(row, child)
    return None


def _held_elsewhere_error(row: ParsedRow, pid: str) -> RowError:
    # As on registration: words that do not confirm the number exists, and an alert for the staff who
    # see both records.
    return RowError(
        row.row,
        COLUMNS["personal_id"][0],
        "personal_id_check",
        _(
            "The personal identification number %(value)s needs checking by the fund before it "
            "can be recorded; the fund's staff have been told. Leave it empty to import the "
            "child now."
        )
        % {"value": pid},
        pid,
    )


def _compare(row: ParsedRow, child: dict) -> None:
    """The row is this registered child: does it change it?"""
    row.child_id, row.new = child["id"], False
    if row.values["commune_id"] != child["commune_id"] and "village_id" not in row.values:
        row.values["village_id"] = None  # the old village belongs to the old commune
    row.changed = any(child[name] != value for name, value in row.values.items())


def _set_new_groups(rows: list[ParsedRow]) -> None:
    """The groups each row of a registered child adds to those recorded."""
    recorded: set[tuple[int, str, str]] = set()
    matched = sorted({row.child_id for row in rows if not row.new and row.child_id})
    for chunk in _chunks(matched, _chunk_size()):
        recorded.update(
            Circumstance.objects.filter(child_id__in=chunk).values_list("child_id", "group", "subgroup")
        )
    for row in rows:
        if not row.new and row.child_id:
            row.new_groups = [(g, s) for g, s in row.groups if (row.child_id, g, s) not in recorded]


def _alerts_for_ids_held_elsewhere(rows: list[ParsedRow], *, by: User) -> None:
    """Tell the staff who see both records of each row whose personal ID a record outside the
    importer's unit holds (a few rows at most: an import is one commune's list)."""
    from ..duplicates import SAME_PERSONAL_ID
    from ..services.duplicates import duplicate_alert_record

    holders = {
        c.personal_id: c
        for c in Child.objects.filter(personal_id__in=[r.values["personal_id"] for r in rows])
    }
    communes = AdministrativeUnit.objects.in_bulk({r.values["commune_id"] for r in rows})
    for row in rows:
        holder = holders.get(row.values["personal_id"])
        if holder is not None:
            duplicate_alert_record(
                existing=holder,
                commune=communes[row.values["commune_id"]],
                full_name=row.values["full_name"],
                birth_date=row.values["birth_date"],
                personal_id=row.values["personal_id"],
                reason=SAME_PERSONAL_ID,
                by=by,
            )


def _registered_personal_ids(personal_ids: list[str]) -> set[str]:
    """Which of these personal IDs a child has, in any unit (scope is the caller's business)."""
    return {pid for (pid,) in matching(Child.objects.all(), "personal_id", personal_ids, "personal_id")}


def _write(rows: list[ParsedRow], *, by: User) -> None:
    """Write the rows in the caller's transaction; raises Rejected if a check against the database fails."""
    commune_ids = sorted({row.values["commune_id"] for row in rows})
    # Two imports into the same commune wait on each other here, so the second one sees the first's
    # children and updates them instead of adding them again.
    for chunk in _chunks(commune_ids, CHUNK):
        list(AdministrativeUnit.objects.select_for_update().filter(pk__in=chunk).order_by("pk").values("pk"))
    errors = _match(rows, by=by)
    if errors:
        raise Rejected(errors)
    now = timezone.now()
    today = timezone.localdate()
    new_rows = [row for row in rows if row.new]
    old_rows = [row for row in rows if not row.new]
    ids = reserve_ids(Child._meta.db_table, len(new_rows))
    for row, child_id in zip(new_rows, ids, strict=True):
        row.child_id = child_id
    communes = priority_contexts(commune_ids={row.values["commune_id"] for row in new_rows})
    bulk_load(Child._meta.db_table, CHILD_COLUMNS, _child_rows(new_rows, now=now, by=by, communes=communes))
    reason = _("Registered")
    bulk_load(
        ChildStatusChange._meta.db_table,
        STATUS_COLUMNS,
        ((row.child_id, "", ChildStatus.ACTIVE, today, reason, by.pk, now) for row in new_rows),
    )
    updated = _update(old_rows, now=now, by=by)
    circumstances = [
        (row.child_id, code, subgroup, today, "") for row in rows for code, subgroup in row.new_groups
    ]
    bulk_load(Circumstance._meta.db_table, CIRCUMSTANCE_COLUMNS, circumstances)
    # New children were loaded with their priority; recomputing 50,000 of them in SQL rewrites every
    # row and its indexes twice (8 s on PostgreSQL).
    new_ids = {row.child_id for row in new_rows}
    touched = sorted((set(updated) | {item[0] for item in circumstances}) - new_ids)
    for chunk in _chunks(touched, 5_000 if connection.vendor == "postgresql" else CHUNK):
        priority_recompute(child_ids=chunk)


def _child_rows(
    rows: list[ParsedRow], *, now, by: User, communes: dict[int, CommuneWeights]
) -> Iterator[tuple]:
    shown_weights = {pk: weights_visible(commune.weights) for pk, commune in communes.items()}
    provinces = provinces_of(communes)
    for row in rows:
        v = row.values
        consent = bool(v.get("data_consent", False))
        commune = communes[v["commune_id"]]
        factors = {  # a new child has no needs assessed yet
            "groups": [code for code, _sub in row.groups],
            "poverty": row.values.get("poverty", Poverty.NONE),
            "out_of_school": bool(row.values.get("out_of_school")),
            **commune.flags,
        }
        score = priority_score(weights=commune.weights, **factors)
        yield (
            row.child_id,
            v["full_name"],
            row.name_folded,
            v["birth_date"],
            v["sex"],
            v.get("ethnicity") or "01",
            v.get("personal_id"),
            v["commune_id"],
            v.get("village_id"),
            v.get("address", ""),
            v.get("guardian_name", ""),
            v.get("guardian_relationship", ""),
            v.get("guardian_phone", ""),
            v.get("poverty", Poverty.NONE),
            v.get("poverty_year"),
            v.get("school", ""),
            v.get("grade", ""),
            bool(v.get("out_of_school", False)),
            v.get("disability_type", ""),
            v.get("disability_severity", ""),
            v.get("health_notes", ""),
            ChildStatus.ACTIVE,
            "",
            "",
            consent,
            False,
            by.pk if consent else None,
            now if consent else None,
            score,
            None,
            "",
            score,
            priority_score(weights=shown_weights[v["commune_id"]], **factors),
            None,
            None,
            by.pk,
            now,
            now,
            provinces[v["commune_id"]],
        )


def _update(rows: list[ParsedRow], *, now, by: User) -> list[int]:
    """Update the children the changed rows name, a batch of rows with the same columns at a time."""
    changed = [row for row in rows if row.changed]
    if not changed:
        return []
    consent_now = {}
    if any("data_consent" in row.values for row in changed):
        ids = [row.child_id for row in changed if "data_consent" in row.values]
        for chunk in _chunks(ids, CHUNK):
            consent_now.update(Child.objects.filter(pk__in=chunk).values_list("pk", "data_consent"))
    consent_changes = []
    by_fields: dict[tuple[str, ...], list[Child]] = defaultdict(list)
    for row in changed:
        child = Child(pk=row.child_id, updated_at=now, name_folded=row.name_folded)
        for name, value in row.values.items():
            setattr(child, name, value)
        names = [*row.values, "name_folded", "updated_at"]
        if "data_consent" in row.values and consent_now.get(row.child_id) != row.values["data_consent"]:
            # As `consent_set` does: a withdrawn data consent restricts the record, a new one lifts it.
            given = bool(row.values["data_consent"])
            child.consent_recorded_by_id, child.consent_recorded_at = by.pk, now
            child.data_restricted = not given
            names += ["consent_recorded_by_id", "consent_recorded_at", "data_restricted"]
            if not given:
                child.story_consent = False
                names.append("story_consent")
            consent_changes.append(
                ConsentChange(
                    child_id=row.child_id, data_consent=given, story_consent=False, withdrawn=not given, by=by
                )
            )
        by_fields[tuple(names)].append(child)
    for names, children in by_fields.items():
        # bulk_update takes field names; `commune_id` is the attribute of the field `commune`.
        fields = [_ATTNAMES.get(name, name) for name in names]
        Child.objects.bulk_update(children, fields, batch_size=1000)
    ConsentChange.objects.bulk_create(consent_changes, batch_size=1000)
    return [row.child_id for row in changed]


def _chunk_size() -> int:
    return PG_CHUNK if connection.vendor == "postgresql" else CHUNK
