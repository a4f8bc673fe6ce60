"""Writes of disbursements: entered by one person, approved or rejected by another (maker-checker),
never beyond the available balance of the money they draw on. Locks: see `donations.services.donations`."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fund_portal.authority import Action, requires
from fund_portal.models import User
from fund_portal.money import format_vnd
from fund_portal.public_cache import public_figures_changed

from ..models import (
    Disbursement,
    DisbursementEdit,
    DisbursementStatus,
    DocumentSeries,
    EntryKind,
    Fund,
    LedgerEntry,
    Medium,
    RecipientKind,
    Restricted,
)
from ..models.common import restriction_values
from ..selectors.balances import available_balance
from .checks import _require_amount, today
from .edits import edit_apply
from .numbers import document_numbers_reserve, voucher_number
from .stock import stock_issue


@requires(Action.DISBURSEMENT_PROPOSE)
def disbursement_propose(*, by: User, **fields) -> Disbursement:
    """Enter a disbursement (or a commune's proposal); it moves no money until someone else approves it."""
    disbursement = Disbursement(created_by=by, status=DisbursementStatus.PROPOSED, **fields)
    disbursement_check(disbursement=disbursement)
    disbursement.full_clean()
    disbursement.save()
    return disbursement


#: How far ahead a proposal may plan its spending.
PLANNED_DAYS_AHEAD = 366


def disbursement_check(*, disbursement: Disbursement) -> None:
    """The rules a disbursement meets when entered: a positive amount, a date at most a year ahead (a
    proposal plans spending; the money is paid only once its day has come, see
    `disbursement_approve`), goods from its own fund's stock, and a transfer only to a fund directly
    under it."""
    _require_amount(disbursement.amount)
    if disbursement.spent_on > today() + dt.timedelta(days=PLANNED_DAYS_AHEAD):
        raise ValidationError(
            {
                "spent_on": _("The date %(date)s is more than a year ahead.")
                % {"date": disbursement.spent_on.strftime("%d/%m/%Y")}
            },
            code="too_far",
        )
    if disbursement.recipient_kind == RecipientKind.LOWER_FUND:
        lower = disbursement.recipient_fund
        if lower is None or lower.parent_id != disbursement.fund_id:
            raise ValidationError(
                {"recipient_fund": _("Choose a fund directly under %(fund)s.") % {"fund": disbursement.fund}}
            )
    if disbursement.stock_item_id and disbursement.stock_item.fund_id != disbursement.fund_id:
        raise ValidationError({"stock_item": _("These goods are held by another fund.")})


#: What an edit of a proposal may change: what was proposed. Status, voucher, maker and checker
#: change only through propose, approve and reject.
DISBURSEMENT_UPDATABLE_FIELDS = (
    "fund",
    "medium",
    "amount",
    "stock_item",
    "quantity",
    "recipient_kind",
    "recipient_unit",
    "recipient_fund",
    "purpose",
    "need_area",
    "spent_on",
    *Restricted.restriction_fields(),
)


def disbursement_update_check(*, disbursement: Disbursement) -> None:
    """The rules an edit of a disbursement meets, checked on the stored row's status: only a proposal
    is changed (an approved one has moved money; a rejected one is closed), and the changed
    proposal meets the rules of a new one. The admin form calls it to show refusals on the form."""
    stored = Disbursement.objects.filter(pk=disbursement.pk).values_list("status", flat=True).first()
    if stored != DisbursementStatus.PROPOSED:
        raise ValidationError(_("An approved or rejected disbursement cannot be changed."), code="decided")
    disbursement_check(disbursement=disbursement)


@requires(Action.DISBURSEMENT_PROPOSE)
def disbursement_update(*, disbursement: Disbursement, by: User, **fields) -> Disbursement:
    """Change a proposal before anyone decides on it. Whoever changes it is recorded (`edited_by`
    for the last, a `DisbursementEdit` for each) and, like its maker, may then neither approve nor
    reject it: an edit is a new proposal, to be checked by someone else.

    A save that changes nothing writes nothing and records no editor."""
    unknown = set(fields) - set(DISBURSEMENT_UPDATABLE_FIELDS)
    if unknown:
        raise ValueError(f"disbursement_update cannot change {sorted(unknown)}")
    with transaction.atomic():
        stored = Disbursement.objects.select_for_update().get(pk=disbursement.pk)
        if stored.status != DisbursementStatus.PROPOSED:
            raise ValidationError(
                _("An approved or rejected disbursement cannot be changed."), code="decided"
            )
        changed = edit_apply(stored, fields, by=by, check=lambda d: disbursement_check(disbursement=d))
        if changed:
            DisbursementEdit.objects.create(disbursement=stored, by=by, fields=changed)
    return stored


@requires(Action.DISBURSEMENT_DECIDE)
def disbursement_approve(*, disbursement: Disbursement, by: User, note: str = "") -> Disbursement:
    """Approve and pay out: checked against the available balance under the fund's lock, then posted."""
    with transaction.atomic():
        Fund.objects.select_for_update(no_key=True).get(pk=disbursement.fund_id)
        disbursement = (
            Disbursement.objects.select_for_update(of=("self",))
            .select_related("fund")
            .get(pk=disbursement.pk)
        )
        _check_decision(disbursement, by)
        if disbursement.spent_on > today():
            raise ValidationError(
                _("This disbursement is planned for %(date)s: money is paid on that day, not before.")
                % {"date": disbursement.spent_on.strftime("%d/%m/%Y")},
                code="future",
            )
        if disbursement.medium == Medium.CASH:
            available = available_balance(fund=disbursement.fund, like=disbursement)
            if disbursement.amount > available:
                raise ValidationError(
                    _("The disbursement of %(amount)s is more than the available balance of %(available)s.")
                    % {"amount": format_vnd(disbursement.amount), "available": format_vnd(available)},
                    code="over_balance",
                )
        else:
            stock_issue(
                item=disbursement.stock_item,
                quantity=disbursement.quantity,
                on=disbursement.spent_on,
                disbursement=disbursement,
            )
        year = disbursement.spent_on.year
        (number,) = document_numbers_reserve(fund=disbursement.fund, series=DocumentSeries.VOUCHER, year=year)
        disbursement.voucher_number = voucher_number(disbursement.fund.code, year, number)
        disbursement.status = DisbursementStatus.APPROVED
        disbursement.decided_by, disbursement.decided_at, disbursement.decision_note = (
            by,
            timezone.now(),
            note,
        )
        disbursement.save(
            update_fields=["voucher_number", "status", "decided_by", "decided_at", "decision_note"]
        )
        public_figures_changed(unit_ids=[disbursement.fund.unit_id])
        LedgerEntry.objects.create(
            fund=disbursement.fund,
            kind=EntryKind.DISBURSEMENT,
            medium=disbursement.medium,
            amount=-disbursement.amount,
            entry_date=disbursement.spent_on,
            disbursement=disbursement,
            description=_("Voucher %(number)s: %(purpose)s")
            % {"number": disbursement.voucher_number, "purpose": disbursement.purpose},
            created_by=by,
            **restriction_values(disbursement),
        )
        if disbursement.recipient_kind == RecipientKind.LOWER_FUND and disbursement.medium == Medium.CASH:
            LedgerEntry.objects.create(
                fund=disbursement.recipient_fund,
                kind=EntryKind.TRANSFER_IN,
                medium=Medium.CASH,
                amount=disbursement.amount,
                entry_date=disbursement.spent_on,
                disbursement=disbursement,
                description=_("From %(fund)s, voucher %(number)s")
                % {"fund": disbursement.fund, "number": disbursement.voucher_number},
                created_by=by,
                **restriction_values(disbursement),
            )
    return disbursement


@requires(Action.DISBURSEMENT_DECIDE)
def disbursement_reject(*, disbursement: Disbursement, by: User, note: str) -> Disbursement:
    if not (note or "").strip():
        raise ValidationError({"decision_note": _("Say why the disbursement is rejected.")})
    with transaction.atomic():
        disbursement = Disbursement.objects.select_for_update().get(pk=disbursement.pk)
        _check_decision(disbursement, by)
        disbursement.status = DisbursementStatus.REJECTED
        disbursement.decided_by, disbursement.decided_at, disbursement.decision_note = (
            by,
            timezone.now(),
            note,
        )
        disbursement.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return disbursement


def _check_decision(disbursement: Disbursement, by: User) -> None:
    if disbursement.status != DisbursementStatus.PROPOSED:
        raise ValidationError(_("This disbursement has already been decided."), code="decided")
    if disbursement.created_by_id == by.pk:
        raise ValidationError(
            _("Whoever entered a disbursement cannot approve or reject it."), code="self_approval"
        )
    if disbursement.edited_by_id == by.pk or disbursement.edits.filter(by=by).exists():
        raise ValidationError(
            _("Whoever edited a disbursement cannot approve or reject it."), code="editor_approval"
        )
