"""Vietnamese text as people type it: normalised for storage, folded for search and matching."""

import re
import unicodedata

#: Text made only of ASCII and the combining diacritical marks (U+0300-U+036F, all of them marks):
#: what every Vietnamese text is, once decomposed.
_ASCII_AND_MARKS = re.compile("[\x00-\x7f\u0300-\u036f]*")


def normalize_text(text: str) -> str:
    """NFC, trimmed, inner white space collapsed: composed and decomposed diacritics become one form."""
    if not text:
        return ""
    # str.split() and the regex \s agree on what white space is (str.isspace); split is the faster.
    return " ".join((text if text.isascii() else unicodedata.normalize("NFC", text)).split())


def fold(text: str) -> str:
    """Lower case without diacritics ("Nguyễn Văn Đạt" -> "nguyen van dat"), for search and matching."""
    lowered = normalize_text(text).lower()
    if lowered.isascii():
        return lowered
    decomposed = unicodedata.normalize("NFD", lowered.replace("đ", "d"))
    if _ASCII_AND_MARKS.fullmatch(decomposed):
        return decomposed.encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
