"""Ages and days of a report's period."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def born_aged(end: dt.date, low: int, high: int) -> tuple[dt.date, dt.date]:
    """Birth dates (first, last) of the children aged low..high whole years on `end`."""
    return years_before(end, high + 1) + dt.timedelta(days=1), years_before(end, low)


def day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Whole local days, both included, as a half-open interval of aware datetimes."""
    since = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    until = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    return since, until
