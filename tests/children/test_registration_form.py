"""The portal's registration form as a commune officer meets it (issue 19): the commune chosen for
them, the date hint, required boxes marked, refusals beside their box, a phone and a name checked, the
law's kinds and levels of disability, a duplicate ID that says whose, and the "not a duplicate" box
only once a likely duplicate is listed."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from children.models import Child
from children.reference.disability import (
    disability_severity_code,
    disability_type_code,
)
from children.services.registry import child_register
from tests.factories import officer

pytestmark = pytest.mark.django_db


def years_ago(years: int) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=min(today.day, 28))


def register(by, commune, name, born, **fields):
    return child_register(
        by=by, full_name=name, birth_date=born, sex="male", ethnicity="01", commune=commune, **fields
    )


@pytest.fixture
def officer_a(tree):
    return officer(tree["a"], username="canbo_a")


def form_data(tree, **changes):
    data = {
        "full_name": "Hoàng Thu Trang",
        "birth_date": years_ago(6).strftime("%d/%m/%Y"),
        "sex": "female",
        "ethnicity": "01",
        "commune": tree["a"].pk,
        "poverty": "none",
    }
    return {**data, **changes}


def test_the_officers_commune_is_chosen_and_the_form_shows_the_date_hint_and_required_marks(
    client, tree, officer_a
):
    client.force_login(officer_a)
    response = client.get(reverse("children:new"))
    form = response.context["form"]
    assert form["commune"].value() == tree["a"].pk
    page = response.content.decode()
    assert f'<option value="{tree["a"].pk}" selected>' in page
    assert 'placeholder="dd/mm/yyyy"' in page and "ví dụ 05/09/2015" in page
    # Required boxes carry the mark and the words for screen readers; optional ones do not.
    label = page.split('for="id_full_name"')[1].split("</label>")[0]
    assert 'class="required"' in label and "bắt buộc" in label
    assert 'class="required"' not in page.split('for="id_address"')[1].split("</label>")[0]
    # The "not a duplicate" box waits until a likely duplicate is listed.
    assert "confirm_not_duplicate" not in page


def test_a_phone_of_letters_and_a_name_with_digits_are_refused_beside_their_boxes(client, tree, officer_a):
    client.force_login(officer_a)
    response = client.post(
        reverse("children:new"),
        form_data(tree, full_name="Trang 2", guardian_name="Mẹ 1", guardian_phone="abc"),
    )
    assert response.status_code == 200 and not Child.objects.exists()
    errors = response.context["form"].errors
    assert "không có chữ số" in errors["full_name"][0] and "không có chữ số" in errors["guardian_name"][0]
    assert "không phải số điện thoại" in errors["guardian_phone"][0]
    page = response.content.decode()
    # Beside the box, and listed as links to the boxes at the top.
    box = page.split('for="id_guardian_phone"')[1].split('<div class="field')[0]
    assert "không phải số điện thoại" in box
    assert 'href="#id_guardian_phone"' in page


@pytest.mark.parametrize(
    "phone", ["0912345678", "0912 345 678", "091.234.5678", "+84 912 345 678", "02373 123 456"]
)
def test_phones_as_people_write_them_are_accepted(client, tree, officer_a, phone):
    client.force_login(officer_a)
    response = client.post(reverse("children:new"), form_data(tree, guardian_phone=phone))
    assert response.status_code == 302
    assert Child.objects.get().guardian_phone == phone


def test_disability_is_chosen_from_the_laws_kinds_and_levels(client, tree, officer_a):
    client.force_login(officer_a)
    page = client.get(reverse("children:new")).content.decode()
    for words in (
        "Khuyết tật vận động",
        "Khuyết tật nghe, nói",
        "Khuyết tật trí tuệ",
        "Đặc biệt nặng",
        "Nhẹ",
    ):
        assert words in page
    response = client.post(
        reverse("children:new"),
        form_data(tree, disability_type="motor", disability_severity="very_severe"),
    )
    child = Child.objects.get()
    assert (child.disability_type, child.disability_severity) == ("motor", "very_severe")
    detail = client.get(response.url).content.decode()
    assert "Khuyết tật vận động (Đặc biệt nặng)" in detail
    refused = client.post(
        reverse("children:new"), form_data(tree, full_name="Lê Văn Tám", disability_type="tall")
    )
    assert "disability_type" in refused.context["form"].errors


def test_text_typed_before_the_lists_is_mapped_when_known_and_kept_otherwise(tree, officer_a):
    known = register(officer_a, tree["a"], "Lê Văn Một", years_ago(7))
    odd = register(officer_a, tree["a"], "Lê Văn Hai", years_ago(8))
    Child.objects.filter(pk=known.pk).update(
        disability_type="Khuyết tật vận động", disability_severity="nặng"
    )
    Child.objects.filter(pk=odd.pk).update(disability_type="Hở hàm ếch", disability_severity="vừa")
    migration = importlib.import_module("children.migrations.0014_disability_codes")
    migration.to_codes(apps, None)
    known.refresh_from_db()
    odd.refresh_from_db()
    assert (known.disability_type, known.disability_severity) == ("motor", "severe")
    assert (odd.disability_type, odd.disability_severity) == ("Hở hàm ếch", "vừa")
    assert odd.disability_shown == "Hở hàm ếch (vừa)"
    assert disability_severity_code("Đặc biệt nặng") == "very_severe"
    assert disability_type_code("KT nghe, nói") == "hearing_speech"


def test_a_record_with_old_text_is_edited_without_losing_it(client, tree, officer_a):
    child = register(officer_a, tree["a"], "Lê Văn Ba", years_ago(9))
    Child.objects.filter(pk=child.pk).update(disability_type="Hở hàm ếch")
    client.force_login(officer_a)
    edit = reverse("children:edit", args=[child.pk])
    form = client.get(edit).context["form"]
    assert ("Hở hàm ếch", "Hở hàm ếch (nội dung nhập trước đây)") in form.fields["disability_type"].choices
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("photo", "village")
    }
    data["birth_date"] = child.birth_date.strftime("%d/%m/%Y")
    data["address"] = "Thôn Một"
    assert client.post(edit, data).status_code == 302
    child.refresh_from_db()
    assert child.disability_type == "Hở hàm ếch" and child.address == "Thôn Một"


def test_a_personal_id_already_in_the_commune_names_the_child_with_a_link(client, tree, officer_a):
    held = register(officer_a, tree["a"], "Phạm Thị Mai", years_ago(10), personal_id="038215001111")
    client.force_login(officer_a)
    response = client.post(
        reverse("children:new"),
        form_data(tree, personal_id="038215001111", confirm_not_duplicate="on"),
    )
    assert response.status_code == 200 and Child.objects.count() == 1
    error = response.context["form"].errors["personal_id"][0]
    assert "Phạm Thị Mai" in error and held.birth_date.strftime("%d/%m/%Y") in error
    assert f'href="{held.get_absolute_url()}"' in response.content.decode()


def test_a_personal_id_of_another_commune_says_so_without_its_name(client, tree, officer_a):
    register(officer(tree["c"]), tree["c"], "Dương Ngọc Thảo", years_ago(10), personal_id="038215002222")
    client.force_login(officer_a)
    response = client.post(reverse("children:new"), form_data(tree, personal_id="038215002222"))
    page = response.content.decode()
    assert "một trẻ em ở xã khác" in " ".join(response.context["form"].errors["personal_id"])
    assert "Dương Ngọc Thảo" not in page and "Xã Cường" not in page
    assert Child.objects.count() == 1


def test_the_not_a_duplicate_box_comes_with_the_list_of_likely_duplicates(client, tree, officer_a):
    first = register(officer_a, tree["a"], "Hoàng Thu Trang", years_ago(6))
    client.force_login(officer_a)
    refused = client.post(reverse("children:new"), form_data(tree))
    page = refused.content.decode()
    assert refused.status_code == 200 and 'name="confirm_not_duplicate"' in page
    assert f'href="{first.get_absolute_url()}"' in page
    assert refused.context["form"].errors["confirm_not_duplicate"]
    confirmed = client.post(reverse("children:new"), form_data(tree, confirm_not_duplicate="on"))
    assert confirmed.status_code == 302 and Child.objects.count() == 2
