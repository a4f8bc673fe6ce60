"""The children's template and export: the XLSX people fill in for `children_import`, and the export
of the children as that template (so an export imports again), logged with its reason."""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fund_portal.authority import Action, requires
from fund_portal.imports import template_workbook, workbook_bytes
from fund_portal.models import AdministrativeUnit, UnitLevel, User
from fund_portal.text import normalize_text

from ..models import AccessAction, AccessLog, Circumstance
from ..reference.circumstances import SENSITIVE_CODES, SPECIAL_CIRCUMSTANCES
from ..reference.disability import disability_severity_shown, disability_type_shown
from ..reference.ethnic import ETHNIC_GROUPS
from ..services.registry import access_log
from .child_places import CHUNK, _chunks
from .child_rows import COLUMNS, SENSITIVE_PERMISSION, _default_commune
from .child_words import POVERTY_LABELS, SEX_LABELS


def export_headers(*, user) -> list[str]:
    """The template's headers; health notes only for a user who may see them."""
    allowed = user is not None and user.has_perm(SENSITIVE_PERMISSION)
    return [names[0] for name, names in COLUMNS.items() if allowed or name != "health_notes"]


def children_template(*, by: User | None = None) -> bytes:
    """The XLSX template: headers and one example row, then a sheet of the codes to use.

    The second sheet lists the groups (the sensitive ones only for a user allowed to see them), the
    ethnic groups and, given the user, the communes and villages they may import into.
    """
    headers = export_headers(user=by)
    fields = [name for name, names in COLUMNS.items() if names[0] in headers]
    # Typed as text: a personal ID or a phone number keeps its leading zero.
    text_columns = {"birth_date", "personal_id", "commune", "guardian_phone"}
    book, sheet = template_workbook(
        title="Danh sách trẻ em",
        headers=headers,
        widths=[max(14, min(len(header) + 4, 32)) for header in headers],
        number_formats={index: "@" for index, name in enumerate(fields, start=1) if name in text_columns},
    )
    commune = _default_commune(by) if by is not None else None
    if commune is None and by is not None:
        commune = AdministrativeUnit.objects.visible_to(by).filter(level=UnitLevel.COMMUNE).first()
    village = (
        AdministrativeUnit.objects.filter(parent=commune, level=UnitLevel.VILLAGE).order_by("code").first()
        if commune
        else None
    )
    today = timezone.localdate()
    example = {
        "full_name": "Nguyễn Văn An",
        "birth_date": today.replace(year=today.year - 8, day=1).strftime("%d/%m/%Y"),
        "sex": "Nam",
        "ethnicity": "Kinh",
        "personal_id": "",
        "commune": commune.code if commune else "",
        "commune_name": commune.name if commune else "",
        "village": village.name if village else "",
        "address": "",
        "guardian_name": "Nguyễn Thị Bình",
        "guardian_relationship": "Bà nội",
        "guardian_phone": "0912345678",
        "poverty": "Hộ nghèo",
        "poverty_year": today.year - 1,
        "school": "Trường Tiểu học",
        "grade": "3",
        "out_of_school": "Không",
        "disability_type": "",
        "disability_severity": "",
        "groups": "G01",
        "health_notes": "",
        "data_consent": "Có",
    }
    sheet.append([example[name] for name in fields])

    _codes_sheet(book, by=by)
    return workbook_bytes(book)


