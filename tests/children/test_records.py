"""A child's record over the years: needs and priority, yearly review, status history, consent,
support with its overlap check, sponsorship and the sponsor's anonymised page."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from children.models import Child, ChildStatus, ChildStatusChange, PriorityWeight, Support
from children.priority import priority_recompute
from children.selectors.registry import children_list, children_page
from children.services.care import needs_assess, priority_override_set, review_record
from children.services.registry import child_register, child_status_set, children_age_out, consent_set
from children.services.support import sponsorship_start, support_record
from donations.models import DisbursementStatus, RecipientKind
from donations.services.disbursements import disbursement_approve, disbursement_propose
from donations.services.donations import donation_create, donation_post
from tests.factories import DonorFactory, FundFactory, officer, staff

pytestmark = pytest.mark.django_db


def years_ago(years: int, days: int = 0) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - dt.timedelta(days=days)


def register(by, commune, name="Nguyễn Văn An", born=None, **fields):
    return child_register(
        by=by,
        full_name=name,
        birth_date=born or years_ago(8),
        sex="male",
        ethnicity="01",
        commune=commune,
        confirm_not_duplicate=True,
        **fields,
    )


@pytest.fixture
def officer_a(tree):
    return officer(tree["a"], username="canbo_a")


@pytest.fixture
def today():
    return timezone.localdate()


def test_the_priority_adds_the_weights_of_groups_poverty_and_needs_and_follows_a_weight_change(
    tree, officer_a, today
):
    child = register(
        officer_a, tree["a"], poverty="poor", circumstances=[{"group": "G01", "identified_on": today}]
    )
    assert (child.priority_score, child.priority) == (40 + 20, 60)
    needs_assess(child=child, by=officer_a, year=today.year, on=today, needs={"warm_clothes": (3, "Áo ấm")})
    child.refresh_from_db()
    assert child.priority == 60 + 5 * 3
    PriorityWeight.objects.filter(factor="poverty:poor").update(weight=50)
    priority_recompute()
    child.refresh_from_db()
    assert child.priority == 40 + 50 + 15


def test_a_priority_set_by_hand_needs_a_reason_and_leads_the_communes_list(tree, officer_a, today):
    first = register(officer_a, tree["a"], name="Lê Văn Bảo", poverty="near_poor")
    second = register(officer_a, tree["a"], name="Trần Thị Cúc", poverty="poor")
    with pytest.raises(ValidationError) as error:
        priority_override_set(child=first, by=officer_a, value=500, reason=" ")
    assert "Cần nêu lý do" in " ".join(error.value.messages)
    priority_override_set(child=first, by=officer_a, value=500, reason="Mẹ mới mất, nhà bị lũ cuốn")
    listed = children_list(user=officer_a, commune_id=tree["a"].pk, order="priority")
    page, _cursor = children_page(children=listed)
    assert [c.full_name for c in page] == ["Lê Văn Bảo", "Trần Thị Cúc"]
    assert page[0].priority_score == 10 and page[0].priority == 500
    priority_override_set(child=first, by=officer_a, value=None)
    first.refresh_from_db()
    assert first.priority == 10 and first.priority_override_reason == ""
    assert second.priority == 20


def test_the_priority_list_pages_by_cursor_without_repeating_a_child(client, tree, officer_a):
    for index in range(7):
        register(officer_a, tree["a"], name=f"Hoàng Văn Em {index}", poverty=("poor", "near_poor")[index % 2])
    client.force_login(officer_a)
    seen, after = [], ""
    while True:
        children = children_list(user=officer_a, commune_id=tree["a"].pk, order="priority")
        page, after = children_page(children=children, after=after, size=3)
        seen += [c.pk for c in page]
        if not after:
            break
    assert len(seen) == len(set(seen)) == 7
    body = client.get(reverse("children:priority")).content.decode()
    assert "Danh sách ưu tiên" in body and body.index("Hoàng Văn Em 0") < body.index("Hoàng Văn Em 1")


def test_the_name_list_pages_by_row_value_cursor_through_children_of_the_same_name(tree, officer_a):
    """Seven children of one name: the cursor's tie-break on id carries every page over the ties."""
    registered = {register(officer_a, tree["a"], name="Phạm Văn Tú").pk for _index in range(7)}
    register(officer_a, tree["a"], name="Phạm Văn Tuấn")
    seen, after = [], ""
    while True:
        page, after = children_page(children=children_list(user=officer_a), after=after, size=3)
        seen += [c.pk for c in page]
        if not after:
            break
    assert len(seen) == len(set(seen)) == 8
    assert set(seen[:7]) == registered and seen[:7] == sorted(seen[:7])


