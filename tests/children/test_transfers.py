"""A child moves: the sending commune asks, the receiving commune accepts or refuses; scope follows the
child's commune; a likely duplicate in the receiving province is shown before the receiver accepts."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from children.models import Child, ChildTransfer, DuplicateAlert, Need, TransferStatus
from children.selectors.duplicates import child_duplicates
from children.services.care import needs_assess
from children.services.registry import child_register
from children.services.transfers import (
    child_transfer_accept,
    child_transfer_cancel,
    child_transfer_refuse,
    child_transfer_request,
)
from fund_portal.authority import NotAllowed
from fund_portal.models import Role
from tests.factories import UserFactory, give_totp, officer, staff

pytestmark = pytest.mark.django_db

GUARDIAN = "Bà Ngoại Bí Mật"


def years_ago(years: int) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=min(today.day, 28))


BORN = years_ago(9)


def register(by, commune, name="Trần Thị Mai", born=BORN, **fields) -> Child:
    return child_register(
        by=by,
        full_name=name,
        birth_date=born,
        sex="female",
        ethnicity="01",
        commune=commune,
        **fields,
    )


@pytest.fixture
def officers(tree):
    return {key: officer(tree[key], username=f"canbo_{key}") for key in ("a", "b", "c")}


@pytest.fixture
def mai(tree, officers):
    """A child of commune A (district D1) with a guardian, a village and this year's needs."""
    child = register(
        officers["a"], tree["a"], village=tree["va"], guardian_name=GUARDIAN, address="Xóm Bí Mật số 7"
    )
    needs_assess(
        child=child,
        by=officers["a"],
        year=timezone.localdate().year,
        on=timezone.localdate(),
        needs={"education": (3, "Thiếu sách vở")},
    )
    return child


def counts() -> tuple:
    return (
        ChildTransfer.objects.count(),
        list(ChildTransfer.objects.order_by("pk").values_list("status", flat=True)),
        list(Child.objects.order_by("pk").values_list("commune_id", "village_id")),
    )


# The whole move, through the portal -------------------------------------------------------------------


