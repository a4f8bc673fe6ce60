"""django-import-export resource of the children registry.

`ChildResource` reads the children's template (the Vietnamese headers of
`children.importing.HEADERS`) the way the library does it, configured the "tuned" way
(`use_bulk`, `batch_size=1000`, `skip_diff`, `force_init_instance`, lookups loaded once per
import): each row is checked by `children.services.child_check`, new children are
saved with `bulk_create`, existing ones (the same personal ID, else the same folded name, date of
birth and commune) with `bulk_update`; after the import the groups are added, new children get
their status change "Registered", and the priority is recomputed. It is the baseline that
`children.importing.children_import` is measured against (`manage.py bench --only children_import`).

What it does not do, and why the portal imports with `children_import` instead:

* Headers must be the template's exactly: the library does not match "ho va ten" to "Họ và tên".
* `child_check` runs one query per row (is the commune visible to the user?), and every existing
  child is loaded one query per row: slow on a large file. `full_clean` is not run (it would add a
  query per foreign key and per unique field on each row, doubling the time): a personal ID
  already used elsewhere or a malformed one that slipped through is refused by the database's
  constraints, as an error of the whole import, not of its row.
* A database error during a bulk insert is not tied to a row (the library's limit); rows are
  rolled back only when the caller passes `rollback_on_validation_errors=True`.
* Two rows of the file for the same child are both imported (the second as an update of the
  first only if the first was already saved by an earlier batch); consent is not stamped with who
  recorded it; exports are not logged (the portal's exports go through
  `children.importing.children_export`, which writes the access log).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from children.imports import child_words as words
from children.imports.child_rows import COLUMNS, SENSITIVE_PERMISSION
from children.models import RECORD_FIELDS, Child, ChildStatus, ChildStatusChange, Circumstance, Poverty, Sex
from children.priority import priority_recompute
from children.reference.circumstances import SENSITIVE_CODES
from children.services.registry import child_check
from fund_portal.imports import cell_text, choice_table
from fund_portal.models import AdministrativeUnit, UnitLevel
from fund_portal.spreadsheets import cell_date
from fund_portal.text import fold, normalize_text


def _header(name: str) -> str:
    return COLUMNS[name][0]


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return normalize_text(cell_text(value))


class BirthDateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if cell_text(value) == "":
            raise ValueError(_("%(column)s is empty; it is required.") % {"column": _header("birth_date")})
        try:
            return cell_date(value)
        except ValidationError as error:
            raise ValueError(" ".join(error.messages)) from error

    def render(self, value, obj=None, **kwargs):
        return value.strftime("%d/%m/%Y") if value else ""


class WordWidget(widgets.Widget):
    """A choice written as a word (case and diacritics ignored), from a table made once."""

    def __init__(self, table: dict[str, str], message: str, default: str = "", **kwargs):
        super().__init__(**kwargs)
        self.table, self.message, self.default = table, message, default

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            if self.default:
                return self.default
            raise ValueError(self.message % {"value": ""})
        choice = self.table.get(words._word_key(text)) or self.table.get(fold(text))
        if choice is None:
            raise ValueError(self.message % {"value": text})
        return choice


class PersonalIdWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if isinstance(value, float | int) and not isinstance(value, bool) and 10 <= len(text) < 12:
            text = text.zfill(12)
        return "".join(text.split()) or None


class YesNoWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        word = fold(cell_text(value))
        if word in words.YES_WORDS:
            return True
        if word in words.NO_WORDS:
            return False
        raise ValueError(_("“%(value)s” is neither Có nor Không.") % {"value": cell_text(value)})

    def render(self, value, obj=None, **kwargs):
        return "Có" if value else "Không"


class CommuneWidget(widgets.Widget):
    """A commune the importing user may use, by its code (loaded once per import)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.by_code: dict[str, AdministrativeUnit] = {}

    def clean(self, value, row=None, **kwargs):
        code = cell_text(value).lower()
        if not code:
            raise ValueError(_("%(column)s is empty; it is required.") % {"column": _header("commune")})
        try:
            return self.by_code[code]
        except KeyError:
            raise ValueError(
                _("No commune has the code or name “%(value)s”.") % {"value": cell_text(value)}
            ) from None

    def render(self, value, obj=None, **kwargs):
        return value.code if value else ""


