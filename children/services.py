"""Writes of the children registry: the child, groups, consent, needs and priority, yearly review,
status, support and its overlap check, sponsorship, access logging, ageing out.

Each function checks the user's scope itself (a view, the admin, an import and a task all call
these), refuses bad input with a `ValidationError` in Vietnamese, and recomputes the child's
priority (`children.priority`) when something it depends on changes.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fund_portal.models import AdministrativeUnit, UnitLevel
from fund_portal.money import format_vnd
from fund_portal.text import fold, normalize_text

from .duplicates import child_duplicates
from .models import (
    AccessLog,
    Child,
    ChildStatus,
    ChildStatusChange,
    Circumstance,
    Need,
    Review,
    ReviewOutcome,
    Sponsorship,
    Support,
    SupportSource,
)
from .priority import priority_recompute

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


def _normalise(child: Child) -> None:
    child.full_name = normalize_text(child.full_name)
    child.name_folded = fold(child.full_name)
    child.personal_id = normalize_text(child.personal_id or "") or None


@transaction.atomic
def child_register(
    *, by, confirm_not_duplicate: bool = False, circumstances: list[dict] | None = None, **fields
) -> Child:
    """Register a child; a likely duplicate is refused unless the officer confirms it is another child.

    `circumstances`: dicts with group, subgroup, identified_on, note (see `circumstance_add`)."""
    child = Child(created_by=by, **fields)
    _normalise(child)
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
                % {
                    "children": ", ".join(
                        f"{c.full_name} ({c.birth_date:%d/%m/%Y}, {c.commune}"
                        + (f"; {c.duplicate_reason}" if getattr(c, "duplicate_reason", "") else "")
                        + ")"
                        for c in duplicates
                    )
                },
                code="duplicate",
            )
    if child.data_consent or child.story_consent:
        child.consent_recorded_by, child.consent_recorded_at = by, timezone.now()
    child.full_clean()
    child.save()
    ChildStatusChange.objects.create(
        child=child,
        status_from="",
        status_to=child.status,
        on=timezone.localdate(),
        reason=_("Registered"),
        by=by,
    )
    for item in circumstances or []:
        circumstance_add(child=child, by=by, recompute=False, **item)
    priority_recompute(child_ids=[child.pk])
    child.refresh_from_db()
    return child


UPDATABLE_FIELDS = (
    "full_name",
    "birth_date",
    "sex",
    "ethnicity",
    "personal_id",
    "commune",
    "village",
    "address",
    "guardian_name",
    "guardian_relationship",
    "guardian_phone",
    "poverty",
    "poverty_year",
    "school",
    "grade",
    "out_of_school",
    "disability_type",
    "disability_severity",
    "health_notes",
    "photo",
)


@transaction.atomic
def child_update(*, child: Child, by, **fields) -> Child:
    """Change a child's record (not its status, consent or priority: those have their own functions)."""
    _require_visible(child=child, by=by)
    unknown = set(fields) - set(UPDATABLE_FIELDS)
    if unknown:
        raise ValueError(f"child_update cannot change {sorted(unknown)}")
    if "health_notes" in fields and not by.has_perm("children.view_sensitive"):
        raise PermissionDenied
    for name, value in fields.items():
        setattr(child, name, value)
    _normalise(child)
    child_check(child=child, by=by)
    child.full_clean()
    child.save()
    priority_recompute(child_ids=[child.pk])
    child.refresh_from_db()
    return child


def _require_visible(*, child: Child, by) -> None:
    if not Child.objects.visible_to(by).filter(pk=child.pk).exists():
        raise ValidationError(_("This child is outside your unit."), code="scope")


def _require_active(child: Child) -> None:
    if child.status != ChildStatus.ACTIVE:
        raise ValidationError(
            _("%(name)s is not in the active list (%(status)s).")
            % {"name": child.full_name, "status": child.get_status_display()},
            code="inactive",
        )


