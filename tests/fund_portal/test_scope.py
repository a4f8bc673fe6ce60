"""The scope matrix: who sees which units and accounts, by URL, by id, in the portal and the admin."""

import pytest
from django.urls import reverse

from fund_portal.models import AdministrativeUnit, Role, User
from fund_portal.scope import visible_unit_ids
from tests.factories import UserFactory, officer, staff

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


def test_superuser_sees_every_unit(tree):
    root = UserFactory(is_superuser=True, is_staff=True)
    assert visible_unit_ids(root) is None
    assert AdministrativeUnit.objects.visible_to(root).count() == AdministrativeUnit.objects.count()


def test_inactive_officer_sees_nothing(tree):
    user = officer(tree["a"])
    user.is_active = False
    user.save()
    assert not AdministrativeUnit.objects.visible_to(user).exists()
