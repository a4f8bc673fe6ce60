"""Journey 2: a commune officer on a phone finds a child, records needs and support, and cannot open a
child of another commune."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from children.services.registry import child_register
from tests.factories import TEST_PASSWORD, officer

from .helpers import PHONE, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def register(by, commune, name, born):
    return child_register(
        by=by, full_name=name, birth_date=born, sex="male", commune=commune, confirm_not_duplicate=True
    )


def test_an_officer_on_a_phone_finds_a_child_without_diacritics_records_needs_and_support_and_is_kept_in_their_commune(  # noqa: E501
    tree, new_context, shot
):
    an_officer = officer(tree["a"], username="canbo.an")
    binh_officer = officer(tree["b"], username="canbo.binh")
    an = register(an_officer, tree["a"], "Nguyễn Văn An", dt.date(2016, 3, 14))
    register(an_officer, tree["a"], "Lê Thị Bình", dt.date(2018, 7, 2))
    elsewhere = register(binh_officer, tree["b"], "Nguyễn Văn Ân", dt.date(2015, 1, 9))

    page = new_context(PHONE).new_page()
    log_in(page, "canbo.an", TEST_PASSWORD, shot=shot)
    shot(page, "logged-in")

    page.goto("/portal/children/")
    page.locator("input[name=q]").fill("nguyen van an")
    page.locator("form.search button[type=submit]").click()
    page.wait_for_url("**/portal/children/?*q=nguyen*")
    results = page.locator("ul.list > li > a")
    expect(results).to_have_text(["Nguyễn Văn An"])  # not Lê Thị Bình, nor the child of Xã Bình
    shot(page, "search-without-diacritics")

    results.first.click()
    page.wait_for_url(f"**/portal/children/{an.pk}/")
    expect(page.locator("h1")).to_have_text("Nguyễn Văn An")
    shot(page, "child-page")

    page.locator(f"a[href='/portal/children/{an.pk}/needs/']").click()
    page.wait_for_url(f"**/portal/children/{an.pk}/needs/")
    page.locator("select[name=urgency_nutrition_health]").select_option("3")
    page.locator("input[name=note_nutrition_health]").fill("Suy dinh dưỡng nhẹ")
    page.locator("select[name=urgency_education]").select_option("1")
    shot(page, "needs-form")
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.wait_for_url(f"**/portal/children/{an.pk}/")
    needs = page.locator("h2#needs + ul.list > li")
    expect(needs).to_have_count(2)
    expect(needs.filter(has_text="Suy dinh dưỡng nhẹ")).to_have_count(1)
    shot(page, "needs-recorded")

    page.locator(f"a[href='/portal/children/{an.pk}/support/']").click()
    page.wait_for_url(f"**/portal/children/{an.pk}/support/")
    page.locator("select[name=kind]").select_option("nutrition")
    page.locator("input[name=value]").fill("350.000")
    page.locator("select[name=source]").select_option("fund")
    page.locator("input[name=handed_over_by]").fill("Trần Văn Cán")
    shot(page, "support-form")
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.wait_for_url(f"**/portal/children/{an.pk}/")
    support_rows = page.locator("h2#support ~ div.table-wrap tbody tr")
    expect(support_rows).to_have_count(1)
    expect(support_rows.first).to_contain_text("350.000 ₫")
    shot(page, "support-recorded")

    response = page.goto(f"/portal/children/{elsewhere.pk}/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Không tìm thấy trang")
    expect(page.locator("body")).not_to_contain_text("Nguyễn Văn Ân")
    shot(page, "other-commune-not-found")

    assert list(an.needs.order_by("area").values_list("area", "urgency")) == [
        ("education", 1),
        ("nutrition_health", 3),
    ]
    assert an.supports.get().value == 350_000