def test_a_child_moves_from_a_to_c_through_the_portal_and_scope_follows(client, tree, officers, mai):
    # The sending officer asks from the child's page.
    client.force_login(officers["a"])
    page = client.get(reverse("children:detail", kwargs={"pk": mai.pk}))
    assert reverse("children:transfer_new", kwargs={"pk": mai.pk}) in page.content.decode()
    form = client.get(reverse("children:transfer_new", kwargs={"pk": mai.pk})).content.decode()
    assert "Xã Cường" in form and "Xã Bình" in form  # the province's communes, across districts
    response = client.post(
        reverse("children:transfer_new", kwargs={"pk": mai.pk}),
        {"to_commune": tree["c"].pk, "reason": "Gia đình chuyển đến ở với ông bà"},
    )
    assert response.status_code == 302
    transfer = ChildTransfer.objects.get()
    assert (transfer.from_commune, transfer.to_commune, transfer.status) == (
        tree["a"],
        tree["c"],
        TransferStatus.REQUESTED,
    )
    assert transfer.requested_by == officers["a"]
    mai.refresh_from_db()
    assert mai.commune == tree["a"]  # nothing moves before the receiver accepts

    # The receiver sees a card, not the record.
    client.force_login(officers["c"])
    assert client.get(reverse("children:detail", kwargs={"pk": mai.pk})).status_code == 404
    incoming = client.get(reverse("children:transfer_list")).content.decode()
    assert "Trần Thị Mai" in incoming and "Xã An" in incoming
    card = client.get(reverse("children:transfer_detail", kwargs={"pk": transfer.pk})).content.decode()
    assert "Trần Thị Mai" in card and str(BORN.year) in card and "Xã An" in card
    assert GUARDIAN not in card and "Xóm Bí Mật" not in card and "Thiếu sách vở" not in card
    assert BORN.strftime("%d/%m/%Y") not in card  # the year, not the date
    assert reverse("children:transfer_accept", kwargs={"pk": transfer.pk}) in card

    # Accepting asks again before it is done.
    accept = reverse("children:transfer_accept", kwargs={"pk": transfer.pk})
    confirm = client.post(accept, {"to_village": tree["vc"].pk, "note": "Đã gặp gia đình"})
    assert confirm.status_code == 200 and 'name="confirmed"' in confirm.content.decode()
    assert ChildTransfer.objects.get().status == TransferStatus.REQUESTED
    done = client.post(accept, {"to_village": tree["vc"].pk, "note": "Đã gặp gia đình", "confirmed": "1"})
    assert done.status_code == 302

    mai.refresh_from_db()
    transfer.refresh_from_db()
    assert (mai.commune, mai.village) == (tree["c"], tree["vc"])
    assert transfer.status == TransferStatus.ACCEPTED and transfer.decided_by == officers["c"]
    assert transfer.to_village == tree["vc"] and transfer.note == "Đã gặp gia đình"
    assert Need.objects.filter(child=mai).count() == 1  # the child's needs go with it
    assert Need.objects.visible_to(officers["c"]).filter(child=mai).exists()
    assert not Need.objects.visible_to(officers["a"]).filter(child=mai).exists()

    # Scope follows the child: the receiver opens the record, the sender no longer does.
    page = client.get(reverse("children:detail", kwargs={"pk": mai.pk})).content.decode()
    assert GUARDIAN in page and "Xã An → Xã Cường" in page  # the move is in the child's history
    client.force_login(officers["a"])
    assert client.get(reverse("children:detail", kwargs={"pk": mai.pk})).status_code == 404
    assert "Trần Thị Mai" not in client.get(reverse("children:list")).content.decode()
    # ...but keeps its own record of the request it sent.
    assert client.get(reverse("children:transfer_detail", kwargs={"pk": transfer.pk})).status_code == 200
    assert LogEntry.objects.get_for_object(transfer).count() == 2  # requested, accepted
    moved = [e.changes_dict for e in LogEntry.objects.get_for_object(mai) if "commune" in e.changes_dict]
    assert moved and moved[0]["commune"] == [str(tree["a"].pk), str(tree["c"].pk)]


def test_another_commune_sees_neither_the_card_nor_the_decision(client, tree, officers, mai):
    transfer = child_transfer_request(child=mai, to_commune=tree["c"], reason="Chuyển nhà", by=officers["a"])
    client.force_login(officers["b"])
    for name in ("transfer_detail", "transfer_accept", "transfer_refuse", "transfer_cancel"):
        response = client.post(reverse(f"children:{name}", kwargs={"pk": transfer.pk}), {"confirmed": "1"})
        assert response.status_code == 404, name
    assert "Trần Thị Mai" not in client.get(reverse("children:transfer_list")).content.decode()
    assert ChildTransfer.objects.get().status == TransferStatus.REQUESTED


# Likely duplicates over the receiving province ----------------------------------------------------------


def test_a_likely_duplicate_in_the_receiving_province_is_shown_and_stops_the_acceptance(
    client, tree, officers, mai
):
    # The same child, registered in commune B (district D1): outside C's district, inside its province.
    twin = register(officers["b"], tree["b"], name="Tran Thi Mai", confirm_not_duplicate=True)
    assert (
        child_duplicates(full_name=mai.full_name, birth_date=BORN, personal_id=None, commune=tree["c"]) == []
    )
    client.force_login(officers["a"])  # the sender is told when asking, without whose record or where
    sent = client.post(
        reverse("children:transfer_new", kwargs={"pk": mai.pk}),
        {"to_commune": tree["c"].pk, "reason": "Chuyển nhà"},
        follow=True,
    ).content.decode()
    assert "Trong tỉnh của xã nhận đã có trẻ với thông tin tương tự" in sent and "Xã Bình" not in sent
    transfer = ChildTransfer.objects.get()

    client.force_login(officers["c"])
    card = client.get(reverse("children:transfer_detail", kwargs={"pk": transfer.pk})).content.decode()
    assert "có thể đã được đăng ký" in card and "confirm_not_duplicate" in card
    assert "Xã Bình" not in card  # outside C's scope: counted, never named

    before, alerts = counts(), DuplicateAlert.objects.count()  # B's registration told staff of A's child
    with pytest.raises(ValidationError) as error:
        child_transfer_accept(transfer=transfer, by=officers["c"])
    assert error.value.code == "duplicate" and "tỉnh" in error.value.messages[0]
    assert counts() == before and DuplicateAlert.objects.count() == alerts

    child_transfer_accept(transfer=transfer, by=officers["c"], confirm_not_duplicate=True)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.ACCEPTED and transfer.not_duplicate_confirmed
    alert = DuplicateAlert.objects.latest("pk")  # the staff who see both are told
    assert DuplicateAlert.objects.count() == alerts + 1
    assert alert.existing == twin and alert.commune == tree["c"]


