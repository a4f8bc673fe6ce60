"""Maker-checker: whoever entered a disbursement, or edited it afterwards, cannot decide on it.

The walk-around of issue 15: a district officer opened a commune's proposal in the admin, doubled its
amount, changed its purpose, then approved it himself with the list action. Every edit now goes
through `disbursement_update`, which records the editor; the approval refuses the maker and the
editor, and the database refuses a row decided by its editor as it refuses one decided by its maker.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from donations.models import Disbursement, DisbursementStatus, EntryKind, LedgerEntry
from donations.services.disbursements import (
    disbursement_approve,
    disbursement_propose,
    disbursement_reject,
    disbursement_update,
)
from donations.services.donations import donation_create, donation_post
from tests.factories import officer, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def commune_officer(tree):
    return officer(tree["a"], username="canbo.thobinh")


@pytest.fixture
def huyen(tree):
    return staff(tree["d1"], username="canbo.huyen")


@pytest.fixture
def proposal(fund, commune_officer, yesterday):
    """A commune's proposal of 2,000,000 đồng, with 10,000,000 đồng in the fund to pay it."""
    donation_post(donation=donation_create(fund=fund, amount=10_000_000, received_on=yesterday), by=None)
    return disbursement_propose(
        by=commune_officer, fund=fund, amount=2_000_000, spent_on=yesterday, purpose="Học bổng Xã An"
    )


def _change_form_data(disbursement: Disbursement, **changes) -> dict:
    data = {
        "fund": disbursement.fund_id,
        "medium": disbursement.medium,
        "amount": disbursement.amount,
        "recipient_kind": disbursement.recipient_kind,
        "purpose": disbursement.purpose,
        "spent_on": disbursement.spent_on.strftime("%d/%m/%Y"),
        "restriction": disbursement.restriction,
    }
    return {**data, **changes}


def _approve_in_the_list(client, disbursement):
    return client.post(
        reverse("admin:donations_disbursement_changelist"),
        {"action": "approve_selected", "_selected_action": [disbursement.pk]},
        follow=True,
    )


def test_staff_who_doubled_a_communes_proposal_in_the_admin_cannot_then_approve_it(
    client, proposal, commune_officer, huyen, second_staff
):
    client.force_login(huyen)
    response = client.post(
        reverse("admin:donations_disbursement_change", args=[proposal.pk]),
        _change_form_data(proposal, amount=4_000_000, purpose="Chi khác"),
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.amount, proposal.purpose) == (4_000_000, "Chi khác")
    assert proposal.created_by == commune_officer
    assert proposal.edited_by == huyen and proposal.edited_at is not None

    page = _approve_in_the_list(client, proposal).content.decode()
    assert "Người đã sửa khoản chi" in page
    proposal.refresh_from_db()
    assert proposal.status == DisbursementStatus.PROPOSED and proposal.decided_by is None
    assert not LedgerEntry.objects.filter(kind=EntryKind.DISBURSEMENT).exists()

    client.force_login(second_staff)  # someone who neither made nor edited it checks the new amount
    _approve_in_the_list(client, proposal)
    proposal.refresh_from_db()
    assert proposal.status == DisbursementStatus.APPROVED and proposal.decided_by == second_staff
    assert LedgerEntry.objects.get(kind=EntryKind.DISBURSEMENT).amount == -4_000_000


def test_the_maker_of_a_proposal_cannot_approve_or_reject_it(
    proposal, commune_officer, huyen, fund, yesterday
):
    # A commune officer decides nothing (fund_portal.authority); fund staff who propose are held back
    # by the maker-checker rule itself.
    with pytest.raises(ValidationError) as refused:
        disbursement_approve(disbursement=proposal, by=commune_officer)
    assert refused.value.code == "not_allowed"
    own = disbursement_propose(by=huyen, fund=fund, amount=1_000_000, spent_on=yesterday, purpose="Quà Tết")
    with pytest.raises(ValidationError) as refused:
        disbursement_approve(disbursement=own, by=huyen)
    assert refused.value.code == "self_approval"
    with pytest.raises(ValidationError):
        disbursement_reject(disbursement=own, by=huyen, note="Sai")
    for item in (proposal, own):
        item.refresh_from_db()
        assert item.status == DisbursementStatus.PROPOSED


def test_the_editor_of_a_proposal_cannot_approve_or_reject_it_through_the_service(proposal, huyen):
    disbursement_update(disbursement=proposal, by=huyen, amount=4_000_000)
    with pytest.raises(ValidationError) as refused:
        disbursement_approve(disbursement=proposal, by=huyen)
    assert refused.value.code == "editor_approval"
    assert "Người đã sửa khoản chi" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        disbursement_reject(disbursement=proposal, by=huyen, note="Sai")
    proposal.refresh_from_db()
    assert proposal.status == DisbursementStatus.PROPOSED and proposal.decided_by is None
    assert not LedgerEntry.objects.filter(kind=EntryKind.DISBURSEMENT).exists()


