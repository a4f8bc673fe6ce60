"""Vietnamese text as people type it: normalised for storage, folded for search and matching."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """NFC, trimmed, inner white space collapsed: composed and decomposed diacritics become one form."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text or "")).strip()


def fold(text: str) -> str:
    """Lower case without diacritics ("Nguyễn Văn Đạt" -> "nguyen van dat"), for search and matching."""
    decomposed = unicodedata.normalize("NFD", normalize_text(text).lower().replace("đ", "d"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