def test_province_staff_see_the_likely_duplicate_by_name(client, tree, officers, mai):
    register(officers["b"], tree["b"], name="Tran Thi Mai", confirm_not_duplicate=True)
    transfer = child_transfer_request(child=mai, to_commune=tree["c"], reason="Chuyển nhà", by=officers["a"])
    province_staff = staff(tree["province"], username="canbo_tinh")
    client.force_login(province_staff)
    card = client.get(reverse("children:transfer_detail", kwargs={"pk": transfer.pk})).content.decode()
    assert "Tran Thi Mai" in card and "Xã Bình" in card


def test_the_child_itself_is_not_its_own_duplicate(tree, officers, mai):
    transfer = child_transfer_request(child=mai, to_commune=tree["b"], reason="Chuyển nhà", by=officers["a"])
    child_transfer_accept(transfer=transfer, by=officers["b"])  # no confirmation needed
    mai.refresh_from_db()
    assert mai.commune == tree["b"] and mai.village is None


# Refusal, cancellation, bad input ---------------------------------------------------------------------


def test_a_refused_or_cancelled_request_leaves_the_child_where_it_was(client, tree, officers, mai):
    transfer = child_transfer_request(child=mai, to_commune=tree["c"], reason="Chuyển nhà", by=officers["a"])
    client.force_login(officers["c"])
    refuse = reverse("children:transfer_refuse", kwargs={"pk": transfer.pk})
    response = client.post(refuse, {"note": "", "confirmed": "1"}, follow=True)
    assert "Hãy nói lý do từ chối" in response.content.decode()
    assert ChildTransfer.objects.get().status == TransferStatus.REQUESTED
    client.post(refuse, {"note": "Gia đình chưa đến", "confirmed": "1"})
    transfer.refresh_from_db()
    mai.refresh_from_db()
    assert transfer.status == TransferStatus.REFUSED and mai.commune == tree["a"]

    again = child_transfer_request(child=mai, to_commune=tree["c"], reason="Chuyển nhà", by=officers["a"])
    with pytest.raises(ValidationError) as error:
        child_transfer_cancel(transfer=again, by=officers["c"])  # only the sender cancels
    assert error.value.code == "not_sender"
    child_transfer_cancel(transfer=again, by=officers["a"])
    again.refresh_from_db()
    assert again.status == TransferStatus.CANCELLED
    assert list(Child.objects.visible_to(officers["a"]).values_list("pk", flat=True)) == [mai.pk]


