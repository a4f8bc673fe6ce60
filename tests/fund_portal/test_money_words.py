"""Amounts in Vietnamese words follow the accounting convention used on receipts."""

import random
import unicodedata
from decimal import Decimal

import pytest

from fund_portal.money_words import amount_in_words

# Hand-checked readings, one rule or edge case each.
CASES = [
    # Zero and single digits.
    (0, "Không đồng"),
    (1, "Một đồng"),
    (4, "Bốn đồng"),
    (5, "Năm đồng"),
    (7, "Bảy đồng"),
    # 10-19: "mười"; "lăm" after "mười", but "một" and "bốn" stay plain.
    (10, "Mười đồng"),
    (11, "Mười một đồng"),
    (14, "Mười bốn đồng"),
    (15, "Mười lăm đồng"),
    (19, "Mười chín đồng"),
    # 20-99: "mươi"; "mốt", "tư", "lăm" after "<digit> mươi".
    (20, "Hai mươi đồng"),
    (21, "Hai mươi mốt đồng"),
    (24, "Hai mươi tư đồng"),
    (25, "Hai mươi lăm đồng"),
    (31, "Ba mươi mốt đồng"),
    (44, "Bốn mươi tư đồng"),
    (55, "Năm mươi lăm đồng"),
    (71, "Bảy mươi mốt đồng"),
    (99, "Chín mươi chín đồng"),
    # Hundreds; "linh" for an empty tens place, with the plain digit after it.
    (100, "Một trăm đồng"),
    (101, "Một trăm linh một đồng"),
    (104, "Một trăm linh bốn đồng"),
    (105, "Một trăm linh năm đồng"),
    (110, "Một trăm mười đồng"),
    (111, "Một trăm mười một đồng"),
    (114, "Một trăm mười bốn đồng"),
    (115, "Một trăm mười lăm đồng"),
    (121, "Một trăm hai mươi mốt đồng"),
    (124, "Một trăm hai mươi tư đồng"),
    (125, "Một trăm hai mươi lăm đồng"),
    (999, "Chín trăm chín mươi chín đồng"),
    # Thousands; "không trăm" for a non-leading group whose hundreds place is empty.
    (1000, "Một nghìn đồng"),
    (1001, "Một nghìn không trăm linh một đồng"),
    (1004, "Một nghìn không trăm linh bốn đồng"),
    (1005, "Một nghìn không trăm linh năm đồng"),
    (1010, "Một nghìn không trăm mười đồng"),
    (1014, "Một nghìn không trăm mười bốn đồng"),
    (1015, "Một nghìn không trăm mười lăm đồng"),
    (1021, "Một nghìn không trăm hai mươi mốt đồng"),
    (1024, "Một nghìn không trăm hai mươi tư đồng"),
    (1100, "Một nghìn một trăm đồng"),
    (1500, "Một nghìn năm trăm đồng"),
    (10_000, "Mười nghìn đồng"),
    (10_005, "Mười nghìn không trăm linh năm đồng"),
    (15_000, "Mười lăm nghìn đồng"),
    (21_000, "Hai mươi mốt nghìn đồng"),
    (25_500, "Hai mươi lăm nghìn năm trăm đồng"),
    (35_000, "Ba mươi lăm nghìn đồng"),
    (100_000, "Một trăm nghìn đồng"),
    (105_000, "Một trăm linh năm nghìn đồng"),
    (500_000, "Năm trăm nghìn đồng"),
    # Millions; whole-zero groups are skipped.
    (1_000_000, "Một triệu đồng"),
    (1_000_001, "Một triệu không trăm linh một đồng"),
    (1_000_050, "Một triệu không trăm năm mươi đồng"),
    (1_000_500, "Một triệu năm trăm đồng"),
    (1_001_000, "Một triệu không trăm linh một nghìn đồng"),
    (1_050_000, "Một triệu không trăm năm mươi nghìn đồng"),
    (1_250_000, "Một triệu hai trăm năm mươi nghìn đồng"),
    (2_021_000, "Hai triệu không trăm hai mươi mốt nghìn đồng"),
    (5_000_000, "Năm triệu đồng"),
    (15_000_000, "Mười lăm triệu đồng"),
    (21_000_000, "Hai mươi mốt triệu đồng"),
    (100_000_000, "Một trăm triệu đồng"),
    (
        123_456_789,
        "Một trăm hai mươi ba triệu bốn trăm năm mươi sáu nghìn bảy trăm tám mươi chín đồng",
    ),
    # Tỷ and the stacked scales above it.
    (1_000_000_000, "Một tỷ đồng"),
    (1_005_000_000, "Một tỷ không trăm linh năm triệu đồng"),
    (
        1_001_001_001,
        "Một tỷ không trăm linh một triệu không trăm linh một nghìn không trăm linh một đồng",
    ),
    (2_500_000_000, "Hai tỷ năm trăm triệu đồng"),
    (10_000_000_000, "Mười tỷ đồng"),
    (1_000_000_000_000, "Một nghìn tỷ đồng"),
    (1_000_000_000_005, "Một nghìn tỷ không trăm linh năm đồng"),
    (1_005_000_000_000, "Một nghìn không trăm linh năm tỷ đồng"),
    (
        1_234_567_890_123,
        "Một nghìn hai trăm ba mươi tư tỷ năm trăm sáu mươi bảy triệu tám trăm chín mươi nghìn"
        " một trăm hai mươi ba đồng",
    ),
    (1_000_000_000_000_000, "Một triệu tỷ đồng"),
    (1_000_000_000_000_000_000, "Một tỷ tỷ đồng"),
]


