"""The portal's backends (`fund_portal.auth_backends`): the account read in one query with its unit and
whether it has TOTP, its permissions kept in the cache between requests: read once, and every change
to who holds what is seen on the next request, whichever way it was made."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from fund_portal.authority import APP_LABEL, Action
from fund_portal.models import Role, User
from fund_portal.services import role_group_name, user_set_role
from tests.factories import UserFactory, officer, staff

pytestmark = pytest.mark.django_db(transaction=True)

REGISTER = f"{APP_LABEL}.{Action.CHILD_REGISTER}"
SENSITIVE = "children.view_sensitive"


def _fresh(user) -> User:
    """The account as a new request reads it: a new object, nothing kept on it."""
    return User.objects.get(pk=user.pk)


def _permission(name: str) -> Permission:
    app_label, codename = name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def test_a_second_request_reads_no_permission_from_the_database(tree, django_assert_num_queries):
    user = officer(tree["a"])
    assert _fresh(user).has_perm(REGISTER)
    fresh = _fresh(user)
    with django_assert_num_queries(0):
        assert fresh.has_perm(REGISTER)
        assert not fresh.has_perm(SENSITIVE)
        assert fresh.has_module_perms(APP_LABEL)


def test_a_permission_given_to_the_account_is_seen_at_once(tree):
    user = officer(tree["a"])
    assert not _fresh(user).has_perm(SENSITIVE)
    user.user_permissions.add(_permission(SENSITIVE))
    assert _fresh(user).has_perm(SENSITIVE)
    user.user_permissions.remove(_permission(SENSITIVE))
    assert not _fresh(user).has_perm(SENSITIVE)


def test_a_permission_taken_from_the_group_is_gone_at_once(tree):
    user = officer(tree["a"])
    assert _fresh(user).has_perm(REGISTER)
    group = Group.objects.get(name=role_group_name(Role.COMMUNE_OFFICER))
    group.permissions.remove(_permission(REGISTER))
    assert not _fresh(user).has_perm(REGISTER)
    group.permissions.add(_permission(REGISTER))
    assert _fresh(user).has_perm(REGISTER)


def test_leaving_the_group_or_its_deletion_takes_its_permissions(tree):
    user = officer(tree["a"])
    assert _fresh(user).has_perm(REGISTER)
    group = Group.objects.get(name=role_group_name(Role.COMMUNE_OFFICER))
    user.groups.remove(group)
    assert not _fresh(user).has_perm(REGISTER)
    user.groups.add(group)
    assert _fresh(user).has_perm(REGISTER)
    group.delete()
    assert not _fresh(user).has_perm(REGISTER)


def test_a_new_role_gives_its_permissions_at_once(tree):
    user = officer(tree["a"])
    assert not _fresh(user).has_perm(f"{APP_LABEL}.{Action.DISBURSEMENT_DECIDE}")
    user_set_role(user=user, role=Role.DISTRICT_STAFF, unit=tree["d1"])
    assert _fresh(user).has_perm(f"{APP_LABEL}.{Action.DISBURSEMENT_DECIDE}")
    user_set_role(user=user, role=Role.AUDITOR, unit=tree["d1"])
    assert not _fresh(user).has_perm(f"{APP_LABEL}.{Action.DISBURSEMENT_DECIDE}")


def test_what_the_account_row_says_is_read_on_every_request_even_changed_without_signals(tree):
    user = officer(tree["a"])
    assert not _fresh(user).has_perm("auth.delete_group")
    User.objects.filter(pk=user.pk).update(is_superuser=True)
    assert _fresh(user).has_perm("auth.delete_group")
    User.objects.filter(pk=user.pk).update(is_superuser=False)
    assert not _fresh(user).has_perm("auth.delete_group")
    assert _fresh(user).has_perm(REGISTER)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert not _fresh(user).has_perm(REGISTER)


def test_an_account_made_again_under_the_same_id_does_not_inherit_the_kept_permissions(tree):
    """SQLite gives a deleted row's id again: the new account reads its own permissions."""
    user = staff(tree["d1"], with_totp=False)
    assert _fresh(user).has_perm(f"{APP_LABEL}.{Action.DISBURSEMENT_DECIDE}")
    pk = user.pk
    user.delete()
    again = UserFactory(pk=pk, username="again")
    assert not _fresh(again).has_perm(f"{APP_LABEL}.{Action.DISBURSEMENT_DECIDE}")


def test_the_portal_menu_follows_a_permission_given_between_two_pages(tree):
    user = officer(tree["a"])
    client = Client()
    client.force_login(user)
    incidents = f'href="{reverse("children:incident_list")}"'
    assert incidents not in client.get(reverse("children:list")).content.decode()
    user.user_permissions.add(_permission(SENSITIVE))
    assert incidents in client.get(reverse("children:list")).content.decode()
    user.user_permissions.remove(_permission(SENSITIVE))
    assert incidents not in client.get(reverse("children:list")).content.decode()


def test_staff_whose_authenticator_is_removed_is_sent_to_totp_setup_on_the_next_page(tree):
    """Whether the account has TOTP is read with the account, on every request."""
    from allauth.mfa.models import Authenticator

    user = staff(tree["d1"])
    client = Client()
    client.force_login(user)
    assert client.get(reverse("children:list")).status_code == 200
    Authenticator.objects.filter(user=user).delete()
    response = client.get(reverse("children:list"))
    assert response.status_code == 302 and response.url.startswith(reverse("mfa_activate_totp"))


def test_an_account_logged_in_by_email_is_read_by_the_portals_backend_too(tree):
    """allauth's backend (a login by e-mail address) reads the account the same way: one query."""
    from django.contrib.auth import BACKEND_SESSION_KEY
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = officer(tree["a"])
    client = Client()
    client.force_login(user, backend="fund_portal.auth_backends.PortalAllauthBackend")
    assert client.session[BACKEND_SESSION_KEY] == "fund_portal.auth_backends.PortalAllauthBackend"
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("children:list")).status_code == 200
    accounts = [q["sql"] for q in queries if 'FROM "fund_portal_user"' in q["sql"]]
    assert len(accounts) == 1 and 'JOIN "fund_portal_administrativeunit"' in accounts[0]