def test_bad_requests_are_refused_in_vietnamese_and_write_nothing(client, tree, officers, mai):
    before = counts()
    cases = [
        (tree["a"], "Chuyển nhà", "same_commune", "đã được đăng ký ở Xã An"),
        (tree["d2"], "Chuyển nhà", "not_commune", "không phải là cấp xã"),
        (tree["vc"], "Chuyển nhà", "not_commune", "không phải là cấp xã"),
        (None, "Chuyển nhà", "required", "Chọn xã"),
        (tree["c"], "  ", "required", "lý do"),
    ]
    for to_commune, reason, code, words in cases:
        with pytest.raises(ValidationError) as error:
            child_transfer_request(child=mai, to_commune=to_commune, reason=reason, by=officers["a"])
        found = error.value.error_dict.get("to_commune", []) + error.value.error_dict.get("reason", [])
        assert code in [e.code for e in found], code
        assert words in " ".join(error.value.messages), error.value.messages
    with pytest.raises(ValidationError) as error:  # a child outside the officer's unit
        child_transfer_request(child=mai, to_commune=tree["c"], reason="Chuyển nhà", by=officers["b"])
    assert error.value.code == "scope"
    assert counts() == before

    # The portal's form: a code no commune has.
    client.force_login(officers["a"])
    response = client.post(
        reverse("children:transfer_new", kwargs={"pk": mai.pk}), {"to_code": "99999", "reason": "Chuyển nhà"}
    )
    assert response.status_code == 200 and "Không có xã nào mang mã “99999”" in response.content.decode()
    assert counts() == before


def test_one_open_request_per_child_and_a_decision_is_taken_once(tree, officers, mai):
    transfer = child_transfer_request(child=mai, to_commune=tree["c"], reason="Chuyển nhà", by=officers["a"])
    before = counts()
    with pytest.raises(ValidationError) as error:
        child_transfer_request(child=mai, to_commune=tree["b"], reason="Chuyển nhà", by=officers["a"])
    assert error.value.code == "open" and "đang chờ" in error.value.messages[0]
    for someone_else in (officers["a"], officers["b"]):  # the sender, a third commune
        with pytest.raises(ValidationError) as error:
            child_transfer_accept(transfer=transfer, by=someone_else)
        assert error.value.code == "not_receiver"
    with pytest.raises(ValidationError) as error:  # a village of another commune
        child_transfer_accept(transfer=transfer, by=officers["c"], to_village=tree["va"])
    assert "không thuộc Xã Cường" in error.value.messages[0]
    assert counts() == before

    child_transfer_accept(transfer=transfer, by=officers["c"])
    after = counts()
    for decide in (
        lambda: child_transfer_accept(transfer=transfer, by=officers["c"]),
        lambda: child_transfer_refuse(transfer=transfer, by=officers["c"], note="Nhầm"),
        lambda: child_transfer_cancel(transfer=transfer, by=officers["a"]),
    ):
        with pytest.raises(ValidationError) as error:
            decide()
        assert error.value.code == "decided" and "đã được quyết định" in error.value.messages[0]
    assert counts() == after


def test_the_database_holds_one_open_request_per_child(tree, officers, mai):
    from django.db import IntegrityError, transaction

    child_transfer_request(child=mai, to_commune=tree["c"], reason="Chuyển nhà", by=officers["a"])
    with pytest.raises(IntegrityError), transaction.atomic():
        ChildTransfer.objects.create(
            child=mai, from_commune=tree["a"], to_commune=tree["b"], reason="x", requested_by=officers["a"]
        )


def test_the_auditor_writes_nothing(client, tree, officers, mai):
    auditor = UserFactory(role=Role.AUDITOR, unit=tree["province"])
    give_totp(auditor)  # the auditor works in the admin, with two factors
    transfer = child_transfer_request(child=mai, to_commune=tree["c"], reason="Chuyển nhà", by=officers["a"])
    before = counts()
    with pytest.raises(NotAllowed):
        child_transfer_request(child=mai, to_commune=tree["b"], reason="Chuyển nhà", by=auditor)
    for service in (child_transfer_accept, child_transfer_cancel):
        with pytest.raises(NotAllowed):
            service(transfer=transfer, by=auditor)
    client.force_login(auditor)
    assert client.get(reverse("children:transfer_detail", kwargs={"pk": transfer.pk})).status_code == 200
    for name in ("transfer_accept", "transfer_refuse", "transfer_cancel"):
        response = client.post(reverse(f"children:{name}", kwargs={"pk": transfer.pk}), {"confirmed": "1"})
        assert response.status_code == 403, name
    response = client.post(
        reverse("children:transfer_new", kwargs={"pk": mai.pk}), {"to_commune": tree["b"].pk, "reason": "x"}
    )
    assert response.status_code == 403
    assert counts() == before


