"""The words the children's file is written in: sex, household status, yes and no, ethnic groups,
groups of children in special circumstances, unit names; the tables a reader looks them up in, the keys
it looks them up by, and the labels the export writes back."""

from __future__ import annotations

import re

from fund_portal.text import fold

from ..models import Poverty, Sex
from ..reference.circumstances import SPECIAL_CIRCUMSTANCES
from ..reference.ethnic import ETHNIC_GROUPS

SEX_WORDS = {"Nam": Sex.MALE, "Nữ": Sex.FEMALE, "Trai": Sex.MALE, "Gái": Sex.FEMALE}
SEX_LABELS = {Sex.MALE: "Nam", Sex.FEMALE: "Nữ"}
POVERTY_WORDS = {
    "Hộ nghèo": Poverty.POOR,
    "Nghèo": Poverty.POOR,
    "Hộ cận nghèo": Poverty.NEAR_POOR,
    "Cận nghèo": Poverty.NEAR_POOR,
    "Không": Poverty.NONE,
}
POVERTY_LABELS = {Poverty.POOR: "Hộ nghèo", Poverty.NEAR_POOR: "Hộ cận nghèo", Poverty.NONE: ""}
YES_WORDS = {"co", "x", "yes", "true", "1", "dung", "c"}
NO_WORDS = {"khong", "no", "false", "0", "k", ""}
ETHNIC_ALIASES = {"Việt": "01", "Kinh (Việt)": "01", "Mông": "08", "H'Mông": "08", "Khmer": "05"}
_GROUP_CODE = re.compile(r"g?\s*0*(\d{1,2})(?:\.(\d{1,2}))?", re.IGNORECASE)
_GROUP_SEPARATORS = re.compile(r"[;\n]+")
_UNIT_PREFIXES = ("xa ", "phuong ", "thi tran ", "thon ", "xom ", "ban ", "ap ", "to dan pho ", "khu pho ")


def _word_key(text: str) -> str:
    """Folded, with every character that is not a letter or a digit left out ("Khơ-me" -> "khome")."""
    return "".join(ch for ch in fold(text) if ch.isalnum())


def _unit_key(text: str) -> str:
    """A unit's name folded, without the word saying its level ("Xã Dân Lý" -> "dan ly")."""
    folded = fold(text)
    for prefix in _UNIT_PREFIXES:
        if folded.startswith(prefix):
            return folded[len(prefix) :]
    return folded


def _group_key(text: str) -> str | None:
    match = _GROUP_CODE.fullmatch(text.strip())
    if match is None:
        return None
    return f"G{int(match[1]):02d}" + (f".{int(match[2])}" if match[2] else "")


def _ethnicity_table() -> dict[str, str]:
    table = {}
    for code, name in ETHNIC_GROUPS:
        table[code] = code
        table[str(int(code))] = code
        table[_word_key(name)] = code
    table.update({_word_key(alias): code for alias, code in ETHNIC_ALIASES.items()})
    return table


def _group_table() -> dict[str, tuple[str, str]]:
    """A group's or subgroup's code or folded name -> (group code, subgroup code or "")."""
    table = {}
    for item in SPECIAL_CIRCUMSTANCES:
        table[item.code] = (item.code, "")
        table[fold(item.name)] = (item.code, "")
        for sub in item.subgroups:
            table[sub.code] = (item.code, sub.code)
            table[fold(sub.name)] = (item.code, sub.code)
    return table
