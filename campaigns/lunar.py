"""The Vietnamese lunar calendar (âm lịch), for campaigns that recur on lunar festivals.

Tết Nguyên Đán is the 1st day of the 1st lunar month and Tết Trung Thu (Mid-Autumn) the 15th day of
the 8th; both move against the Gregorian calendar, so their dates are computed here.

The rules
---------
The Vietnamese calendar follows the rules of the modern Chinese calendar, applied at the meridian of
Vietnam's civil time:

* a lunar month begins on the local day that contains the new moon (ngày Sóc);
* the month that contains the winter solstice is the 11th month;
* a lunar year (from one 11th month to the next) that holds 13 months has a leap month: the first
  month after the 11th that contains no major solar term (trung khí: the sun's longitude reaching a
  multiple of 30°) is the leap month and repeats the number of the month before it;
* the lunar year is named after the Gregorian year in which its 1st month begins.

The algorithm
-------------
It is the one Hồ Ngọc Đức published for the Vietnamese calendar ("Âm lịch Việt Nam",
https://www.informatik.uni-leipzig.de/~duc/amlich/, "calrules"), written afresh here (his own code is
licensed for non-commercial use only). The new moons come from the series in Jean Meeus,
*Astronomical Formulae for Calculators* / *Astronomical Algorithms* (mean lunation plus the largest
periodic terms and a ΔT correction), good to a few minutes of time; the sun's apparent longitude
comes from Meeus' low-precision solar theory (about 0.01°). Each astronomical event is then placed
on a civil day in the time zone ``tz`` (hours east of Greenwich).

Why UTC+7 matters
-----------------
A new moon or a solstice shortly after 23:00 in Hà Nội (UTC+7) falls after midnight in Beijing
(UTC+8), so the same month can begin a day apart in the two countries, and a solstice or a major
term that moves across midnight can move the 11th month or the leap month, shifting whole months.
North Vietnam adopted UTC+7 for its calendar by the decree of 8 August 1967 (the whole country since
1975); before that, Vietnamese almanacs used UTC+8. Hence Tết 1968 fell on 29 January in the North
and 30 January in the South; Tết 2007 on 17 February in Vietnam but 18 February in China (and so
will Tết 2030 and 2053, a day earlier in Vietnam). In 1985 the gap was a whole month: the solstice of
1984 fell on 21 December at UTC+7 but on 22 December, a new-moon day, at UTC+8, so the 11th month
began a month apart; Tết was 21 January 1985 in Vietnam, 20 February in China, and the calendars
met again after Vietnam's leap 2nd month. ``tz=7.0`` (the default) computes the calendar of Vietnam
today; ``tz=8.0`` the Chinese one (which almanacs in Vietnam followed before 1968, in the South
until 1975).

Range and precision
-------------------
Lunar years 1900 to 2199 (solar dates from Tết 1900, 31 January 1900, to the eve of Tết 2200); outside
them the low-precision series and the ΔT polynomial drift, and the module refuses. Within them a day
can still be off by one when a new moon, or a major term that decides a leap month, falls within
minutes of local midnight. Checked day by day against a high-precision ephemeris for 1900–2199, the
UTC+7 calendar agrees for every month of 1939–2071; it differs only for the autumn equinox of 1938,
1.5 seconds after midnight at UTC+7 (leap 8th instead of leap 7th month), and for six months of
2072–2199 whose new moon falls within two minutes of midnight, nearer than the uncertainty of ΔT
for those years. Official almanacs are the authority in such a case.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "LunarDate",
    "lunar_to_solar",
    "mid_autumn",
    "solar_to_lunar",
    "tet",
]

MIN_YEAR = 1900
MAX_YEAR = 2199

VIETNAM_TZ = 7.0

# Julian Day Number of 0001-01-01 (proleptic Gregorian) is 1721426 and date.toordinal() of it is 1.
_JDN_OFFSET = 1721425
# Julian Date of the new moon of 1900-01-01 (k = 0 in the series below) and the mean synodic month.
_EPOCH_NEW_MOON = 2415021.076998695
_SYNODIC_MONTH = 29.530588853
_RAD = math.pi / 180


@dataclass(frozen=True, slots=True)
class LunarDate:
    """A day of the Vietnamese lunar calendar; ``leap`` marks the leap month (tháng nhuận)."""

    year: int
    month: int
    day: int
    leap: bool = False

    def __str__(self) -> str:
        leap = " nhuận" if self.leap else ""
        return f"{self.day:02d}/{self.month:02d}{leap}/{self.year}"


# --- Astronomy ---------------------------------------------------------------------------------------


def _new_moon_jd(k: int) -> float:
    """Julian Date (UT) of the k-th new moon after the one of 1900-01-01 (Meeus)."""
    t = k / 1236.85
    t2 = t * t
    t3 = t2 * t
    mean = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    mean += 0.00033 * math.sin((166.56 + 132.87 * t - 0.009173 * t2) * _RAD)
    sun_anomaly = (359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3) * _RAD
    moon_anomaly = (306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3) * _RAD
    latitude_arg = (21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3) * _RAD
    m, mp, f = sun_anomaly, moon_anomaly, latitude_arg
    correction = (
        (0.1734 - 0.000393 * t) * math.sin(m)
        + 0.0021 * math.sin(2 * m)
        - 0.4068 * math.sin(mp)
        + 0.0161 * math.sin(2 * mp)
        - 0.0004 * math.sin(3 * mp)
        + 0.0104 * math.sin(2 * f)
        - 0.0051 * math.sin(m + mp)
        - 0.0074 * math.sin(m - mp)
        + 0.0004 * math.sin(2 * f + m)
        - 0.0004 * math.sin(2 * f - m)
        - 0.0006 * math.sin(2 * f + mp)
        + 0.0010 * math.sin(2 * f - mp)
        + 0.0005 * math.sin(2 * mp + m)
    )
    # ΔT (TT − UT) in days, as a polynomial in centuries from 1900.
    if t < -11:
        delta_t = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
    else:
        delta_t = -0.000278 + 0.000265 * t + 0.000262 * t2
    return mean + correction - delta_t


def _sun_longitude(jd: float) -> float:
    """Apparent ecliptic longitude of the sun at Julian Date ``jd``, in radians within [0, 2π)."""
    t = (jd - 2451545.0) / 36525
    t2 = t * t
    mean_anomaly = (357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2) * _RAD
    mean_longitude = 280.46645 + 36000.76983 * t + 0.0003032 * t2
    centre = (
        (1.914600 - 0.004817 * t - 0.000014 * t2) * math.sin(mean_anomaly)
        + (0.019993 - 0.000101 * t) * math.sin(2 * mean_anomaly)
        + 0.000290 * math.sin(3 * mean_anomaly)
    )
    # Nutation and aberration.
    omega = (125.04 - 1934.136 * t) * _RAD
    longitude = mean_longitude + centre - 0.00569 - 0.00478 * math.sin(omega)
    return (longitude * _RAD) % (2 * math.pi)


# --- Placing the events on civil days ----------------------------------------------------------------


def _new_moon_day(k: int, tz: float) -> int:
    """Julian Day Number of the civil day (at ``tz``) on which the k-th new moon falls."""
    return math.floor(_new_moon_jd(k) + 0.5 + tz / 24)


def _major_term_sector(jdn: int, tz: float) -> int:
    """Which 30° sector (0..11, 0 = from the March equinox) the sun is in at local midnight of ``jdn``."""
    return math.floor(_sun_longitude(jdn - 0.5 - tz / 24) / math.pi * 6)


@lru_cache(maxsize=1024)
def _month_11_start(year: int, tz: float) -> int:
    """Julian Day Number of the 1st day of the 11th lunar month, the one holding the solstice of ``year``."""
    dec_31 = datetime.date(year, 12, 31).toordinal() + _JDN_OFFSET
    k = math.floor((dec_31 - 2415021) / _SYNODIC_MONTH)
    start = _new_moon_day(k, tz)
    # At or past 270° (sector 9) on the 1st day, the solstice came before that new moon: step one back.
    if _major_term_sector(start, tz) >= 9:
        start = _new_moon_day(k - 1, tz)
    return start


def _lunation_index(jdn: float) -> int:
    """Index k of the new moon nearest the Julian Day Number ``jdn``."""
    return math.floor((jdn - _EPOCH_NEW_MOON) / _SYNODIC_MONTH + 0.5)


@lru_cache(maxsize=1024)
def _leap_month_offset(month_11_start: int, tz: float) -> int:
    """Months from the 11th month to the leap month of a 13-month lunar year.

    The leap month is the first whose 1st day lies in the same 30° sector as the next month's 1st
    day, i.e. a month in which the sun enters no new sector (no major term).
    """
    k = _lunation_index(month_11_start)
    previous = _major_term_sector(_new_moon_day(k + 1, tz), tz)
    for offset in range(1, 14):
        sector = _major_term_sector(_new_moon_day(k + offset + 1, tz), tz)
        if sector == previous:
            return offset
        previous = sector
    return 13  # pragma: no cover - a 13-month year always has a month without a major term


# --- Public API --------------------------------------------------------------------------------------


def _check_tz(tz: float) -> None:
    if not -12.0 <= tz <= 14.0:
        raise ValueError(f"Múi giờ {tz} không hợp lệ (phải từ -12 đến +14 giờ).")


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"Năm âm lịch {year} nằm ngoài phạm vi hỗ trợ ({MIN_YEAR}–{MAX_YEAR}).")


def _leap_month_of(start_11: int, end_11: int, tz: float) -> tuple[int, int] | None:
    """(offset from the 11th month, month number) of the leap month between two 11th months, if any."""
    if end_11 - start_11 <= 365:
        return None
    offset = _leap_month_offset(start_11, tz)
    # The leap month repeats the number of the month before it: offset 1 is "11 nhuận", 2 is "12 nhuận"...
    number = (offset + 10 - 1) % 12 + 1
    return offset, number


def lunar_to_solar(
    year: int, month: int, day: int, *, leap: bool = False, tz: float = VIETNAM_TZ
) -> datetime.date:
    """The Gregorian date of a lunar date (``year`` is the lunar year, the one in which its 1st month begins).

    Raises ValueError, in Vietnamese, for a lunar date that does not exist.
    """
    _check_tz(tz)
    _check_year(year)
    if not 1 <= month <= 12:
        raise ValueError(f"Tháng {month} không phải là tháng âm lịch.")
    if not 1 <= day <= 30:
        raise ValueError(f"Ngày {day} không phải là ngày âm lịch (một tháng âm lịch có 29 hoặc 30 ngày).")

    # Months 11 and 12 of lunar year Y follow the 11th month that holds the solstice of Y; the others
    # follow the one that holds the solstice of Y - 1.
    base_year = year if month >= 11 else year - 1
    start_11 = _month_11_start(base_year, tz)
    end_11 = _month_11_start(base_year + 1, tz)
    offset = (month - 11) % 12
    leap_month = _leap_month_of(start_11, end_11, tz)
    if leap:
        if leap_month is None or leap_month[1] != month:
            raise ValueError(f"Năm âm lịch {year} không có tháng {month} nhuận.")
        offset = leap_month[0]
    elif leap_month is not None and offset >= leap_month[0]:
        offset += 1

    k = _lunation_index(start_11)
    month_start = _new_moon_day(k + offset, tz)
    month_length = _new_moon_day(k + offset + 1, tz) - month_start
    if day > month_length:
        name = f"tháng {month}{' nhuận' if leap else ''} năm {year}"
        raise ValueError(f"Ngày {day} không có trong {name} âm lịch: tháng này chỉ có {month_length} ngày.")
    return datetime.date.fromordinal(month_start + day - 1 - _JDN_OFFSET)


def solar_to_lunar(date: datetime.date, *, tz: float = VIETNAM_TZ) -> LunarDate:
    """The lunar date of a Gregorian ``date`` (a datetime counts by its own calendar date)."""
    _check_tz(tz)
    if isinstance(date, datetime.datetime):
        date = date.date()
    out_of_range = ValueError(
        f"Ngày {date:%d/%m/%Y} nằm ngoài phạm vi hỗ trợ (năm âm lịch {MIN_YEAR}–{MAX_YEAR})."
    )
    if not MIN_YEAR <= date.year <= MAX_YEAR + 1:
        raise out_of_range
    jdn = date.toordinal() + _JDN_OFFSET

    # The true new moon strays up to about 14 hours from the mean one: step to the month holding jdn.
    k = _lunation_index(jdn)
    while _new_moon_day(k, tz) > jdn:
        k -= 1
    while _new_moon_day(k + 1, tz) <= jdn:
        k += 1
    month_start = _new_moon_day(k, tz)

    start_11 = _month_11_start(date.year, tz)
    if start_11 > month_start:
        start_11, end_11 = _month_11_start(date.year - 1, tz), start_11
    else:
        end_11 = _month_11_start(date.year + 1, tz)

    offset = round((month_start - start_11) / _SYNODIC_MONTH)
    is_leap = False
    leap_month = _leap_month_of(start_11, end_11, tz)
    if leap_month is not None and offset >= leap_month[0]:
        is_leap = offset == leap_month[0]
        offset -= 1
    month = (offset + 10) % 12 + 1
    # Months 11 and 12 belong to the lunar year of their solstice; the months after them to the next one.
    solstice_year = datetime.date.fromordinal(start_11 - _JDN_OFFSET).year
    year = solstice_year if offset < 2 else solstice_year + 1
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise out_of_range
    return LunarDate(year=year, month=month, day=jdn - month_start + 1, leap=is_leap)


def tet(year: int, *, tz: float = VIETNAM_TZ) -> datetime.date:
    """Tết Nguyên Đán (Lunar New Year's day, 1st day of the 1st month) of lunar ``year``."""
    return lunar_to_solar(year, 1, 1, tz=tz)


def mid_autumn(year: int, *, tz: float = VIETNAM_TZ) -> datetime.date:
    """Tết Trung Thu (Mid-Autumn Festival, 15th day of the 8th month) of lunar ``year``."""
    return lunar_to_solar(year, 8, 15, tz=tz)
