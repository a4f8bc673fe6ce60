"""Amounts of đồng typed by people or read from spreadsheet cells are read strictly."""

import random
import unicodedata
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from fund_portal.money import format_vnd
from fund_portal.money_parse import MAX_DIGITS, parse_vnd

NBSP, NARROW_NBSP, THIN_SPACE = "\u00a0", "\u202f", "\u2009"

ACCEPTED = [
    # Plain digits.
    ("1", 1),
    ("500", 500),
    ("1000", 1000),
    ("1000000", 1_000_000),
    ("999999999999999", 999_999_999_999_999),
    # Vietnamese thousands dots; one dot before three digits is a thousands separator.
    ("1.000", 1000),
    ("12.345", 12_345),
    ("1.000.000", 1_000_000),
    ("1.250.000", 1_250_000),
    ("999.999.999.999.999", 999_999_999_999_999),
    # Comma thousands, as in exported spreadsheets.
    ("1,000", 1000),
    ("123,456", 123_456),
    ("1,000,000", 1_000_000),
    ("25,000,000", 25_000_000),
    # Spaces of any common kind as thousands separators.
    ("1 000", 1000),
    ("1 000 000", 1_000_000),
    (f"1{NBSP}000{NBSP}000", 1_000_000),
    (f"1{NARROW_NBSP}000{NARROW_NBSP}000", 1_000_000),
    (f"1{THIN_SPACE}000", 1000),
    # A trailing currency mark, any case, with or without a space.
    ("1.000.000đ", 1_000_000),
    ("1.000.000 đ", 1_000_000),
    ("1.000.000 Đ", 1_000_000),
    ("1.000.000đồng", 1_000_000),
    ("1.000.000 đồng", 1_000_000),
    ("1.000.000 Đồng", 1_000_000),
    ("1.000.000 ĐỒNG", 1_000_000),
    ("1.000.000₫", 1_000_000),
    ("1.000.000 ₫", 1_000_000),
    (f"1.000.000{NBSP}₫", 1_000_000),
    ("1.000.000VND", 1_000_000),
    ("1.000.000 VND", 1_000_000),
    ("1.000.000 vnd", 1_000_000),
    ("1.000.000 VNĐ", 1_000_000),
    ("1.000.000 vnđ", 1_000_000),
    ("1,000,000 VND", 1_000_000),
    ("500000đ", 500_000),
    # Decomposed Unicode (as some keyboards and macOS file names produce) is the same text.
    (unicodedata.normalize("NFD", "1.000 đồng"), 1000),
    (unicodedata.normalize("NFD", "1.000 VNĐ"), 1000),
    # Surrounding whitespace.
    ("  1.000.000  ", 1_000_000),
    ("\t500.000\n", 500_000),
    (f"{NBSP}1.000{NBSP}", 1000),
    # Spreadsheet cells.
    (1, 1),
    (1_000_000, 1_000_000),
    (999_999_999_999_999, 999_999_999_999_999),
    (1000000.0, 1_000_000),
    (1.0, 1),
    (999_999_999_999_999.0, 999_999_999_999_999),
    (Decimal("1000000"), 1_000_000),
    (Decimal("1000000.00"), 1_000_000),
]


@pytest.mark.parametrize(("text", "amount"), ACCEPTED, ids=[repr(text) for text, _ in ACCEPTED])
def test_parse_vnd_accepts(text, amount):
    parsed = parse_vnd(text)
    assert parsed == amount
    assert type(parsed) is int


