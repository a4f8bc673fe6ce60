"""The Vietnamese lunar calendar: festival dates, the years Vietnam and China disagree, refusals.

Sources for the years in which Tết differs:

* Hồ Ngọc Đức, "Vietnamese calendar rules" (informatik.uni-leipzig.de/~duc/amlich/calrules_en.html,
  as quoted elsewhere): Tết 1985 on 21 January in Vietnam but 20 February in China; in the 21st
  century Tết 2007 on 17/02 vs 18/02, 2030 on 02/02 vs 03/02 and 2053 on 18/02 vs 19/02.
* Viet-jo, 6 July 2006, quoting a Vietnamese official: Tết 2007 is on 17 February in Vietnam and
  18 February in China; such differences occurred in 1968, 1969 and 1984 and will again in 2030
  and 2053.
* Wikipedia, "Vietnamese calendar": North Vietnam moved to UTC+7 on 8 August 1967, so North and
  South Vietnam celebrated Tết 1968 on different days.

Every date asserted below was also checked against a high-precision ephemeris at UTC+7 and UTC+8.
"""

import datetime

import pytest

from campaigns.lunar import LunarDate, lunar_to_solar, mid_autumn, solar_to_lunar, tet

VIETNAM = 7.0
CHINA = 8.0


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (1990, "1990-01-27"),
        (2000, "2000-02-05"),
        (2010, "2010-02-14"),
        (2019, "2019-02-05"),
        (2020, "2020-01-25"),
        (2021, "2021-02-12"),
        (2022, "2022-02-01"),
        (2023, "2023-01-22"),
        (2024, "2024-02-10"),
        (2025, "2025-01-29"),
        (2026, "2026-02-17"),
        (2027, "2027-02-06"),
        (2028, "2028-01-26"),
        (2029, "2029-02-13"),
    ],
)
def test_tet_falls_on_the_known_date(year, expected):
    assert tet(year) == d(expected)


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2021, "2021-09-21"),
        (2022, "2022-09-10"),
        (2023, "2023-09-29"),
        (2024, "2024-09-17"),
        (2025, "2025-10-06"),
        (2026, "2026-09-25"),
    ],
)
def test_mid_autumn_falls_on_the_known_date(year, expected):
    assert mid_autumn(year) == d(expected)


@pytest.mark.parametrize(
    ("year", "vietnam", "china"),
    [
        (1968, "1968-01-29", "1968-01-30"),
        (1985, "1985-01-21", "1985-02-20"),
        (2007, "2007-02-17", "2007-02-18"),
        (2030, "2030-02-02", "2030-02-03"),
        (2053, "2053-02-18", "2053-02-19"),
    ],
)
def test_tet_differs_from_chinese_new_year_in_the_known_years(year, vietnam, china):
    assert tet(year) == d(vietnam)
    assert tet(year, tz=CHINA) == d(china)


def test_the_default_time_zone_is_vietnams():
    assert tet(2030) == tet(2030, tz=VIETNAM)
    assert solar_to_lunar(d("2030-02-02")) == solar_to_lunar(d("2030-02-02"), tz=VIETNAM)


def test_tet_agrees_with_chinese_new_year_in_ordinary_years():
    for year in range(2008, 2030):
        assert tet(year) == tet(year, tz=CHINA), year


def test_1985_began_a_month_early_in_vietnam_and_caught_up_by_a_leap_2nd_month():
    # The solstice of 1984 fell on 21 December at UTC+7 but on 22 December (a new-moon day) at
    # UTC+8, so Vietnam's 11th month began a month before China's.
    assert lunar_to_solar(1984, 11, 1) == d("1984-11-23")
    assert lunar_to_solar(1984, 11, 1, tz=CHINA) == d("1984-12-22")
    assert lunar_to_solar(1984, 10, 1, leap=True, tz=CHINA) == d("1984-11-23")
    assert lunar_to_solar(1985, 2, 1, leap=True) == d("1985-03-21")
    assert lunar_to_solar(1985, 3, 1) == lunar_to_solar(1985, 3, 1, tz=CHINA) == d("1985-04-20")
    with pytest.raises(ValueError):
        lunar_to_solar(1984, 10, 1, leap=True)


def test_the_first_day_of_tet_2030_is_still_the_last_day_of_the_year_in_china():
    assert solar_to_lunar(d("2030-02-02")) == LunarDate(2030, 1, 1)
    assert solar_to_lunar(d("2030-02-02"), tz=CHINA) == LunarDate(2029, 12, 30)
    assert solar_to_lunar(d("2030-02-01")) == LunarDate(2029, 12, 29)


@pytest.mark.parametrize(
    ("year", "month", "starts"),
    [
        (2017, 6, "2017-07-23"),
        (2020, 4, "2020-05-23"),
        (2023, 2, "2023-03-22"),
        (2025, 6, "2025-07-25"),
        (2028, 5, "2028-06-23"),
        (2033, 11, "2033-12-22"),
    ],
)
def test_leap_month_begins_on_the_known_date(year, month, starts):
    assert lunar_to_solar(year, month, 1, leap=True) == d(starts)
    assert solar_to_lunar(d(starts)) == LunarDate(year, month, 1, leap=True)
    # The leap month follows the ordinary month of the same number.
    assert lunar_to_solar(year, month, 1) < d(starts)


def test_a_leap_year_has_exactly_one_leap_month():
    for year, leap_month in ((2023, 2), (2025, 6)):
        for month in range(1, 13):
            if month == leap_month:
                assert lunar_to_solar(year, month, 1, leap=True)
            else:
                with pytest.raises(ValueError, match=f"không có tháng {month} nhuận"):
                    lunar_to_solar(year, month, 1, leap=True)


