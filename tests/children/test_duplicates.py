"""Children registered twice: the typo rules, the check on registration, the district's list, the merge."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from children.duplicates import (
    date_variants,
    dates_close,
    edit_distance,
    names_close,
    pairs_find,
)
from children.models import (
    AccessLog,
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
)
from children.selectors.duplicates import child_duplicates, likely_duplicates
from children.services.duplicates import child_merge, duplicate_dismiss
from children.services.registry import access_log, child_register
from donations.models import Disbursement, Donation, LedgerEntry
from donations.services.disbursements import disbursement_propose
from donations.services.donations import donation_create, donation_post
from fund_portal.models import Role
from tests.factories import DonorFactory, FundFactory, UserFactory, officer, staff

pytestmark = pytest.mark.django_db

BORN = dt.date(2015, 3, 12)


# The pure rules -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "a,b",
    [
        ("nguyen van an", "nguyen van anh"),  # a letter added to the given name
        ("nguyen van an", "nguyen van an"),
        ("ngyuen van an", "nguyen van an"),  # two neighbouring letters swapped
        ("nguyen vn an", "nguyen van an"),  # a letter dropped from the middle name
        ("nguyen van lam", "ngyuen van lan"),  # one edit in the given name, one elsewhere
        ("tran thi thu hang", "tran thi thu hanh"),
    ],
)
def test_names_with_a_typo_match(a, b):
    assert names_close(a, b) and names_close(b, a)


@pytest.mark.parametrize(
    "a,b",
    [
        ("nguyen van an", "tran thi binh"),
        ("nguyen thi lan", "nguyen thi linh"),  # two edits in the given name make another name
        ("nguyen van an", "nguyen van ha"),
        ("nguyen van an", "nguyen thi an"),  # three edits
        ("le van an", "le van anh thu"),
    ],
)
def test_different_names_do_not_match(a, b):
    assert not names_close(a, b) and not names_close(b, a)


def test_a_swap_of_neighbouring_letters_is_one_edit():
    assert edit_distance("nguyen", "ngyuen") == 1
    assert edit_distance("an", "anh") == 1
    assert edit_distance("nguyen van an", "tran thi binh", limit=2) == 3


@pytest.mark.parametrize(
    "other",
    [
        dt.date(2015, 12, 3),  # day and month swapped
        dt.date(2016, 3, 12),  # one digit of the year
        dt.date(2005, 3, 12),
        dt.date(2015, 3, 21),  # the day's digits swapped
        dt.date(2015, 3, 13),  # one day apart
        dt.date(2015, 3, 9),  # three days apart
        dt.date(2015, 3, 22),  # one digit of the day
        dt.date(2015, 8, 12),  # one digit of the month
    ],
)
def test_dates_of_birth_with_a_typo_match(other):
    assert dates_close(BORN, other) and dates_close(other, BORN)
    assert other in date_variants(BORN)


@pytest.mark.parametrize(
    "other", [BORN, dt.date(2015, 3, 25), dt.date(2014, 6, 1), dt.date(2016, 4, 12), dt.date(2012, 12, 3)]
)
def test_other_dates_of_birth_do_not_match(other):
    assert not dates_close(BORN, other)
    assert other not in date_variants(BORN)


def test_the_dates_looked_up_on_registration_are_exactly_the_close_dates():
    start = dt.date(2010, 1, 1)
    for born in (BORN, dt.date(2012, 2, 29), dt.date(2020, 12, 31), dt.date(2011, 1, 1)):
        variants = date_variants(born)
        everyday = {start + dt.timedelta(days=n) for n in range(6000)}
        assert {d for d in everyday if dates_close(born, d)} == variants & everyday
        assert all(dates_close(d, born) for d in variants)


def test_pairs_are_found_within_a_district_only_and_two_personal_ids_part_only_similar_names_or_dates():
    rows = [
        (1, "nguyen van an", BORN, None, 10),
        (2, "nguyen van anh", BORN, None, 10),
        (3, "nguyen van an", dt.date(2015, 12, 3), None, 10),
        (4, "nguyen van an", BORN, None, 20),  # another district
        (5, "tran thi binh", BORN, "038100000001", 10),
        (6, "tran thi binh", BORN, "038100000002", 10),  # same name and date: listed whatever the IDs
        (7, "le van nam", BORN, "038100000003", 10),
        (8, "le van nam", BORN + dt.timedelta(days=1), "038100000004", 10),  # another ID, close date
        (9, "le van nma", BORN, "038100000005", 10),  # another ID, close name
    ]
    assert pairs_find(rows) == {
        (1, 2): "close_name",
        (1, 3): "close_date",
        (5, 6): "same_other_id",
    }


# Registration ---------------------------------------------------------------------------------------


def years_ago(years: int) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=min(today.day, 28))


def register(by, commune, name="Nguyễn Văn An", born=None, **fields) -> Child:
    return child_register(
        by=by,
        full_name=name,
        birth_date=born or years_ago(8),
        sex="male",
        ethnicity="01",
        commune=commune,
        **fields,
    )


@pytest.fixture
def officer_a(tree):
    return officer(tree["a"], username="canbo_a")


@pytest.fixture
def officer_b(tree):
    return officer(tree["b"], username="canbo_b")


@pytest.fixture
def district_staff(tree):
    return staff(tree["d1"], username="canbo_huyen")


def test_registering_a_close_match_is_refused_unless_the_officer_confirms(tree, officer_a, officer_b):
    born = years_ago(8)
    register(officer_a, tree["a"], name="Nguyễn Văn An", born=born)
    with pytest.raises(ValidationError) as error:
        register(officer_b, tree["b"], name="Nguyen Van Anh", born=born)  # same district, other commune
    assert error.value.code == "duplicate"
    # The record is in commune A, which officer B does not see: neither its name nor its commune is told.
    assert "Nguyễn Văn An" not in error.value.messages[0] and "Xã An" not in error.value.messages[0]
    assert "ngoài đơn vị của bạn" in error.value.messages[0]
    swapped = (
        born.replace(month=born.day, day=born.month) if born.day <= 12 and born.day != born.month else None
    )
    typo_date = swapped or born + dt.timedelta(days=2)
    with pytest.raises(ValidationError):
        register(officer_b, tree["b"], name="Nguyễn Văn An", born=typo_date)
    assert Child.objects.count() == 1
    register(officer_b, tree["b"], name="Nguyen Van Anh", born=born, confirm_not_duplicate=True)
    register(officer(tree["c"]), tree["c"], name="Nguyễn Văn Anh", born=born)  # another district
    assert Child.objects.count() == 3


def test_each_likely_duplicate_says_why_in_vietnamese(tree, officer_a):
    born = years_ago(8)
    by_id = register(officer_a, tree["a"], name="Lê Thị Hoa", born=years_ago(5), personal_id="038123456789")
    same = register(officer_a, tree["a"], name="Nguyễn Văn An", born=born)
    close_name = register(officer_a, tree["a"], name="Nguyễn Văn Anh", born=born, confirm_not_duplicate=True)
    close_date = register(
        officer_a,
        tree["a"],
        name="Nguyễn Văn An",
        born=born - dt.timedelta(days=1),
        confirm_not_duplicate=True,
    )
    found = child_duplicates(
        full_name="nguyen van an", birth_date=born, personal_id="038123456789", commune=tree["b"]
    )
    assert [(c.pk, c.duplicate_reason) for c in found] == [
        (by_id.pk, "cùng mã định danh"),
        (same.pk, "cùng họ tên và ngày sinh"),
        (close_name.pk, "họ tên gần giống, cùng ngày sinh"),
        (close_date.pk, "cùng họ tên, ngày sinh gần giống"),
    ]
    found = child_duplicates(
        full_name="Nguyễn Văn An", birth_date=born, personal_id=None, commune=tree["a"], exclude_pk=same.pk
    )
    assert same not in found and close_name in found


# The district's list, dismissal and merge -----------------------------------------------------------


@pytest.fixture
def twins_of_record(tree, officer_a, officer_b):
    """One child registered twice, in two communes of district 1, with support and history on both."""
    born = years_ago(9)
    keep = register(officer_a, tree["a"], name="Phạm Minh Khôi", born=born, village=tree["va"])
    remove = register(
        officer_b,
        tree["b"],
        name="Pham Minh Khoi",
        born=born,
        confirm_not_duplicate=True,
        personal_id="038215006789",
        guardian_name="Phạm Văn Lực",
        school="Trường Tiểu học Bình",
    )
    return keep, remove


def _history(child: Child, commune, *, by, donor, year: int, groups, urgencies) -> None:
    today = timezone.localdate()
    for group in groups:
        Circumstance.objects.create(child=child, group=group, identified_on=today - dt.timedelta(days=30))
    for area, urgency in urgencies.items():
        Need.objects.create(child=child, year=year, area=area, urgency=urgency, assessed_on=today)
    Review.objects.create(child=child, year=year, reviewed_on=today, outcome="confirmed")
    Support.objects.create(
        child=child, commune=commune, kind="gift", value=200_000, delivered_on=today, source="fund"
    )
    Sponsorship.objects.create(donor=donor, child=child, starts_on=today, monthly_amount=300_000)
    Incident.objects.create(
        commune=commune,
        child=child,
        kind="injury",
        occurred_at=timezone.now(),
        reported_at=timezone.now(),
        description="Ngã xe đạp",
    )
    access_log(user=by, action="view", child=child)


def test_a_merge_moves_every_support_and_history_to_the_kept_record(
    tree, twins_of_record, district_staff, officer_a
):
    keep, remove = twins_of_record
    year = timezone.localdate().year
    donor = DonorFactory(unit=tree["province"])
    _history(
        keep, tree["a"], by=officer_a, donor=donor, year=year, groups=["G01"], urgencies={"education": 1}
    )
    _history(
        remove,
        tree["b"],
        by=district_staff,
        donor=donor,
        year=year,
        groups=["G01", "G04"],
        urgencies={"education": 3, "play": 2},
    )
    Review.objects.create(child=remove, year=year - 1, reviewed_on=timezone.localdate(), outcome="updated")
    fund = FundFactory(unit=tree["d1"])
    restricted = {"restriction": "sponsorship", "restriction_child_id": remove.pk}
    donation = donation_post(
        donation=donation_create(fund=fund, amount=500_000, received_on=timezone.localdate(), **restricted),
        by=None,
    )
    disbursement = disbursement_propose(
        by=district_staff,
        fund=fund,
        amount=300_000,
        spent_on=timezone.localdate(),
        purpose="Đỡ đầu",
        **restricted,
    )
    before_priority = keep.priority_score

    kept = child_merge(keep=keep, remove=remove, by=district_staff, reason="Đăng ký hai lần ở hai xã.")

    remove.refresh_from_db()
    assert remove.status == ChildStatus.MERGED and remove.merged_into == kept
    assert (
        Support.objects.filter(child=kept).count() == 2 and not Support.objects.filter(child=remove).exists()
    )
    assert Sponsorship.objects.filter(child=kept).count() == 2
    assert Incident.objects.filter(child=kept).count() == 2
    assert set(Circumstance.objects.filter(child=kept).values_list("group", flat=True)) == {"G01", "G04"}
    assert dict(Need.objects.filter(child=kept).values_list("area", "urgency")) == {"education": 3, "play": 2}
    assert sorted(Review.objects.filter(child=kept).values_list("year", flat=True)) == [year - 1, year]
    # Nothing deleted: the rows the kept record already had for the same key stay on the merged one.
    assert Circumstance.objects.count() == 3 and Need.objects.count() == 3 and Review.objects.count() == 3
    assert AccessLog.objects.filter(child=remove, user=district_staff).exists()
    assert AccessLog.objects.filter(child=kept, user=officer_a).exists()
    assert kept.personal_id == "038215006789" and remove.personal_id is None
    assert kept.guardian_name == "Phạm Văn Lực" and kept.school == "Trường Tiểu học Bình"
    assert kept.village == tree["va"]
    assert kept.priority_score > before_priority
    change = ChildStatusChange.objects.get(child=remove, status_to=ChildStatus.MERGED)
    assert change.status_from == ChildStatus.ACTIVE and change.by == district_staff
    assert "Phạm Minh Khôi" in change.reason and str(kept.pk) in change.reason
    assert Donation.objects.get(pk=donation.pk).restriction_child_id == kept.pk
    assert Disbursement.objects.get(pk=disbursement.pk).restriction_child_id == kept.pk
    assert set(LedgerEntry.objects.values_list("restriction_child_id", flat=True)) == {
        remove.pk
    }  # append-only
    assert remove not in Child.objects.active()
    assert likely_duplicates(user=district_staff) == []


def test_the_district_list_shows_a_pair_until_it_is_dismissed(tree, twins_of_record, district_staff):
    keep, remove = twins_of_record
    pairs = likely_duplicates(user=district_staff)
    assert [(p.left, p.right, p.reason) for p in pairs] == [(keep, remove, "cùng họ tên và ngày sinh")]
    assert likely_duplicates(user=staff(tree["d2"])) == []
    duplicate_dismiss(child_a=remove, child_b=keep, by=district_staff)
    duplicate_dismiss(child_a=keep, child_b=remove, by=district_staff)
    dismissal = DuplicateDismissal.objects.get()
    assert (dismissal.child_a_id, dismissal.child_b_id) == (keep.pk, remove.pk)
    assert likely_duplicates(user=district_staff) == []


def test_a_merge_is_refused_across_districts_outside_scope_into_itself_and_twice(
    tree, twins_of_record, district_staff
):
    keep, remove = twins_of_record
    far = register(officer(tree["c"]), tree["c"], name="Phạm Minh Khôi", born=keep.birth_date)
    province_staff = staff(tree["province"])
    with pytest.raises(ValidationError) as error:
        child_merge(keep=keep, remove=far, by=province_staff)
    assert error.value.code == "district" and "cùng một huyện" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        child_merge(keep=keep, remove=far, by=district_staff)
    assert error.value.code == "scope" and "ngoài đơn vị" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        child_merge(keep=keep, remove=keep, by=district_staff)
    assert error.value.code == "same"
    child_merge(keep=keep, remove=remove, by=district_staff)
    with pytest.raises(ValidationError) as error:
        child_merge(keep=keep, remove=remove, by=district_staff)
    assert error.value.code == "merged" and "đã được gộp" in error.value.messages[0]
    assert not ChildStatusChange.objects.filter(child=far, status_to=ChildStatus.MERGED).exists()


def test_two_records_with_different_personal_ids_are_listed_but_not_merged(tree, officer_a, district_staff):
    born = years_ago(6)
    one = register(officer_a, tree["a"], name="Vũ Thị Mai", born=born, personal_id="038100000001")
    two = register(
        officer_a,
        tree["a"],
        name="Vũ Thị Mai",
        born=born,
        personal_id="038100000002",
        confirm_not_duplicate=True,
    )
    (pair,) = likely_duplicates(user=district_staff)  # listed to be looked at...
    assert pair.code == "same_other_id"
    with pytest.raises(ValidationError) as error:  # ...but merged only once the wrong ID is cleared
        child_merge(keep=one, remove=two, by=district_staff)
    assert error.value.code == "personal_id"


# The admin ------------------------------------------------------------------------------------------


def test_district_staff_compare_a_pair_in_the_admin_and_merge_it(
    client, tree, twins_of_record, district_staff
):
    keep, remove = twins_of_record
    Support.objects.create(
        child=remove,
        commune=tree["b"],
        kind="cash",
        value=1,
        delivered_on=timezone.localdate(),
        source="fund",
    )
    client.force_login(district_staff)
    url = reverse("admin:children_child_duplicates")
    page = client.get(url).content.decode()
    assert "Hồ sơ trẻ em có khả năng trùng lặp" in page
    assert "Phạm Minh Khôi" in page and "Pham Minh Khoi" in page
    assert "••••••••6789" in page and "038215006789" not in page
    assert "Phạm Văn Lực" in page and "cùng họ tên và ngày sinh" in page
    assert "Gộp vào hồ sơ bên trái" in page and "Không phải cùng một trẻ" in page
    decision = {"action": "merge_left", "left": keep.pk, "right": remove.pk}
    confirm = client.post(url, decision).content.decode()  # a merge cannot be undone: asked once more
    assert "không thể hoàn tác" in confirm and "Phạm Minh Khôi" in confirm and "••••••••6789" in confirm
    remove.refresh_from_db()
    assert remove.merged_into is None
    response = client.post(url, {**decision, "confirmed": "on"}, follow=True)
    assert "đã được gộp vào hồ sơ của Phạm Minh Khôi" in response.content.decode()
    remove.refresh_from_db()
    assert remove.merged_into == keep and Support.objects.get().child == keep
    assert "Không có hồ sơ trẻ em nào có khả năng trùng lặp." in client.get(url).content.decode()


def test_staff_mark_a_pair_as_two_children_in_the_admin(client, tree, twins_of_record, district_staff):
    keep, remove = twins_of_record
    client.force_login(district_staff)
    url = reverse("admin:children_child_duplicates")
    response = client.post(url, {"action": "dismiss", "left": keep.pk, "right": remove.pk}, follow=True)
    assert "là hai trẻ em khác nhau" in response.content.decode()
    assert DuplicateDismissal.objects.filter(child_a=keep, child_b=remove, by=district_staff).exists()
    assert Child.objects.active().count() == 2


def test_the_duplicates_page_needs_the_change_permission_and_the_scope(client, tree, twins_of_record):
    keep, remove = twins_of_record
    auditor = UserFactory(role=Role.AUDITOR, unit=tree["d1"])
    from tests.factories import give_totp

    give_totp(auditor)
    client.force_login(auditor)
    url = reverse("admin:children_child_duplicates")
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "merge_left", "left": keep.pk, "right": remove.pk}).status_code == 403
    client.force_login(staff(tree["d2"]))
    assert client.post(url, {"action": "merge_left", "left": keep.pk, "right": remove.pk}).status_code == 404
    assert Child.objects.active().count() == 2


def test_every_table_pointing_at_a_child_is_considered_by_the_merge():
    from campaigns.models import GiftListEntry

    """A new table with a link to a child must be added to `child_merge` (moved, or kept on purpose)."""
    handled = {
        Circumstance,  # moved unless the kept record has the group
        Need,  # moved unless the kept record has the year and area (the higher urgency wins)
        Review,  # moved unless the kept record has the year
        Support,
        Sponsorship,
        Incident,
        AccessLog,  # stays: who looked at which record
        ChildStatusChange,  # stays: the removed record's own history
        DuplicateDismissal,  # stays: a decision about that record
        Child,  # merged_into
        GiftListEntry,  # moved; a draft line on a list the kept record is on is dropped
        ConsentChange,  # stays: the removed record's own history (a withdrawal carries over)
        DuplicateAlert,  # stays: staff's alert names the record as it was typed and found
        ChildTransfer,  # stays: the removed record's moves; its open request is cancelled
    }
    relations = Child._meta.get_fields(include_hidden=True)
    assert {f.related_model for f in relations if f.auto_created and not f.concrete} == handled
