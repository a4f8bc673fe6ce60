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


def test_the_strings_other_packages_leave_in_english_read_in_vietnamese():
    """allauth's login and two-factor pages, Django 6.1's admin additions, django-auditlog's menu."""
    from django.utils import translation
    from django.utils.translation import gettext, pgettext

    from fund_portal.vendor_strings import VENDOR_STRINGS

    with translation.override("vi"):
        assert gettext("Sign In") == "Đăng nhập" and pgettext("field label", "Login") == "Tên đăng nhập"
        assert (
            gettext("- Select an option -") == "- Chọn một mục -"
            and gettext("Audit log") == "Nhật ký thay đổi"
        )
        for message in VENDOR_STRINGS:
            if isinstance(message, str):  # the pgettext_lazy one is checked above
                assert gettext(message) != message, message
