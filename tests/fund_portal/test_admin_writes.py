"""A user's role changed in the admin goes through `user_set_role` (issue 15): saved directly, the user
kept the old role's group, so a district officer moved to auditor could still change the fund's data."""

import pytest
from django.urls import reverse
from django.utils import timezone

from fund_portal.models import Role
from fund_portal.services import user_set_role
from tests.factories import UserFactory, staff

pytestmark = pytest.mark.django_db


def _user_form(user, **changes) -> dict:
    joined = timezone.localtime(user.date_joined)
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": joined.strftime("%d/%m/%Y"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
        "role": user.role,
        "unit": user.unit_id or "",
        "phone": user.phone,
    }
    if user.is_staff:
        data["is_staff"] = "on"
    return {**data, **changes}


def test_a_role_changed_in_the_admin_moves_the_user_to_the_roles_group(client, tree):
    admin_user = staff(tree["province"], username="quantri", is_superuser=True)
    user = user_set_role(user=UserFactory(username="lan"), role=Role.DISTRICT_STAFF, unit=tree["d1"])
    assert user.groups.get().name == str(Role.DISTRICT_STAFF.label)
    client.force_login(admin_user)
    url = reverse("admin:fund_portal_user_change", args=[user.pk])

    response = client.post(url, _user_form(user, role=Role.AUDITOR))
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.role == Role.AUDITOR
    assert [g.name for g in user.groups.all()] == [str(Role.AUDITOR.label)]
    assert not user.has_perm("donations.change_disbursement")

    response = client.post(url, _user_form(user, role=Role.COMMUNE_OFFICER, unit=tree["a"].pk))
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.role, user.unit, user.is_staff) == (Role.COMMUNE_OFFICER, tree["a"], False)
    # Commune officers hold their actions (fund_portal.authority) through their role's group too.
    assert [g.name for g in user.groups.all()] == [str(Role.COMMUNE_OFFICER.label)]