def test_the_next_page_of_the_list_to_review_follows_a_child_reviewed_meanwhile(client, tree, officer_a):
    """The cursor is the previous page's last child's id, its name read again from the officer's scope:
    an officer who reviews that child (who leaves the list of those to review) and then opens the next
    page goes on from there, not back to the first page."""
    names = [f"Đặng Văn Long {index}" for index in range(7)]
    children = {name: register(officer_a, tree["a"], name=name) for name in names}
    client.force_login(officer_a)
    first = client.get(reverse("children:list"), {"review": "pending"}).content.decode()
    assert all(name in first for name in names)
    to_review = children_list(user=officer_a, review="pending")
    page, after = children_page(children=to_review, size=3, within=Child.objects.visible_to(officer_a))
    assert [c.full_name for c in page] == names[:3] and after == str(children[names[2]].pk)
    after_reviewed = after
    review_record(child=children[names[2]], by=officer_a)
    page, after = children_page(
        children=children_list(user=officer_a, review="pending"),
        after=after,
        size=3,
        within=Child.objects.visible_to(officer_a),
    )
    assert [c.full_name for c in page] == names[3:6]
    second = client.get(
        reverse("children:list"), {"review": "pending", "after": after_reviewed}
    ).content.decode()
    assert "Đặng Văn Long 3" in second and "Đặng Văn Long 0" not in second
    # Without the scope to look in, the reviewed child is no longer a place: the first page again.
    page, _after = children_page(
        children=children_list(user=officer_a, review="pending"), after=str(children[names[2]].pk), size=3
    )
    assert [c.full_name for c in page] == names[:2] + names[3:4]
    # Another commune's child is outside the officer's scope: no place either.
    other = register(staff(tree["d1"]), tree["b"], name="Đặng Văn Long 5b")
    page, _after = children_page(
        children=to_review, after=str(other.pk), size=3, within=Child.objects.visible_to(officer_a)
    )
    assert [c.full_name for c in page] == names[:2] + names[3:4]


def test_the_yearly_review_list_shows_who_is_not_reviewed_yet(client, tree, officer_a):
    done = register(officer_a, tree["a"], name="Lê Văn Bảo")
    register(officer_a, tree["a"], name="Trần Thị Cúc")
    review_record(child=done, by=officer_a, note="Gia đình vẫn ở thôn 1")
    with pytest.raises(ValidationError) as error:
        review_record(child=done, by=officer_a)
    assert "đã được rà soát" in error.value.messages[0]
    client.force_login(officer_a)
    body = client.get(reverse("children:list"), {"review": "pending"}).content.decode()
    assert "Trần Thị Cúc" in body and "Lê Văn Bảo" not in body
    assert "1 trên 2 trẻ đã rà soát" in body


def test_filters_by_poverty_need_and_age(tree, officer_a, today):
    small = register(officer_a, tree["a"], name="Lê Văn Bảo", born=years_ago(3), poverty="poor")
    register(officer_a, tree["a"], name="Trần Thị Cúc", born=years_ago(12))
    needs_assess(child=small, by=officer_a, year=today.year, on=today, needs={"nutrition_health": (2, "")})

    def names(**filters):
        return {c.full_name for c in children_list(user=officer_a, **filters)}

    assert names(poverty="poor") == {"Lê Văn Bảo"}
    assert names(need="nutrition_health") == {"Lê Văn Bảo"}
    assert names(min_age=10) == {"Trần Thị Cúc"}
    assert names(max_age=3) == {"Lê Văn Bảo"}
    assert names(min_age=4, max_age=11) == set()