@pytest.mark.parametrize(("amount", "words"), CASES, ids=[str(amount) for amount, _ in CASES])
def test_amount_in_words_reads_hand_checked_amounts(amount, words):
    assert amount_in_words(amount) == words


def test_there_are_enough_distinct_hand_checked_cases():
    assert len({amount for amount, _ in CASES}) == len(CASES) >= 40


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (Decimal("1005"), "Một nghìn không trăm linh năm đồng"),
        (Decimal("1250000.00"), "Một triệu hai trăm năm mươi nghìn đồng"),
    ],
)
def test_a_whole_decimal_is_accepted(amount, words):
    assert amount_in_words(amount) == words


@pytest.mark.parametrize("amount", [-1, -1_000_000, Decimal("1.5"), Decimal("-3"), Decimal("NaN")])
def test_a_negative_or_fractional_amount_is_a_value_error(amount):
    with pytest.raises(ValueError):
        amount_in_words(amount)


@pytest.mark.parametrize("amount", [True, False, 1.0, 1000000.0, "1000", None])
def test_a_bool_float_or_text_amount_is_a_type_error(amount):
    with pytest.raises(TypeError):
        amount_in_words(amount)


# An independent reader, words -> number. It accepts only the convention, so it fails on
# words the generator should never produce (e.g. "mươi một", "linh lăm", a missing "không trăm").

_PLAIN = {"một": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9}
_HUNDREDS = {"không": 0, **_PLAIN}
_AFTER_MUOI = {**_PLAIN, "lăm": 5}
del _AFTER_MUOI["năm"]
_AFTER_MUOI_X = {**_AFTER_MUOI, "mốt": 1, "tư": 4}
del _AFTER_MUOI_X["một"], _AFTER_MUOI_X["bốn"]
_TENS = {word: value for word, value in _PLAIN.items() if value >= 2}
_SMALL_SCALES = {"triệu": 1_000_000, "nghìn": 1000}


def _read_group(tokens: list[str], *, leading: bool) -> int:
    """1..999 from the words of one group; only the leading group may omit its hundreds."""
    rest = tokens
    has_hundreds = len(tokens) >= 2 and tokens[1] == "trăm"
    hundreds = 0
    if has_hundreds:
        hundreds = _HUNDREDS[tokens[0]]
        if leading and hundreds == 0:
            raise ValueError(f"leading group with 'không trăm': {tokens}")
        rest = tokens[2:]
    elif not leading:
        raise ValueError(f"non-leading group without its hundreds: {tokens}")
    if not rest:
        tens_and_units = 0
    elif rest[0] == "linh":
        if not has_hundreds or len(rest) != 2:
            raise ValueError(f"misplaced 'linh': {tokens}")
        tens_and_units = _PLAIN[rest[1]]
    elif rest[0] == "mười":
        if len(rest) > 2:
            raise ValueError(f"too many words after 'mười': {tokens}")
        tens_and_units = 10 + (_AFTER_MUOI[rest[1]] if len(rest) == 2 else 0)
    elif len(rest) >= 2 and rest[1] == "mươi":
        if len(rest) > 3:
            raise ValueError(f"too many words after 'mươi': {tokens}")
        tens_and_units = 10 * _TENS[rest[0]] + (_AFTER_MUOI_X[rest[2]] if len(rest) == 3 else 0)
    elif len(rest) == 1 and not has_hundreds:
        tens_and_units = _PLAIN[rest[0]]
    else:
        raise ValueError(f"unreadable group: {tokens}")
    value = 100 * hundreds + tens_and_units
    if value == 0:
        raise ValueError(f"a zero group must be skipped: {tokens}")
    return value


