"""The children's admin writes through the registry's services, as the portal does (issue 15).

Before, the admin's default save wrote a child's record directly: no duplicate check, no status
history, no scope check on the commune, status and consent changed without their reason or who
recorded them, and a sensitive group added by someone not allowed to see it.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from children.models import Child, ChildStatus, ChildStatusChange, Circumstance, Sponsorship
from children.services.registry import child_register
from children.services.support import sponsorship_start
from tests.factories import DonorFactory, officer, staff

pytestmark = pytest.mark.django_db


def years_ago(n: int) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - n, day=min(today.day, 28))


@pytest.fixture
def officer_a(tree):
    return officer(tree["a"], username="canbo_a")


@pytest.fixture
def district(tree):
    return staff(tree["d1"], username="canbo_huyen")


def register(by, commune, name="Nguyễn Văn An", **fields) -> Child:
    return child_register(
        by=by, full_name=name, birth_date=years_ago(8), sex="male", ethnicity="01", commune=commune, **fields
    )


def _inlines(response) -> dict:
    """The management forms of the page's inlines and the ids of their rows, as a browser posts them."""
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for i, form in enumerate(formset.initial_forms):
            data[f"{formset.prefix}-{i}-id"] = form.instance.pk
            data[f"{formset.prefix}-{i}-{formset.fk.name}"] = formset.instance.pk
    return data


def _child_form(child_or_fields, **changes) -> dict:
    source = child_or_fields if isinstance(child_or_fields, dict) else child_or_fields.__dict__
    data = {
        "full_name": source["full_name"],
        "birth_date": source["birth_date"].strftime("%d/%m/%Y"),
        "sex": source["sex"],
        "ethnicity": source["ethnicity"],
        "commune": source["commune_id"],
        "poverty": source.get("poverty", "none"),
    }
    return {**data, **changes}


def test_a_child_changed_in_the_admin_goes_through_child_update(client, tree, officer_a, district):
    child = register(officer_a, tree["a"])
    client.force_login(district)
    url = reverse("admin:children_child_change", args=[child.pk])
    page = client.get(url)

    too_old = years_ago(17).strftime("%d/%m/%Y")
    refused = client.post(
        url, {**_inlines(page), **_child_form(child, birth_date=too_old, full_name="Trần Văn Bình")}
    )
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors.get("birth_date")  # child_check's rule
    child.refresh_from_db()
    assert child.birth_date == years_ago(8) and child.full_name == "Nguyễn Văn An"

    changed = client.post(
        url,
        {
            **_inlines(page),
            **_child_form(child, full_name="  Trần   Văn Bình ", status=ChildStatus.DECEASED),
        },
    )
    assert changed.status_code == 302
    child.refresh_from_db()
    assert child.full_name == "Trần Văn Bình" and child.name_folded == "tran van binh"  # child_update's
    assert child.status == ChildStatus.ACTIVE  # status changes only through child_status_set
    assert ChildStatusChange.objects.filter(child=child).count() == 1


def test_a_child_added_in_the_admin_is_registered_with_the_duplicate_check(client, tree, officer_a, district):
    register(officer_a, tree["a"])
    client.force_login(district)
    url = reverse("admin:children_child_add")
    fields = {
        "full_name": "Nguyễn Văn An",
        "birth_date": years_ago(8),
        "sex": "male",
        "ethnicity": "01",
        "commune_id": tree["a"].pk,
    }
    data = {**_inlines(client.get(url)), **_child_form(fields)}
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "có thể đã có trong danh sách" in refused.content.decode()
    assert Child.objects.count() == 1

    assert client.post(url, {**data, "confirm_not_duplicate": "on"}).status_code == 302
    added = Child.objects.exclude(created_by=officer_a).get()
    assert added.created_by == district
    assert ChildStatusChange.objects.filter(child=added, status_to=ChildStatus.ACTIVE).exists()


def test_a_sensitive_group_added_in_the_admin_without_the_permission_is_refused_on_the_form(
    client, tree, officer_a, district
):
    child = register(officer_a, tree["a"])
    client.force_login(district)
    url = reverse("admin:children_child_change", args=[child.pk])
    data = {**_inlines(client.get(url)), **_child_form(child)}
    row = {
        "circumstances-TOTAL_FORMS": 1,
        "circumstances-0-child": child.pk,
        "circumstances-0-identified_on": timezone.localdate().strftime("%d/%m/%Y"),
    }
    refused = client.post(url, {**data, **row, "circumstances-0-group": "G05"})
    assert refused.status_code == 200
    assert "quyền xem dữ liệu nhạy cảm" in refused.content.decode()
    assert not Circumstance.objects.exists()

    assert client.post(url, {**data, **row, "circumstances-0-group": "G01"}).status_code == 302
    assert list(Circumstance.objects.values_list("child", "group")) == [(child.pk, "G01")]
    child.refresh_from_db()
    assert child.priority_score > 0  # circumstance_add recomputed the priority


def test_a_sponsorship_changed_in_the_admin_is_checked_as_a_new_one(client, tree, officer_a, district):
    child = register(officer_a, tree["a"], name="Trần Thị Cúc")
    donor = DonorFactory(unit=tree["d1"], name="Ông Phạm Văn Đức")
    today = timezone.localdate()
    sponsorship = sponsorship_start(
        by=district, donor=donor, child=child, starts_on=today, monthly_amount=300_000
    )
    client.force_login(district)
    url = reverse("admin:children_sponsorship_change", args=[sponsorship.pk])
    form = {"starts_on": today.strftime("%d/%m/%Y"), "monthly_amount": "300000", "goods": "", "note": ""}

    refused = client.post(url, {**form, "ends_on": (today - dt.timedelta(days=1)).strftime("%d/%m/%Y")})
    assert refused.status_code == 200
    assert "kết thúc trước khi bắt đầu" in refused.content.decode()
    sponsorship.refresh_from_db()
    assert sponsorship.ends_on is None

    assert client.post(url, {**form, "monthly_amount": "500000", "child": 999}).status_code == 302
    sponsorship.refresh_from_db()
    assert sponsorship.monthly_amount == 500_000 and sponsorship.child == child
    assert Sponsorship.objects.count() == 1
