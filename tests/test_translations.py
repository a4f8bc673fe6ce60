"""The Vietnamese catalogue is complete and its committed .mo says what the .po says."""

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def test_every_portal_string_has_a_vietnamese_translation():
    po = polib.pofile(str(LOCALE / "vi/LC_MESSAGES/django.po"))
    assert len(po) > 50
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []


def test_the_committed_mo_file_matches_the_po_file():
    po = polib.pofile(str(LOCALE / "vi/LC_MESSAGES/django.po"))
    mo = polib.mofile(str(LOCALE / "vi/LC_MESSAGES/django.mo"))
    compiled = {entry.msgid: entry.msgstr or entry.msgstr_plural for entry in mo}
    expected = {entry.msgid: entry.msgstr or entry.msgstr_plural for entry in po.translated_entries()}
    assert compiled == expected, "run `make messages` and commit locale/*/LC_MESSAGES/django.mo"
