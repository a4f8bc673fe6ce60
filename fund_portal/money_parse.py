"""Read an amount of đồng typed by a person or taken from a spreadsheet cell.

The đồng has no smaller unit, so an amount is a whole number. The rules, in order:

* Surrounding whitespace is ignored; an empty text (or None, an empty cell) is "required".
* One trailing currency mark may follow, with or without a space, in any case:
  "đ", "đồng", "₫", "VND", "VNĐ". Nothing else ("1tr", "500k", "1 triệu", "1e6", "dong") is accepted.
* A leading "-" (or "−") makes the amount negative, which is then rejected as "not_positive".
* Digits are ASCII 0-9. They may be grouped by thousands with ONE kind of separator: dots
  (Vietnamese, "1.000.000"), commas (English, as in exported spreadsheets, "1,000,000") or single
  spaces (space, no-break space, narrow no-break space or thin space, "1 000 000"). A grouped
  number has a first group of 1-3 digits that does not start with 0, then groups of exactly
  3 digits. A number without separators must not start with 0 either (except "0" itself).
* A single dot or comma followed by exactly 3 digits is a thousands separator: "1.000" and "1,000"
  are both one thousand. Read as a decimal mark it would give three decimals, which no amount of
  đồng has, so there is nothing to be unsure about.
* A decimal part is "decimals" and rejected, even if it is zero: the last separator is a dot or
  a comma that does not occur earlier, and it is followed by 1 or 2 digits ("1.5", "1,50",
  "12,5", "10.00", "1.000,50", "1,000,000.00", "1 000,5"), or it is the only separator and the
  digits before it are just "0" ("0.500", "0,500").
* Otherwise a well-grouped number that mixes kinds of separators is "ambiguous"
  ("1.000,000", "1,000.000", "1 000.000"): it could be a thousands group or three decimals.
* Anything else is "malformed" ("1.00.000", "1.000.00", "1..000", "abc", "1e6", "1tr").
* More than 15 digits is "too_large".
* Zero is "not_positive" unless allow_zero is true; negative amounts always are.

Numbers from spreadsheet cells: an int is taken as is; a float or Decimal must be a whole number
(Excel gives 1000000.0), else it is "decimals". A bool or any other kind of value is "malformed".
Each ValidationError has one of the codes above and quotes the input as "value" in its params.
"""

import math
import re
import unicodedata
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_DIGITS = 15

_MESSAGES = {
    "required": _("Enter an amount in đồng, for example 1.000.000."),
    "not_positive": _("“%(value)s” is not a valid amount: it must be greater than 0 đồng."),
    "negative": _("“%(value)s” is not a valid amount: it must not be negative."),
    "decimals": _(
        "“%(value)s” has a decimal part, but the đồng has no smaller unit. "
        "Enter a whole number of đồng, for example 1.000.000."
    ),
    "ambiguous": _(
        "“%(value)s” is ambiguous: it mixes different separators, so it is unclear which of them "
        "separates thousands. Use dots only, for example 1.000.000."
    ),
    "malformed": _(
        "“%(value)s” is not a valid amount. Enter the full amount in digits, for example 1.000.000."
    ),
    "too_large": _("“%(value)s” is too large: an amount has at most %(max_digits)d digits."),
}

_SPACES = " \u00a0\u202f\u2009"
_SEPARATOR = re.compile(f"[.,{_SPACES}]")
_DIGITS = re.compile(f"[0-9]+(?:[.,{_SPACES}][0-9]+)*")
_CURRENCY_MARK = re.compile(r"\s*(?:đồng|đ|₫|vnđ|vnd)\Z", re.IGNORECASE)
_MINUS_SIGNS = ("-", "\u2212")
_SHOWN_LENGTH = 40


def _error(code: str, value: str, *, message: str | None = None) -> ValidationError:
    """A ValidationError with code and the message for it (or for message), quoting value."""
    shown = value if len(value) <= _SHOWN_LENGTH else value[: _SHOWN_LENGTH - 1] + "…"
    return ValidationError(
        _MESSAGES[message or code], code=code, params={"value": shown, "max_digits": MAX_DIGITS}
    )


def _well_grouped(groups: list[str]) -> bool:
    """Whether digit groups are 1-3 digits not starting with 0, then exactly 3 digits each."""
    first, rest = groups[0], groups[1:]
    return 1 <= len(first) <= 3 and not first.startswith("0") and all(len(group) == 3 for group in rest)


def _digits_of(number: str, *, shown: str) -> str:
    """The digits of an unsigned written number, separators removed; ValidationError if it is not one."""
    if not _DIGITS.fullmatch(number):
        raise _error("malformed", shown)
    groups = _SEPARATOR.split(number)
    kinds = [" " if separator in _SPACES else separator for separator in _SEPARATOR.findall(number)]
    if not kinds:
        if len(number) > 1 and number.startswith("0"):
            raise _error("malformed", shown)
        return number
    last_kind, earlier_kinds = kinds[-1], set(kinds[:-1])
    if last_kind in ".," and last_kind not in earlier_kinds:
        integer_groups, last_group = groups[:-1], groups[-1]
        if len(last_group) <= 2 or (not earlier_kinds and integer_groups == ["0"]):
            if earlier_kinds and not _well_grouped(integer_groups):
                raise _error("malformed", shown)
            raise _error("decimals", shown)
    if not _well_grouped(groups):
        raise _error("malformed", shown)
    if len(set(kinds)) > 1:
        raise _error("ambiguous", shown)
    return "".join(groups)


def _parse_text(text: str) -> int:
    """The signed amount written in text; ValidationError if it is not a whole amount of đồng."""
    shown = text.strip()
    if not shown:
        raise ValidationError(_MESSAGES["required"], code="required")
    number = _CURRENCY_MARK.sub("", unicodedata.normalize("NFC", shown), count=1)
    sign = 1
    if number.startswith(_MINUS_SIGNS):
        sign, number = -1, number[1:]
    digits = _digits_of(number, shown=shown)
    if len(digits) > MAX_DIGITS:
        raise _error("too_large", shown)
    return sign * int(digits)


def _parse_cell_number(value: object) -> int:
    """The amount held by a non-text spreadsheet value; ValidationError if it is not a whole number."""
    shown = str(value)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise _error("malformed", shown)
    if isinstance(value, float) and not math.isfinite(value):
        raise _error("malformed", shown)
    if isinstance(value, Decimal) and not value.is_finite():
        raise _error("malformed", shown)
    if isinstance(value, float | Decimal):
        if value != int(value):
            raise _error("decimals", shown)
        value = int(value)
    if abs(value) >= 10**MAX_DIGITS:
        raise _error("too_large", shown)
    return value


def parse_vnd(text: str | int | float | Decimal | None, *, allow_zero: bool = False) -> int:
    """The whole number of đồng in a typed text or spreadsheet cell; ValidationError if it is not one."""
    if text is None:
        raise ValidationError(_MESSAGES["required"], code="required")
    if isinstance(text, str):
        shown, amount = text.strip(), _parse_text(text)
    else:
        shown, amount = str(text), _parse_cell_number(text)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise _error("not_positive", shown, message="negative" if allow_zero else None)
    return amount
