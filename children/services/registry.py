"""The child's record: the rules of a record, registration with the duplicate check, edits, groups,
consent, status and its history, access logging, ageing out."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fund_portal.authority import Action, requires
from fund_portal.models import UnitLevel
from fund_portal.public_cache import public_cache_bump_on_commit
from fund_portal.scope import place_reached
from fund_portal.text import fold, is_digits, normalize_text

from ..duplicates import SAME_PERSONAL_ID
from ..models import (
    RECORD_FIELDS,
    AccessLog,
    Child,
    ChildStatus,
    ChildStatusChange,
    Circumstance,
    ConsentChange,
    DuplicateAlert,
)
from ..priority import priority_recompute
from ..reference.disability import disability_severity_code, disability_type_code
from ..selectors.duplicates import child_duplicates, personal_id_holder_elsewhere, personal_id_holder_visible
from .duplicates import duplicate_alert_record

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
    if child.personal_id and not (len(child.personal_id) == 12 and is_digits(child.personal_id)):
        errors.setdefault("personal_id", []).append(
            _("“%(value)s” is not a personal identification number: it has 12 digits.")
            % {"value": child.personal_id}
        )
    commune = child.commune if child.commune_id else None
    if commune is not None:
        if commune.level != UnitLevel.COMMUNE:
            errors.setdefault("commune", []).append(_("%(unit)s is not a commune.") % {"unit": commune})
        elif not place_reached(by, commune_id=commune.pk, village_id=child.village_id):
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
    child.disability_type = disability_type_code(normalize_text(child.disability_type))
    child.disability_severity = disability_severity_code(normalize_text(child.disability_severity))


def _personal_id_taken(holder: Child) -> ValidationError:
    """The ID is held by a record the officer sees: say whose (the page links to it)."""
    message = _("This personal identification number is already recorded for %(name)s (born %(date)s).") % {
        "name": holder.full_name,
        "date": holder.birth_date.strftime("%d/%m/%Y"),
    }
    return ValidationError(
        {"personal_id": ValidationError(message, code="personal_id_taken", params={"child_id": holder.pk})}
    )


def _personal_id_check_refused() -> ValidationError:
    """What an officer is told when the ID is held by a record they do not see: "a child in another
    commune", never whose, nor where."""
    message = _(
        "This personal identification number is recorded for a child in another commune, so it needs "
        "checking by the fund before it can be recorded; the fund's staff have been told. Leave it "
        "empty to register the child now: staff will add it once checked."
    )
    return ValidationError({"personal_id": ValidationError(message, code="personal_id_check")})


def personal_id_check_elsewhere(
    *, personal_id: str | None, by, commune=None, full_name: str = "", birth_date=None, exclude_pk=None
) -> None:
    """Refuse a personal ID held by a record the user does not see, in words that do not say it exists,
    and tell the staff who see both (for forms that save without `child_register`/`child_update`:
    the admin's). The alert needs the commune, name and date of birth typed; without them only the
    refusal is given."""
    holder = personal_id_holder_elsewhere(personal_id=personal_id, user=by, exclude_pk=exclude_pk)
    if holder is None:
        return
    if commune is not None and full_name and birth_date is not None:
        with transaction.atomic():
            duplicate_alert_record(
                existing=holder,
                commune=commune,
                full_name=normalize_text(full_name),
                birth_date=birth_date,
                personal_id=personal_id,
                reason=SAME_PERSONAL_ID,
                by=by,
            )
    raise _personal_id_check_refused()


def _duplicates_split(*, child: Child, by) -> tuple[list[Child], list[Child], Child | None]:
    """The likely duplicates the user sees, those outside their scope, and the record holding the
    child's personal ID outside their scope (the alerts for both are recorded here)."""
    duplicates = child_duplicates(
        full_name=child.full_name,
        birth_date=child.birth_date,
        personal_id=child.personal_id,
        commune=child.commune,
    )
    visible = set(
        Child.objects.visible_to(by).filter(pk__in=[c.pk for c in duplicates]).values_list("pk", flat=True)
    )
    inside = [c for c in duplicates if c.pk in visible]
    id_holder = personal_id_holder_elsewhere(personal_id=child.personal_id, user=by)
    outside = [c for c in duplicates if c.pk not in visible and (id_holder is None or c.pk != id_holder.pk)]
    return inside, outside, id_holder