def _codes_sheet(book, *, by: User | None) -> None:
    """The template's second sheet: how to fill in the list, then the codes to use (the sensitive groups
    only for a user allowed to see them; given the user, the communes and villages they may use)."""
    from openpyxl.styles import Alignment, Font

    codes = book.create_sheet("Danh mục")
    bold = Font(bold=True)
    for line in (
        _("How to fill in the list of children"),
        _("Keep the header row as it is; write one child per row, from row 2, and delete the example row."),
        _(
            "The file is imported all or nothing: if one row is wrong, nothing is imported and "
            "every wrong row is listed with its row number."
        ),
        _(
            "Dates of birth as dd/mm/yyyy or Excel dates. Groups: their codes separated by “;” "
            "(for example G01; G04) or their names. A child already registered (same personal ID, or "
            "same name, date of birth and commune) is updated, never added twice."
        ),
    ):
        codes.append([line])
    codes["A1"].font = Font(bold=True, size=13)
    allowed = by is not None and by.has_perm(SENSITIVE_PERMISSION)
    codes.append([])
    codes.append([_("Groups of children in special circumstances"), ""])
    codes.cell(row=codes.max_row, column=1).font = bold
    for item in SPECIAL_CIRCUMSTANCES:
        if item.sensitive and not allowed:
            continue
        codes.append([item.code, item.name])
        for sub in item.subgroups:
            codes.append([sub.code, sub.name])
    codes.append([])
    codes.append([_("Ethnic groups"), ""])
    codes.cell(row=codes.max_row, column=1).font = bold
    for code, name in ETHNIC_GROUPS:
        codes.append([code, name])
    if by is not None:
        codes.append([])
        codes.append([_("Communes and villages you may use"), ""])
        codes.cell(row=codes.max_row, column=1).font = bold
        units = AdministrativeUnit.objects.visible_to(by).filter(
            level__in=[UnitLevel.COMMUNE, UnitLevel.VILLAGE]
        )
        for code, name, level in units.order_by("path").values_list("code", "name", "level")[:5000]:
            codes.append([code, name if level == UnitLevel.COMMUNE else f"    {name}"])
    codes.column_dimensions["A"].width = 14
    codes.column_dimensions["B"].width = 110
    for row in codes.iter_rows(min_row=1, max_row=4):
        row[0].alignment = Alignment(wrap_text=False)


def children_export_rows(*, children, user) -> tuple[list[str], list[list], list[int]]:
    """The template's headers, one row per child (so an export imports again), and the children's ids.

    Sensitive groups and health notes are left out for a user without `children.view_sensitive`;
    children whose guardian withdrew the data consent are left out altogether (Decree 13/2023: their
    processing is restricted to the commune's duty of protection, which the record itself serves).
    """
    allowed = user.has_perm(SENSITIVE_PERMISSION)
    headers = export_headers(user=user)
    records = list(
        children.filter(data_restricted=False)
        .select_related("commune", "village")
        .order_by("commune__code", "name_folded", "id")
    )
    ids = [child.pk for child in records]
    groups: dict[int, list[str]] = defaultdict(list)
    for chunk in _chunks(ids, CHUNK):
        items = Circumstance.objects.filter(child_id__in=chunk).order_by("group", "subgroup")
        for child_id, code, subgroup in items.values_list("child_id", "group", "subgroup"):
            if code in SENSITIVE_CODES and not allowed:
                continue
            groups[child_id].append(subgroup or code)
    ethnic = dict(ETHNIC_GROUPS)
    rows = []
    for child in records:
        values = {
            "full_name": child.full_name,
            "birth_date": child.birth_date.strftime("%d/%m/%Y"),
            "sex": SEX_LABELS.get(child.sex, child.sex),
            "ethnicity": ethnic.get(child.ethnicity, child.ethnicity),
            "personal_id": child.personal_id or "",
            "commune": child.commune.code,
            "commune_name": child.commune.name,
            "village": child.village.name if child.village_id else "",
            "address": child.address,
            "guardian_name": child.guardian_name,
            "guardian_relationship": child.guardian_relationship,
            "guardian_phone": child.guardian_phone,
            "poverty": POVERTY_LABELS.get(child.poverty, ""),
            "poverty_year": child.poverty_year or "",
            "school": child.school,
            "grade": child.grade,
            "out_of_school": "Có" if child.out_of_school else "Không",
            "disability_type": disability_type_shown(child.disability_type),
            "disability_severity": disability_severity_shown(child.disability_severity),
            "groups": "; ".join(groups.get(child.pk, [])),
            "health_notes": child.health_notes,
            "data_consent": "Có" if child.data_consent else "Không",
        }
        rows.append([values[name] for name, names in COLUMNS.items() if names[0] in headers])
    return headers, rows, ids


@requires(Action.CHILD_EXPORT, actor="user")
def children_export(*, children, user, reason: str) -> bytes:
    """The children as an XLSX of the template, logged as one export with the reason and their ids."""
    from fund_portal.exports import xlsx_bytes

    reason = normalize_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the export.")})
    headers, rows, ids = children_export_rows(children=children, user=user)
    with transaction.atomic():
        log = access_log(user=user, action=AccessAction.EXPORT, count=len(ids), unit=user.unit, reason=reason)
        AccessLog.objects.filter(pk=log.pk).update(child_ids=ids)
    return xlsx_bytes(title="Danh sách trẻ em", headers=headers, rows=rows)
