"""The children list in the admin links to the pages a user may open, and only to those."""

import pytest
from django.urls import reverse

from fund_portal.models import Role
from tests.factories import UserFactory, give_totp, staff

pytestmark = pytest.mark.django_db


def test_staff_reach_the_likely_duplicates_from_the_children_list(client, tree):
    client.force_login(staff(tree["d1"]))
    listing = client.get(reverse("admin:children_child_changelist")).content.decode()
    assert reverse("admin:children_child_duplicates") in listing
    assert "Hồ sơ trẻ em có khả năng trùng lặp" in listing


def test_the_auditor_is_not_shown_the_duplicates_page_they_may_not_open(client, tree):
    auditor = UserFactory(role=Role.AUDITOR, unit=tree["d1"])
    give_totp(auditor)
    client.force_login(auditor)
    listing = client.get(reverse("admin:children_child_changelist"))
    assert listing.status_code == 200
    assert reverse("admin:children_child_duplicates") not in listing.content.decode()
    assert client.get(reverse("admin:children_child_duplicates")).status_code == 403