def _alerts_record(*, child: Child, outside: list[Child], id_holder: Child | None, by) -> list[int]:
    alerts = [(c, c.duplicate_code) for c in outside]
    if id_holder is not None:
        alerts.append((id_holder, SAME_PERSONAL_ID))
    return [_alert_for(child, existing=existing, reason=reason, by=by).pk for existing, reason in alerts]


def _alert_for(child: Child, *, existing: Child, reason: str, by):
    """The alert that `child`, as registered, matches `existing`, a record outside the officer's scope."""
    return duplicate_alert_record(
        existing=existing,
        commune=child.commune,
        full_name=child.full_name,
        birth_date=child.birth_date,
        personal_id=child.personal_id,
        reason=reason,
        by=by,
    )


def child_register_check(*, child: Child, by, confirm_not_duplicate: bool = False) -> list[int]:
    """The checks of `child_register`, writing nothing of the child (the admin's form shows their
    refusals): the record's rules, and no likely duplicate unless the officer confirms it is another
    child. The child's name and identification number are normalised in place.

    A match outside the officer's scope is not shown: the officer is told that a likely duplicate exists
    elsewhere, and a `DuplicateAlert` (committed even when the registration is refused) tells the staff
    who see both. A personal ID held by a record the officer does not see is refused, confirmed or not,
    with words that do not say the number exists. Returns the alerts' ids."""
    _normalise(child)
    child_check(child=child, by=by)
    holder = personal_id_holder_visible(personal_id=child.personal_id, user=by)
    if holder is not None:
        raise _personal_id_taken(holder)
    inside, outside, id_holder = _duplicates_split(child=child, by=by)
    alert_ids = []
    if outside or id_holder is not None:
        with transaction.atomic():
            alert_ids = _alerts_record(child=child, outside=outside, id_holder=id_holder, by=by)
    if id_holder is not None:
        raise _personal_id_check_refused()
    if (inside or outside) and not confirm_not_duplicate:
        parts = []
        if inside:
            parts.append(
                _("This child may already be registered: %(children)s.")
                % {
                    "children": ", ".join(
                        f"{c.full_name} ({c.birth_date:%d/%m/%Y}, {c.commune}; {c.duplicate_reason})"
                        for c in inside
                    )
                }
            )
        if outside:
            parts.append(
                _(
                    "A child with similar details may already be registered outside your unit; the fund's "
                    "staff have been told and will check it."
                )
            )
        parts.append(_("Check, or confirm it is another child."))
        raise ValidationError(" ".join(str(part) for part in parts), code="duplicate")
    return alert_ids


@requires(Action.CHILD_REGISTER)
def child_register(
    *, by, confirm_not_duplicate: bool = False, circumstances: list[dict] | None = None, **fields
) -> Child:
    """Register a child; a likely duplicate is refused unless the officer confirms it is another child
    (see `child_register_check`, which also tells the staff of matches the officer does not see).

    `circumstances`: dicts with group, subgroup, identified_on, note (see `circumstance_add`)."""
    child = Child(created_by=by, **fields)
    alert_ids = child_register_check(child=child, by=by, confirm_not_duplicate=confirm_not_duplicate)
    with transaction.atomic():
        return _child_register_save(child=child, by=by, circumstances=circumstances, alert_ids=alert_ids)


def _child_register_save(
    *, child: Child, by, circumstances: list[dict] | None, alert_ids: list[int]
) -> Child:
    if child.data_consent or child.story_consent:
        child.consent_recorded_by, child.consent_recorded_at = by, timezone.now()
    child.full_clean()
    child.save()
    if child.data_consent or child.story_consent:
        ConsentChange.objects.create(
            child=child, data_consent=child.data_consent, story_consent=child.story_consent, by=by
        )
    if alert_ids:  # staff checking the alert find the record registered anyway
        DuplicateAlert.objects.filter(pk__in=alert_ids).update(registered=child)
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


UPDATABLE_FIELDS = (*RECORD_FIELDS, "photo")