def circumstance_add(
    *,
    child: Child,
    by,
    group: str,
    subgroup: str = "",
    identified_on: dt.date,
    note: str = "",
    recompute=True,
) -> Circumstance:
    """Record that a group of Article 10 (a subgroup of Decree 56/2017) applies to a child."""
    from .reference import group as group_of
    from .reference import is_sensitive
    from .reference import subgroup as subgroup_of

    _require_visible(child=child, by=by)
    try:
        group_of(group)
    except KeyError:
        raise ValidationError(
            {"group": _("“%(code)s” is not a group of children in special circumstances.") % {"code": group}}
        ) from None
    if subgroup:
        try:
            if subgroup_of(subgroup).group_code != group:
                raise KeyError(subgroup)
        except KeyError:
            raise ValidationError(
                {
                    "subgroup": _("“%(code)s” is not a subgroup of %(group)s.")
                    % {"code": subgroup, "group": group}
                }
            ) from None
    if is_sensitive(group) and not by.has_perm("children.view_sensitive"):
        raise ValidationError(
            {"group": _("Recording this group needs the permission to see sensitive data.")}, code="sensitive"
        )
    if identified_on > timezone.localdate():
        raise ValidationError({"identified_on": _("The date identified is in the future.")})
    if child.circumstances.filter(group=group, subgroup=subgroup).exists():
        raise ValidationError({"group": _("This group is already recorded for the child.")})
    item = Circumstance(child=child, group=group, subgroup=subgroup, identified_on=identified_on, note=note)
    item.full_clean()
    item.save()
    if recompute:
        priority_recompute(child_ids=[child.pk])
    return item


@transaction.atomic
def circumstance_remove(*, circumstance: Circumstance, by) -> None:
    from .reference import is_sensitive

    _require_visible(child=circumstance.child, by=by)
    if is_sensitive(circumstance.group) and not by.has_perm("children.view_sensitive"):
        raise PermissionDenied
    child_id = circumstance.child_id
    circumstance.delete()
    priority_recompute(child_ids=[child_id])


@transaction.atomic
def consent_set(*, child: Child, by, data_consent: bool, story_consent: bool, story: str = "") -> Child:
    """Record the guardian's consents. Withdrawing the story consent hides the story at once: public
    pages show a story only while `story_consent` is true (the text is kept for the record)."""
    _require_visible(child=child, by=by)
    story = normalize_text(story)
    if story_consent and not story:
        raise ValidationError({"story": _("Write the anonymised story the guardian agreed to show.")})
    if story_consent and not data_consent:
        raise ValidationError({"story_consent": _("A story can be shown only if the data may be kept.")})
    child.data_consent, child.story_consent = data_consent, story_consent
    if story:
        child.story = story
    child.consent_recorded_by, child.consent_recorded_at = by, timezone.now()
    child.save(
        update_fields=[
            "data_consent",
            "story_consent",
            "story",
            "consent_recorded_by",
            "consent_recorded_at",
            "updated_at",
        ]
    )
    return child


@transaction.atomic
def child_status_set(*, child: Child, by, status: str, on: dt.date, reason: str = "") -> Child:
    """Move a child to another status (moved away, deceased, back to active), keeping the history."""
    _require_visible(child=child, by=by)
    if status not in ChildStatus.values or status == ChildStatus.MERGED:
        raise ValidationError({"status": _("Choose a status.")})
    if status == child.status:
        raise ValidationError({"status": _("The child already has this status.")})
    if child.status == ChildStatus.MERGED:
        raise ValidationError(_("A merged record does not change any more."))
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date is in the future.")})
    if status == ChildStatus.ACTIVE and age_on(child.birth_date, timezone.localdate()) >= ADULT_AGE:
        raise ValidationError({"status": _("A person of 16 or older cannot be in the active list.")})
    if status != ChildStatus.ACTIVE and not normalize_text(reason):
        raise ValidationError({"reason": _("Give the reason.")})
    ChildStatusChange.objects.create(
        child=child, status_from=child.status, status_to=status, on=on, reason=normalize_text(reason), by=by
    )
    child.status = status
    child.save(update_fields=["status", "updated_at"])
    return child


