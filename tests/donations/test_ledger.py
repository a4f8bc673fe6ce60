"""Donations are posted with gapless receipt numbers; the ledger is append-only; spending is checked."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from donations.models import (
    Disbursement,
    DisbursementStatus,
    Donation,
    DonationKind,
    DonationStatus,
    LedgerEntry,
    Medium,
    NeedArea,
    RecipientKind,
    RestrictionKind,
    StockItem,
)
from donations.selectors.balances import available_balance
from donations.services.disbursements import disbursement_approve, disbursement_propose, disbursement_reject
from donations.services.donations import donation_create, donation_post, donation_reverse
from tests.factories import DonorFactory, FundFactory

pytestmark = pytest.mark.django_db


def give(fund, amount, day, by=None, **fields) -> Donation:
    return donation_post(
        donation=donation_create(fund=fund, amount=amount, received_on=day, by=by, **fields), by=by
    )


def test_posting_gives_the_next_receipt_number_and_writes_the_ledger(fund, district_staff, yesterday):
    year = timezone.localdate().year
    first = give(fund, 1_250_000, yesterday, district_staff)
    second = give(fund, 500_000, yesterday, district_staff, donor=DonorFactory(unit=fund.unit))
    assert (first.receipt_year, first.receipt_seq, second.receipt_seq) == (year, 1, 2)
    assert first.receipt_number.endswith(f"{year}-000001")
    assert second.receipt_number.endswith(f"{year}-000002")
    assert first.status == DonationStatus.POSTED and first.posted_by == district_staff
    assert list(LedgerEntry.objects.filter(fund=fund).values_list("amount", flat=True)) == [
        1_250_000,
        500_000,
    ]
    assert available_balance(fund=fund, like=first) == 1_750_000


def test_two_funds_never_give_the_same_receipt_number(fund, tree, yesterday):
    """Each fund counts from 1, so its code is in the number; numbers given before stay as they were."""
    other = FundFactory(unit=tree["d1"], name="Quỹ Bảo trợ trẻ em Huyện Hai", code="huyen-hai")
    old = give(fund, 100_000, yesterday)
    Donation.objects.filter(pk=old.pk).update(receipt_number=f"{old.receipt_year}-000001")
    ours, theirs = give(fund, 200_000, yesterday), give(other, 300_000, yesterday)
    assert theirs.receipt_seq == 1 and ours.receipt_seq == 2
    assert ours.receipt_number == f"HUYEN-MOT-{ours.receipt_year}-000002"
    assert theirs.receipt_number == f"HUYEN-HAI-{theirs.receipt_year}-000001"
    old.refresh_from_db()
    assert old.receipt_number == f"{old.receipt_year}-000001"  # stored numbers are not renumbered


def test_each_fund_numbers_its_own_receipts(fund, yesterday):
    other = FundFactory(unit=fund.unit)
    assert give(fund, 1000, yesterday).receipt_seq == 1
    assert give(other, 1000, yesterday).receipt_seq == 1
    assert give(fund, 1000, yesterday).receipt_seq == 2


def test_a_pending_donation_is_not_in_the_ledger(fund, yesterday):
    donation_create(fund=fund, amount=100_000, received_on=yesterday, kind=DonationKind.TRANSFER)
    assert not LedgerEntry.objects.exists()


def test_posting_twice_is_refused(fund, yesterday):
    donation = give(fund, 100_000, yesterday)
    with pytest.raises(ValidationError):
        donation_post(donation=donation, by=None)
    assert LedgerEntry.objects.count() == 1


@pytest.mark.parametrize("amount", [0, -5000])
def test_zero_or_negative_amounts_are_refused(fund, yesterday, amount):
    with pytest.raises(ValidationError) as error:
        donation_create(fund=fund, amount=amount, received_on=yesterday)
    assert "amount" in error.value.message_dict
    assert not Donation.objects.exists()


def test_a_float_amount_is_refused(fund, yesterday):
    with pytest.raises(ValidationError):
        donation_create(fund=fund, amount=1000.0, received_on=yesterday)


def test_a_donation_dated_in_the_future_is_refused(fund):
    with pytest.raises(ValidationError) as error:
        donation_create(fund=fund, amount=1000, received_on=timezone.localdate() + dt.timedelta(days=1))
    assert "received_on" in error.value.message_dict
    assert not Donation.objects.exists()


def test_ledger_entries_cannot_be_edited_or_deleted(fund, yesterday):
    give(fund, 100_000, yesterday)
    entry = LedgerEntry.objects.get()
    entry.amount = 1
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=1)
    with pytest.raises(TypeError):
        LedgerEntry.objects.all().delete()
    assert LedgerEntry.objects.get().amount == 100_000


def test_the_database_itself_refuses_to_change_a_ledger_entry(fund, yesterday):
    from django.db import DatabaseError, transaction

    give(fund, 100_000, yesterday)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE donations_ledgerentry SET amount = 1")
    if connection.vendor == "postgresql":  # SQLite keeps DELETE for the test flush (see the migration)
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM donations_ledgerentry")
    assert LedgerEntry.objects.get().amount == 100_000


def test_a_reversal_keeps_both_entries_and_needs_a_reason(fund, district_staff, yesterday):
    donation = give(fund, 300_000, yesterday)
    with pytest.raises(ValidationError):
        donation_reverse(donation=donation, reason="  ", by=district_staff)
    (reversal,) = donation_reverse(donation=donation, reason="Nhập nhầm số tiền", by=district_staff)
    entries = list(LedgerEntry.objects.filter(fund=fund).order_by("id"))
    assert [e.amount for e in entries] == [300_000, -300_000]
    assert reversal.reversal_of == entries[0] and reversal.reason == "Nhập nhầm số tiền"
    assert available_balance(fund=fund, like=donation) == 0
    with pytest.raises(ValidationError):
        donation_reverse(donation=donation, reason="lần nữa", by=district_staff)


def test_spending_is_checked_against_the_balance_and_another_person_approves(
    fund, district_staff, second_staff, yesterday, tree
):
    give(fund, 1_000_000, yesterday)
    proposal = disbursement_propose(
        by=district_staff,
        fund=fund,
        amount=1_200_000,
        spent_on=yesterday,
        purpose="Quà Trung thu",
        recipient_kind=RecipientKind.CHILDREN,
        recipient_unit=tree["a"],
    )
    with pytest.raises(ValidationError) as error:
        disbursement_approve(disbursement=proposal, by=district_staff)
    assert error.value.code == "self_approval"
    with pytest.raises(ValidationError) as error:
        disbursement_approve(disbursement=proposal, by=second_staff)
    assert error.value.code == "over_balance"
    assert "1.200.000 ₫" in error.value.messages[0] and "1.000.000 ₫" in error.value.messages[0]
    assert Disbursement.objects.get().status == DisbursementStatus.PROPOSED
    assert LedgerEntry.objects.count() == 1

    fitting = disbursement_propose(
        by=district_staff,
        fund=fund,
        amount=1_000_000,
        spent_on=yesterday,
        purpose="Quà Trung thu",
        recipient_kind=RecipientKind.CHILDREN,
    )
    disbursement_approve(disbursement=fitting, by=second_staff)
    fitting.refresh_from_db()
    assert fitting.status == DisbursementStatus.APPROVED
    # The fund's code is in the number, as in a receipt's: two funds' vouchers never read the same.
    assert fitting.voucher_number == f"PC-HUYEN-MOT-{yesterday.year}-000001"
    assert available_balance(fund=fund, like=fitting) == 0


def test_the_database_refuses_self_approval_even_past_the_service(fund, district_staff, yesterday):
    from django.db import IntegrityError, transaction

    proposal = disbursement_propose(
        by=district_staff, fund=fund, amount=1000, spent_on=yesterday, purpose="x"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Disbursement.objects.filter(pk=proposal.pk).update(decided_by=district_staff)


def test_restricted_money_is_spent_only_for_its_restriction(fund, district_staff, second_staff, yesterday):
    give(
        fund,
        800_000,
        yesterday,
        restriction=RestrictionKind.NEED_AREA,
        restriction_need=NeedArea.WARM_CLOTHES,
    )
    unrestricted = disbursement_propose(
        by=district_staff, fund=fund, amount=100_000, spent_on=yesterday, purpose="Văn phòng phẩm"
    )
    with pytest.raises(ValidationError):
        disbursement_approve(disbursement=unrestricted, by=second_staff)
    warm = disbursement_propose(
        by=district_staff,
        fund=fund,
        amount=800_000,
        spent_on=yesterday,
        purpose="Áo ấm cho trẻ",
        restriction=RestrictionKind.NEED_AREA,
        restriction_need=NeedArea.WARM_CLOTHES,
    )
    disbursement_approve(disbursement=warm, by=second_staff)
    assert LedgerEntry.objects.filter(amount__lt=0).get().restriction_need == NeedArea.WARM_CLOTHES


def test_a_restriction_must_name_what_it_restricts_to(fund, yesterday):
    with pytest.raises(ValidationError):
        donation_create(fund=fund, amount=1000, received_on=yesterday, restriction=RestrictionKind.CAMPAIGN)
    assert not Donation.objects.exists()


def test_goods_go_into_stock_and_never_below_zero(fund, district_staff, second_staff, yesterday):
    give(
        fund,
        6_000_000,
        yesterday,
        kind=DonationKind.GOODS,
        goods_description="Áo ấm trẻ em",
        goods_quantity=40,
        goods_unit="chiếc",
    )
    item = StockItem.objects.get()
    assert item.quantity == 40
    too_many = disbursement_propose(
        by=district_staff,
        fund=fund,
        medium=Medium.GOODS,
        stock_item=item,
        quantity=41,
        amount=6_150_000,
        spent_on=yesterday,
        purpose="Phát áo ấm",
    )
    with pytest.raises(ValidationError) as error:
        disbursement_approve(disbursement=too_many, by=second_staff)
    assert error.value.code == "stock_short"
    disbursement_reject(disbursement=too_many, by=second_staff, note="Quá số lượng tồn kho")
    ok = disbursement_propose(
        by=district_staff,
        fund=fund,
        medium=Medium.GOODS,
        stock_item=item,
        quantity=40,
        amount=6_000_000,
        spent_on=yesterday,
        purpose="Phát áo ấm",
    )
    disbursement_approve(disbursement=ok, by=second_staff)
    item.refresh_from_db()
    assert item.quantity == 0
    assert available_balance(fund=fund, like=ok) == 0  # cash untouched by goods


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_postings_get_fifty_consecutive_numbers(tree):
    fund = FundFactory(unit=tree["d1"])
    day = timezone.localdate()
    donations = [donation_create(fund=fund, amount=10_000 + i, received_on=day) for i in range(50)]
    errors = []
    barrier = threading.Barrier(10)

    def worker(chunk):
        try:
            barrier.wait()
            for donation in chunk:
                donation_post(donation=donation, by=None)
        except Exception as exc:  # noqa: BLE001  surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(donations[i::10],)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Donation.objects.filter(fund=fund).values_list("receipt_seq", flat=True))
    assert numbers == list(range(1, 51))
    assert LedgerEntry.objects.filter(fund=fund).count() == 50


def test_the_large_demo_set_is_posted_consistently_and_numbering_continues(fund, yesterday):
    from django.db.models import Sum

    from donations.demo import seed_donations

    give(fund, 1_000, yesterday)
    seed_donations(fund=fund, count=500, donors=20)
    donations = Donation.objects.filter(fund=fund)
    assert donations.count() == 501 and donations.filter(status=DonationStatus.POSTED).count() == 501
    assert (
        LedgerEntry.objects.filter(fund=fund).aggregate(s=Sum("amount"))["s"]
        == donations.aggregate(s=Sum("amount"))["s"]
    )
    for year in set(donations.values_list("receipt_year", flat=True)):
        seqs = sorted(donations.filter(receipt_year=year).values_list("receipt_seq", flat=True))
        assert seqs == list(range(1, len(seqs) + 1)), year
    after = give(fund, 2_000, timezone.localdate())
    assert after.receipt_seq == donations.filter(receipt_year=after.receipt_year).count()


def test_a_transfer_to_a_lower_level_fund_credits_its_ledger(
    fund, district_staff, second_staff, yesterday, tree
):
    commune_fund = FundFactory(unit=tree["a"], parent=fund)
    stranger = FundFactory(unit=tree["c"])
    give(fund, 5_000_000, yesterday)
    with pytest.raises(ValidationError):
        disbursement_propose(
            by=district_staff,
            fund=fund,
            amount=1_000_000,
            spent_on=yesterday,
            purpose="Cấp xã",
            recipient_kind=RecipientKind.LOWER_FUND,
            recipient_fund=stranger,
        )
    transfer = disbursement_propose(
        by=district_staff,
        fund=fund,
        amount=2_000_000,
        spent_on=yesterday,
        purpose="Cấp kinh phí Trung thu cho xã",
        recipient_kind=RecipientKind.LOWER_FUND,
        recipient_fund=commune_fund,
    )
    disbursement_approve(disbursement=transfer, by=second_staff)
    assert available_balance(fund=fund, like=transfer) == 3_000_000
    assert available_balance(fund=commune_fund, like=transfer) == 2_000_000
    assert LedgerEntry.objects.get(fund=commune_fund).kind == "transfer_in"