def test_status_changes_keep_their_history_and_an_adult_cannot_come_back(tree, officer_a, today):
    child = register(officer_a, tree["a"])
    with pytest.raises(ValidationError) as error:
        child_status_set(child=child, by=officer_a, status=ChildStatus.MOVED, on=today, reason="")
    assert "lý do" in " ".join(error.value.messages)
    child_status_set(
        child=child, by=officer_a, status=ChildStatus.MOVED, on=today, reason="Theo mẹ vào Bình Dương"
    )
    child_status_set(child=child, by=officer_a, status=ChildStatus.ACTIVE, on=today, reason="Đã về")
    history = list(child.status_changes.order_by("id").values_list("status_from", "status_to"))
    assert history == [("", "active"), ("active", "moved"), ("moved", "active")]

    old = register(officer_a, tree["a"], name="Phạm Văn Đức", born=years_ago(16, days=-3))
    assert children_age_out(today=today + dt.timedelta(days=3)) == 1
    old.refresh_from_db()
    assert old.status == ChildStatus.AGED_OUT
    assert ChildStatusChange.objects.filter(child=old, status_to="aged_out").count() == 1


def test_withdrawing_the_story_consent_hides_the_story_at_once(client, tree, officer_a, today):
    district = staff(tree["d1"], username="lan")
    child = register(officer_a, tree["a"], name="Nguyễn Thị Hoa", data_consent=True)
    consent_set(child=child, by=officer_a, data_consent=True, story_consent=True, story="Em thích vẽ tranh.")
    donor = DonorFactory(unit=tree["d1"], name="Công ty Hạnh Phúc")
    sponsorship = sponsorship_start(
        by=district, donor=donor, child=child, starts_on=today, monthly_amount=500_000
    )
    page = reverse("sponsorship:progress", args=[sponsorship.token])
    body = client.get(page).content.decode()
    assert "Em thích vẽ tranh." in body and "H." in body
    assert "Nguyễn Thị Hoa" not in body and "Xã An" in body
    consent_set(child=child, by=officer_a, data_consent=True, story_consent=False)
    body = client.get(page).content.decode()
    assert "Em thích vẽ tranh." not in body
    assert child.consent_recorded_by is not None


def test_a_sponsors_page_shows_deliveries_but_never_the_name_address_id_or_a_sensitive_group(
    client, tree, officer_a, today
):
    from children.models import Circumstance

    district = staff(tree["d1"], username="lan")
    child = register(
        officer_a,
        tree["a"],
        name="Nguyễn Văn Toàn",
        personal_id="038212345678",
        address="Số 5 ngõ 12 thôn Đông",
        guardian_name="Nguyễn Thị Mai",
    )
    Circumstance.objects.create(child=child, group="G05", identified_on=today)
    donor = DonorFactory(unit=tree["d1"], name="Bà Lê Thị Thu")
    sponsorship = sponsorship_start(
        by=district, donor=donor, child=child, starts_on=today, monthly_amount=500_000
    )
    support_record(
        by=officer_a,
        child=child,
        kind="cash",
        value=500_000,
        delivered_on=today,
        source="sponsorship",
        sponsorship=sponsorship,
    )
    body = client.get(reverse("sponsorship:progress", args=[sponsorship.token])).content.decode()
    assert "500.000 ₫" in body and "T." in body
    for secret in ("Nguyễn Văn Toàn", "038212345678", "Số 5 ngõ 12", "Nguyễn Thị Mai", "HIV"):
        assert secret not in body
    assert Support.objects.get().donor == donor
    assert client.get("/sponsor/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_the_same_support_twice_in_a_campaign_or_period_is_flagged_until_confirmed(tree, officer_a, today):
    child = register(officer_a, tree["a"])
    fields = {
        "child": child,
        "kind": "warm_clothes",
        "value": 300_000,
        "delivered_on": today,
        "source": "fund",
    }
    support_record(by=officer_a, **fields)
    with pytest.raises(ValidationError) as error:
        support_record(by=officer_a, **fields)
    assert error.value.code == "overlap" and "đồ ấm" in error.value.messages[0].lower()
    support_record(by=officer_a, confirm_overlap=True, **fields)
    support_record(by=officer_a, **{**fields, "kind": "school_supplies"})
    assert Support.objects.filter(child=child).count() == 3


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"delivered_on": "future"}, "delivered_on", "tương lai"),
        ({"value": -1}, "value", "số đồng"),
        ({"quantity": 0}, "quantity", "ít nhất là 1"),
        ({"source": "campaign"}, "campaign", "chiến dịch"),
    ],
)
def test_bad_support_is_refused_in_vietnamese_and_nothing_is_written(
    tree, officer_a, today, change, field, message
):
    child = register(officer_a, tree["a"])
    fields = {"child": child, "kind": "gift", "value": 100_000, "delivered_on": today, "source": "fund"}
    fields.update(change)
    if fields["delivered_on"] == "future":
        fields["delivered_on"] = today + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        support_record(by=officer_a, **fields)
    assert message in " ".join(error.value.message_dict[field])
    assert not Support.objects.exists()


