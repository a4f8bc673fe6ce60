"""An amount of đồng in Vietnamese words, as written on receipts (biên lai, phiếu thu).

The reading follows the accounting convention:

* digits are read in groups of three with the scales "nghìn", "triệu" and "tỷ"; above a
  thousand tỷ the scales stack: 10^12 is "một nghìn tỷ", 10^15 "một triệu tỷ", 10^18 "một tỷ tỷ";
* a group that is entirely zero is skipped (1.000.500 is "một triệu năm trăm");
* every non-zero group after the first one is read with its hundreds, so an empty hundreds
  place is read "không trăm" (1.050.000 is "một triệu không trăm năm mươi nghìn");
* an empty tens place before a non-zero unit is read "linh" (105 is "một trăm linh năm");
* 10-19 use "mười", 20-90 use "<digit> mươi";
* the unit 1 after "<digit> mươi" is "mốt", the unit 4 after "<digit> mươi" is "tư", the unit 5
  after "mười" or "<digit> mươi" is "lăm"; elsewhere (alone, after "linh", after "mười" for 1
  and 4) the plain digit word is used.

The result starts with a capital letter and ends with " đồng"; 0 is "Không đồng".
"""

from decimal import Decimal

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_BILLION = 10**9


def _unit_after_tens(units: int, *, tens: int) -> str:
    """Word for a non-zero unit digit that follows "mười" (tens == 1) or "<digit> mươi"."""
    if units == 5:
        return "lăm"
    if tens >= 2 and units == 1:
        return "mốt"
    if tens >= 2 and units == 4:
        return "tư"
    return _DIGITS[units]


def _group_words(value: int, *, with_hundreds: bool) -> list[str]:
    """Words for 1 <= value <= 999; with_hundreds forces "không trăm" when hundreds is 0."""
    hundreds, rest = divmod(value, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or with_hundreds:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if words:
                words.append("linh")
            words.append(_DIGITS[units])
    else:
        words += ["mười"] if tens == 1 else [_DIGITS[tens], "mươi"]
        if units:
            words.append(_unit_after_tens(units, tens=tens))
    return words


def _below_billion_words(value: int, *, leading: bool) -> list[str]:
    """Words for 1 <= value < 10^9; leading says whether this part starts the whole number."""
    words: list[str] = []
    groups = ((value // 1_000_000, "triệu"), (value // 1000 % 1000, "nghìn"), (value % 1000, ""))
    for group, scale in groups:
        if group == 0:
            continue
        words += _group_words(group, with_hundreds=bool(words) or not leading)
        if scale:
            words.append(scale)
    return words


def _number_words(value: int, *, leading: bool) -> list[str]:
    """Words for value >= 1; the part above 10^9 is read recursively and followed by "tỷ"."""
    if value < _BILLION:
        return _below_billion_words(value, leading=leading)
    high, low = divmod(value, _BILLION)
    words = _number_words(high, leading=leading) + ["tỷ"]
    if low:
        words += _below_billion_words(low, leading=False)
    return words


def _as_whole_dong(amount: object) -> int:
    """The amount as an int, or TypeError / ValueError if it is not a whole, non-negative number."""
    if isinstance(amount, bool):
        raise TypeError("The amount must be an int of đồng, not a bool.")
    if isinstance(amount, Decimal):
        if not amount.is_finite() or amount != amount.to_integral_value():
            raise ValueError(f"The amount must be a whole number of đồng, got {amount!r}.")
        amount = int(amount)
    elif not isinstance(amount, int):
        raise TypeError(f"The amount must be an int of đồng, got {type(amount).__name__}.")
    if amount < 0:
        raise ValueError(f"The amount must not be negative, got {amount}.")
    return amount


def amount_in_words(amount: int) -> str:
    """Vietnamese words for a whole, non-negative amount of đồng, e.g. "Một trăm linh năm đồng"."""
    value = _as_whole_dong(amount)
    text = " ".join(_number_words(value, leading=True)) if value else _DIGITS[0]
    return f"{text[0].upper()}{text[1:]} đồng"