def test_there_was_no_30th_day_before_tet_2025():
    assert lunar_to_solar(2023, 12, 30) == d("2024-02-09")
    assert lunar_to_solar(2024, 12, 29) == d("2025-01-28")
    with pytest.raises(ValueError, match="chỉ có 29 ngày"):
        lunar_to_solar(2024, 12, 30)


@pytest.mark.parametrize("tz", [VIETNAM, CHINA])
@pytest.mark.parametrize("year", [1900, 1968, 1985, 2007, 2023, 2025, 2030, 2033, 2054, 2062, 2198])
def test_every_day_of_the_year_round_trips_through_the_lunar_calendar(year, tz):
    day = datetime.date(year, 1, 31) if year == 1900 else datetime.date(year, 1, 1)
    while day.year == year:
        lunar = solar_to_lunar(day, tz=tz)
        assert lunar_to_solar(lunar.year, lunar.month, lunar.day, leap=lunar.leap, tz=tz) == day, (day, lunar)
        day += datetime.timedelta(days=1)


@pytest.mark.parametrize("tz", [VIETNAM, CHINA])
def test_lunar_dates_advance_one_day_at_a_time_through_months_of_29_or_30_days(tz):
    day, end = d("1999-01-01"), d("2035-12-31")
    previous = solar_to_lunar(day, tz=tz)
    months_in_year = None  # counted from the first Tết in the span
    while day < end:
        day += datetime.timedelta(days=1)
        lunar = solar_to_lunar(day, tz=tz)
        if lunar.day != 1:
            assert (lunar.year, lunar.month, lunar.leap, lunar.day) == (
                previous.year,
                previous.month,
                previous.leap,
                previous.day + 1,
            )
        else:
            assert previous.day in (29, 30)
            if lunar.leap:
                assert (lunar.year, lunar.month) == (previous.year, previous.month)
            elif lunar.month == 1:
                assert (lunar.year, previous.month) == (previous.year + 1, 12)
                assert months_in_year in (None, 12, 13)
                months_in_year = 0
            else:
                assert (lunar.year, lunar.month) == (previous.year, previous.month + 1)
            if months_in_year is not None:
                months_in_year += 1
        previous = lunar


def test_the_day_30_at_the_edge_of_a_lunation_is_found():
    # The new moon after such a day comes late against the mean lunation: a naive search that
    # starts from the mean new moon lands on the next month and returns "day 0".
    assert solar_to_lunar(d("2054-05-07")) == LunarDate(2054, 3, 30)
    assert solar_to_lunar(d("2062-04-09")) == LunarDate(2062, 2, 30)
    assert solar_to_lunar(d("2009-03-26"), tz=CHINA) == LunarDate(2009, 2, 30)


def test_a_datetime_counts_by_its_calendar_date():
    moment = datetime.datetime(2024, 2, 10, 23, 30, tzinfo=datetime.UTC)
    assert solar_to_lunar(moment) == LunarDate(2024, 1, 1)


def test_a_lunar_date_is_an_immutable_value():
    lunar = LunarDate(year=2023, month=2, day=1, leap=True)
    assert lunar == LunarDate(2023, 2, 1, True)
    assert str(lunar) == "01/02 nhuận/2023"
    with pytest.raises(AttributeError):
        lunar.day = 2  # type: ignore[misc]


@pytest.mark.parametrize("month", [0, 13, -1])
def test_a_month_outside_1_to_12_is_refused(month):
    with pytest.raises(ValueError, match=f"Tháng {month} không phải là tháng âm lịch."):
        lunar_to_solar(2025, month, 1)


@pytest.mark.parametrize("day", [0, 31])
def test_a_day_outside_1_to_30_is_refused(day):
    with pytest.raises(ValueError, match=f"Ngày {day} không phải là ngày âm lịch"):
        lunar_to_solar(2025, 1, day)


def test_day_30_of_a_29_day_month_is_refused():
    with pytest.raises(ValueError, match="Ngày 30 không có trong tháng 2 nhuận năm 2023"):
        lunar_to_solar(2023, 2, 30, leap=True)


def test_a_leap_month_that_the_year_does_not_have_is_refused():
    with pytest.raises(ValueError, match="Năm âm lịch 2024 không có tháng 6 nhuận."):
        lunar_to_solar(2024, 6, 1, leap=True)
    with pytest.raises(ValueError, match="Năm âm lịch 2023 không có tháng 3 nhuận."):
        lunar_to_solar(2023, 3, 1, leap=True)


@pytest.mark.parametrize("year", [1899, 2200, 1, 9999])
def test_a_lunar_year_outside_the_supported_range_is_refused(year):
    with pytest.raises(ValueError, match="ngoài phạm vi hỗ trợ"):
        tet(year)
    with pytest.raises(ValueError, match="ngoài phạm vi hỗ trợ"):
        mid_autumn(year)


@pytest.mark.parametrize("day", ["1900-01-30", "1850-06-01", "2200-02-15", "9999-12-31"])
def test_a_solar_date_outside_the_supported_range_is_refused(day):
    with pytest.raises(ValueError, match="ngoài phạm vi hỗ trợ"):
        solar_to_lunar(d(day))


def test_the_ends_of_the_supported_range_are_converted():
    assert tet(1900) == d("1900-01-31")
    assert solar_to_lunar(d("1900-01-31")) == LunarDate(1900, 1, 1)
    assert solar_to_lunar(d("2200-02-14")) == LunarDate(2199, 12, 30)


def test_an_impossible_time_zone_is_refused():
    with pytest.raises(ValueError, match="Múi giờ"):
        tet(2025, tz=70.0)