def test_support_for_a_child_of_another_commune_is_refused(tree, officer_a, today):
    other = register(officer(tree["b"]), tree["b"], name="Lê Thị Cúc")
    with pytest.raises(ValidationError):
        support_record(by=officer_a, child=other, kind="gift", value=1, delivered_on=today, source="fund")
    assert not Support.objects.exists()


def test_support_paid_by_the_fund_names_an_approved_disbursement_and_never_exceeds_it(tree, officer_a, today):
    district, checker = staff(tree["d1"], username="lan"), staff(tree["d1"], username="minh")
    fund = FundFactory(unit=tree["d1"], code="huyen-mot")
    donation_post(donation=donation_create(fund=fund, amount=1_000_000, received_on=today), by=district)
    disbursement = disbursement_propose(
        by=district,
        fund=fund,
        amount=600_000,
        spent_on=today,
        purpose="Áo ấm mùa đông",
        recipient_kind=RecipientKind.CHILDREN,
        recipient_unit=tree["a"],
    )
    child = register(officer_a, tree["a"])
    fields = {"child": child, "kind": "warm_clothes", "delivered_on": today, "source": "fund"}
    with pytest.raises(ValidationError) as error:
        support_record(by=officer_a, disbursement=disbursement, value=300_000, **fields)
    assert "chưa được duyệt" in " ".join(error.value.messages)
    disbursement_approve(disbursement=disbursement, by=checker)
    disbursement.refresh_from_db()
    assert disbursement.status == DisbursementStatus.APPROVED
    support_record(by=officer_a, disbursement=disbursement, value=400_000, **fields)
    second = register(officer_a, tree["a"], name="Lê Văn Bảo")
    with pytest.raises(ValidationError) as error:
        support_record(by=officer_a, disbursement=disbursement, value=300_000, **{**fields, "child": second})
    assert "600.000 ₫" in " ".join(error.value.messages) and "700.000 ₫" in " ".join(error.value.messages)
    assert Support.objects.get().disbursement == disbursement


def test_commune_level_support_needs_no_child(client, tree, officer_a, today):
    client.force_login(officer_a)
    response = client.post(
        reverse("children:support_commune"),
        {
            "commune": tree["a"].pk,
            "kind": "play_equipment",
            "quantity": 1,
            "value": "25.000.000",
            "delivered_on": today.strftime("%d/%m/%Y"),
            "source": "state_budget",
        },
    )
    assert response.status_code == 302
    support = Support.objects.get()
    assert support.child is None and support.commune == tree["a"] and support.value == 25_000_000


