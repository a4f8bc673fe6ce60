"""Donors from a spreadsheet, through django-import-export: check first, then all or nothing.

Importing the same list again updates the donors it finds (by tax code, else by the name with
diacritics and case folded, within the importing user's unit) and never duplicates them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import tablib
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets

from fund_portal.authority import Action, requires
from fund_portal.exports import xlsx_bytes
from fund_portal.spreadsheets import open_sheet
from fund_portal.text import fold, normalize_text

from ..models import DisplayPreference, Donor, DonorKind

HEADERS = {
    "name": "Tên nhà tài trợ",
    "kind": "Loại",
    "tax_code": "Mã số thuế",
    "phone": "Điện thoại",
    "email": "Email",
    "address": "Địa chỉ",
    "display_preference": "Hiển thị công khai",
    "notes": "Ghi chú",
}


def _words(choices, written: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Folded word -> choice value: the words people write for `choices`, then their stored values."""
    return {fold(label): value for value, label in written} | {fold(v): v for v in choices.values}


KIND_WORDS = _words(
    DonorKind,
    (
        (DonorKind.INDIVIDUAL, "Cá nhân"),
        (DonorKind.BUSINESS, "Doanh nghiệp"),
        (DonorKind.AGENCY, "Cơ quan"),
        (DonorKind.AGENCY, "Cơ quan, đơn vị"),
        (DonorKind.ORGANISATION, "Tổ chức"),
        (DonorKind.FOREIGN_ORGANISATION, "Tổ chức nước ngoài"),
    ),
)
DISPLAY_WORDS = _words(
    DisplayPreference,
    (
        (DisplayPreference.FULL_NAME, "Họ và tên"),
        (DisplayPreference.FULL_NAME, "Tên đầy đủ"),
        (DisplayPreference.INITIALS, "Chỉ tên viết tắt"),
        (DisplayPreference.INITIALS, "Viết tắt"),
        (DisplayPreference.ANONYMOUS, "Ẩn danh"),
    ),
)


class ChoiceWordWidget(widgets.Widget):
    """A choice written in Vietnamese words (case and diacritics ignored); empty gives the default."""

    def __init__(self, words: dict[str, str], default: str, message):
        super().__init__()
        self.words, self.default, self.message = words, default, message

    def clean(self, value, row=None, **kwargs):
        text = normalize_text(str(value or ""))
        if not text:
            return self.default
        if fold(text) not in self.words:
            raise ValueError(self.message % {"value": text})
        return self.words[fold(text)]


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return normalize_text("" if value is None else str(value))