@transaction.atomic
def needs_assess(
    *, child: Child, by, year: int, on: dt.date, needs: dict[str, tuple[int, str]]
) -> list[Need]:
    """The yearly needs assessment: `needs` maps an area to (urgency 1-3, note); the year's earlier
    assessment is replaced. The priority follows."""
    from donations.models import NeedArea

    _require_visible(child=child, by=by)
    _require_active(child)
    today = timezone.localdate()
    if not 2000 <= year <= today.year:
        raise ValidationError({"year": _("The year %(year)s is not a year of assessment.") % {"year": year}})
    if on > today or on.year != year:
        raise ValidationError({"on": _("The date of the assessment is in the future or not in that year.")})
    rows = []
    for area, (urgency, note) in needs.items():
        if area not in NeedArea.values:
            raise ValidationError(_("“%(area)s” is not an area of need.") % {"area": area})
        if urgency not in (1, 2, 3):
            raise ValidationError(_("The urgency is low, medium or high."))
        rows.append(
            Need(
                child=child,
                year=year,
                area=area,
                urgency=urgency,
                note=normalize_text(note)[:255],
                assessed_on=on,
                assessed_by=by,
            )
        )
    Need.objects.filter(child=child, year=year).delete()
    Need.objects.bulk_create(rows)
    priority_recompute(child_ids=[child.pk])
    return rows


@transaction.atomic
def priority_override_set(*, child: Child, by, value: int | None, reason: str = "") -> Child:
    """Set the child's priority by hand (with a reason), or go back to the computed score (None)."""
    _require_visible(child=child, by=by)
    reason = normalize_text(reason)
    if value is not None and not reason:
        raise ValidationError({"reason": _("Give the reason for setting the priority by hand.")})
    if value is not None and not 0 <= value <= 1000:
        raise ValidationError({"value": _("The priority is between 0 and 1000.")})
    child.priority_override = value
    child.priority_override_reason = reason if value is not None else ""
    child.save(update_fields=["priority_override", "priority_override_reason", "updated_at"])
    priority_recompute(child_ids=[child.pk])
    child.refresh_from_db()
    return child


@transaction.atomic
def review_record(
    *, child: Child, by, outcome: str = ReviewOutcome.CONFIRMED, note: str = "", on: dt.date | None = None
) -> Review:
    """The yearly review (rà soát): the officer confirms or has updated the child's record this year."""
    _require_visible(child=child, by=by)
    _require_active(child)
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"reviewed_on": _("The date is in the future.")})
    if outcome not in ReviewOutcome.values:
        raise ValidationError({"outcome": _("Choose the outcome of the review.")})
    if Review.objects.filter(child=child, year=on.year).exists():
        raise ValidationError(
            _("%(name)s is already reviewed for %(year)s.") % {"name": child.full_name, "year": on.year}
        )
    review = Review.objects.create(
        child=child, year=on.year, reviewed_on=on, outcome=outcome, note=normalize_text(note)[:255], by=by
    )
    Child.objects.filter(pk=child.pk).update(last_reviewed_year=on.year)
    return review


def half_year(day: dt.date) -> tuple[dt.date, dt.date]:
    """The reporting half-year a day falls in (the 20/5 report covers January-June)."""
    if day.month <= 6:
        return dt.date(day.year, 1, 1), dt.date(day.year, 6, 30)
    return dt.date(day.year, 7, 1), dt.date(day.year, 12, 31)


def support_overlaps(*, support: Support) -> list[Support]:
    """Support of the same type the same child already received in the same campaign, or (without a
    campaign) in the same reporting half-year; for a sponsorship, in the same month."""
    if support.child_id is None:
        return []
    same = Support.objects.filter(child_id=support.child_id, kind=support.kind).exclude(pk=support.pk)
    if support.campaign_id:
        same = same.filter(campaign_id=support.campaign_id)
    elif support.source == SupportSource.SPONSORSHIP:
        same = same.filter(
            sponsorship_id=support.sponsorship_id,
            delivered_on__year=support.delivered_on.year,
            delivered_on__month=support.delivered_on.month,
        )
    else:
        start, end = half_year(support.delivered_on)
        same = same.filter(delivered_on__range=(start, end))
    return list(same.select_related("campaign")[:5])