def test_merging_a_record_cancels_its_open_request(tree, officers, mai):
    from children.services.duplicates import child_merge

    twin = register(officers["b"], tree["b"], name="Tran Thi Mai", confirm_not_duplicate=True)
    transfer = child_transfer_request(child=mai, to_commune=tree["c"], reason="Chuyển nhà", by=officers["a"])
    child_merge(keep=twin, remove=mai, by=staff(tree["d1"], username="canbo_huyen"))
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.CANCELLED and transfer.decided_at is not None
    assert ChildTransfer.objects.filter(child=mai).count() == 1  # the removed record keeps its history


def test_staff_read_the_transfers_of_their_unit_in_the_admin_and_change_nothing(client, tree, officers, mai):
    transfer = child_transfer_request(child=mai, to_commune=tree["c"], reason="Chuyển nhà", by=officers["a"])
    other = register(officers["b"], tree["b"], name="Đỗ Văn Khác", born=years_ago(6))
    child_transfer_request(child=other, to_commune=tree["a"], reason="Chuyển nhà", by=officers["b"])
    client.force_login(staff(tree["d2"], username="canbo_huyen_hai"))  # over C, the receiving commune
    listing = client.get(reverse("admin:children_childtransfer_changelist")).content.decode()
    assert "Trần Thị Mai" in listing and "Đỗ Văn Khác" not in listing  # B → A is not D2's
    change = reverse("admin:children_childtransfer_change", args=[transfer.pk])
    assert client.get(change).status_code == 200
    before = counts()
    assert client.post(change, {"status": TransferStatus.ACCEPTED}).status_code == 403
    assert client.get(reverse("admin:children_childtransfer_add")).status_code == 403
    assert counts() == before


def test_a_move_to_another_province_by_code_checks_that_province_under_the_two_level_tree(
    client, tree, officers, mai
):
    from fund_portal.models import UnitLevel
    from tests.factories import UnitFactory

    # Since July 2025: a province and its communes, no district between.
    other = UnitFactory(code="91", name="Tỉnh Mới", level=UnitLevel.PROVINCE, parent=None)
    x = UnitFactory(code="91001", name="Xã Xuân", level=UnitLevel.COMMUNE, parent=other)
    y = UnitFactory(code="91002", name="Xã Yên", level=UnitLevel.COMMUNE, parent=other)
    in_y = register(officer(y, username="canbo_y"), y, name="Tran Thi Mai")  # likely the same child
    register(officers["b"], tree["b"], name="Trần Thị Mai", confirm_not_duplicate=True)  # the old province
    found = child_duplicates(full_name=mai.full_name, birth_date=BORN, personal_id=None, commune=x)
    assert [c.pk for c in found] == [in_y.pk]  # the commune's parent is the province: the same area

    client.force_login(officers["a"])
    form = client.get(reverse("children:transfer_new", kwargs={"pk": mai.pk})).content.decode()
    assert "Xã Xuân" not in form  # the list holds the child's own province; another is typed by code
    client.post(
        reverse("children:transfer_new", kwargs={"pk": mai.pk}), {"to_code": "91001", "reason": "Chuyển tỉnh"}
    )
    transfer = ChildTransfer.objects.get()
    assert transfer.to_commune == x

    receiver = officer(x, username="canbo_x")
    with pytest.raises(ValidationError) as error:
        child_transfer_accept(transfer=transfer, by=receiver)
    assert error.value.code == "duplicate"
    child_transfer_accept(transfer=transfer, by=receiver, confirm_not_duplicate=True)
    assert DuplicateAlert.objects.filter(existing=in_y, commune=x).count() == 1
    assert not DuplicateAlert.objects.filter(commune=x).exclude(existing=in_y).exists()  # not B's twin
    mai.refresh_from_db()
    assert mai.commune == x