def test_an_officer_works_through_the_childs_page(client, tree, officer_a, today):
    client.force_login(officer_a)
    response = client.post(
        reverse("children:new"),
        {
            "full_name": "Đinh Thị Lan",
            "birth_date": years_ago(7).strftime("%d/%m/%Y"),
            "sex": "female",
            "ethnicity": "01",
            "commune": tree["a"].pk,
            "poverty": "poor",
            "groups": ["G02"],
        },
    )
    assert response.status_code == 302, response.content.decode()
    child = Child.objects.get(full_name="Đinh Thị Lan")
    assert child.priority == 40 + 20
    assert (
        client.post(
            reverse("children:needs", args=[child.pk]),
            {
                "assessed_on": today.strftime("%d/%m/%Y"),
                "urgency_warm_clothes": "3",
                "note_warm_clothes": "Cỡ 120",
            },
        ).status_code
        == 302
    )
    support = {
        "kind": "warm_clothes",
        "quantity": 1,
        "value": "250.000",
        "delivered_on": today.strftime("%d/%m/%Y"),
        "source": "fund",
    }
    assert client.post(reverse("children:support_new", args=[child.pk]), support).status_code == 302
    again = client.post(reverse("children:support_new", args=[child.pk]), support)
    assert again.status_code == 200 and "đã nhận" in again.content.decode()
    assert (
        client.post(reverse("children:review", args=[child.pk]), {"outcome": "confirmed"}).status_code == 302
    )
    body = client.get(child.get_absolute_url()).content.decode()
    for text in (
        "Đồ ấm",
        "250.000 ₫",
        "Cao",
        "Trẻ em bị bỏ rơi",
        "Đã xác nhận không thay đổi",
        # No score without the permission to see sensitive data (tests/security/test_priority_privacy.py).
        "Ưu tiên: số 1 trong 1 của danh sách xã",
    ):
        assert text in body, text
    edit = client.post(
        reverse("children:edit", args=[child.pk]),
        {
            "full_name": "Đinh Thị Lan",
            "birth_date": years_ago(7).strftime("%d/%m/%Y"),
            "sex": "female",
            "ethnicity": "01",
            "commune": tree["a"].pk,
            "poverty": "none",
        },
    )
    assert edit.status_code == 302
    child.refresh_from_db()
    assert child.priority == 40 + 15


def test_an_officer_cannot_touch_a_child_of_another_commune(client, tree, officer_a):
    other = register(officer(tree["b"]), tree["b"], name="Lê Thị Cúc")
    client.force_login(officer_a)
    for name in ("edit", "needs", "review", "status", "consent", "support_new", "priority_override", "photo"):
        assert client.get(reverse(f"children:{name}", args=[other.pk])).status_code == 404, name
    assert (
        client.post(reverse("children:review", args=[other.pk]), {"outcome": "confirmed"}).status_code == 404
    )


def test_recording_a_sensitive_group_needs_the_permission(tree, officer_a, today):
    from children.services.registry import circumstance_add

    child = register(officer_a, tree["a"])
    with pytest.raises(ValidationError) as error:
        circumstance_add(child=child, by=officer_a, group="G11", identified_on=today)
    assert "quyền" in " ".join(error.value.messages)
    with pytest.raises(ValidationError) as error:
        circumstance_add(child=child, by=officer_a, group="G99", identified_on=today)
    assert "G99" in " ".join(error.value.messages)
    officer_a.user_permissions.add(Permission.objects.get(codename="view_sensitive"))
    officer_a = type(officer_a).objects.get(pk=officer_a.pk)
    circumstance_add(child=child, by=officer_a, group="G11", identified_on=today)
    child.refresh_from_db()
    assert child.priority == 40


def test_a_sponsor_finds_the_progress_page_from_their_donations(client, tree, officer_a, today):
    from fund_portal.models import Role
    from tests.factories import UserFactory

    account = UserFactory(username="nhahaotam", role=Role.DONOR, unit=None)
    donor = DonorFactory(unit=tree["d1"], name="Nguyễn Thu Hà", user=account)
    child = register(officer_a, tree["a"], name="Nguyễn Văn Toàn")
    sponsorship = sponsorship_start(
        by=staff(tree["d1"], username="lan"),
        donor=donor,
        child=child,
        starts_on=today,
        goods="Sữa và sách vở",
    )
    client.force_login(account)
    body = client.get(reverse("donations:mine")).content.decode()
    assert "Trẻ em bạn đỡ đầu" in body and str(sponsorship.token) in body
    assert "Nguyễn Văn Toàn" not in body