def _read_below_billion(tokens: list[str], *, leading: bool) -> int:
    """1..999.999.999 from words holding no "tỷ": groups with strictly decreasing scales."""
    total, group, previous_scale = 0, [], 10**9
    for token in [*tokens, None]:
        if token in _SMALL_SCALES or token is None:
            scale = 1 if token is None else _SMALL_SCALES[token]
            if not group:
                if token is None and total:
                    break
                raise ValueError(f"scale without a group before it: {tokens}")
            if scale >= previous_scale:
                raise ValueError(f"scales out of order: {tokens}")
            total += _read_group(group, leading=leading and total == 0) * scale
            group, previous_scale = [], scale
        else:
            group.append(token)
    return total


def _read_number(tokens: list[str], *, leading: bool = True) -> int:
    """A positive number: what precedes the last "tỷ" counts tỷ, what follows is below 10^9."""
    if "tỷ" not in tokens:
        return _read_below_billion(tokens, leading=leading)
    last = len(tokens) - 1 - tokens[::-1].index("tỷ")
    if last == 0:
        raise ValueError(f"'tỷ' without a number before it: {tokens}")
    high = _read_number(tokens[:last], leading=leading)
    low = _read_below_billion(tokens[last + 1 :], leading=False) if last + 1 < len(tokens) else 0
    return high * 10**9 + low


def words_to_amount(text: str) -> int:
    """The amount that receipt words stand for; ValueError if they break the convention."""
    if not text.endswith(" đồng") or text != " ".join(text.split()):
        raise ValueError(f"not '<words> đồng' with single spaces: {text!r}")
    if not text[0].isupper() or text[1:] != text[1:].lower():
        raise ValueError(f"only the first letter is a capital: {text!r}")
    tokens = text.lower().split()[:-1]
    if tokens == ["không"]:
        return 0
    return _read_number(tokens)


@pytest.mark.parametrize(("amount", "words"), CASES, ids=[str(amount) for amount, _ in CASES])
def test_the_reverse_reader_agrees_with_the_hand_checked_cases(amount, words):
    assert words_to_amount(words) == amount


@pytest.mark.parametrize(
    "words",
    [
        "Hai mươi một đồng",  # 21 needs "mốt"
        "Mười mốt đồng",  # 11 is "mười một"
        "Mười năm đồng",  # 15 is "mười lăm"
        "Hai mươi năm đồng",  # 25 is "hai mươi lăm"
        "Mười tư đồng",  # 14 is "mười bốn"
        "Hai mươi bốn đồng",  # 24 is "hai mươi tư" here
        "Một trăm linh lăm đồng",  # 105 is "một trăm linh năm"
        "Một trăm linh tư đồng",  # 104 is "một trăm linh bốn"
        "Một nghìn linh năm đồng",  # 1005 needs "không trăm"
        "Một nghìn năm mươi đồng",  # 1050 needs "không trăm"
        "Không trăm linh năm đồng",  # a leading group never has "không trăm"
        "Một triệu không trăm nghìn đồng",  # zero groups are skipped
        "Một nghìn triệu đồng",  # 10^9 is "một tỷ"
        "Một trăm năm đồng",  # 105 needs "linh"
        "một trăm đồng",  # capital letter
        "Một trăm",  # no "đồng"
        "Một  trăm đồng",  # double space
    ],
)
def test_the_reverse_reader_rejects_words_that_break_the_convention(words):
    with pytest.raises((ValueError, KeyError)):
        words_to_amount(words)


def _round_trip_amounts() -> list[int]:
    """Every amount below 2.100 and 6.000 pseudo-random ones of 1 to 19 digits, many with zero groups."""
    rng = random.Random(2026)
    amounts = list(range(2100))
    for _ in range(6000):
        length = rng.randint(1, 19)
        zero_share = rng.choice([0.0, 0.3, 0.6, 0.85])
        digits = [str(rng.randint(1, 9))]
        digits += ["0" if rng.random() < zero_share else str(rng.randint(0, 9)) for _ in range(length - 1)]
        amounts.append(int("".join(digits)))
    return amounts


def test_words_read_back_to_the_same_amount():
    failures = []
    for amount in _round_trip_amounts():
        words = amount_in_words(amount)
        try:
            back = words_to_amount(words)
        except (ValueError, KeyError) as error:
            failures.append((amount, words, repr(error)))
            continue
        if back != amount:
            failures.append((amount, words, back))
    assert failures == []


def test_words_are_in_composed_unicode():
    for amount in _round_trip_amounts()[::50]:
        assert unicodedata.is_normalized("NFC", amount_in_words(amount))