def test_every_editor_is_held_back_not_only_the_last(proposal, commune_officer, huyen, second_staff):
    """A colleague's touch after an officer's change must not let the officer approve it himself."""
    disbursement_update(disbursement=proposal, by=huyen, amount=4_000_000)
    disbursement_update(disbursement=proposal, by=commune_officer, purpose="Học bổng Xã An, sửa lại")
    proposal.refresh_from_db()
    assert proposal.edited_by == commune_officer
    assert list(proposal.edits.values_list("by", "fields")) == [
        (huyen.pk, ["amount"]),
        (commune_officer.pk, ["purpose"]),
    ]
    with pytest.raises(ValidationError) as refused:
        disbursement_approve(disbursement=proposal, by=huyen)
    assert refused.value.code == "editor_approval"
    approved = disbursement_approve(disbursement=proposal, by=second_staff)
    assert approved.status == DisbursementStatus.APPROVED and approved.amount == 4_000_000


def test_the_database_refuses_a_disbursement_decided_by_its_editor(proposal, huyen):
    disbursement_update(disbursement=proposal, by=huyen, purpose="Học bổng Xã An, đợt 2")
    table = Disbursement._meta.db_table
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, decided_by_id = %s, decided_at = %s WHERE id = %s",
            [DisbursementStatus.APPROVED, huyen.pk, timezone.now(), proposal.pk],
        )
    proposal.refresh_from_db()
    assert proposal.status == DisbursementStatus.PROPOSED and proposal.decided_by is None


def test_an_approved_or_rejected_disbursement_cannot_be_edited(proposal, huyen, second_staff):
    approved = disbursement_approve(disbursement=proposal, by=huyen)
    with pytest.raises(ValidationError) as refused:
        disbursement_update(disbursement=approved, by=second_staff, amount=9_000_000)
    assert refused.value.code == "decided"
    approved.refresh_from_db()
    assert approved.amount == 2_000_000 and approved.edited_by is None

    rejected = disbursement_reject(
        disbursement=disbursement_propose(
            by=second_staff, fund=proposal.fund, amount=1_000, spent_on=proposal.spent_on, purpose="Khác"
        ),
        by=huyen,
        note="Trùng",
    )
    with pytest.raises(ValidationError):
        disbursement_update(disbursement=rejected, by=second_staff, purpose="Sửa sau khi từ chối")


def test_an_approved_disbursement_posted_to_the_admin_change_form_is_refused_on_the_form(
    client, proposal, huyen, second_staff
):
    disbursement_approve(disbursement=proposal, by=huyen)
    client.force_login(second_staff)
    response = client.post(
        reverse("admin:donations_disbursement_change", args=[proposal.pk]),
        _change_form_data(proposal, amount=9_000_000),
    )
    assert response.status_code == 200
    assert "đã được phê duyệt hoặc từ chối thì không sửa được" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.amount == 2_000_000 and proposal.edited_by is None


def test_an_edit_in_the_admin_is_checked_as_a_new_proposal_and_writes_nothing_when_refused(
    client, proposal, huyen
):
    client.force_login(huyen)
    response = client.post(
        reverse("admin:donations_disbursement_change", args=[proposal.pk]),
        _change_form_data(proposal, amount=4_000_000, spent_on="01/01/2099"),
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors.get("spent_on")
    proposal.refresh_from_db()
    assert proposal.amount == 2_000_000 and proposal.edited_by is None


def test_saving_the_change_form_unchanged_does_not_make_the_checker_an_editor(client, proposal, huyen):
    client.force_login(huyen)
    response = client.post(
        reverse("admin:donations_disbursement_change", args=[proposal.pk]), _change_form_data(proposal)
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.edited_by is None
    _approve_in_the_list(client, proposal)
    proposal.refresh_from_db()
    assert proposal.status == DisbursementStatus.APPROVED and proposal.decided_by == huyen


def test_an_edit_changes_only_what_was_proposed(proposal, huyen, second_staff):
    with pytest.raises(ValueError):
        disbursement_update(disbursement=proposal, by=huyen, created_by=second_staff)
    with pytest.raises(ValueError):
        disbursement_update(disbursement=proposal, by=huyen, status=DisbursementStatus.APPROVED)
    proposal.refresh_from_db()
    assert proposal.status == DisbursementStatus.PROPOSED and proposal.edited_by is None
