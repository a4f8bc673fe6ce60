"""Which commune and village a row of the children's file names, among the units the user may register
children in: the commune by its code or its name (or the officer's own commune when the file has none),
the village by its code or name within that commune. A commune the user may not use is told apart
(unknown, not a commune, outside their unit) once for all the rows, after the last."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.utils.translation import gettext as _

from fund_portal.imports import cell_text
from fund_portal.imports import shown as _shown
from fund_portal.models import AdministrativeUnit, UnitLevel, User
from fund_portal.text import fold

from .child_words import _unit_key

#: Query parameters per statement: SQLite caps them (32,766 in recent versions, 999 in old ones).
CHUNK = 900


class _PlaceCells:
    """The commune and village cells of the children's row reader (`child_rows._RowReader`), which
    gives `_error`, `_required` and `_text`."""

    def _places_load(self, *, by: User, default_commune: AdministrativeUnit | None) -> None:
        self.default_commune = default_commune
        units = AdministrativeUnit.objects.visible_to(by).filter(level=UnitLevel.COMMUNE)
        self.communes: dict[str, AdministrativeUnit] = {}
        names: dict[str, list[AdministrativeUnit]] = defaultdict(list)
        for unit in units.only("pk", "code", "name", "level", "parent_id"):
            self.communes[unit.code.lower()] = unit
            names[_unit_key(unit.name)].append(unit)
        self.commune_names = names
        self.villages: dict[int, dict[str, int]] = {}
        self._unknown_communes: dict[str, list[tuple[int, str]]] = defaultdict(list)

    def _commune(self, row: int, code_value, name_value) -> AdministrativeUnit | None:
        code = cell_text(code_value)
        if code:
            commune = self.communes.get(code.lower())
            if commune is None:
                # Told apart in one query at the end: a unit that does not exist, or one out of scope.
                self._unknown_communes[code].append((row, "commune"))
            return commune
        name = self._text(name_value)
        if name:
            found = self.commune_names.get(_unit_key(name), [])
            if len(found) == 1:
                return found[0]
            if found:
                self._error(
                    row,
                    "commune_name",
                    "ambiguous_commune",
                    _("Several communes are named “%(value)s”; write the commune's code.")
                    % {"value": _shown(name)},
                    name,
                )
            else:
                self._unknown_communes[name].append((row, "commune_name"))
            return None
        if self.default_commune is not None:
            return self.default_commune
        self._required(row, "commune")
        return None

    def _finish(self) -> None:
        """The rows naming a commune the user may not register children in: unknown, not a commune, or
        outside their unit (looked up once for all the rows, after the last)."""
        if not self._unknown_communes:
            return
        texts = list(self._unknown_communes)
        existing: dict[str, AdministrativeUnit] = {}
        for chunk in _chunks(texts, CHUNK):
            for unit in AdministrativeUnit.objects.filter(code__in=chunk):
                existing[unit.code] = unit
        by_name: dict[str, list[AdministrativeUnit]] = defaultdict(list)
        if any(text not in existing for text in texts):
            wanted = {_unit_key(text) for text in texts}
            for unit in AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE).only("pk", "name", "code"):
                if _unit_key(unit.name) in wanted:
                    by_name[_unit_key(unit.name)].append(unit)
        for text, places in self._unknown_communes.items():
            unit = existing.get(text) or next(iter(by_name.get(_unit_key(text), [])), None)
            for row, column in places:
                if unit is None:
                    code, message = (
                        "unknown_commune",
                        _("No commune has the code or name “%(value)s”.") % {"value": _shown(text)},
                    )
                elif unit.level != UnitLevel.COMMUNE:
                    code, message = "not_commune", _("%(unit)s is not a commune.") % {"unit": unit}
                else:
                    code, message = (
                        "commune_out_of_scope",
                        _("%(unit)s is outside your unit.") % {"unit": unit},
                    )
                self._error(row, column, code, message, text)

    def _village(self, row: int, commune: AdministrativeUnit, value) -> int | None:
        text = self._text(value)
        if not text:
            return None
        table = self.villages.get(commune.pk)
        if table is None:
            table = self.villages[commune.pk] = {}
            for pk, code, name in AdministrativeUnit.objects.filter(
                parent_id=commune.pk, level=UnitLevel.VILLAGE
            ).values_list("pk", "code", "name"):
                table[code.lower()] = pk
                table[fold(name)] = pk
                table[_unit_key(name)] = pk
        village_id = table.get(text)
        if village_id is None:
            village_id = table.get(text.lower()) or table.get(fold(text)) or table.get(_unit_key(text))
            if village_id is not None:
                table[text] = village_id  # the same cell again: one lookup
        if village_id is None:
            self._error(
                row,
                "village",
                "unknown_village",
                _("%(village)s is not a village of %(commune)s.")
                % {"village": f"“{_shown(text)}”", "commune": commune},
                text,
            )
        return village_id


def _chunks(values: list, size: int) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
