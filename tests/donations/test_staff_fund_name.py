"""The staff pages name the member's own fund (the one governing their unit), wherever the site is
served from: a province's staff no longer read the deployment's default fund (a district's) in the
admin's header, nor a commune officer in the portal's title. Public pages keep the public fund's name."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories import FundFactory, officer, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def funds(tree, settings):
    settings.FUND_NAME = "Quỹ mặc định của trang"
    return {
        "province": FundFactory(
            unit=tree["province"], name="Quỹ Bảo trợ trẻ em tỉnh Thử Nghiệm", code="tinh"
        ),
        "d1": FundFactory(unit=tree["d1"], name="Quỹ Bảo trợ trẻ em Huyện Một", code="huyen-mot"),
    }


def _site_name(html: str) -> str:
    found = re.search(r'<div id="site-name"><a [^>]*>([^<]*)</a>', html)
    assert found, html[:2000]
    return found[1].strip()


def _title(html: str) -> str:
    return re.search(r"<title>([^<]*)</title>", html, re.S)[1]


def test_the_admin_header_names_the_province_staffs_own_fund(tree, funds):
    client = Client()
    client.force_login(staff(tree["province"], username="tinh"))
    with translation.override("vi"):
        response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert _site_name(response.content.decode()) == "Quỹ Bảo trợ trẻ em tỉnh Thử Nghiệm"


def test_the_admin_header_names_the_district_fund_for_its_staff(tree, funds):
    client = Client()
    client.force_login(staff(tree["d1"], username="huyen"))
    with translation.override("vi"):
        response = client.get(reverse("admin:children_child_changelist"))
    assert _site_name(response.content.decode()) == "Quỹ Bảo trợ trẻ em Huyện Một"


@pytest.mark.parametrize(
    ("commune", "fund"),
    [("a", "Quỹ Bảo trợ trẻ em Huyện Một"), ("c", "Quỹ Bảo trợ trẻ em tỉnh Thử Nghiệm")],
)
def test_the_portal_names_the_fund_governing_the_officers_commune(tree, funds, commune, fund):
    client = Client()
    client.force_login(officer(tree[commune], username=f"xa-{commune}"))
    with translation.override("vi"):
        response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    assert fund in _title(response.content.decode())
    assert "Quỹ mặc định của trang" not in response.content.decode()


def test_the_public_pages_keep_the_public_funds_name_for_a_logged_in_officer(tree, funds):
    client = Client()
    client.force_login(officer(tree["c"], username="xa-c"))
    with translation.override("vi"):
        response = client.get("/quy/huyen-mot/")
    assert response.status_code == 200
    assert "Quỹ Bảo trợ trẻ em Huyện Một" in _title(response.content.decode())
    assert "tỉnh Thử Nghiệm" not in _title(response.content.decode())
