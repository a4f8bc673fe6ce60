"""The checks that several of the fund's services share: a whole positive amount, a date not in the future."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


def today() -> dt.date:
    return timezone.localdate()


def _require_amount(amount) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValidationError({"amount": _("The amount must be a whole number of đồng.")}, code="not_integer")
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be more than 0 đồng.")}, code="not_positive")
    return amount


def _require_not_future(day: dt.date, field: str) -> dt.date:
    if day > today():
        raise ValidationError(
            {field: _("The date %(date)s is in the future.") % {"date": day.strftime("%d/%m/%Y")}},
            code="future",
        )
    return day
