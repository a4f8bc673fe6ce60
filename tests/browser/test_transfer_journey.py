"""Journey: a child moves. Commune A's officer, on a phone, asks commune C to take a child; C's officer
reads the card, accepts after the confirmation page, and the child is in C's list, no longer in A's."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from children.models import Child
from children.services.registry import child_register
from tests.factories import TEST_PASSWORD, officer

from .helpers import PHONE, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def _fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_child_moves_to_another_commune_on_phones(tree, new_context, shot):
    officer(tree["a"], username="canbo.an")
    officer(tree["c"], username="canbo.cuong")
    child = child_register(
        by=officer(tree["a"], username="canbo.an2"),
        full_name="Phạm Thị Hồng Nhung",
        birth_date=dt.date(2017, 5, 20),
        sex="female",
        commune=tree["a"],
        guardian_name="Phạm Văn Bí",
    )

    sender = new_context(PHONE).new_page()
    log_in(sender, "canbo.an", TEST_PASSWORD)
    sender.goto(f"/portal/children/{child.pk}/")
    sender.get_by_role("link", name="Chuyển đến xã khác").click()
    sender.wait_for_url(f"**/portal/children/{child.pk}/transfer/")
    sender.locator("select[name=to_commune]").select_option(str(tree["c"].pk))
    sender.locator("input[name=reason]").fill("Gia đình chuyển về quê ngoại")
    assert _fits_the_phone(sender)
    shot(sender, "request-form")
    sender.get_by_role("button", name="Gửi đề nghị").click()
    sender.wait_for_url(f"**/portal/children/{child.pk}/")
    expect(sender.get_by_role("link", name="Đề nghị chuyển xã đang chờ")).to_be_visible()

    receiver = new_context(PHONE).new_page()
    log_in(receiver, "canbo.cuong", TEST_PASSWORD)
    receiver.goto("/portal/children/transfers/")
    expect(receiver.locator("h1")).to_have_text("Trẻ em chuyển đến")
    expect(receiver.locator("ul.list > li").first).to_contain_text("Phạm Thị Hồng Nhung")
    assert _fits_the_phone(receiver)
    shot(receiver, "incoming-transfers")
    receiver.get_by_role("link", name="Phạm Thị Hồng Nhung").click()
    expect(receiver.locator("dl.facts")).to_contain_text("2017")
    expect(receiver.locator("body")).not_to_contain_text("Phạm Văn Bí")  # the card, not the record
    assert _fits_the_phone(receiver)
    shot(receiver, "card")
    receiver.get_by_role("button", name="Tiếp nhận trẻ").click()
    expect(receiver.locator("h1")).to_have_text("Tiếp nhận trẻ vào xã của bạn?")
    shot(receiver, "confirm")
    receiver.get_by_role("button", name="Có, tiếp nhận trẻ").click()
    receiver.get_by_role("link", name="Mở hồ sơ của trẻ").click()
    expect(receiver.locator("h1")).to_have_text("Phạm Thị Hồng Nhung")
    expect(receiver.locator("body")).to_contain_text("Phạm Văn Bí")
    shot(receiver, "child-in-the-new-commune")

    assert Child.objects.get(pk=child.pk).commune_id == tree["c"].pk
    response = sender.goto(f"/portal/children/{child.pk}/")
    assert response.status == 404
