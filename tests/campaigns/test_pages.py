"""The campaign pages: commune officers in /portal/campaigns/ (their commune's campaigns, lists,
signing sheets and handover), district staff in the admin; friendly 404s; scope on every page."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from campaigns.models import Campaign, CampaignEvent, CampaignTemplate, GiftList, GiftListStatus
from campaigns.services.gift_lists import gift_list_build
from children.models import Support

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.campaigns.urls")]


@pytest.fixture
def children(tree, make_child):
    return [
        make_child(tree["a"], "Lò Thị Mai", 90, village=tree["va"]),
        make_child(tree["a"], "Vàng A Sử", 70),
        make_child(tree["b"], "Hà Văn Tú", 80),
    ]


@pytest.fixture
def gift_list(campaign, district_staff, children):
    return gift_list_build(campaign=campaign, by=district_staff, kind="gift", value=250_000, count=3)


def pdf_text(content: bytes) -> str:
    """The PDF's text with white space collapsed (cells wrap in narrow columns)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def test_an_officer_sees_the_campaigns_of_their_commune_with_progress(client, tree, campaign, officer_a):
    Campaign.objects.create(
        name="Chiến dịch Huyện Hai",
        slug="huyen-hai",
        unit=tree["d2"],
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
    )
    client.force_login(officer_a)
    body = client.get(reverse("campaigns_portal:list")).content.decode()
    assert "Tết Trung thu 2026" in body and "Chiến dịch Huyện Hai" not in body
    assert "Đã vận động" in body and "10.000.000 ₫" in body
    detail = client.get(reverse("campaigns_portal:detail", args=[campaign.slug])).content.decode()
    assert "Tết Trung thu 2026" in detail and "Hỗ trợ đã trao" in detail


