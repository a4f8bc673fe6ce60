"""The incident form chooses the child from the registry the officer sees, found by name, or fixed
by the child's page (issue 19): never a number typed in."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from children.models import Incident
from children.services.registry import child_register
from tests.factories import officer

pytestmark = pytest.mark.django_db


def register(by, commune, name, years=9):
    born = timezone.localdate() - dt.timedelta(days=365 * years)
    return child_register(by=by, full_name=name, birth_date=born, sex="male", ethnicity="01", commune=commune)


def incident_data(tree, **changes):
    occurred = timezone.localtime() - dt.timedelta(hours=2)
    return {
        "commune": tree["a"].pk,
        "kind": "violence",
        "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M"),
        "description": "Bị đánh ở trường.",
        **changes,
    }


@pytest.fixture
def officer_a(tree):
    return officer(tree["a"], username="canbo_a")


def test_the_form_asks_no_number_and_finds_the_officers_children_by_name(client, tree, officer_a):
    nam = register(officer_a, tree["a"], "Nguyễn Văn Nam")
    register(officer_a, tree["a"], "Trần Thị Hoa")
    elsewhere = register(officer(tree["b"]), tree["b"], "Nguyễn Văn Năm", years=12)
    client.force_login(officer_a)
    page = client.get(reverse("children:incident_new")).content.decode()
    assert 'type="number"' not in page and 'name="child_search"' in page
    found = client.post(
        reverse("children:incident_new"), incident_data(tree, child_search="nguyen van", find_child="1")
    )
    assert found.status_code == 200 and not Incident.objects.exists()
    assert not found.context["form"].errors  # searching refuses nothing yet
    page = found.content.decode()
    assert f'value="{nam.pk}"' in page and "Nguyễn Văn Nam" in page
    assert (
        "Trần Thị Hoa" not in page and "Nguyễn Văn Năm" not in page and f'value="{elsewhere.pk}"' not in page
    )
    # What was typed stays.
    assert "Bị đánh ở trường." in page
    saved = client.post(
        reverse("children:incident_new"), incident_data(tree, child_search="nguyen van", child=nam.pk)
    )
    assert saved.status_code == 302
    assert Incident.objects.get().child == nam


def test_a_child_of_another_commune_cannot_be_posted(client, tree, officer_a):
    elsewhere = register(officer(tree["b"]), tree["b"], "Nguyễn Văn Năm")
    client.force_login(officer_a)
    response = client.post(reverse("children:incident_new"), incident_data(tree, child=elsewhere.pk))
    assert response.status_code == 200 and "child" in response.context["form"].errors
    assert not Incident.objects.exists()


def test_opened_from_the_childs_page_the_child_is_fixed(client, tree, officer_a):
    nam = register(officer_a, tree["a"], "Nguyễn Văn Nam")
    client.force_login(officer_a)
    url = reverse("children:incident_new") + f"?child={nam.pk}"
    page = client.get(url).content.decode()
    assert "Nguyễn Văn Nam" in page and f'type="hidden" name="child" value="{nam.pk}"' in page
    assert 'name="child_search"' not in page
    assert client.post(url, incident_data(tree, child=nam.pk)).status_code == 302
    assert Incident.objects.get().child == nam


def test_no_child_is_fine_when_the_child_is_not_registered(client, tree, officer_a):
    client.force_login(officer_a)
    response = client.post(
        reverse("children:incident_new"), incident_data(tree, child_description="Bé trai khoảng 10 tuổi")
    )
    assert response.status_code == 302
    assert Incident.objects.get().child is None
