"""Vietnamese text as people type it: normalised for storage, folded for search and matching."""

import re
import unicodedata

#: Text made only of ASCII and the combining diacritical marks (U+0300-U+036F, all of them marks):
#: what every Vietnamese text is, once decomposed.
_ASCII_AND_MARKS = re.compile("[\x00-\x7f\u0300-\u036f]*")


def is_digits(text: str) -> bool:
    """Whether the text is one or more of the digits 0-9. `str.isdigit` also takes other scripts'
    digits and superscripts ("²"), which `int()` refuses or a code must not hold."""
    return text.isascii() and text.isdigit()


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


#: Every Vietnamese letter with a diacritic, lower case: `folded_pattern` groups them by base letter.
_VIETNAMESE_LETTERS = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"


def _variants() -> dict[str, str]:
    """Each base letter with the letters that fold to it, lower and upper case ("d" -> "dđDĐ")."""
    lower: dict[str, str] = {}
    for letter in _VIETNAMESE_LETTERS:
        base = fold(letter)
        lower[base] = lower.get(base, base) + letter
    return {base: letters + letters.upper() for base, letters in lower.items()}


_VARIANTS = _variants()
#: Combining marks after a letter: text stored decomposed (NFD) is found too.
_MARKS = "[\u0300-\u036f]*"


def folded_pattern(text: str) -> str:
    """A regular expression that finds `text` written with or without diacritics, in either case,
    composed or not ("nguyen" finds "Nguyễn"): for a column that has no folded copy. It reads the same
    in Python's `re` (SQLite) and in PostgreSQL's regular expressions."""
    parts = []
    for char in fold(text):
        variants = _VARIANTS.get(char)
        if variants:
            parts.append(f"[{variants}]{_MARKS}")
        elif char == " ":
            parts.append("\\s+")
        elif char.isalnum():
            parts.append(f"[{char}{char.upper()}]{_MARKS}" if char.isalpha() else char)
        else:
            parts.append("\\" + char)
    return "".join(parts)