class DonorResource(resources.ModelResource):
    name = fields.Field(attribute="name", column_name=HEADERS["name"], widget=TextWidget())
    kind = fields.Field(
        attribute="kind",
        column_name=HEADERS["kind"],
        widget=ChoiceWordWidget(
            KIND_WORDS,
            DonorKind.INDIVIDUAL,
            gettext_lazy(
                "“%(value)s” is not a kind of donor: "
                "Cá nhân, Doanh nghiệp, Cơ quan, Tổ chức, Tổ chức nước ngoài."
            ),
        ),
    )
    tax_code = fields.Field(attribute="tax_code", column_name=HEADERS["tax_code"], widget=TextWidget())
    phone = fields.Field(attribute="phone", column_name=HEADERS["phone"], widget=TextWidget())
    email = fields.Field(attribute="email", column_name=HEADERS["email"], widget=TextWidget())
    address = fields.Field(attribute="address", column_name=HEADERS["address"], widget=TextWidget())
    display_preference = fields.Field(
        attribute="display_preference",
        column_name=HEADERS["display_preference"],
        widget=ChoiceWordWidget(
            DISPLAY_WORDS,
            DisplayPreference.FULL_NAME,
            gettext_lazy("“%(value)s” is not a display choice: Họ và tên, Chỉ tên viết tắt, Ẩn danh."),
        ),
    )
    notes = fields.Field(attribute="notes", column_name=HEADERS["notes"], widget=TextWidget())

    class Meta:
        model = Donor
        fields = tuple(HEADERS)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = False

    def __init__(self, *, user, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.unit = user.unit

    def get_instance(self, instance_loader, row):
        """The donor this row means: same tax code, else same folded name, in the user's unit."""
        donors = Donor.objects.visible_to(self.user).filter(unit=self.unit, merged_into__isnull=True)
        tax_code = normalize_text(str(row.get(HEADERS["tax_code"]) or ""))
        if tax_code:
            found = donors.filter(tax_code=tax_code).first()
            if found:
                return found
        name = normalize_text(str(row.get(HEADERS["name"]) or ""))
        return donors.filter(name_folded=fold(name)).first() if name else None

    def init_instance(self, row=None):
        return Donor(unit=self.unit)

    def before_save_instance(self, instance, row, **kwargs):
        instance.name_folded = fold(instance.name)


@dataclass
class DonorsImport:
    rows: int = 0
    new: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


@requires(Action.DONOR_MANAGE)
def donors_import(*, uploaded, by, name: str = "", dry_run: bool = False) -> DonorsImport:
    """Check every row; write only when all are good and it is not a dry run. Errors give the sheet's row."""
    if by.unit_id is None:
        raise ValidationError(_("Your account has no unit, so it cannot keep donors."))
    sheet = open_sheet(uploaded, name=name)
    missing = [h for h in (HEADERS["name"],) if h not in sheet.headers]
    if missing:
        raise ValidationError(
            _("The file lacks the column(s): %(columns)s.") % {"columns": ", ".join(missing)}
        )
    rows = list(sheet.rows)
    dataset = tablib.Dataset(headers=sheet.headers)
    for _number, cells in rows:
        dataset.append((list(cells) + [""] * len(sheet.headers))[: len(sheet.headers)])
    result = DonorsImport(rows=len(rows))
    errors = _row_errors(dataset, rows, by)
    if errors:
        raise ValidationError(errors, code="bad_rows")
    outcome = DonorResource(user=by).import_data(
        dataset, dry_run=dry_run, use_transactions=True, raise_errors=False
    )
    result.new, result.updated = outcome.totals.get("new", 0), outcome.totals.get("update", 0)
    return result


def _row_errors(dataset, rows, by) -> list[str]:
    """The library's row and validation errors, plus duplicates inside the file, with sheet row numbers."""
    messages: dict[int, list[str]] = {}
    seen: dict[str, int] = {}
    for index, (number, _cells) in enumerate(rows):
        record = dataset.dict[index]
        name = normalize_text(str(record.get(HEADERS["name"]) or ""))
        if not name:
            messages.setdefault(number, []).append(_("the donor's name is empty"))
        tax_code = normalize_text(str(record.get(HEADERS["tax_code"]) or ""))
        for key in ([f"tax:{tax_code}"] if tax_code else []) + (
            [f"name:{fold(name)}"] if name and not tax_code else []
        ):
            if key in seen:
                messages.setdefault(number, []).append(
                    _("the same donor is on row %(row)s") % {"row": seen[key]}
                )
            seen.setdefault(key, number)
    with transaction.atomic():
        checked = DonorResource(user=by).import_data(
            dataset, dry_run=True, use_transactions=True, raise_errors=False
        )
    for row_number, errors in checked.row_errors():
        messages.setdefault(rows[row_number - 1][0], []).extend(str(e.error) for e in errors)
    for invalid in checked.invalid_rows:
        for column, texts in invalid.error_dict.items():
            label = HEADERS.get(column, column)
            messages.setdefault(rows[invalid.number - 1][0], []).extend(f"{label}: {t}" for t in texts)
    return [
        _("Row %(row)s: %(error)s") % {"row": n, "error": "; ".join(m)} for n, m in sorted(messages.items())
    ]


def donors_template() -> bytes:
    """The empty donors template: its Vietnamese headers and one example row."""
    return xlsx_bytes(
        title="Nha tai tro",
        headers=list(HEADERS.values()),
        rows=[
            [
                "Công ty TNHH Ánh Dương",
                "Doanh nghiệp",
                "2801234567",
                "0237 3868 000",
                "lienhe@anhduong.vn",
                "Thị trấn Triệu Sơn, Thanh Hóa",
                "Họ và tên",
                "",
            ]
        ],
    )