class VillageWidget(widgets.Widget):
    """A village of the row's commune, by its name or code (each commune's villages loaded once)."""

    def __init__(self, communes: CommuneWidget, **kwargs):
        super().__init__(**kwargs)
        self.communes = communes
        self.villages: dict[int, dict[str, AdministrativeUnit]] = {}

    def clean(self, value, row=None, **kwargs):
        text = normalize_text(cell_text(value))
        if not text:
            return None
        commune = self.communes.by_code.get(cell_text((row or {}).get(_header("commune"), "")).lower())
        if commune is None:
            return None
        table = self.villages.get(commune.pk)
        if table is None:
            table = self.villages[commune.pk] = {}
            for village in AdministrativeUnit.objects.filter(parent=commune, level=UnitLevel.VILLAGE):
                table[village.code.lower()] = table[fold(village.name)] = village
                table[words._unit_key(village.name)] = village
        village = table.get(text.lower()) or table.get(fold(text)) or table.get(words._unit_key(text))
        if village is None:
            raise ValueError(
                _("%(village)s is not a village of %(commune)s.")
                % {"village": f"“{text}”", "commune": commune}
            )
        return village

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


def _text(name: str) -> fields.Field:
    return fields.Field(attribute=name, column_name=_header(name), widget=TextWidget())


