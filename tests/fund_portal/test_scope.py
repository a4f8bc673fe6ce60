"""The scope matrix: who sees which units and accounts, by URL, by id, in the portal and the admin."""

import re

import pytest
from django.urls import reverse

from fund_portal.models import AdministrativeUnit, Role, User
from fund_portal.scope import units_in_reach, visible_unit_ids
from tests.factories import UserFactory, officer, register_child, staff

pytestmark = pytest.mark.django_db


def portal_urls_for(unit):
    return [
        reverse("portal:unit_detail", kwargs={"code": unit.code}),
        reverse("portal:unit_by_id", kwargs={"pk": unit.pk}),
    ]


def test_officer_of_commune_a_gets_404_for_every_unit_of_commune_b_by_code_and_by_id(client, tree):
    client.force_login(officer(tree["a"]))
    for key in ("b", "vb", "c", "vc", "d1", "d2", "province"):
        for url in portal_urls_for(tree[key]):
            response = client.get(url)
            assert response.status_code == 404, (key, url)
            assert tree[key].name not in response.content.decode()


def test_officer_of_commune_a_opens_own_commune_and_its_villages(client, tree):
    client.force_login(officer(tree["a"]))
    for key in ("a", "va"):
        response = client.get(portal_urls_for(tree[key])[0])
        assert response.status_code == 200
        assert tree[key].name in response.content.decode()
    assert client.get(portal_urls_for(tree["va"])[1]).status_code == 302


def test_portal_dashboard_lists_only_units_under_the_officers_commune(client, tree):
    client.force_login(officer(tree["a"]))
    body = client.get(reverse("portal:dashboard")).content.decode()
    assert tree["va"].name in body
    assert tree["vb"].name not in body


def test_district_staff_see_their_district_and_nothing_of_the_other(tree):
    user = staff(tree["d1"])
    visible = set(AdministrativeUnit.objects.visible_to(user).values_list("code", flat=True))
    assert visible == {"901", "90101", "90102", "90101-01", "90102-01"}


@pytest.mark.parametrize("key", ["c", "vc", "d2", "province"])
def test_admin_change_page_of_a_unit_outside_scope_is_not_shown_to_district_staff(client, tree, key):
    client.force_login(staff(tree["d1"]))
    url = reverse("admin:fund_portal_administrativeunit_change", args=[tree[key].pk])
    response = client.get(url)
    assert response.status_code == 302  # the admin's "does not exist" redirect
    assert response.url == reverse("admin:index")
    listing = client.get(reverse("admin:fund_portal_administrativeunit_changelist")).content.decode()
    assert url not in listing
    assert reverse("admin:fund_portal_administrativeunit_change", args=[tree["a"].pk]) in listing


def test_admin_user_list_is_scoped_to_the_staff_users_district(client, tree):
    own = officer(tree["a"], username="own_officer")
    other = officer(tree["c"], username="other_officer")
    client.force_login(staff(tree["d1"]))
    listing = client.get(reverse("admin:fund_portal_user_changelist")).content.decode()
    assert own.username in listing
    assert other.username not in listing
    response = client.get(reverse("admin:fund_portal_user_change", args=[other.pk]))
    assert response.status_code == 302


def test_user_with_scoped_role_but_no_unit_cannot_exist(tree):
    from django.core.exceptions import ValidationError

    from fund_portal.services import user_set_role

    user = UserFactory()
    with pytest.raises(ValidationError):
        user_set_role(user=user, role=Role.COMMUNE_OFFICER, unit=None)
    user.refresh_from_db()
    assert user.role == ""


def test_user_without_unit_or_role_sees_nothing(tree):
    nobody = UserFactory()
    donor = UserFactory(role=Role.DONOR)
    for user in (nobody, donor):
        assert visible_unit_ids(user) == frozenset()
        assert not AdministrativeUnit.objects.visible_to(user).exists()
        assert not User.objects.visible_to(user).exists()


def test_portal_refuses_accounts_that_are_not_bound_to_a_unit(client, tree):
    client.force_login(UserFactory(role=Role.DONOR))
    assert client.get(reverse("portal:dashboard")).status_code == 403
    assert client.get(portal_urls_for(tree["a"])[0]).status_code == 403


