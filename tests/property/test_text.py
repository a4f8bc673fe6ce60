"""`fold` and `normalize_text` take fast paths for ASCII and Vietnamese text; they must answer what the
plain definitions answer (NFC, white space collapsed; NFD, lower case, marks dropped) for any text."""

import re
import unicodedata

from hypothesis import example, given, settings
from hypothesis import strategies as st

from fund_portal.text import fold, folded_pattern, normalize_text

_SPACES = re.compile(r"\s+")


def normalize_plain(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text or "")).strip()


def fold_plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", normalize_plain(text).lower().replace("đ", "d"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


vietnamese = st.text(
    alphabet=st.sampled_from(
        "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯ áàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
        "\u0300\u0301\u0303\u0309\u0323\u0306\u0302\u031b\t\n\u00a0\u2003"
    )
)
MANY = settings(max_examples=500, deadline=None)


@MANY
@given(st.one_of(vietnamese, st.text()))
@example("Nguyễn Văn Đạt")
@example("Nguye\u0302\u0303n  Va\u0306n\tĐa\u0323t ")  # decomposed, as some keyboards type it
@example("İstanbul ǅemal ß Ω 東京 \u0345")
def test_the_fast_paths_answer_what_the_definitions_answer(text):
    assert normalize_text(text) == normalize_plain(text)
    assert fold(text) == fold_plain(text)


def test_every_single_character_folds_as_the_definition_says():
    for code in range(0x110000):
        if 0xD800 <= code < 0xE000:
            continue
        char = chr(code)
        assert fold(char) == fold_plain(char), hex(code)
        assert normalize_text(f"a{char}b ") == normalize_plain(f"a{char}b "), hex(code)


def test_examples():
    assert fold("  Nguyễn   Thị ĐÀO ") == "nguyen thi dao"
    assert normalize_text("Nguye\u0302\u0303n\u00a0 Văn") == "Nguyễn Văn"


@given(vietnamese)
@MANY
def test_a_folded_pattern_finds_the_text_it_was_made_from_with_or_without_diacritics(text):
    """Vietnamese as typed (composed letters; a stray mark on a consonant is no Vietnamese letter),
    stored composed or decomposed, upper case, or folded as a bank statement writes it."""
    text = "".join(ch for ch in text if not "\u0300" <= ch <= "\u036f")
    pattern = re.compile(folded_pattern(text))
    written = normalize_text(text)
    for stored in (written, unicodedata.normalize("NFD", written), written.upper(), fold(text).upper()):
        assert pattern.search(stored)
