"""The village child-protection volunteer (cộng tác viên thôn, bản) in the portal: the children of
their village, registered with their commune and village fixed, assessed and reported on; nothing of
the commune's other villages, of money, campaigns or reports, and no import or export."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from children.models import Child, Incident, IncidentKind, Need
from tests.factories import UnitFactory, officer, volunteer
from tests.factories import register_child as register

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(tree):
    """Commune A with two villages, a child in each, and one in commune B."""
    other_village = UnitFactory(code="90101-02", name="Thôn 2 Xã An", level="village", parent=tree["a"])
    officer_a = officer(tree["a"], username="canbo_a")
    return {
        "mine": register(officer_a, tree["a"], "Lê Văn Mạnh", village=tree["va"]),
        "next_door": register(officer_a, tree["a"], "Trần Thị Ngọc", village=other_village),
        "elsewhere": register(officer(tree["b"]), tree["b"], "Phạm Văn Ổn", village=tree["vb"]),
        "volunteer": volunteer(tree["va"], username="congtacvien_a"),
        "other_village": other_village,
    }


def test_the_volunteer_lists_and_opens_only_the_children_of_their_village(client, place):
    client.force_login(place["volunteer"])
    listing = client.get(reverse("children:list")).content.decode()
    assert "Lê Văn Mạnh" in listing
    assert "Trần Thị Ngọc" not in listing and "Phạm Văn Ổn" not in listing
    assert client.get(reverse("children:detail", args=[place["mine"].pk])).status_code == 200
    for other in ("next_door", "elsewhere"):
        for name in ("detail", "edit", "needs", "review", "status"):
            assert client.get(reverse(f"children:{name}", args=[place[other].pk])).status_code == 404, name


def test_the_volunteer_registers_a_child_in_their_own_village_whatever_the_form_sends(client, tree, place):
    client.force_login(place["volunteer"])
    form = client.get(reverse("children:new")).context["form"]
    assert form["commune"].value() == tree["a"].pk and form["village"].value() == tree["va"].pk
    assert form.fields["commune"].disabled and form.fields["village"].disabled
    response = client.post(
        reverse("children:new"),
        {
            "full_name": "Hoàng Thu Trang",
            "birth_date": "05/09/2019",
            "sex": "female",
            "ethnicity": "01",
            "poverty": "none",
            "commune": tree["b"].pk,  # sent anyway: ignored
            "village": place["other_village"].pk,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    child = Child.objects.get(full_name="Hoàng Thu Trang")
    assert (child.commune_id, child.village_id) == (tree["a"].pk, tree["va"].pk)
    assert child.created_by == place["volunteer"]


def test_the_service_refuses_a_volunteer_a_child_outside_their_village(tree, place):
    from django.core.exceptions import ValidationError

    for commune, village in ((tree["a"], place["other_village"]), (tree["a"], None), (tree["b"], tree["vb"])):
        with pytest.raises(ValidationError):
            register(place["volunteer"], commune, "Ngô Văn Lạc", village=village)
    assert not Child.objects.filter(full_name="Ngô Văn Lạc").exists()


def test_the_volunteer_assesses_needs_and_reports_an_incident_in_their_village(client, tree, place):
    client.force_login(place["volunteer"])
    child = place["mine"]
    page = client.get(reverse("children:needs", args=[child.pk]))
    assert page.status_code == 200
    response = client.post(
        reverse("children:needs", args=[child.pk]),
        {
            "assessed_on": timezone.localdate().strftime("%d/%m/%Y"),
            "urgency_warm_clothes": "3",
            "note_warm_clothes": "Thiếu áo ấm",
        },
    )
    assert response.status_code == 302
    assert list(Need.objects.filter(child=child).values_list("area", "urgency")) == [("warm_clothes", 3)]
    form = client.get(reverse("children:incident_new")).context["form"]
    assert form["commune"].value() == tree["a"].pk
    occurred = timezone.localtime(timezone.now() - dt.timedelta(hours=2)).strftime("%d/%m/%Y %H:%M")
    response = client.post(
        reverse("children:incident_new"),
        {
            "commune": tree["a"].pk,
            "kind": IncidentKind.INJURY,
            "occurred_at": occurred,
            "child": child.pk,
            "description": "Ngã xuống mương.",
        },
    )
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert (incident.commune_id, incident.child_id, incident.recorded_by_id) == (
        tree["a"].pk,
        child.pk,
        place["volunteer"].pk,
    )
    # An incident elsewhere is refused, nothing written.
    response = client.post(
        reverse("children:incident_new"),
        {
            "commune": tree["b"].pk,
            "kind": IncidentKind.INJURY,
            "occurred_at": occurred,
            "child": place["elsewhere"].pk,
            "description": "x",
        },
    )
    assert response.status_code == 200 and Incident.objects.count() == 1


def test_the_volunteer_has_no_money_campaigns_reports_imports_or_exports(client, place):
    client.force_login(place["volunteer"])
    page = client.get(reverse("portal:dashboard")).content.decode()
    for url in (reverse("money:list"), reverse("campaigns_portal:list"), reverse("reports:list")):
        assert url not in page
    for name in ("export", "import"):
        assert client.get(reverse(f"children:{name}")).status_code == 403, name
    assert client.get(reverse("children:support_new", args=[place["mine"].pk])).status_code == 403
    listing = client.get(reverse("children:list")).content.decode()
    assert reverse("children:export") not in listing and reverse("children:new") in listing


def test_the_volunteer_records_but_does_not_set_a_childs_priority_by_hand(client, tree, place):
    """A cộng tác viên records and follows up; the commune decides the priority (by hand or by the
    formula's weights)."""
    from children.services.care import priority_override_set
    from children.services.weights import priority_weight_set
    from fund_portal.authority import NotAllowed
    from tests.factories import FundFactory

    child = place["mine"]
    client.force_login(place["volunteer"])
    detail = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    assert reverse("children:needs", args=[child.pk]) in detail
    assert reverse("children:priority_override", args=[child.pk]) not in detail
    url = reverse("children:priority_override", args=[child.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"value": "900", "reason": "Gia đình khó khăn"}).status_code == 403
    with pytest.raises(NotAllowed):
        priority_override_set(child=child, by=place["volunteer"], value=900, reason="Gia đình khó khăn")
    fund = FundFactory(unit=tree["a"], code="xa-an")
    with pytest.raises(NotAllowed):
        priority_weight_set(by=place["volunteer"], fund=fund, factor="poverty:poor", weight=50)
    child.refresh_from_db()
    assert child.priority_override is None
    # The commune's officer does.
    commune_officer = officer(tree["a"], username="canbo_a2")
    priority_override_set(child=child, by=commune_officer, value=900, reason="Gia đình khó khăn")
    assert Child.objects.get(pk=child.pk).priority == 900
