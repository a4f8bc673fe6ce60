"""A child moving to another commune: the request by the sending commune, the decision of the receiving
commune, the cancellation by the sender. On acceptance the child's record belongs to the receiving
commune (its needs, reviews, history and sponsorships with it: they are the child's), so the sending
commune no longer sees it; the transfer stays as the child's history, seen from both communes.

Supports and incidents keep the commune that gave or handled them (they are that commune's records)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fund_portal.authority import Action, requires
from fund_portal.models import AdministrativeUnit, UnitLevel
from fund_portal.public_cache import public_cache_bump_on_commit
from fund_portal.text import normalize_text

from ..models import Child, ChildStatus, ChildTransfer, TransferStatus
from ..priority import priority_recompute
from ..selectors.transfers import transfer_addressed_to, transfer_duplicates, transfer_sent_by
from .duplicates import duplicate_alert_record


def _refuse(message: str, code: str, field: str | None = None):
    error = ValidationError(message, code=code)
    return ValidationError({field: error}) if field else error


def child_transfer_check(*, child: Child, to_commune: AdministrativeUnit | None, reason: str, by) -> None:
    """The rules of a transfer request, writing nothing (each refusal in Vietnamese)."""
    if not Child.objects.visible_to(by).filter(pk=child.pk).exists():
        raise _refuse(_("This child is outside your unit."), "scope")
    if child.status != ChildStatus.ACTIVE:
        raise _refuse(
            _("%(name)s is not in the active list (%(status)s): only an active child is transferred.")
            % {"name": child.full_name, "status": child.get_status_display()},
            "inactive",
        )
    if to_commune is None:
        raise _refuse(_("Choose the commune the child moves to."), "required", "to_commune")
    if to_commune.level != UnitLevel.COMMUNE:
        raise _refuse(_("%(unit)s is not a commune.") % {"unit": to_commune}, "not_commune", "to_commune")
    if to_commune.pk == child.commune_id:
        raise _refuse(
            _("%(name)s is already registered in %(unit)s: choose another commune.")
            % {"name": child.full_name, "unit": to_commune},
            "same_commune",
            "to_commune",
        )
    if not normalize_text(reason):
        raise _refuse(_("Give the reason for the move."), "required", "reason")
    if ChildTransfer.objects.open().filter(child=child).exists():
        raise _refuse(
            _("%(name)s already has a transfer request waiting for a decision.") % {"name": child.full_name},
            "open",
        )


@requires(Action.CHILD_TRANSFER)
def child_transfer_request(
    *, child: Child, to_commune: AdministrativeUnit | None, reason: str, by
) -> ChildTransfer:
    """The sending commune (or staff over it) asks another commune to take a child's record."""
    with transaction.atomic():
        child = Child.objects.select_for_update().get(pk=child.pk)
        child_transfer_check(child=child, to_commune=to_commune, reason=reason, by=by)
        transfer = ChildTransfer(
            child=child,
            from_commune_id=child.commune_id,
            to_commune=to_commune,
            reason=normalize_text(reason),
            requested_by=by,
        )
        try:
            with transaction.atomic():
                transfer.save()
        except IntegrityError:  # a request sent at the same moment
            raise _refuse(
                _("%(name)s already has a transfer request waiting for a decision.")
                % {"name": child.full_name},
                "open",
            ) from None
    return transfer


def _locked_open(transfer: ChildTransfer) -> ChildTransfer:
    locked = (
        ChildTransfer.objects.select_for_update(of=("self",))
        .select_related("child", "from_commune", "to_commune")
        .get(pk=transfer.pk)
    )
    if locked.status != TransferStatus.REQUESTED:
        raise _refuse(
            _("This transfer has already been decided (%(status)s).")
            % {"status": locked.get_status_display().lower()},
            "decided",
        )
    return locked


def _require_receiver(transfer: ChildTransfer, by) -> None:
    if not transfer_addressed_to(transfer=transfer, user=by):
        raise _refuse(
            _(
                "This transfer is addressed to %(unit)s: only that commune, or the fund's staff over it, "
                "decide it."
            )
            % {"unit": transfer.to_commune},
            "not_receiver",
        )