def test_money_restricted_to_a_merged_record_stays_spendable_for_the_kept_child(tree, officer_a, today):
    from children.services.duplicates import child_merge
    from donations.models import Donation, RestrictionKind
    from donations.selectors.balances import available_balance

    district = staff(tree["d1"], username="lan")
    fund = FundFactory(unit=tree["d1"], code="huyen-mot")
    kept = register(officer_a, tree["a"], name="Nguyễn Văn An")
    removed = register(officer_a, tree["a"], name="Nguyen Van Anh")
    donation_post(
        donation=donation_create(
            fund=fund,
            amount=700_000,
            received_on=today,
            restriction=RestrictionKind.SPONSORSHIP,
            restriction_child_id=removed.pk,
        ),
        by=district,
    )
    like = Donation(restriction=RestrictionKind.SPONSORSHIP, restriction_child_id=kept.pk)
    assert available_balance(fund=fund, like=like) == 0
    child_merge(keep=kept, remove=removed, by=district, reason="Trùng hồ sơ")
    assert available_balance(fund=fund, like=like) == 700_000


def test_a_merge_leaves_one_gift_for_a_child_listed_twice_and_the_handover_works(tree, officer_a, today):
    from campaigns.models import Campaign, GiftListEntry
    from campaigns.services.campaigns import campaign_save
    from campaigns.services.gift_lists import gift_list_build, gift_list_handover
    from children.services.duplicates import child_merge

    district = staff(tree["d1"], username="lan")
    campaign = campaign_save(
        campaign=Campaign(
            name="Tết Trung thu",
            slug="trung-thu",
            kind="mid_autumn",
            unit=tree["d1"],
            starts_on=today - dt.timedelta(days=5),
            ends_on=today + dt.timedelta(days=5),
        ),
        by=district,
        communes=[tree["a"]],
    )
    kept = register(officer_a, tree["a"], name="Nguyễn Văn An", poverty="poor")
    removed = register(officer_a, tree["a"], name="Nguyen Van Anh", poverty="poor")
    gift_list = gift_list_build(campaign=campaign, by=district, kind="gift", value=150_000, count=10)
    assert GiftListEntry.objects.filter(gift_list=gift_list).count() == 2
    child_merge(keep=kept, remove=removed, by=district, reason="Trùng hồ sơ")
    assert list(GiftListEntry.objects.filter(gift_list=gift_list).values_list("child", flat=True)) == [
        kept.pk
    ]
    supports = gift_list_handover(gift_list=gift_list, by=district, delivered_on=today)
    assert [s.child_id for s in supports] == [kept.pk]


def test_the_sponsorship_admin_shows_the_services_refusal_and_writes_nothing(client, tree, officer_a, today):
    from children.models import Sponsorship

    district = staff(tree["d1"], username="lan")
    child = register(officer_a, tree["a"], name="Trần Thị Cúc")
    donor = DonorFactory(unit=tree["d1"], name="Ông Phạm Văn Đức")
    sponsorship_start(by=district, donor=donor, child=child, starts_on=today, monthly_amount=300_000)
    client.force_login(district)
    form = {
        "donor": donor.pk,
        "child": child.pk,
        "starts_on": today.strftime("%d/%m/%Y"),
        "monthly_amount": "400000",
        "goods": "",
        "note": "",
    }
    response = client.post(reverse("admin:children_sponsorship_add"), form)
    assert response.status_code == 200  # the form again, with the service's reason
    assert "đã đỡ đầu" in response.content.decode() or "already sponsors" in response.content.decode()
    assert Sponsorship.objects.count() == 1

    other = register(officer_a, tree["a"], name="Trần Văn Lộc")
    response = client.post(reverse("admin:children_sponsorship_add"), {**form, "child": other.pk})
    assert response.status_code == 302
    assert Sponsorship.objects.filter(child=other, donor=donor, monthly_amount=400_000).count() == 1