def support_check(*, support: Support, by) -> None:
    from campaigns.selectors import campaigns_open_to
    from donations.models import Disbursement, DisbursementStatus, Donor, RecipientKind

    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    child = support.child if support.child_id else None
    if child is not None:
        if not Child.objects.visible_to(by).filter(pk=child.pk).exists():
            raise ValidationError({"child": _("This child is outside your unit.")})
        if child.status != ChildStatus.ACTIVE:
            refuse("child", _("%(name)s is not in the active list.") % {"name": child.full_name})
        support.commune_id = child.commune_id
    elif not support.commune_id:
        refuse("commune", _("Choose the child, or the commune for support to a commune."))
    elif (
        not AdministrativeUnit.objects.visible_to(by)
        .filter(pk=support.commune_id, level=UnitLevel.COMMUNE)
        .exists()
    ):
        refuse("commune", _("This commune is outside your unit."))
    if support.delivered_on and support.delivered_on > timezone.localdate():
        refuse("delivered_on", _("The date of delivery is in the future."))
    if child is not None and support.delivered_on and support.delivered_on < child.birth_date:
        refuse("delivered_on", _("The date of delivery is before the child's birth."))
    if support.value is None or support.value < 0:
        refuse("value", _("The value is a whole number of đồng, 0 or more."))
    if not support.quantity or support.quantity < 1:
        refuse("quantity", _("The quantity is at least 1."))
    if support.campaign_id and not campaigns_open_to(user=by).filter(pk=support.campaign_id).exists():
        refuse("campaign", _("This campaign is outside your unit."))
    if support.source == SupportSource.CAMPAIGN and not support.campaign_id:
        refuse("campaign", _("Support from a campaign names the campaign."))
    if support.source == SupportSource.SPONSORSHIP:
        if not support.sponsorship_id:
            refuse("sponsorship", _("A delivery of a sponsorship names the sponsorship."))
        elif support.sponsorship.child_id != support.child_id:
            refuse("sponsorship", _("This sponsorship is for another child."))
        else:
            support.donor_id = support.sponsorship.donor_id
    if (
        support.donor_id
        and not Donor.objects.visible_to(by).filter(pk=support.donor_id).exists()
        and (support.source != SupportSource.SPONSORSHIP)
    ):
        refuse("donor", _("This donor is outside your unit."))
    if support.disbursement_id:
        disbursement = Disbursement.objects.visible_to(by).filter(pk=support.disbursement_id).first()
        if disbursement is None:
            refuse("disbursement", _("This disbursement is outside your unit."))
        elif disbursement.status != DisbursementStatus.APPROVED:
            refuse("disbursement", _("The disbursement is not approved yet."))
        elif disbursement.recipient_kind not in (RecipientKind.CHILDREN, RecipientKind.PLAY_AREA):
            refuse("disbursement", _("This disbursement is not support to children or to a play area."))
        else:
            if (
                disbursement.recipient_unit_id
                and support.commune_id
                and not AdministrativeUnit.objects.filter(
                    pk=support.commune_id, path__startswith=disbursement.recipient_unit.path
                ).exists()
            ):
                refuse("disbursement", _("This disbursement goes to another unit."))
            used = sum(
                Support.objects.filter(disbursement=disbursement)
                .exclude(pk=support.pk)
                .values_list("value", flat=True)
            )
            if used + (support.value or 0) > disbursement.amount:
                refuse(
                    "value",
                    _("The disbursement paid %(amount)s; its supports would total %(total)s.")
                    % {
                        "amount": format_vnd(disbursement.amount),
                        "total": format_vnd(used + (support.value or 0)),
                    },
                )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def support_record(*, by, confirm_overlap: bool = False, **fields) -> Support:
    """Record support a child (or a commune) received. The same type for the same child twice in one
    campaign or period is refused unless the officer confirms it (tránh chồng chéo)."""
    support = Support(recorded_by=by, **fields)
    support.handed_over_by = normalize_text(support.handed_over_by)
    support.note = normalize_text(support.note)
    support_check(support=support, by=by)
    if not confirm_overlap:
        overlaps = support_overlaps(support=support)
        if overlaps:
            raise ValidationError(
                _("%(name)s already got %(kind)s in this campaign or period: %(dates)s. Check or confirm.")
                % {
                    "name": support.child.full_name,
                    "kind": support.get_kind_display().lower(),
                    "dates": ", ".join(f"{item.delivered_on:%d/%m/%Y}" for item in overlaps),
                },
                code="overlap",
            )
    support.full_clean()
    support.save()
    return support


