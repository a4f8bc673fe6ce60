"""Writes of likely duplicates: an alert across units recorded and checked, two records merged into
one (`child_merge`), a pair dismissed as two children. The rules are in `children.duplicates`."""

from __future__ import annotations

import datetime as dt
import operator

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import GiftListEntry
from donations.models import Disbursement, Donation
from fund_portal.authority import Action, requires
from fund_portal.models import AdministrativeUnit

from ..duplicates import _different_people
from ..models import (
    Child,
    ChildStatus,
    ChildStatusChange,
    ChildTransfer,
    Circumstance,
    ConsentChange,
    DuplicateAlert,
    DuplicateDismissal,
    Incident,
    Need,
    Review,
    Sponsorship,
    Support,
    TransferStatus,
)
from ..priority import priority_recompute
from ..selectors.duplicates import lowest_common_unit


def duplicate_alert_record(
    *,
    existing: Child,
    commune: AdministrativeUnit,
    full_name: str,
    birth_date: dt.date,
    personal_id: str | None,
    reason: str,
    by,
):
    """Tell the staff who see both records that a registration matched a record the officer does not
    see. The same attempt repeated is recorded once while it is not checked."""
    existing_commune = AdministrativeUnit.objects.get(pk=existing.commune_id)
    alert, _created = DuplicateAlert.objects.get_or_create(
        existing=existing,
        commune=commune,
        full_name=full_name,
        birth_date=birth_date,
        personal_id=personal_id or "",
        by=by,
        checked_at__isnull=True,
        defaults={"reason": reason, "unit": lowest_common_unit(existing_commune, commune)},
    )
    return alert


@requires(Action.CHILD_MERGE)
def duplicate_alert_check(*, alert, by):
    """Staff who see both records checked an alert (merged, corrected or found two children)."""
    with transaction.atomic():
        locked = DuplicateAlert.objects.visible_to(by).select_for_update().filter(pk=alert.pk).first()
        if locked is None:
            raise ValidationError(_("This alert is outside your unit."), code="scope")
        if locked.checked_at is None:
            locked.checked_by, locked.checked_at = by, timezone.now()
            locked.save(update_fields=["checked_by", "checked_at"])
    return locked


#: Fields of the kept record filled from the removed one when empty on the kept one.
FILLED_FIELDS = [
    "guardian_name",
    "guardian_relationship",
    "guardian_phone",
    "school",
    "grade",
    "disability_type",
    "disability_severity",
    "health_notes",
    "photo",
]


#: Filled too, but only when both records are of the same commune (a village or an address elsewhere
#: is not the kept record's).
SAME_COMMUNE_FIELDS = ["village", "address"]


def _fill_from(keep: Child, remove: Child) -> None:
    _fill_fields(keep, remove)
    if remove.poverty_year and (keep.poverty_year is None or remove.poverty_year > keep.poverty_year):
        keep.poverty, keep.poverty_year = remove.poverty, remove.poverty_year
    elif keep.poverty_year is None and keep.poverty == "none" and remove.poverty != "none":
        keep.poverty = remove.poverty
    _fill_consent(keep, remove)
    if keep.priority_override is None and remove.priority_override is not None:
        keep.priority_override = remove.priority_override
        keep.priority_override_reason = remove.priority_override_reason
    years = [y for y in (keep.last_reviewed_year, remove.last_reviewed_year) if y]
    keep.last_reviewed_year = max(years) if years else None


def _fill_fields(keep: Child, remove: Child) -> None:
    """The empty fields of `FILLED_FIELDS` (and, within one commune, `SAME_COMMUNE_FIELDS`)."""
    for field in FILLED_FIELDS:
        if not getattr(keep, field) and getattr(remove, field):
            value = getattr(remove, field)
            setattr(keep, field, value.name if field == "photo" else value)  # the same stored file
    if keep.commune_id == remove.commune_id:
        for field in SAME_COMMUNE_FIELDS:
            attname = Child._meta.get_field(field).attname
            if not getattr(keep, attname) and getattr(remove, attname):
                setattr(keep, attname, getattr(remove, attname))


def _fill_consent(keep: Child, remove: Child) -> None:
    """The story and the consents: a withdrawal on either record restricts the kept one."""
    if not keep.story and remove.story:
        keep.story, keep.story_consent = remove.story, remove.story_consent
    if remove.data_restricted and not keep.data_restricted:
        # The guardian withdrew the consent for this child: the record kept is restricted too.
        keep.data_restricted, keep.data_consent, keep.story_consent = True, False, False
        keep.consent_recorded_by_id = remove.consent_recorded_by_id
        keep.consent_recorded_at = remove.consent_recorded_at
    elif not keep.data_consent and remove.data_consent and not keep.data_restricted:
        keep.data_consent = True
        keep.consent_recorded_by_id = remove.consent_recorded_by_id
        keep.consent_recorded_at = remove.consent_recorded_at
    if keep.data_restricted:
        keep.story_consent = False


def _move_gift_list_entries(keep: Child, remove: Child) -> None:
    """Gift-list lines follow the child. A line not handed over yet, on a list where the kept record
    already is, is a plan made twice for one child: it is dropped, so the handover gives one gift."""

    kept_lists = set(GiftListEntry.objects.filter(child=keep).values_list("gift_list_id", flat=True))
    entries = GiftListEntry.objects.filter(child=remove)
    entries.filter(gift_list_id__in=kept_lists, support__isnull=True).delete()
    entries.update(child=keep)


