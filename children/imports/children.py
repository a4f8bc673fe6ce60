"""The commune's Excel list of children: import (all rows or none), the template, and the export.

The file (XLSX or CSV, recognised by content) follows `children_template`: one child per row,
Vietnamese headers matched with case and diacritics ignored. Every row is checked in Python with
the rules of `children.services.child_check` (the same Vietnamese messages), every bad row is
reported with its spreadsheet row number, and if one row is bad nothing is written. A good file is
written in one transaction: new children are loaded with COPY (PostgreSQL), the children the file
names again are updated, their groups added, and their priority recomputed (`priority_recompute`);
a new child is loaded with its priority already computed by the same formula (no needs yet). The
flow is the core's `fund_portal.imports.sheet_import`; the file's rows are read by `child_rows`,
matched and written by `child_load`.

Decisions worth knowing:

* Who may import: commune officers and fund staff (or a user with `children.add_child`), into the
  communes `AdministrativeUnit.objects.visible_to` gives them. An auditor may not. A commune
  officer's file may leave out the commune: the rows are then of the officer's commune.
* The same list imported again updates, never duplicates. A row is the child with the row's
  personal ID; without a personal ID (or with one no child has yet), the child of the same commune
  with the same name (case and diacritics folded) and date of birth, if that child has no personal
  ID of its own. A personal ID of a child outside the user's unit refuses the row.
* A column missing from the file leaves that field of an existing child as it is; a column
  present overwrites it, an empty cell included. Groups are only ever added: a group missing from
  the row stays recorded (`circumstance_remove` removes one, with its checks).
* Sensitive groups (`reference.SENSITIVE_CODES`) and health notes are refused in a row unless
  the importing user has `children.view_sensitive`; without it an empty health-notes cell leaves
  the notes as they are.
* A new child gets the status change "Registered" (from nothing to active) by the importing user,
  as `child_register` records it. The duplicate check of `child_register` across the district is
  not run: an import matches within its commune only (`children.duplicates` lists the rest).
* COPY does not go through the audit trail (django-auditlog): each child keeps who created it and
  when, and its status history.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fund_portal.authority import Action, requires
from fund_portal.bulk import analyze
from fund_portal.imports import RowError, SheetImportResult, sheet_import
from fund_portal.models import Role, User

from ..models import Child, ChildStatusChange, Circumstance
from .child_load import _alerts_for_ids_held_elsewhere, _match, _write
from .child_rows import COLUMNS, REQUIRED_COLUMNS, ParsedRow, _default_commune, _RowReader

PREVIEW_ROWS = 20
ANALYZE_AFTER_ROWS = 10_000


@dataclass
class ImportResult(SheetImportResult):
    """What a children import did, or would do: the children it adds, updates and leaves as they were,
    and the groups it records."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    groups_added: int = 0


def may_import(user) -> bool:
    """Commune officers and fund staff register children; auditors and donors do not."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser or user.has_perm("children.add_child"):
        return True
    return user.role == Role.COMMUNE_OFFICER and user.unit_id is not None


@requires(Action.CHILD_IMPORT)
def children_import(*, uploaded, by: User, dry_run: bool, name: str = "") -> ImportResult:
    """Import the commune's list of children: every row is checked, then all are written, or none.

    A dry run checks everything the import checks and previews the result; it writes nothing.
    """
    result = ImportResult(file_name=name or getattr(uploaded, "name", "") or "", dry_run=dry_run)
    if not may_import(by):
        result.errors.append(RowError(None, "", "not_allowed", _("You may not import children.")))
        return result
    default_commune = _default_commune(by)

    def reader(columns: dict[str, int]) -> _RowReader:
        if default_commune is None and "commune" not in columns and "commune_name" not in columns:
            raise ValidationError(
                _("The file lacks the column(s): %(columns)s.") % {"columns": COLUMNS["commune"][0]},
                code="columns",
            )
        return _RowReader(by=by, columns=columns, default_commune=default_commune)

    rows = sheet_import(
        result,
        uploaded=uploaded,
        columns=COLUMNS,
        required=REQUIRED_COLUMNS,
        reader=reader,
        check=lambda rows: _match(rows, by=by) if rows else [],
        write=lambda rows: _write(rows, by=by),
        no_rows=_("The file has no rows of children."),
    )
    if result.written and len(rows) >= ANALYZE_AFTER_ROWS:
        analyze(Child, Circumstance, ChildStatusChange, added=len(rows))
    held_elsewhere = {e.row for e in result.errors if e.code == "personal_id_check"}
    if held_elsewhere:  # after the write's transaction, so the alerts stay when the import is refused
        _alerts_for_ids_held_elsewhere([row for row in rows if row.row in held_elsewhere], by=by)
    _summarise(result, rows)
    return result


def _summarise(result: ImportResult, rows: list[ParsedRow]) -> None:
    result.rows = len(rows)
    if result.ok:
        result.created = sum(1 for row in rows if row.new)
        result.updated = sum(1 for row in rows if not row.new and (row.changed or row.new_groups))
        result.unchanged = len(rows) - result.created - result.updated
        result.groups_added = sum(len(row.new_groups) for row in rows)
    result.preview = [
        {
            "row": row.row,
            "full_name": row.full_name,
            "birth_date": row.values["birth_date"],
            "commune": row.commune_label,
            "groups": "; ".join(subgroup or code for code, subgroup in row.groups),
            "new": row.new,
            "changed": bool(row.changed or row.new_groups),
        }
        for row in rows[:PREVIEW_ROWS]
    ]