def _village_check(village: AdministrativeUnit | None, commune: AdministrativeUnit) -> None:
    if village is not None and (village.level != UnitLevel.VILLAGE or village.parent_id != commune.pk):
        raise _refuse(
            _("%(village)s is not a village of %(commune)s.") % {"village": village, "commune": commune},
            "village",
            "to_village",
        )


def _duplicates_check(*, transfer: ChildTransfer, by, confirm_not_duplicate: bool) -> None:
    """A likely duplicate in the receiving province stops the acceptance until the receiver confirms it
    is another child; matches the receiver does not see are then told to the staff who see both."""
    found = transfer_duplicates(child=transfer.child, to_commune=transfer.to_commune, user=by)
    if not found:
        return
    if not confirm_not_duplicate:
        raise _refuse(
            _(
                "This child may already be registered in the receiving province. Check the likely "
                "duplicates, then confirm it is another child, or refuse the transfer."
            ),
            "duplicate",
        )
    for existing in found.elsewhere:
        duplicate_alert_record(
            existing=existing,
            commune=transfer.to_commune,
            full_name=transfer.child.full_name,
            birth_date=transfer.child.birth_date,
            personal_id=transfer.child.personal_id,
            reason=existing.duplicate_code,
            by=by,
        )
    transfer.not_duplicate_confirmed = True


@requires(Action.CHILD_TRANSFER)
def child_transfer_accept(
    *,
    transfer: ChildTransfer,
    by,
    to_village: AdministrativeUnit | None = None,
    confirm_not_duplicate: bool = False,
    note: str = "",
) -> ChildTransfer:
    """The receiving commune takes the child: in one transaction the child's commune (and village)
    change and the request is closed as accepted."""
    with transaction.atomic():
        transfer = _locked_open(transfer)
        _require_receiver(transfer, by)
        _village_check(to_village, transfer.to_commune)
        child = Child.objects.select_for_update().get(pk=transfer.child_id)
        if child.commune_id != transfer.from_commune_id or child.status != ChildStatus.ACTIVE:
            raise _refuse(
                _("The child's record changed since the request (commune or status): refuse it."), "changed"
            )
        transfer.child = child
        _duplicates_check(transfer=transfer, by=by, confirm_not_duplicate=confirm_not_duplicate)
        child.commune, child.village = transfer.to_commune, to_village
        child.save(update_fields=["commune", "village", "updated_at"])
        _decide(transfer, by=by, status=TransferStatus.ACCEPTED, note=note, to_village=to_village)
        priority_recompute(child_ids=[child.pk])  # the receiving commune's flags weigh now
        # The public pages of both communes' funds count the child (its commune, its story).
        public_cache_bump_on_commit(unit_ids=[transfer.from_commune_id, transfer.to_commune_id])
    return transfer


def _decide(transfer: ChildTransfer, *, by, status: str, note: str, to_village=None) -> None:
    transfer.status = status
    transfer.decided_by, transfer.decided_at = by, timezone.now()
    transfer.note = normalize_text(note)
    transfer.to_village = to_village
    transfer.full_clean(validate_constraints=False)
    transfer.save()


@requires(Action.CHILD_TRANSFER)
def child_transfer_refuse(*, transfer: ChildTransfer, by, note: str) -> ChildTransfer:
    """The receiving commune refuses the child (with why): the record stays with the sending commune."""
    with transaction.atomic():
        transfer = _locked_open(transfer)
        _require_receiver(transfer, by)
        if not normalize_text(note):
            raise _refuse(_("Say why the transfer is refused."), "required", "note")
        _decide(transfer, by=by, status=TransferStatus.REFUSED, note=note)
    return transfer


@requires(Action.CHILD_TRANSFER)
def child_transfer_cancel(*, transfer: ChildTransfer, by, note: str = "") -> ChildTransfer:
    """The sending commune withdraws its request before the receiver decides."""
    with transaction.atomic():
        transfer = _locked_open(transfer)
        if not transfer_sent_by(transfer=transfer, user=by):
            raise _refuse(
                _("Only %(unit)s, which sent this request, or the fund's staff over it, cancel it.")
                % {"unit": transfer.from_commune},
                "not_sender",
            )
        _decide(transfer, by=by, status=TransferStatus.CANCELLED, note=note)
    return transfer