@transaction.atomic
def sponsorship_start(
    *,
    by,
    donor,
    child: Child,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    monthly_amount: int | None = None,
    goods: str = "",
    note: str = "",
) -> Sponsorship:
    """A donor starts sponsoring (đỡ đầu) a child with a monthly amount or goods."""
    from donations.models import Donor

    _require_visible(child=child, by=by)
    _require_active(child)
    errors: dict[str, list[str]] = {}
    if not Donor.objects.visible_to(by).filter(pk=donor.pk).exists():
        errors["donor"] = [_("This donor is outside your unit.")]
    goods = normalize_text(goods)
    if not monthly_amount and not goods:
        errors["monthly_amount"] = [_("Give the monthly amount or the goods.")]
    if monthly_amount is not None and monthly_amount <= 0:
        errors["monthly_amount"] = [_("The monthly amount is a whole number of đồng above 0.")]
    if ends_on and ends_on < starts_on:
        errors["ends_on"] = [_("The sponsorship ends before it starts.")]
    if (
        Sponsorship.objects.filter(donor=donor, child=child)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
        .exists()
    ):
        errors.setdefault("donor", []).append(_("This donor already sponsors this child in that period."))
    if errors:
        raise ValidationError(errors)
    sponsorship = Sponsorship(
        donor=donor,
        child=child,
        starts_on=starts_on,
        ends_on=ends_on,
        monthly_amount=monthly_amount or None,
        goods=goods,
        note=normalize_text(note),
        created_by=by,
    )
    sponsorship.full_clean()
    sponsorship.save()
    return sponsorship


@transaction.atomic
def sponsorship_end(*, sponsorship: Sponsorship, by, on: dt.date) -> Sponsorship:
    _require_visible(child=sponsorship.child, by=by)
    if on < sponsorship.starts_on:
        raise ValidationError({"ends_on": _("The sponsorship ends before it starts.")})
    if sponsorship.ends_on and sponsorship.ends_on <= on:
        raise ValidationError({"ends_on": _("The sponsorship has already ended.")})
    sponsorship.ends_on = on
    sponsorship.save(update_fields=["ends_on"])
    return sponsorship


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


@transaction.atomic
def children_age_out(*, today: dt.date | None = None) -> int:
    """Move children who turned 16 out of the active list; their records and history stay."""
    today = today or timezone.localdate()
    try:
        cutoff = today.replace(year=today.year - ADULT_AGE)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - ADULT_AGE, day=28)
    due = Child.objects.filter(status=ChildStatus.ACTIVE, birth_date__lte=cutoff)
    ids = list(due.values_list("pk", flat=True))
    reason = _("Turned 16")
    ChildStatusChange.objects.bulk_create(
        ChildStatusChange(
            child_id=pk,
            status_from=ChildStatus.ACTIVE,
            status_to=ChildStatus.AGED_OUT,
            on=today,
            reason=reason,
        )
        for pk in ids
    )
    Child.objects.filter(pk__in=ids).update(status=ChildStatus.AGED_OUT, updated_at=timezone.now())
    return len(ids)