def test_anonymous_user_is_sent_to_login_from_portal_and_admin(client, tree):
    for url in [reverse("portal:dashboard"), *portal_urls_for(tree["a"]), reverse("admin:index")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert reverse("account_login") in response.url or reverse("admin:login") in response.url


def test_records_without_a_unit_are_seen_by_fund_staff_but_not_by_officers(tree):
    from children.models import AccessLog

    district, commune_officer = staff(tree["d1"]), officer(tree["a"])
    unassigned = AccessLog.objects.create(user=district, action="export", unit=None)
    assert AccessLog.objects.visible_to(district).filter(pk=unassigned.pk).exists()
    assert not AccessLog.objects.visible_to(commune_officer).filter(pk=unassigned.pk).exists()


def test_accounts_without_a_unit_are_seen_by_superusers_only(tree):
    unassigned = UserFactory(username="no_unit_donor", role=Role.DONOR)
    for user in (staff(tree["d1"]), staff(tree["province"]), officer(tree["a"])):
        assert not User.objects.visible_to(user).filter(pk=unassigned.pk).exists()
    root = UserFactory(is_superuser=True, is_staff=True)
    assert User.objects.visible_to(root).filter(pk=unassigned.pk).exists()


def test_units_in_reach_holds_only_when_every_named_unit_is_in_scope(tree):
    user = staff(tree["d1"])
    assert units_in_reach(user, tree["a"].pk, tree["b"].pk, None)
    assert not units_in_reach(user, tree["a"].pk, tree["c"].pk)
    assert not units_in_reach(user, tree["province"].pk)
    assert not units_in_reach(officer(tree["a"]), tree["b"].pk)
    assert units_in_reach(None, tree["c"].pk)  # the system
    assert units_in_reach(UserFactory(is_superuser=True, is_staff=True), tree["c"].pk)
    assert units_in_reach(user)  # nothing named


def test_superuser_sees_every_unit(tree):
    root = UserFactory(is_superuser=True, is_staff=True)
    assert visible_unit_ids(root) is None
    assert AdministrativeUnit.objects.visible_to(root).count() == AdministrativeUnit.objects.count()


def test_inactive_officer_sees_nothing(tree):
    user = officer(tree["a"])
    user.is_active = False
    user.save()
    assert not AdministrativeUnit.objects.visible_to(user).exists()


# --- Scope by path, the national auditor and the village volunteer ---------------------------------


def test_the_scope_is_one_path_prefix_whatever_the_number_of_units(tree):
    """A province's scope is a prefix of the units' path, not a list of ids: adding units under it
    adds nothing to the query."""
    from children.models import Child
    from tests.factories import UnitFactory

    province_staff = staff(tree["province"])
    before = str(Child.objects.visible_to(province_staff).query)
    for n in range(30):
        UnitFactory(code=f"90102-{n + 2:02d}", name=f"Thôn {n}", level="village", parent=tree["b"])
    province_staff = User.objects.get(pk=province_staff.pk)
    after = str(Child.objects.visible_to(province_staff).query)
    assert after == before
    assert "LIKE" in after and tree["province"].path in after
    assert len(visible_unit_ids(province_staff)) == AdministrativeUnit.objects.count()


def test_a_national_auditor_sees_every_provinces_records_that_have_a_unit(tree):
    from children.models import AccessLog, Child
    from tests.factories import UnitFactory, national_auditor

    other_province = UnitFactory(code="91", name="Tỉnh Khác", level="province", parent=None)
    other_commune = UnitFactory(code="91001", name="Xã Xa", level="commune", parent=other_province)
    here = register_child(officer(tree["a"]), tree["a"], "Lê Văn An")
    there = register_child(officer(other_commune), other_commune, "Trần Thị Bình")
    unassigned = AccessLog.objects.create(user=staff(tree["d1"]), action="export", unit=None)
    donor = UserFactory(role=Role.DONOR, username="donor_nowhere")

    auditor = national_auditor(username="kiemtra.toanquoc")
    assert set(Child.objects.visible_to(auditor)) == {here, there}
    assert AdministrativeUnit.objects.visible_to(auditor).count() == AdministrativeUnit.objects.count()
    assert not AccessLog.objects.visible_to(auditor).filter(pk=unassigned.pk).exists()  # rule 6
    assert not User.objects.visible_to(auditor).filter(pk__in=[donor.pk, auditor.pk]).exists()
    assert User.objects.visible_to(auditor).filter(unit=other_commune).exists()
    # A province's staff see their own province only.
    assert set(Child.objects.visible_to(staff(other_province))) == {there}


def test_a_national_auditor_reads_every_province_in_the_admin_and_writes_nothing(client, tree):
    from children.models import Child
    from fund_portal.authority import Action, may
    from tests.factories import UnitFactory, national_auditor

    other_province = UnitFactory(code="91", name="Tỉnh Khác", level="province", parent=None)
    other_commune = UnitFactory(code="91001", name="Xã Xa", level="commune", parent=other_province)
    register_child(officer(tree["c"]), tree["c"], "Lê Văn An")
    there = register_child(officer(other_commune), other_commune, "Trần Thị Bình")
    auditor = national_auditor(username="kiemtra.toanquoc")
    assert auditor.is_staff and auditor.needs_mfa
    assert not any(may(auditor, action) for action in Action)
    client.force_login(auditor)
    listing = client.get(reverse("admin:children_child_changelist"))
    assert listing.status_code == 200
    body = listing.content.decode()
    assert "Lê Văn An" in body and "Trần Thị Bình" in body
    before = Child.objects.count()
    response = client.post(reverse("admin:children_child_delete", args=[there.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Child.objects.count() == before


def test_roles_and_units_agree(tree):
    """A national auditor has no unit, every other scoped role one, and a volunteer's is a village."""
    from django.core.exceptions import ValidationError

    from fund_portal.services import user_set_role

    for role, unit in (
        (Role.NATIONAL_AUDITOR, tree["province"]),
        (Role.VILLAGE_VOLUNTEER, None),
        (Role.VILLAGE_VOLUNTEER, tree["a"]),
        (Role.AUDITOR, None),
    ):
        user = UserFactory()
        with pytest.raises(ValidationError):
            user_set_role(user=user, role=role, unit=unit)
        user.refresh_from_db()
        assert user.role == "", role
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="national_with_unit", role=Role.NATIONAL_AUDITOR, unit=tree["a"])


def test_a_village_volunteer_reaches_the_children_of_their_village_and_their_records_only(tree):
    from children.models import Child, Need
    from children.services.care import needs_assess
    from tests.factories import UnitFactory, volunteer

    other_village = UnitFactory(code="90101-02", name="Thôn 2 Xã An", level="village", parent=tree["a"])
    officer_a = officer(tree["a"])
    mine = register_child(officer_a, tree["a"], "Lê Văn An", village=tree["va"])
    next_door = register_child(officer_a, tree["a"], "Trần Thị Bình", village=other_village)
    no_village = register_child(officer_a, tree["a"], "Phạm Văn Cường")
    import datetime as dt

    for child in (mine, next_door):
        needs_assess(
            child=child, by=officer_a, year=2026, on=dt.date(2026, 3, 2), needs={"warm_clothes": (2, "")}
        )

    user = volunteer(tree["va"])
    assert list(Child.objects.visible_to(user)) == [mine]
    assert set(Need.objects.visible_to(user).values_list("child", flat=True)) == {mine.pk}
    assert list(AdministrativeUnit.objects.visible_to(user)) == [tree["va"]]
    assert list(User.objects.visible_to(user)) == [user]
    # The commune's officer still sees all three, and the province's staff too.
    assert set(Child.objects.visible_to(officer_a)) == {mine, next_door, no_village}
    assert Child.objects.visible_to(staff(tree["province"])).count() == 3


@pytest.mark.parametrize("who", ["province", "d1", "a", "va"])
def test_a_scope_named_by_its_units_ids_holds_the_same_records_as_the_paths(tree, who):
    """`ids_up_to` changes how the condition is written (the units' ids, which the planner estimates
    from the column's statistics), never which records it holds; above the limit it is the path's."""
    from children.models import Child, Need
    from tests.factories import UnitFactory, volunteer

    other_village = UnitFactory(code="90101-02", name="Thôn 2 Xã An", level="village", parent=tree["a"])
    officer_a, officer_c = officer(tree["a"]), officer(tree["c"])
    register_child(officer_a, tree["a"], "Lê Văn An", village=tree["va"])
    register_child(officer_a, tree["a"], "Trần Thị Bình", village=other_village)
    register_child(officer_a, tree["a"], "Phạm Văn Cường")
    register_child(officer_c, tree["c"], "Đỗ Thị Dung")
    user = volunteer(tree["va"]) if who == "va" else staff(tree[who]) if who != "a" else officer_a
    units = AdministrativeUnit.objects.filter(path__startswith=tree[who].path).count()

    by_path = Child.objects.visible_to(user)
    listed = Child.objects.visible_to(User.objects.get(pk=user.pk), ids_up_to=units)
    assert set(listed) == set(by_path) and by_path.exists()
    assert "LIKE" not in str(listed.query) and "LIKE" in str(by_path.query)
    needs_listed = Need.objects.visible_to(User.objects.get(pk=user.pk), ids_up_to=units)
    assert set(needs_listed) == set(Need.objects.visible_to(user))
    # One unit more than the limit: the path's subquery, the same records.
    fewer = Child.objects.visible_to(User.objects.get(pk=user.pk), ids_up_to=units - 1) if units > 1 else None
    if fewer is not None:
        assert "LIKE" in str(fewer.query) and set(fewer) == set(by_path)
    # Only the communes named (a child's commune is one), a village user's village whatever its level.
    communes = Child.objects.visible_to(User.objects.get(pk=user.pk), ids_up_to=units, ids_level="commune")
    assert set(communes) == set(by_path)
    named = {int(n) for n in re.findall(r"\d+", str(communes.query).split(" IN (")[-1].split(")")[0])}
    expected = AdministrativeUnit.objects.filter(path__startswith=tree[who].path)
    if who != "va":
        expected = expected.filter(level="commune")
    assert named == set(expected.values_list("pk", flat=True))


def test_the_admins_children_list_names_a_provinces_units_and_shows_the_same_rows(client, tree):
    from children.models import Child

    officer_a = officer(tree["a"])
    register_child(officer_a, tree["a"], "Lê Văn An")
    register_child(officer(tree["c"]), tree["c"], "Đỗ Thị Dung")
    province_staff = staff(tree["d1"])
    client.force_login(province_staff)
    response = client.get(reverse("admin:children_child_changelist"))
    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert shown == list(Child.objects.visible_to(province_staff).order_by("name_folded", "id"))
    assert [c.full_name for c in shown] == ["Lê Văn An"]
    assert "LIKE" not in str(response.context["cl"].queryset.query)