@requires(Action.CHILD_REGISTER)
def child_update(*, child: Child, by, **fields) -> Child:
    """Change a child's record (not its status, consent or priority: those have their own functions).

    A personal ID held by a record the user does not see is refused as on registration (the alert for
    staff is committed, the change is not)."""
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
    holder = personal_id_holder_visible(personal_id=child.personal_id, user=by, exclude_pk=child.pk)
    if holder is not None:
        raise _personal_id_taken(holder)
    id_holder = personal_id_holder_elsewhere(personal_id=child.personal_id, user=by, exclude_pk=child.pk)
    if id_holder is not None:
        with transaction.atomic():
            _alert_for(child, existing=id_holder, reason=SAME_PERSONAL_ID, by=by)
        raise _personal_id_check_refused()
    with transaction.atomic():
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


@requires(Action.CHILD_REGISTER)
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
    circumstance_check(child=child, by=by, group=group, subgroup=subgroup, identified_on=identified_on)
    item = Circumstance(child=child, group=group, subgroup=subgroup, identified_on=identified_on, note=note)
    item.full_clean()
    item.save()
    if recompute:
        priority_recompute(child_ids=[child.pk])
    return item


def circumstance_check(
    *, child: Child | None, by, group: str, subgroup: str = "", identified_on: dt.date
) -> None:
    """The checks of `circumstance_add`, writing nothing (the admin's form shows their refusals).
    `child` None, or not saved yet, is a child being registered with the group: only the group's
    own rules are checked then."""
    from ..reference.circumstances import group as group_of
    from ..reference.circumstances import is_sensitive
    from ..reference.circumstances import subgroup as subgroup_of

    if child is not None and child.pk is not None:
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
    if (
        child is not None
        and child.pk is not None
        and child.circumstances.filter(group=group, subgroup=subgroup).exists()
    ):
        raise ValidationError({"group": _("This group is already recorded for the child.")})


@transaction.atomic
@requires(Action.CHILD_REGISTER)
def circumstance_remove(*, circumstance: Circumstance, by) -> None:
    from ..reference.circumstances import is_sensitive

    _require_visible(child=circumstance.child, by=by)
    if is_sensitive(circumstance.group) and not by.has_perm("children.view_sensitive"):
        raise PermissionDenied
    child_id = circumstance.child_id
    circumstance.delete()
    priority_recompute(child_ids=[child_id])


@transaction.atomic
@requires(Action.CHILD_REGISTER)
def consent_set(*, child: Child, by, data_consent: bool, story_consent: bool, story: str = "") -> Child:
    """Record the guardian's consents, each change kept in `ConsentChange` with who recorded it and when.

    Withdrawing the story consent hides the story at once: public pages show a story only while
    `story_consent` is true (the text is kept for the record). Withdrawing the data consent given before
    (Decree 13/2023, Article 12) restricts the record's processing (`data_restricted`): it stays for the
    commune's legal duty of protection (Article 17) and in the staff's own pages, reports and anonymous
    counts, but leaves the sponsor's progress page, the public needs page and stories, new sponsorships
    and gift lists, and every export. Giving the data consent again lifts the restriction."""
    _require_visible(child=child, by=by)
    child = Child.objects.select_for_update().get(pk=child.pk)
    story = normalize_text(story)
    if story_consent and not story:
        raise ValidationError({"story": _("Write the anonymised story the guardian agreed to show.")})
    if story_consent and not data_consent:
        raise ValidationError({"story_consent": _("A story can be shown only if the data may be kept.")})
    withdrawn = child.data_consent and not data_consent
    if withdrawn:
        child.data_restricted = True
    elif data_consent:
        child.data_restricted = False
    child.data_consent, child.story_consent = data_consent, story_consent
    if story:
        child.story = story
    child.consent_recorded_by, child.consent_recorded_at = by, timezone.now()
    # A withdrawn story or child leaves the public pages of its commune's funds at once.
    public_cache_bump_on_commit(unit_ids=[child.commune_id])
    child.save(
        update_fields=[
            "data_consent",
            "story_consent",
            "story",
            "data_restricted",
            "consent_recorded_by",
            "consent_recorded_at",
            "updated_at",
        ]
    )
    ConsentChange.objects.create(
        child=child, data_consent=data_consent, story_consent=story_consent, withdrawn=withdrawn, by=by
    )
    return child


@transaction.atomic
@requires(Action.CHILD_REGISTER)
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