def test_unknown_campaigns_and_lists_give_a_friendly_404_in_vietnamese(client, tree, officer_a, campaign):
    client.force_login(officer_a)
    for url in (
        reverse("campaigns_portal:detail", args=["khong-co"]),
        reverse("campaigns_portal:gift_list", args=[999999]),
        reverse("campaigns_portal:gift_list_sheet", args=[999999, tree["a"].pk]),
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert "Không tìm thấy trang" in response.content.decode()


def test_an_officer_of_a_commune_outside_the_campaign_cannot_see_it_or_its_lists(
    client, tree, campaign, gift_list, today
):
    from tests.factories import officer

    outsider = officer(tree["c"], username="canbo_c")
    client.force_login(outsider)
    assert client.get(reverse("campaigns_portal:detail", args=[campaign.slug])).status_code == 404
    assert client.get(reverse("campaigns_portal:gift_list", args=[gift_list.pk])).status_code == 404
    assert client.get(reverse("campaigns_portal:gift_list_xlsx", args=[gift_list.pk])).status_code == 404
    response = client.post(
        reverse("campaigns_portal:gift_list", args=[gift_list.pk]),
        {"delivered_on": today.strftime("%d/%m/%Y")},
    )
    assert response.status_code == 404
    assert not Support.objects.exists()


def test_an_officer_prints_their_communes_sheet_and_hands_over_their_children(
    client, tree, gift_list, officer_a, children, today
):
    client.force_login(officer_a)
    page = client.get(reverse("campaigns_portal:gift_list", args=[gift_list.pk])).content.decode()
    assert "Lò Thị Mai" in page and "Vàng A Sử" in page and "Hà Văn Tú" not in page
    sheet = client.get(reverse("campaigns_portal:gift_list_sheet", args=[gift_list.pk, tree["a"].pk]))
    assert sheet["Content-Type"] == "application/pdf"
    text = pdf_text(sheet.content)
    assert "Lò Thị Mai" in text and "Ký nhận" in text and "Hà Văn Tú" not in text
    # Commune B's sheet is not theirs.
    assert (
        client.get(reverse("campaigns_portal:gift_list_sheet", args=[gift_list.pk, tree["b"].pk])).status_code
        == 404
    )
    book = load_workbook(
        io.BytesIO(client.get(reverse("campaigns_portal:gift_list_xlsx", args=[gift_list.pk])).content)
    )
    assert [row[2] for row in book.active.iter_rows(min_row=6, values_only=True)] == [
        "Lò Thị Mai",
        "Vàng A Sử",
    ]

    absent_entry = gift_list.entries.get(child=children[1])
    response = client.post(
        reverse("campaigns_portal:gift_list", args=[gift_list.pk]),
        {
            "delivered_on": today.strftime("%d/%m/%Y"),
            "handed_over_by": "Bí thư Đoàn xã",
            "absent": [absent_entry.pk],
            "confirmed": "1",
        },
        follow=True,
    )
    assert "Đã ghi nhận 1 suất hỗ trợ." in response.content.decode()
    assert list(Support.objects.values_list("child__full_name", "handed_over_by")) == [
        ("Lò Thị Mai", "Bí thư Đoàn xã")
    ]
    gift_list.refresh_from_db()
    assert gift_list.status == GiftListStatus.DRAFT  # commune B still waits
    again = client.post(
        reverse("campaigns_portal:gift_list", args=[gift_list.pk]),
        {"delivered_on": today.strftime("%d/%m/%Y")},
    )
    assert again.status_code == 200 and Support.objects.count() == 1


def test_staff_build_a_list_in_the_admin_and_over_budget_is_refused(
    client, tree, campaign, district_staff, children
):
    client.force_login(district_staff)
    url = reverse("admin:campaigns_giftlist_build")
    refused = client.post(
        url, {"campaign": campaign.pk, "kind": "gift", "value": "300.000", "budget": "500.000", "count": "2"}
    )
    assert refused.status_code == 200
    assert "Vượt ngân sách" in refused.content.decode() and not GiftList.objects.exists()
    response = client.post(
        url,
        {
            "campaign": campaign.pk,
            "kind": "gift",
            "value": "300.000",
            "budget": "700.000",
            "communes": [tree["a"].pk],
        },
        follow=True,
    )
    gift_list = GiftList.objects.get()
    assert [e.child.full_name for e in gift_list.entries.order_by("position")] == ["Lò Thị Mai", "Vàng A Sử"]
    body = response.content.decode()
    assert "Danh sách có 2 trẻ em." in body
    sheet_url = reverse("admin:campaigns_giftlist_sheet", args=[gift_list.pk, tree["a"].pk])
    assert sheet_url in body
    assert "Vàng A Sử" in pdf_text(client.get(sheet_url).content)


def test_staff_hand_over_a_list_in_the_admin(client, tree, gift_list, district_staff, today):
    client.force_login(district_staff)
    url = reverse("admin:campaigns_giftlist_handover", args=[gift_list.pk])
    assert "Ngày trao" in client.get(url).content.decode()
    client.post(url, {"delivered_on": today.strftime("%d/%m/%Y"), "handed_over_by": "Lan"})
    gift_list.refresh_from_db()
    assert gift_list.status == GiftListStatus.HANDED_OVER and Support.objects.count() == 3
    second = client.post(url, {"delivered_on": today.strftime("%d/%m/%Y")})
    assert "Quà của danh sách này đã được trao." in second.content.decode()
    assert Support.objects.count() == 3


def test_staff_of_another_district_cannot_open_the_list(client, tree, gift_list):
    from tests.factories import staff

    client.force_login(staff(tree["d2"], username="hai"))
    assert client.get(reverse("admin:campaigns_giftlist_handover", args=[gift_list.pk])).status_code == 404
    assert client.get(reverse("admin:campaigns_giftlist_xlsx", args=[gift_list.pk])).status_code == 404


def test_the_admin_saves_a_campaign_with_events_and_refuses_an_end_before_the_start(
    client, tree, district_staff
):
    client.force_login(district_staff)
    data = {
        "name": "Cứu trợ lũ lụt 2026",
        "slug": "cuu-tro-lu-lut-2026",
        "kind": "ad_hoc",
        "unit": tree["d1"].pk,
        "starts_on": "10/10/2026",
        "ends_on": "01/10/2026",
        "target_amount": "0",
        "target_supports": "0",
        "participating_communes": [tree["a"].pk],
        "is_public": "on",
        "events-TOTAL_FORMS": "1",
        "events-INITIAL_FORMS": "0",
        "events-0-kind": "launch",
        "events-0-name": "Lễ phát động",
        "events-0-starts_at_0": "10/10/2026",
        "events-0-starts_at_1": "08:00",
        "events-0-place": "Hội trường UBND huyện",
    }
    url = reverse("admin:campaigns_campaign_add")
    refused = client.post(url, data)
    assert "Ngày kết thúc chiến dịch không được trước ngày bắt đầu" in refused.content.decode()
    assert not Campaign.objects.exists()
    outside = client.post(url, {**data, "ends_on": "20/10/2026", "participating_communes": [tree["c"].pk]})
    assert outside.status_code == 200 and not Campaign.objects.exists()
    response = client.post(url, {**data, "ends_on": "20/10/2026"})
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert list(campaign.participating_communes.all()) == [tree["a"]] and campaign.year == 2026
    event = CampaignEvent.objects.get()
    assert (
        event.name,
        f"{event.starts_at.astimezone(dt.timezone(dt.timedelta(hours=7))):%d/%m/%Y %H:%M}",
    ) == (
        "Lễ phát động",
        "10/10/2026 08:00",
    )


def test_the_template_action_makes_this_years_campaigns_once(client, tree, district_staff, today):
    template = CampaignTemplate.objects.create(
        kind="childrens_day",
        name_pattern="Ngày Quốc tế Thiếu nhi {year}",
        slug_prefix="quoc-te-thieu-nhi",
        day=1,
        month=6,
        unit=tree["d1"],
    )
    client.force_login(district_staff)
    url = reverse("admin:campaigns_campaigntemplate_changelist")
    action = {"action": "make_this_years_campaigns", "_selected_action": [template.pk]}
    first = client.post(url, action, follow=True).content.decode()
    assert f"Đã tạo 1 chiến dịch cho năm {today.year}." in first
    client.post(url, action, follow=True)
    campaign = Campaign.objects.get()
    assert campaign.slug == f"quoc-te-thieu-nhi-{today.year}" and campaign.starts_on == dt.date(
        today.year, 6, 1
    )


def test_the_admin_pages_of_a_campaign_and_a_list_show_progress_and_documents(
    client, tree, campaign, gift_list, district_staff
):
    client.force_login(district_staff)
    page = client.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk])).content.decode()
    assert "Đã vận động" in page and "Hỗ trợ đã trao" in page
    page = client.get(reverse("admin:campaigns_giftlist_change", args=[gift_list.pk])).content.decode()
    assert "Lò Thị Mai" in page and "Ghi nhận việc trao quà" in page
    assert reverse("admin:campaigns_giftlist_xlsx", args=[gift_list.pk]) in page
    assert client.get(reverse("admin:campaigns_giftlist_changelist")).status_code == 200
    assert client.get(reverse("admin:campaigns_campaigntemplate_add")).status_code == 200
