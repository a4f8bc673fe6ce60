"""Writes of the children registry: registering a child, the duplicate check, access logging, ageing out."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fund_portal.models import AdministrativeUnit, UnitLevel
from fund_portal.text import fold, normalize_text

from .duplicates import child_duplicates
from .models import AccessLog, Child, ChildStatus

ADULT_AGE = 16  # a child is a person under 16 (Law on Children 2016, Article 1)


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def child_check(*, child: Child, by) -> None:
    """The registry's rules for a child's record, each refusal on its field, in Vietnamese."""
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if not child.full_name:
        errors.setdefault("full_name", []).append(_("The child's full name is empty."))
    if child.birth_date:
        if child.birth_date > today:
            errors.setdefault("birth_date", []).append(
                _("The date of birth %(date)s is in the future.")
                % {"date": child.birth_date.strftime("%d/%m/%Y")}
            )
        elif age_on(child.birth_date, today) >= ADULT_AGE and child.status == ChildStatus.ACTIVE:
            errors.setdefault("birth_date", []).append(
                _("Born on %(date)s, this person is 16 or older and is not a child.")
                % {"date": child.birth_date.strftime("%d/%m/%Y")}
            )
    if child.personal_id and not (len(child.personal_id) == 12 and child.personal_id.isdigit()):
        errors.setdefault("personal_id", []).append(
            _("“%(value)s” is not a personal identification number: it has 12 digits.")
            % {"value": child.personal_id}
        )
    commune = child.commune if child.commune_id else None
    if commune is not None:
        if commune.level != UnitLevel.COMMUNE:
            errors.setdefault("commune", []).append(_("%(unit)s is not a commune.") % {"unit": commune})
        elif not AdministrativeUnit.objects.visible_to(by).filter(pk=commune.pk).exists():
            errors.setdefault("commune", []).append(_("%(unit)s is outside your unit.") % {"unit": commune})
        if child.village_id and child.village.parent_id != commune.pk:
            errors.setdefault("village", []).append(
                _("%(village)s is not a village of %(commune)s.")
                % {"village": child.village, "commune": commune}
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def child_register(*, by, confirm_not_duplicate: bool = False, **fields) -> Child:
    """Register a child; a likely duplicate is refused unless the officer confirms it is another child."""
    child = Child(created_by=by, **fields)
    child.full_name = normalize_text(child.full_name)
    child.name_folded = fold(child.full_name)
    child.personal_id = normalize_text(child.personal_id or "") or None
    child_check(child=child, by=by)
    if not confirm_not_duplicate:
        duplicates = child_duplicates(
            full_name=child.full_name,
            birth_date=child.birth_date,
            personal_id=child.personal_id,
            commune=child.commune,
        )
        if duplicates:
            raise ValidationError(
                _("This child may already be registered: %(children)s. Check, or confirm it is another one.")
                % {"children": ", ".join(f"{c.full_name} ({c.commune})" for c in duplicates)},
                code="duplicate",
            )
    if child.data_consent:
        child.consent_recorded_by, child.consent_recorded_at = by, timezone.now()
    child.full_clean()
    child.save()
    return child


def access_log(
    *, user, action: str, child: Child | None = None, count: int = 1, unit=None, reason: str = ""
) -> AccessLog:
    """Record that a user looked at or exported children's data."""
    return AccessLog.objects.create(
        user=user,
        action=action,
        child=child,
        children_count=count,
        unit=unit or (child.commune if child else user.unit),
        reason=reason[:255],
    )


def children_age_out(*, today: dt.date | None = None) -> int:
    """Move children who turned 16 out of the active list; their records and history stay."""
    today = today or timezone.localdate()
    try:
        cutoff = today.replace(year=today.year - ADULT_AGE)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - ADULT_AGE, day=28)
    return Child.objects.filter(status=ChildStatus.ACTIVE, birth_date__lte=cutoff).update(
        status=ChildStatus.AGED_OUT, updated_at=timezone.now()
    )
