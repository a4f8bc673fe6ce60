"""Writes of the fund's money: donations, their posting and reversal, disbursements, stock.

Each rule of Decree 93/2019 that the portal enforces lives here once: receipt numbers are gapless
per fund and year; posted entries are never edited (a reversal corrects them); spending never
exceeds the available balance of the money it draws on; whoever enters a disbursement cannot
approve it, nor can anyone who edited it; stock never goes negative.

Row locks, taken only where a rule needs them and always in this order: a statement line
(reconciliation), the donation, the fund, the disbursement, then the fund's receipt counter, the
stock item and the ledger's months (its trigger, one row per kind of entry); a disbursement of goods
takes its stock item before the voucher counter, which nothing else takes. A fund is locked FOR NO
KEY UPDATE: that serialises the spending decisions yet leaves alone the share locks that the
foreign-key checks of other writers (an import's donations and entries, checked at its commit) take
on the fund row; a plain FOR UPDATE there (or one that reaches the fund through `select_related`)
deadlocks with an import that holds the receipt counter.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fund_portal.authority import Action, requires
from fund_portal.models import User
from fund_portal.money import format_vnd
from fund_portal.public_cache import public_figures_changed
from fund_portal.text import fold, normalize_text

from .models import (
    Disbursement,
    DisbursementEdit,
    DisbursementStatus,
    DocumentCounter,
    DocumentSeries,
    Donation,
    DonationKind,
    DonationStatus,
    Donor,
    EntryKind,
    Fund,
    LedgerEntry,
    LedgerMonth,
    Medium,
    RecipientKind,
    Restricted,
    RestrictionKind,
    StockItem,
    StockMovement,
)
from .vietqr import make_transfer_reference


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


def receipt_number(year: int, seq: int) -> str:
    """How a receipt is numbered: year and a six-digit sequence of the fund (2026-000123)."""
    return f"{year}-{seq:06d}"


def next_document_number(*, fund: Fund, series: str, year: int) -> int:
    """The next number of a fund's series in a year, under a row lock: concurrent callers wait in turn."""
    DocumentCounter.objects.bulk_create(
        [DocumentCounter(fund=fund, series=series, year=year)], ignore_conflicts=True
    )
    counter = DocumentCounter.objects.select_for_update().get(fund=fund, series=series, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def donor_save(*, donor: Donor) -> Donor:
    """Create or update a donor; the name is normalised and its folded form kept for duplicate checks."""
    donor.name = normalize_text(donor.name)
    donor.name_folded = fold(donor.name)
    donor.tax_code = (donor.tax_code or "").strip()
    donor.full_clean()
    donor.save()
    return donor


def restriction_values(source: Restricted) -> dict:
    return {field: getattr(source, field) for field in Restricted.restriction_fields()}


@requires(Action.DONATION_RECORD)
def donation_create(
    *,
    fund: Fund,
    amount: int,
    received_on: dt.date,
    kind: str = DonationKind.CASH,
    by: User | None = None,
    with_transfer_reference: bool = False,
    **fields,
) -> Donation:
    """Record a donation as pending; it counts once it is posted."""
    donation_check(fund=fund, amount=amount, received_on=received_on, fields=fields)
    donation = Donation(fund=fund, amount=amount, received_on=received_on, kind=kind, created_by=by, **fields)
    if with_transfer_reference:
        donation.transfer_reference = transfer_reference_new()
    donation.full_clean()
    donation.save()
    return donation


def donation_check(*, fund: Fund, amount, received_on: dt.date, fields: dict) -> None:
    """The rules every donation meets before it is saved: an active fund, a positive whole amount, a date
    not in the future, and links (pledge, drive) that belong to the same fund and donor."""
    if not fund.is_active:
        raise ValidationError({"fund": _("The fund %(fund)s no longer takes donations.") % {"fund": fund}})
    _require_amount(amount)
    _require_not_future(received_on, "received_on")
    _check_links(fund=fund, fields=fields)


def _check_links(*, fund: Fund, fields: dict) -> None:
    """An instalment belongs to its pledge's fund and donor; a drive payment to its drive's fund, agency."""
    donor = fields.get("donor")
    pledge = fields.get("pledge")
    if pledge is not None:
        if pledge.fund_id != fund.pk:
            raise ValidationError({"pledge": _("The pledge was made to another fund.")})
        if donor is not None and donor.pk != pledge.donor_id:
            raise ValidationError({"pledge": _("The pledge was made by another donor.")})
        fields["donor"] = pledge.donor
    agency = fields.get("drive_agency")
    if agency is not None:
        if agency.drive.fund_id != fund.pk:
            raise ValidationError({"drive_agency": _("The drive belongs to another fund.")})
        if donor is not None and donor.pk != agency.agency_id:
            raise ValidationError({"drive_agency": _("A drive payment comes from the agency itself.")})
        fields["donor"] = agency.agency


@requires(Action.DONATION_RECORD)
def donation_update(*, donation: Donation, by: User | None) -> Donation:
    """Save changes to a donation that is still pending; a posted one is corrected only by a reversal."""
    stored = Donation.objects.filter(pk=donation.pk).values_list("status", flat=True).first()
    if stored != DonationStatus.PENDING:
        raise ValidationError(_("Only a donation awaiting payment can be changed."), code="not_pending")
    donation_check(
        fund=donation.fund,
        amount=donation.amount,
        received_on=donation.received_on,
        fields={"pledge": donation.pledge, "drive_agency": donation.drive_agency, "donor": donation.donor},
    )
    donation.full_clean()
    donation.save()
    return donation


def donation_public_submit(*, fund: Fund, client_token: str, **fields) -> Donation:
    """A donation announced on /donate/: pending until the transfer is found on the bank statement.

    The form's token makes a double submit (two clicks, a resent form) return the first donation.
    """
    existing = Donation.objects.filter(client_token=client_token).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return donation_create(
                fund=fund,
                kind=DonationKind.TRANSFER,
                received_on=today(),
                with_transfer_reference=True,
                client_token=client_token,
                **fields,
            )
    except (IntegrityError, ValidationError):
        # Two clicks at once both pass the check above; the second then meets the first's row either in
        # full_clean's check of the token's unique constraint (a ValidationError, once the first has
        # committed) or in the INSERT (an IntegrityError, while it has not). Either way the first
        # donation is the answer; any other error stands.
        existing = Donation.objects.filter(client_token=client_token).first()
        if existing is None:
            raise
        return existing


def transfer_reference_new() -> str:
    """A transfer reference no donation has yet (the column is unique as well)."""
    while True:
        reference = make_transfer_reference()
        if not Donation.objects.filter(transfer_reference=reference).exists():
            return reference


@requires(Action.DONATION_POST)
def donation_post(*, donation: Donation, by: User | None) -> Donation:
    """Post a pending donation: the next receipt number of its fund and year, and its ledger entry."""
    with transaction.atomic():
        # The donation's row only: the receipt counter serialises the numbering, and the fund row
        # must stay free for an import's foreign-key checks (see the module's docstring).
        donation = Donation.objects.select_for_update(of=("self",)).select_related("fund").get(pk=donation.pk)
        if donation.status != DonationStatus.PENDING:
            raise ValidationError(
                _("Donation %(donation)s is not awaiting posting.") % {"donation": donation},
                code="not_pending",
            )
        now = timezone.now()
        year = timezone.localtime(now).year
        seq = next_document_number(fund=donation.fund, series=DocumentSeries.RECEIPT, year=year)
        donation.receipt_year, donation.receipt_seq = year, seq
        donation.receipt_number = receipt_number(year, seq)
        donation.status = DonationStatus.POSTED
        donation.posted_at, donation.posted_by = now, by
        donation.save(
            update_fields=[
                "receipt_year",
                "receipt_seq",
                "receipt_number",
                "status",
                "posted_at",
                "posted_by",
            ]
        )
        public_figures_changed()
        LedgerEntry.objects.create(
            fund=donation.fund,
            kind=EntryKind.DONATION,
            medium=donation.medium,
            amount=donation.amount,
            entry_date=donation.received_on,
            source=donation.source,
            donation=donation,
            description=_("Receipt %(number)s") % {"number": donation.receipt_number},
            created_by=by,
            **restriction_values(donation),
        )
        if donation.kind == DonationKind.GOODS:
            stock_receive(
                fund=donation.fund,
                name=donation.goods_description,
                unit_of_measure=donation.goods_unit or "-",
                quantity=donation.goods_quantity,
                on=donation.received_on,
                donation=donation,
            )
    return donation


@requires(Action.DONATION_POST)
def donation_cancel(*, donation: Donation, by: User | None) -> Donation:
    """Cancel a donation that was never posted (a pledge of transfer that never came)."""
    with transaction.atomic():
        donation = Donation.objects.select_for_update().get(pk=donation.pk)
        if donation.status != DonationStatus.PENDING:
            raise ValidationError(_("Only a donation awaiting payment can be cancelled."), code="not_pending")
        donation.status = DonationStatus.CANCELLED
        donation.save(update_fields=["status"])
    return donation


@requires(Action.DONATION_POST)
def donation_reverse(*, donation: Donation, reason: str, by: User) -> list[LedgerEntry]:
    """Correct a posted donation by reversing its entries; both the entries and their reversal stay."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the donation is reversed.")}, code="reason_required")
    with transaction.atomic():
        donation = Donation.objects.select_for_update(of=("self",)).select_related("fund").get(pk=donation.pk)
        Fund.objects.select_for_update(no_key=True).get(pk=donation.fund_id)
        entries = list(donation.entries.filter(reversal_of__isnull=True, reversed_by__isnull=True))
        if donation.status != DonationStatus.POSTED or not entries:
            raise ValidationError(
                _("Donation %(donation)s has nothing to reverse.") % {"donation": donation},
                code="nothing_to_reverse",
            )
        reversals = []
        for entry in entries:
            if (
                entry.medium == Medium.CASH
                and available_balance(fund=donation.fund, like=entry) < entry.amount
            ):
                raise ValidationError(
                    _("The money of this donation has already been spent; reverse the spending first."),
                    code="already_spent",
                )
            public_figures_changed()
            reversals.append(
                LedgerEntry.objects.create(
                    fund=entry.fund,
                    kind=EntryKind.REVERSAL,
                    medium=entry.medium,
                    amount=-entry.amount,
                    entry_date=today(),
                    source=entry.source,
                    donation=donation,
                    reversal_of=entry,
                    reason=reason,
                    description=_("Reversal of receipt %(number)s") % {"number": donation.receipt_number},
                    created_by=by,
                    **restriction_values(entry),
                )
            )
        if donation.kind == DonationKind.GOODS:
            item = StockItem.objects.get(
                fund=donation.fund,
                name=donation.goods_description,
                unit_of_measure=donation.goods_unit or "-",
            )
            stock_issue(item=item, quantity=donation.goods_quantity, on=today(), donation=donation)
    return reversals


def available_balance(*, fund: Fund, like: Restricted, medium: str = Medium.CASH) -> int:
    """What a fund can still spend of the money that has the same restriction as `like`.

    Money restricted to a child counts the records merged into that child too (`children.duplicates`):
    posted ledger entries keep the id they were posted with and are never rewritten.

    Unrestricted money is the fund's total (LedgerMonth: a few rows, not millions of entries) less the
    restricted entries, which are few and read through the partial index `entry_fund_restricted_idx`.
    The check constraint `entry_restriction_consistent` makes "restriction is none" mean no target."""
    restriction = restriction_values(like)
    if restriction["restriction"] == RestrictionKind.NONE:
        total = LedgerMonth.objects.filter(fund=fund, medium=medium).aggregate(
            total=Sum(F("inflow") + F("outflow"))
        )["total"]
        restricted = (
            LedgerEntry.objects.filter(fund=fund, medium=medium)
            .exclude(restriction=RestrictionKind.NONE)
            .aggregate(total=Sum("amount"))["total"]
        )
        return (total or 0) - (restricted or 0)
    child_id = restriction.pop("restriction_child_id")
    entries = LedgerEntry.objects.filter(fund=fund, medium=medium, **restriction)
    if child_id is None:
        entries = entries.filter(restriction_child_id__isnull=True)
    else:
        from children.models import Child

        ids, frontier = {child_id}, [child_id]
        while frontier:  # records merged into this one, and those merged into them
            frontier = list(Child.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True))
            ids.update(frontier)
        entries = entries.filter(restriction_child_id__in=ids)
    return entries.aggregate(total=Sum("amount"))["total"] or 0


@requires(Action.DISBURSEMENT_PROPOSE)
def disbursement_propose(*, by: User, **fields) -> Disbursement:
    """Enter a disbursement (or a commune's proposal); it moves no money until someone else approves it."""
    disbursement = Disbursement(created_by=by, status=DisbursementStatus.PROPOSED, **fields)
    disbursement_check(disbursement=disbursement)
    disbursement.full_clean()
    disbursement.save()
    return disbursement


def disbursement_check(*, disbursement: Disbursement) -> None:
    """The rules a disbursement meets when entered: a positive amount, a date not in the future, goods
    from its own fund's stock, and a transfer only to a fund directly under it."""
    _require_amount(disbursement.amount)
    _require_not_future(disbursement.spent_on, "spent_on")
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


def _changed_fields(instance, fields: dict) -> list[str]:
    """The names among `fields` whose value differs from the instance's (foreign keys by id)."""
    changed = []
    for name, value in fields.items():
        field = instance._meta.get_field(name)
        if field.is_relation:
            current, value = getattr(instance, field.attname), getattr(value, "pk", value)
        else:
            current = getattr(instance, name)
        if current != value:
            changed.append(name)
    return changed


def edit_apply(stored, fields: dict, *, by, check) -> list[str]:
    """Apply an edit to a locked `Edited` record: the changed `fields` are set, `check(stored)` runs
    the record's rules, and who edited and when are saved with them. Returns the changed names; none
    (a save that changes nothing) writes nothing and records no editor."""
    changed = _changed_fields(stored, fields)
    if not changed:
        return []
    for name in changed:
        setattr(stored, name, fields[name])
    check(stored)
    stored.edited_by, stored.edited_at = by, timezone.now()
    stored.full_clean()
    stored.save(update_fields=[*changed, "edited_by", "edited_at"])
    return changed


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
        number = next_document_number(fund=disbursement.fund, series=DocumentSeries.VOUCHER, year=year)
        disbursement.voucher_number = f"PC-{year}-{number:06d}"
        disbursement.status = DisbursementStatus.APPROVED
        disbursement.decided_by, disbursement.decided_at, disbursement.decision_note = (
            by,
            timezone.now(),
            note,
        )
        disbursement.save(
            update_fields=["voucher_number", "status", "decided_by", "decided_at", "decision_note"]
        )
        public_figures_changed()
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


def stock_receive(
    *,
    fund: Fund,
    name: str,
    unit_of_measure: str,
    quantity: int,
    on: dt.date,
    donation: Donation | None = None,
) -> StockItem:
    """Goods come into a fund's stock."""
    StockItem.objects.bulk_create(
        [StockItem(fund=fund, name=name, unit_of_measure=unit_of_measure)], ignore_conflicts=True
    )
    item = StockItem.objects.select_for_update().get(fund=fund, name=name, unit_of_measure=unit_of_measure)
    StockMovement.objects.create(item=item, quantity=quantity, moved_on=on, donation=donation)
    item.quantity += quantity
    item.save(update_fields=["quantity"])
    return item


def stock_issue(
    *,
    item: StockItem,
    quantity: int,
    on: dt.date,
    disbursement: Disbursement | None = None,
    donation: Donation | None = None,
) -> StockItem:
    """Goods go out of stock; never more than there is."""
    item = StockItem.objects.select_for_update().get(pk=item.pk)
    if quantity > item.quantity:
        raise ValidationError(
            _("Only %(have)s %(unit)s of %(name)s are in stock; %(want)s were asked for.")
            % {"have": item.quantity, "unit": item.unit_of_measure, "name": item.name, "want": quantity},
            code="stock_short",
        )
    StockMovement.objects.create(
        item=item, quantity=-quantity, moved_on=on, disbursement=disbursement, donation=donation
    )
    item.quantity -= quantity
    item.save(update_fields=["quantity"])
    return item


@requires(Action.DONOR_MERGE)
def donor_merge(*, keep: Donor, duplicate: Donor, by: User | None = None) -> Donor:
    """Merge a duplicate donor into the one kept: every donation moves over, nothing is lost.

    The duplicate stays, marked `merged_into`, so old links and the audit trail still resolve.
    """
    if keep.pk == duplicate.pk:
        raise ValidationError(_("A donor cannot be merged into itself."), code="same")
    with transaction.atomic():
        keep = Donor.objects.select_for_update().get(pk=keep.pk)
        duplicate = Donor.objects.select_for_update().get(pk=duplicate.pk)
        if duplicate.merged_into_id or keep.merged_into_id:
            raise ValidationError(_("One of these donors has already been merged."), code="merged")
        Donation.objects.filter(donor=duplicate).update(donor=keep)
        for field in ("tax_code", "phone", "email", "address"):
            if not getattr(keep, field) and getattr(duplicate, field):
                setattr(keep, field, getattr(duplicate, field))
        if keep.address_unit_id is None:
            keep.address_unit_id = duplicate.address_unit_id
        keep.interests = sorted(set(keep.interests) | set(duplicate.interests))
        if keep.user_id is None and duplicate.user_id is not None:
            keep.user_id, duplicate.user_id = duplicate.user_id, None
        keep.notes = "\n".join(n for n in (keep.notes, duplicate.notes) if n)
        duplicate.merged_into = keep
        duplicate.save()
        keep.save()
    return keep