REJECTED = [
    # Nothing there.
    ("", "required"),
    ("   ", "required"),
    (f"{NBSP}\t", "required"),
    (None, "required"),
    # Zero and negative amounts.
    ("0", "not_positive"),
    ("0 đ", "not_positive"),
    ("-0", "not_positive"),
    ("-1", "not_positive"),
    ("-1.000.000", "not_positive"),
    ("\u22121.000", "not_positive"),
    ("-500.000 đ", "not_positive"),
    (0, "not_positive"),
    (-5, "not_positive"),
    (0.0, "not_positive"),
    (-1000.0, "not_positive"),
    (Decimal("-1"), "not_positive"),
    # A decimal part: the đồng has no smaller unit.
    ("1.5", "decimals"),
    ("1,5", "decimals"),
    ("1,50", "decimals"),
    ("12,5", "decimals"),
    ("10.00", "decimals"),
    ("10,00", "decimals"),
    ("1000000.0", "decimals"),
    ("12345,67", "decimals"),
    ("1.000,50", "decimals"),
    ("1.000,5", "decimals"),
    ("1.000.000,00", "decimals"),
    ("1,000.50", "decimals"),
    ("1,000,000.00", "decimals"),
    ("1 000,50", "decimals"),
    ("1 000 000.5", "decimals"),
    ("0.5", "decimals"),
    ("0,500", "decimals"),
    ("0.500", "decimals"),
    ("1,5 đ", "decimals"),
    ("-1,5", "decimals"),
    (1.5, "decimals"),
    (1000000.01, "decimals"),
    (0.5, "decimals"),
    (Decimal("1000.50"), "decimals"),
    # Well grouped, but with mixed separators: a thousands group or three decimals?
    ("1.000,000", "ambiguous"),
    ("1,000.000", "ambiguous"),
    ("1.000.000,000", "ambiguous"),
    ("1,000,000.000", "ambiguous"),
    ("1,000.000.000", "ambiguous"),
    ("1 000.000", "ambiguous"),
    ("1 000,000", "ambiguous"),
    ("1.000 000", "ambiguous"),
    # Groups that are not of three digits, stray or doubled separators, leading zeros.
    ("1.00.000", "malformed"),
    ("1.000.00", "malformed"),
    ("1,000,00", "malformed"),
    ("1.0000", "malformed"),
    ("1,0000", "malformed"),
    ("1234.567", "malformed"),
    ("1234,567", "malformed"),
    ("1 00 000", "malformed"),
    ("10 00", "malformed"),
    ("1.00,5", "malformed"),
    ("1.5.000", "malformed"),
    ("1,5.000", "malformed"),
    ("1..000", "malformed"),
    ("1  000", "malformed"),
    ("1\t000", "malformed"),
    ("1. 000", "malformed"),
    (".500", "malformed"),
    (",500", "malformed"),
    ("1.000.", "malformed"),
    ("1.000,", "malformed"),
    ("01000", "malformed"),
    ("00", "malformed"),
    ("01.000", "malformed"),
    ("0.000.500", "malformed"),
    ("0 500", "malformed"),
    # Letters, abbreviations and other junk.
    ("abc", "malformed"),
    ("1e6", "malformed"),
    ("1E6", "malformed"),
    ("1tr", "malformed"),
    ("1 tr", "malformed"),
    ("1 triệu", "malformed"),
    ("500k", "malformed"),
    ("500K", "malformed"),
    ("một triệu", "malformed"),
    ("1.000.000 dong", "malformed"),
    ("1.000.000 USD", "malformed"),
    ("$1,000", "malformed"),
    ("₫1.000", "malformed"),
    ("đ1.000", "malformed"),
    ("1.000 đ đ", "malformed"),
    ("1.000 đ.", "malformed"),
    ("đ", "malformed"),
    ("₫", "malformed"),
    ("+1.000", "malformed"),
    ("- 1.000", "malformed"),
    ("(1.000)", "malformed"),
    ("1.000-", "malformed"),
    ("１０００", "malformed"),  # full-width digits
    ("١٠٠٠", "malformed"),  # Arabic-Indic digits
    ("1_000", "malformed"),
    ("1'000", "malformed"),
    ("0x10", "malformed"),
    ("nan", "malformed"),
    ("inf", "malformed"),
    (True, "malformed"),
    (False, "malformed"),
    (float("nan"), "malformed"),
    (float("inf"), "malformed"),
    (Decimal("NaN"), "malformed"),
    ([1000], "malformed"),
    # More than 15 digits.
    ("1000000000000000", "too_large"),
    ("1.000.000.000.000.000", "too_large"),
    ("1,000,000,000,000,000", "too_large"),
    ("1 000 000 000 000 000 đ", "too_large"),
    ("9" * 5000, "too_large"),
    ("-1000000000000000", "too_large"),
    (10**MAX_DIGITS, "too_large"),
    (1e15, "too_large"),
    (1e300, "too_large"),
    (Decimal("1E+20"), "too_large"),
]


@pytest.mark.parametrize(("text", "code"), REJECTED, ids=[repr(text)[:40] for text, _ in REJECTED])
def test_parse_vnd_rejects_with_a_code(text, code):
    with pytest.raises(ValidationError) as caught:
        parse_vnd(text)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("text", "code"),
    [(text, code) for text, code in REJECTED if code != "required"],
    ids=[repr(text)[:40] for text, code in REJECTED if code != "required"],
)
def test_the_message_quotes_the_input(text, code):
    with pytest.raises(ValidationError) as caught:
        parse_vnd(text)
    shown = text.strip() if isinstance(text, str) else str(text)
    if len(shown) > 40:
        shown = shown[:39] + "…"
    assert caught.value.params["value"] == shown
    assert f"“{shown}”" in caught.value.messages[0]