def _move_or_fold(model, keep: Child, remove: Child, *, key: tuple[str, ...], field: str, wins) -> None:
    """Each row of `remove` moves to `keep`, unless `keep` has a row with the same `key`: that row then
    takes the removed row's `field` where `wins(removed, kept)`, and the removed row stays with its record."""
    kept = {tuple(getattr(row, name) for name in key): row for row in model.objects.filter(child=keep)}
    for row in model.objects.filter(child=remove):
        same = kept.get(tuple(getattr(row, name) for name in key))
        if same is None:
            row.child = keep
            row.save(update_fields=["child"])
        elif wins(getattr(row, field), getattr(same, field)):
            setattr(same, field, getattr(row, field))
            same.save(update_fields=[field])


def _move_history(keep: Child, remove: Child) -> None:
    """Every support, sponsorship, incident, need, review and circumstance of `remove` ends on `keep`;
    a row `keep` already has for the same key stays on `remove` (its record is kept, marked merged)."""
    Support.objects.filter(child=remove).update(child=keep)
    Sponsorship.objects.filter(child=remove).update(child=keep)
    Incident.objects.filter(child=remove).update(child=keep)
    _move_gift_list_entries(keep, remove)
    # A group is known since the earlier record said so; a need keeps the higher urgency of the two.
    _move_or_fold(
        Circumstance, keep, remove, key=("group", "subgroup"), field="identified_on", wins=operator.lt
    )
    _move_or_fold(Need, keep, remove, key=("year", "area"), field="urgency", wins=operator.gt)
    kept_years = set(Review.objects.filter(child=keep).values_list("year", flat=True))
    Review.objects.filter(child=remove).exclude(year__in=kept_years).update(child=keep)


@requires(Action.CHILD_MERGE)
def child_merge(*, keep: Child, remove: Child, by, reason: str = "") -> Child:
    """Merge a record registered twice into the one kept: its supports, sponsorships, incidents, needs,
    reviews, circumstances and the donations restricted to it move over, its empty fields are filled,
    and the removed record stays, marked merged into the kept one, with its own history and access log."""
    if keep.pk == remove.pk:
        raise ValidationError(_("A record cannot be merged into itself."), code="same")
    with transaction.atomic():
        locked = {
            child.pk: child
            for child in Child.objects.visible_to(by)
            .select_for_update()
            .filter(pk__in=[keep.pk, remove.pk])
            .order_by("pk")
        }
        if len(locked) != 2:
            raise ValidationError(_("One of these records is outside your unit."), code="scope")
        keep, remove = locked[keep.pk], locked[remove.pk]
        if ChildStatus.MERGED in (keep.status, remove.status):
            raise ValidationError(_("One of these records has already been merged."), code="merged")
        districts = dict(
            AdministrativeUnit.objects.filter(pk__in=[keep.commune_id, remove.commune_id]).values_list(
                "pk", "parent_id"
            )
        )
        if districts[keep.commune_id] != districts[remove.commune_id]:
            raise ValidationError(
                _("Only records of the same district can be merged; ask the province to move one first."),
                code="district",
            )
        if _different_people(keep.personal_id, remove.personal_id):
            raise ValidationError(
                _(
                    "These records have different personal identification numbers. If they are one child, "
                    "clear the wrong number on its record first, then merge."
                ),
                code="personal_id",
            )
        _move_history(keep, remove)
        Donation.objects.filter(restriction_child_id=remove.pk).update(restriction_child_id=keep.pk)
        Disbursement.objects.filter(restriction_child_id=remove.pk).update(restriction_child_id=keep.pk)
        if not keep.personal_id and remove.personal_id:
            keep.personal_id, remove.personal_id = remove.personal_id, None
            remove.save(update_fields=["personal_id", "updated_at"])  # the number is unique: free it first
        restricted_before = keep.data_restricted
        _fill_from(keep, remove)
        keep.full_clean()
        keep.save()
        if keep.data_restricted and not restricted_before:
            ConsentChange.objects.create(
                child=keep, data_consent=False, story_consent=False, withdrawn=True, by=by
            )
        ChildStatusChange.objects.create(
            child=remove,
            status_from=remove.status,
            status_to=ChildStatus.MERGED,
            on=timezone.localdate(),
            reason=(
                _("Merged into the record of %(name)s (no. %(id)s).")
                % {"name": keep.full_name, "id": keep.pk}
                + (f" {reason}" if reason else "")
            )[:255],
            by=by,
        )
        remove.status, remove.merged_into = ChildStatus.MERGED, keep
        remove.save(update_fields=["status", "merged_into", "updated_at"])
        for transfer in ChildTransfer.objects.open().filter(child=remove):  # a merged record moves no more
            transfer.status, transfer.decided_by, transfer.decided_at = (
                TransferStatus.CANCELLED,
                by,
                timezone.now(),
            )
            transfer.note = _("The record was merged into another one.")
            transfer.save()
        priority_recompute(child_ids=[keep.pk])
        keep.refresh_from_db()
    return keep


@requires(Action.CHILD_MERGE)
def duplicate_dismiss(*, child_a: Child, child_b: Child, by) -> DuplicateDismissal:
    """Record that staff checked two records and found two different children: the pair is not listed
    again."""
    if child_a.pk == child_b.pk:
        raise ValidationError(_("A record cannot be compared with itself."), code="same")
    visible = Child.objects.visible_to(by).filter(pk__in=[child_a.pk, child_b.pk]).count()
    if visible != 2:
        raise ValidationError(_("One of these records is outside your unit."), code="scope")
    low, high = sorted([child_a.pk, child_b.pk])
    dismissal, _created = DuplicateDismissal.objects.get_or_create(
        child_a_id=low, child_b_id=high, defaults={"by": by}
    )
    return dismissal
