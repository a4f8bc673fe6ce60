"""A gift list limited to an age band (the health and nutrition programmes are for pre-school and
primary children): only children of those ages, in whole years on the event's day (else the campaign's
first day), birthdays counted to the day."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from campaigns.documents import gift_list_signing_sheet
from campaigns.forms import GiftListBuildForm
from campaigns.models import Campaign, CampaignEvent, GiftList
from campaigns.services.campaigns import campaign_save
from campaigns.services.events import event_save
from campaigns.services.gift_lists import gift_list_build
from children.services.registry import child_register

pytestmark = pytest.mark.django_db

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

#: The campaign's first day: 1 March of a common year, the day after a 29 February birthday's 28th.
FIRST_DAY = dt.date(2026, 3, 1)


@pytest.fixture
def spring(tree, district_staff):
    return campaign_save(
        campaign=Campaign(
            name="Khám sức khỏe mùa xuân 2026",
            slug="kham-suc-khoe-2026",
            kind="ad_hoc",
            unit=tree["d1"],
            starts_on=FIRST_DAY,
            ends_on=dt.date(2026, 3, 31),
        ),
        by=district_staff,
        communes=[tree["a"]],
    )


@pytest.fixture
def born(tree, district_staff):
    """Children of commune A by their date of birth, named by it."""

    def make(*dates):
        children = {}
        for day in dates:
            child = child_register(
                by=district_staff,
                full_name=f"Lò Văn {day:%d%m%Y}",
                birth_date=day,
                sex="male",
                ethnicity="01",
                commune=tree["a"],
                confirm_not_duplicate=True,
            )
            children[day] = child.full_name
        return children

    return make


def chosen(gift_list) -> set[str]:
    return set(gift_list.entries.values_list("child__full_name", flat=True))


def test_a_pre_school_list_takes_only_children_aged_0_to_5_on_the_campaigns_first_day(
    spring, district_staff, born
):
    names = born(
        dt.date(2020, 3, 1),  # six on the first day itself: out
        dt.date(2020, 3, 2),  # six the day after: still five, in
        dt.date(2020, 2, 29),  # six on 1 March of a common year: out
        dt.date(2026, 1, 10),  # a baby: in
        dt.date(2015, 3, 2),  # ten: out
    )
    gift_list = gift_list_build(
        campaign=spring, by=district_staff, kind="health_check", value=150_000, count=10, min_age=0, max_age=5
    )
    assert chosen(gift_list) == {names[dt.date(2020, 3, 2)], names[dt.date(2026, 1, 10)]}
    assert (gift_list.min_age, gift_list.max_age, gift_list.ages_on) == (0, 5, FIRST_DAY)
    pdf, _name = gift_list_signing_sheet(gift_list=gift_list, user=district_staff)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Độ tuổi: từ 0 đến 5 tuổi (tính đến ngày 01/03/2026)" in " ".join(text.split())
    primary = gift_list_build(
        campaign=spring, by=district_staff, kind="gift", value=150_000, count=10, min_age=6, max_age=10
    )
    assert chosen(primary) == {
        names[dt.date(2020, 3, 1)],
        names[dt.date(2020, 2, 29)],
        names[dt.date(2015, 3, 2)],
    }


def test_the_ages_are_counted_on_the_events_day_when_the_list_has_one(spring, district_staff, born):
    names = born(dt.date(2020, 2, 29), dt.date(2020, 2, 28), dt.date(2015, 2, 28), dt.date(2015, 3, 1))
    evening = event_save(
        event=CampaignEvent(
            campaign=spring,
            kind="other",
            name="Khám sức khỏe tại trạm y tế",
            starts_at=dt.datetime(2026, 2, 28, 23, 30, tzinfo=VIETNAM),  # 16:30 UTC: still 28/2 in Vietnam
            place="Trạm y tế xã An",
        ),
        by=district_staff,
    )
    gift_list = gift_list_build(
        campaign=spring,
        by=district_staff,
        kind="health_check",
        value=150_000,
        count=10,
        event=evening,
        max_age=5,
    )
    # On 28/2/2026 the child of 29/2/2020 is still five; the child of 28/2/2020 turns six that day.
    assert gift_list.ages_on == dt.date(2026, 2, 28)
    assert chosen(gift_list) == {names[dt.date(2020, 2, 29)]}
    older = gift_list_build(
        campaign=spring, by=district_staff, kind="gift", value=150_000, count=10, event=evening, min_age=11
    )
    assert chosen(older) == {names[dt.date(2015, 2, 28)]}  # eleven that day; the other is ten until 1/3


def test_an_age_band_no_child_can_be_in_is_refused_in_vietnamese_and_nothing_is_written(
    spring, district_staff, born
):
    born(dt.date(2020, 3, 2))
    with translation.override("vi"):
        with pytest.raises(ValidationError) as upside_down:
            gift_list_build(
                campaign=spring, by=district_staff, kind="gift", value=1, count=5, min_age=10, max_age=6
            )
        assert upside_down.value.message_dict == {
            "max_age": ["Tuổi nhỏ nhất (10) lớn hơn tuổi lớn nhất (6)."]
        }
        with pytest.raises(ValidationError) as adult:
            gift_list_build(campaign=spring, by=district_staff, kind="gift", value=1, count=5, max_age=16)
        assert adult.value.message_dict == {"max_age": ["Tuổi là số năm tròn từ 0 đến 15."]}
        with pytest.raises(ValidationError) as nobody:
            gift_list_build(
                campaign=spring, by=district_staff, kind="gift", value=1, count=5, min_age=11, max_age=14
            )
        assert nobody.value.messages == [
            "Không còn trẻ nào từ 11 đến 14 tuổi (tính đến ngày 01/03/2026) để nhận quà này ở các xã đã chọn:"
            " không có trẻ ở độ tuổi đó, hoặc các em đã nhận hoặc đã có tên trong một danh sách."
        ]
    assert not GiftList.objects.exists()


def test_the_build_form_offers_the_school_bands_and_refuses_a_band_with_ages_of_its_own(
    spring, district_staff, client, born
):
    names = born(dt.date(2020, 3, 2), dt.date(2018, 5, 5))
    data = {"campaign": spring.pk, "kind": "gift", "value": "150.000", "count": "5"}
    form = GiftListBuildForm({**data, "age_band": "preschool"}, user=district_staff)
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["min_age"], form.cleaned_data["max_age"]) == (0, 5)
    with translation.override("vi"):
        both = GiftListBuildForm({**data, "age_band": "primary", "min_age": "6"}, user=district_staff)
        assert not both.is_valid()
        assert both.non_field_errors() == ["Chọn độ tuổi có sẵn hoặc nhập tuổi, không chọn cả hai."]
    client.force_login(district_staff)
    build = reverse("admin:campaigns_giftlist_build")
    page = client.get(build, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Mầm non (0–5 tuổi)" in page and "Tiểu học (6–10 tuổi)" in page
    response = client.post(build, {**data, "min_age": "9", "max_age": "3"}, HTTP_ACCEPT_LANGUAGE="vi")
    assert (
        response.status_code == 200
        and "Tuổi nhỏ nhất (9) lớn hơn tuổi lớn nhất (3)." in response.content.decode()
    )
    assert not GiftList.objects.exists()
    response = client.post(build, {**data, "age_band": "preschool"}, HTTP_ACCEPT_LANGUAGE="vi")
    gift_list = GiftList.objects.get()
    assert response.status_code == 302 and chosen(gift_list) == {names[dt.date(2020, 3, 2)]}
    page = client.get(
        reverse("admin:campaigns_giftlist_change", args=[gift_list.pk]), HTTP_ACCEPT_LANGUAGE="vi"
    )
    assert "từ 0 đến 5 tuổi, tính đến ngày 01/03/2026" in page.content.decode()
    portal = client.get(reverse("campaigns_portal:gift_list", args=[gift_list.pk]), HTTP_ACCEPT_LANGUAGE="vi")
    assert "Độ tuổi: từ 0 đến 5 tuổi, tính đến ngày 01/03/2026" in portal.content.decode()
