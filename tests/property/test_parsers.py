"""Properties of the money and date parsers, over inputs hypothesis makes up.

The hand-picked cases are in tests/fund_portal/test_money_parse.py; these look for the input
nobody thought of: whatever is typed or read from a cell, the parsers answer a number or a
ValidationError explained in Vietnamese, never anything else.
"""

import datetime as dt
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from fund_portal.money import format_vnd
from fund_portal.money_parse import MAX_DIGITS, parse_vnd
from fund_portal.spreadsheets import cell_date

FAST = settings(max_examples=200, deadline=None)
CODES = {"required", "not_positive", "decimals", "ambiguous", "malformed", "too_large"}
amounts = st.integers(min_value=1, max_value=10**MAX_DIGITS - 1)
dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))


_VIETNAMESE = re.compile("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)


def _explained_in_vietnamese(error: ValidationError) -> None:
    with translation.override("vi"):
        message = " ".join(error.messages)
    assert _VIETNAMESE.search(message.replace("đồng", "")), message


@FAST
@given(amounts)
def test_every_amount_written_as_the_portal_shows_it_reads_back(amount):
    assert parse_vnd(format_vnd(amount)) == amount
    assert parse_vnd(format_vnd(amount, symbol=False)) == amount
    assert parse_vnd(str(amount)) == amount
    assert parse_vnd(f"{amount:,}") == amount  # commas, as in exported spreadsheets


@FAST
@given(st.integers(min_value=0, max_value=10**MAX_DIGITS - 1))
def test_zero_and_up_read_back_when_zero_is_allowed(amount):
    assert parse_vnd(format_vnd(amount), allow_zero=True) == amount


@FAST
@given(
    st.one_of(
        st.text(),
        st.text(alphabet="0123456789.,  \u00a0-−đ₫VNDvnd "),
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.decimals(allow_nan=True, allow_infinity=True),
        st.booleans(),
        st.none(),
    )
)
def test_any_input_is_an_amount_or_a_vietnamese_refusal(value):
    try:
        amount = parse_vnd(value)
    except ValidationError as error:
        assert error.code in CODES
        _explained_in_vietnamese(error)
    else:
        assert isinstance(amount, int) and not isinstance(amount, bool)
        assert 0 < amount < 10**MAX_DIGITS
        if isinstance(value, int | float | Decimal):
            assert amount == value


@FAST
@given(amounts, st.sampled_from([",5", ".50", ",05", ".1"]))
def test_an_amount_with_decimals_is_refused(amount, decimals):
    text = format_vnd(amount, symbol=False) + decimals
    try:
        parse_vnd(text)
    except ValidationError as error:
        assert error.code in {"decimals", "ambiguous", "malformed"}, text
    else:
        raise AssertionError(f"{text} was accepted")


@FAST
@given(dates)
def test_every_date_written_dd_mm_yyyy_reads_back(day):
    assert cell_date(day.strftime("%d/%m/%Y")) == day
    assert cell_date(f"  {day:%d-%m-%Y} ") == day
    assert cell_date(day) == day
    assert cell_date(dt.datetime.combine(day, dt.time(8, 30))) == day  # noqa: DTZ001  an Excel cell


@FAST
@given(
    st.integers(min_value=1900, max_value=2100),
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=1, max_value=40),
)
def test_days_that_do_not_exist_are_refused(year, month, day):
    text = f"{day:02d}/{month:02d}/{year}"
    try:
        real = dt.date(year, month, day)
    except ValueError:
        try:
            cell_date(text)
        except ValidationError as error:
            assert error.code == "date"
            _explained_in_vietnamese(error)
        else:
            raise AssertionError(f"{text} was accepted") from None
    else:
        assert cell_date(text) == real


@FAST
@given(st.one_of(st.text(), st.integers(), st.floats(), st.none(), st.booleans(), st.times()))
def test_any_cell_is_a_date_or_a_vietnamese_refusal(value):
    try:
        day = cell_date(value)
    except ValidationError as error:
        assert error.code == "date"
        _explained_in_vietnamese(error)
    else:
        assert isinstance(day, dt.date)