class ChildResource(resources.ModelResource):
    full_name = _text("full_name")
    birth_date = fields.Field(
        attribute="birth_date", column_name=_header("birth_date"), widget=BirthDateWidget()
    )
    sex = fields.Field(attribute="sex", column_name=_header("sex"))
    ethnicity = fields.Field(attribute="ethnicity", column_name=_header("ethnicity"))
    personal_id = fields.Field(
        attribute="personal_id", column_name=_header("personal_id"), widget=PersonalIdWidget()
    )
    commune = fields.Field(attribute="commune", column_name=_header("commune"), widget=CommuneWidget())
    village = fields.Field(attribute="village", column_name=_header("village"))
    address = _text("address")
    guardian_name = _text("guardian_name")
    guardian_relationship = _text("guardian_relationship")
    guardian_phone = _text("guardian_phone")
    poverty = fields.Field(attribute="poverty", column_name=_header("poverty"))
    poverty_year = fields.Field(
        attribute="poverty_year", column_name=_header("poverty_year"), widget=widgets.IntegerWidget()
    )
    school = _text("school")
    grade = _text("grade")
    out_of_school = fields.Field(
        attribute="out_of_school", column_name=_header("out_of_school"), widget=YesNoWidget()
    )
    disability_type = _text("disability_type")
    disability_severity = _text("disability_severity")
    health_notes = _text("health_notes")
    data_consent = fields.Field(
        attribute="data_consent", column_name=_header("data_consent"), widget=YesNoWidget()
    )

    class Meta:
        model = Child
        fields = (*RECORD_FIELDS, "data_consent")
        use_bulk = True
        batch_size = 1000
        skip_diff = True
        force_init_instance = True
        use_transactions = True
        clean_model_instances = False

    def __init__(self, *, user, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.sensitive_allowed = user.has_perm(SENSITIVE_PERMISSION)
        self.fields["sex"].widget = WordWidget(
            choice_table(Sex, words.SEX_WORDS), _("“%(value)s” is not a sex; write Nam or Nữ.")
        )
        self.fields["ethnicity"].widget = WordWidget(
            words._ethnicity_table(),
            _(
                "“%(value)s” is not an ethnic group; write its name (Kinh, Tày, Thái…) "
                "or its code (01 to 54)."
            ),
            default="01",
        )
        self.fields["poverty"].widget = WordWidget(
            choice_table(Poverty, words.POVERTY_WORDS),
            _("“%(value)s” is not a household status; write Hộ nghèo, Hộ cận nghèo or leave it empty."),
            default=Poverty.NONE,
        )
        communes = AdministrativeUnit.objects.visible_to(user).filter(level=UnitLevel.COMMUNE)
        self.fields["commune"].widget.by_code = {unit.code.lower(): unit for unit in communes}
        self.fields["village"].widget = VillageWidget(self.fields["commune"].widget)
        self.groups = words._group_table()
        self.by_personal_id: dict[str, int] = {}
        self.by_name: dict[tuple, int] = {}
        self.saved: list[tuple[Child, bool, list[tuple[str, str]]]] = []

    def before_import(self, dataset, **kwargs):
        """The children of the user's communes the file may name again: one query."""
        visible = Child.objects.visible_to(self.user).exclude(status=ChildStatus.MERGED)
        header = _header("commune")
        codes = {cell_text(code).lower() for code in dataset[header]} if header in dataset.headers else set()
        units = [unit for code, unit in self.fields["commune"].widget.by_code.items() if code in codes]
        for pk, personal_id, name_folded, birth_date, commune_id in visible.filter(
            commune__in=units
        ).values_list("pk", "personal_id", "name_folded", "birth_date", "commune_id"):
            if personal_id:
                self.by_personal_id[personal_id] = pk
            self.by_name[(name_folded, birth_date, commune_id)] = pk

    def get_or_init_instance(self, instance_loader, row):
        personal_id = self.fields["personal_id"].widget.clean(row.get(_header("personal_id"), ""))
        pk = self.by_personal_id.get(personal_id) if personal_id else None
        if pk is None:
            try:
                key = (
                    fold(normalize_text(cell_text(row.get(_header("full_name"))))),
                    self.fields["birth_date"].widget.clean(row.get(_header("birth_date"))),
                    self.fields["commune"].widget.clean(row.get(_header("commune"))).pk,
                )
            except ValueError:
                key = None
            pk = self.by_name.get(key)
        if pk is not None:
            return Child.objects.get(pk=pk), False
        return self.init_instance(row), True

    def init_instance(self, row=None):
        return Child(created_by=self.user)

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, list[str]] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        instance.name_folded = fold(instance.full_name)
        if instance.health_notes and not self.sensitive_allowed:
            errors.setdefault("health_notes", []).append(
                _("Recording health notes needs the permission to see sensitive data.")
            )
        groups = []
        for part in normalize_text(cell_text(row.get(_header("groups"), ""))).replace("\n", ";").split(";"):
            part = part.strip(" ,.")
            if not part:
                continue
            item = self.groups.get(words._group_key(part)) or self.groups.get(fold(part))
            if item is None:
                errors.setdefault("group", []).append(
                    _("“%(code)s” is not a group of children in special circumstances.") % {"code": part}
                )
            elif item[0] in SENSITIVE_CODES and not self.sensitive_allowed:
                errors.setdefault("group", []).append(
                    _("Recording this group needs the permission to see sensitive data.")
                )
            else:
                groups.append(item)
        instance._import_groups = groups
        if not errors.get("commune") and not errors.get("birth_date"):
            try:
                child_check(child=instance, by=self.user)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
        if instance.data_consent and not instance.consent_recorded_at:
            instance.consent_recorded_at = timezone.now()

    def after_save_instance(self, instance, row, **kwargs):
        self.saved.append((instance, instance.pk is None, instance._import_groups))

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if kwargs.get("dry_run") or result.has_errors() or result.has_validation_errors():
            return
        today, now = timezone.localdate(), timezone.now()
        ChildStatusChange.objects.bulk_create(
            (
                ChildStatusChange(
                    child_id=child.pk,
                    status_from="",
                    status_to=ChildStatus.ACTIVE,
                    on=today,
                    reason=_("Registered"),
                    by=self.user,
                    at=now,
                )
                for child, new, _groups in self.saved
                if new
            ),
            batch_size=1000,
        )
        Circumstance.objects.bulk_create(
            (
                Circumstance(child_id=child.pk, group=code, subgroup=subgroup, identified_on=today)
                for child, _new, groups in self.saved
                for code, subgroup in groups
            ),
            batch_size=1000,
            ignore_conflicts=True,
        )
        ids = [child.pk for child, _new, _groups in self.saved]
        for start in range(0, len(ids), 900):
            priority_recompute(child_ids=ids[start : start + 900])
