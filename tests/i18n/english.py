"""The English UI strings of Django, allauth, import-export, auditlog and the portal, and a finder of
them in a rendered page's text.

The list is every msgid of those packages' catalogues and the portal's own, less the few whose
Vietnamese is, by choice, the same word (a msgid the Vietnamese catalogue translates to itself).
A page's text is what a person reads or hears: the text between tags and the attributes shown or
spoken (placeholder, title, aria-label, alt, a button's value), without scripts and styles.
"""

import html
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import allauth
import auditlog
import django
import import_export
import polib
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
DJANGO = Path(django.__file__).parent

#: The catalogues whose msgids are English UI: the package's English (or any) catalogue holds them all.
CATALOGUES = [
    DJANGO / "conf/locale/en/LC_MESSAGES/django.po",
    DJANGO / "contrib/admin/locale/en/LC_MESSAGES/django.po",
    DJANGO / "contrib/admin/locale/en/LC_MESSAGES/djangojs.po",
    DJANGO / "contrib/auth/locale/en/LC_MESSAGES/django.po",
    DJANGO / "contrib/contenttypes/locale/en/LC_MESSAGES/django.po",
    DJANGO / "contrib/humanize/locale/en/LC_MESSAGES/django.po",
    Path(allauth.__file__).parent / "locale/en/LC_MESSAGES/django.po",
    Path(import_export.__file__).parent / "locale/fr/LC_MESSAGES/django.po",
    Path(auditlog.__file__).parent / "locale/ja/LC_MESSAGES/django.po",
    ROOT / "locale/vi/LC_MESSAGES/django.po",
]

#: Words the Vietnamese pages use as they are (names, formats, abbreviations people say in English).
SAME_IN_VIETNAMESE = {
    "Email",
    "email",
    "Excel",
    "VietQR",
    "PDF",
    "CSV",
    "XLSX",
    "XLS",
    "Google",
    "Authenticator",
    "Microsoft",
    "Zalo",
    "Online",
    "Internet",
    "Fund",
    "None",  # Python's None in an admin's raw value is not a UI string of ours
}

#: English that reaches people from elsewhere than a catalogue: Python's csv module, python-calamine,
#: the operating system's errors (`strerror`), and labels some packages do not translate.
OTHER_ENGLISH = {
    "field larger than field limit",
    "Cannot detect file format",
    "No such file or directory",
    "Permission denied",
    "Is a directory",
}

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}|<[^>]+>|&\w+;")
WORDS = re.compile(r"[A-Za-z][A-Za-z'’]*")
SHOWN_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}


def _pieces(msgid: str) -> list[str]:
    """The runs of English words of a msgid, split at its placeholders and markup."""
    pieces = []
    for part in PLACEHOLDER.split(msgid):
        part = " ".join(part.split()).strip(' .,:;!?…()"“”-–—/')
        if part and WORDS.search(part):
            pieces.append(part)
    return pieces


@cache
def english_strings() -> tuple[frozenset[str], frozenset[str]]:
    """(phrases of two words or more, single words) that are English UI text."""
    with translation.override("vi"):
        vietnamese = translation.trans_real.translation("vi")._catalog
    phrases, words = set(), set()
    for path in CATALOGUES:
        for entry in polib.pofile(str(path)):
            if entry.obsolete or not entry.msgid:
                continue
            key = entry.msgid if not entry.msgctxt else f"{entry.msgctxt}\x04{entry.msgid}"
            if vietnamese.get(key) == entry.msgid:
                continue  # the same in Vietnamese, by choice
            for piece in _pieces(entry.msgid):
                tokens = WORDS.findall(piece)
                ascii_only = all(ord(c) < 128 for c in piece)
                if not ascii_only:
                    continue
                if len(tokens) >= 2 and len(piece) >= 7:
                    phrases.add(piece)
                elif len(tokens) == 1 and len(piece) >= 4 and piece[0].isupper() and piece == tokens[0]:
                    words.add(piece)
    phrases |= OTHER_ENGLISH
    return frozenset(phrases), frozenset(words - SAME_IN_VIETNAMESE)


class _TextParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1
        values = dict(attrs)
        for name in SHOWN_ATTRIBUTES:
            if values.get(name):
                self.parts.append(values[name])
        if tag == "input" and values.get("type") in ("submit", "button", "reset") and values.get("value"):
            self.parts.append(values["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def page_text(content: str) -> str:
    """What a person reads on an HTML page, one space between pieces."""
    parser = _TextParser()
    parser.feed(content)
    return " ".join(" ".join(parser.parts).split())


def english_in(text: str) -> list[str]:
    """The English UI strings found in a text (a page's, a mail's, a message's)."""
    text = " ".join(html.unescape(text).split())
    phrases, words = english_strings()
    found = [phrase for phrase in phrases if phrase in text and _whole(phrase, text)]
    present = set(WORDS.findall(text))
    found += sorted(words & present)
    return sorted(found)


def _whole(phrase: str, text: str) -> bool:
    return re.search(rf"(?<![A-Za-z]){re.escape(phrase)}(?![A-Za-z])", text) is not None