def test_a_long_input_is_quoted_shortened():
    with pytest.raises(ValidationError) as caught:
        parse_vnd("x" * 1000)
    message = caught.value.messages[0]
    assert "“" + "x" * 39 + "…”" in message
    assert len(message) < 200


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "ví dụ 1.000.000"),
        ("0", "lớn hơn 0"),
        ("-5", "lớn hơn 0"),
        ("1,5", "phần thập phân"),
        ("1.000,000", "chưa rõ ràng"),
        ("1tr", "ví dụ 1.000.000"),
        ("1.00.000", "ví dụ 1.000.000"),
        ("1000000000000000", "tối đa 15 chữ số"),
    ],
)
def test_each_kind_of_mistake_is_explained_in_vietnamese(text, fragment):
    with pytest.raises(ValidationError) as caught:
        parse_vnd(text)
    assert fragment in caught.value.messages[0]


@pytest.mark.parametrize("zero", ["0", "0 đ", "0 VND", "-0", 0, 0.0, -0.0, Decimal("0.00")])
def test_zero_is_accepted_when_allowed(zero):
    assert parse_vnd(zero, allow_zero=True) == 0


@pytest.mark.parametrize("negative", ["-1", "-1.000 đ", -1, -1.0])
def test_a_negative_amount_is_rejected_even_when_zero_is_allowed(negative):
    with pytest.raises(ValidationError) as caught:
        parse_vnd(negative, allow_zero=True)
    assert caught.value.code == "not_positive"
    assert "không được là số âm" in caught.value.messages[0]


@pytest.mark.parametrize(("text", "code"), [("", "required"), ("00", "malformed"), ("0,5", "decimals")])
def test_allowing_zero_does_not_relax_anything_else(text, code):
    with pytest.raises(ValidationError) as caught:
        parse_vnd(text, allow_zero=True)
    assert caught.value.code == code


def _round_trip_amounts() -> list[int]:
    """Small, boundary and pseudo-random amounts of 1 to 15 digits."""
    rng = random.Random(2026)
    amounts = [*range(1, 1100), 999_999, 1_000_000, 1_000_001, 10**MAX_DIGITS - 1]
    amounts += [rng.randrange(10 ** (length - 1), 10**length) for length in range(1, 16) for _ in range(200)]
    return amounts


def _grouped(amount: int, separator: str) -> str:
    return f"{amount:,}".replace(",", separator)


WRITINGS = {
    "plain": str,
    "dots": lambda n: _grouped(n, "."),
    "commas": lambda n: _grouped(n, ","),
    "spaces": lambda n: _grouped(n, " "),
    "no-break spaces": lambda n: _grouped(n, NBSP),
    "dots and đ": lambda n: _grouped(n, ".") + "đ",
    "dots and space đồng": lambda n: _grouped(n, ".") + " đồng",
    "commas and VND": lambda n: _grouped(n, ",") + " VND",
    "plain and ₫": lambda n: f"{n}₫",
    "format_vnd": format_vnd,
    "format_vnd without symbol": lambda n: format_vnd(n, symbol=False),
    "padded": lambda n: f"  {_grouped(n, '.')} vnđ ",
    "int cell": int,
    "float cell": float,
    "decimal cell": lambda n: Decimal(n).quantize(Decimal("0.01")),
}


@pytest.mark.parametrize("writing", WRITINGS)
def test_written_amounts_read_back_to_the_same_amount(writing):
    write = WRITINGS[writing]
    failures = [
        (amount, write(amount)) for amount in _round_trip_amounts() if parse_vnd(write(amount)) != amount
    ]
    assert failures == []


@pytest.mark.parametrize("writing", ["dots", "commas", "spaces"])
def test_written_amounts_with_two_decimals_are_rejected(writing):
    rng = random.Random(2026)
    decimal_mark = "," if writing == "dots" else "."
    for amount in (rng.randrange(1, 10**12) for _ in range(300)):
        text = f"{WRITINGS[writing](amount)}{decimal_mark}{rng.randrange(100):02d}"
        with pytest.raises(ValidationError) as caught:
            parse_vnd(text)
        assert caught.value.code == "decimals", text
