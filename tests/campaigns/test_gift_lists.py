"""Gift lists of a campaign's event: children chosen by priority within a budget or a count, without
those who already got the gift, handed over in one step, printed as a signing sheet per commune."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook
from pypdf import PdfReader

from campaigns.documents import gift_list_signing_sheet, gift_list_xlsx
from campaigns.models import CampaignEvent, GiftListEntry, GiftListStatus
from campaigns.services.events import event_save
from campaigns.services.gift_lists import gift_list_build, gift_list_handover
from children.models import AccessLog, Support
from children.services.registry import child_status_set
from children.services.support import support_record
from tests.factories import FundFactory, staff

pytestmark = pytest.mark.django_db

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def children(tree, make_child):
    """Six children of communes A and B, and one of commune C (another district, not participating)."""
    return {
        "mai": make_child(tree["a"], "Lò Thị Mai", 90, village=tree["va"], guardian="Lò Văn Páo"),
        "su": make_child(tree["a"], "Vàng A Sử", 70),
        "tu": make_child(tree["b"], "Hà Văn Tú", 80, village=tree["vb"]),
        "lan": make_child(tree["b"], "Đinh Thị Lan", 60),
        "hung": make_child(tree["a"], "Nguyễn Văn Hưng", 50),
        "yen": make_child(tree["b"], "Phạm Thị Yến", 10),
        "cuong": make_child(tree["c"], "Trần Văn Cường", 100, by=staff(tree["d2"])),
    }


@pytest.fixture
def event(campaign, district_staff):
    return event_save(
        event=CampaignEvent(
            campaign=campaign,
            kind="exchange",
            name="Đêm hội trăng rằm",
            starts_at=dt.datetime(2026, 9, 25, 19, 30, tzinfo=VIETNAM),
            place="Nhà văn hoá xã An",
        ),
        by=district_staff,
    )


def names(gift_list):
    return [e.child.full_name for e in gift_list.entries.order_by("position")]


def test_a_list_by_count_takes_the_highest_priorities_of_the_participating_communes(
    campaign, district_staff, children, event
):
    gift_list = gift_list_build(
        campaign=campaign, by=district_staff, kind="gift", value=300_000, count=3, event=event
    )
    assert names(gift_list) == ["Lò Thị Mai", "Hà Văn Tú", "Vàng A Sử"]
    assert set(gift_list.entries.values_list("value", flat=True)) == {300_000}
    assert gift_list.status == GiftListStatus.DRAFT and gift_list.event == event


def test_a_list_by_budget_stops_before_the_child_who_would_exceed_it(campaign, district_staff, children):
    gift_list = gift_list_build(
        campaign=campaign, by=district_staff, kind="gift", value=300_000, budget=1_000_000
    )
    assert names(gift_list) == ["Lò Thị Mai", "Hà Văn Tú", "Vàng A Sử"]
    equal_ties = gift_list_build(
        campaign=campaign, by=district_staff, kind="school_supplies", value=250_000, budget=1_000_000, count=2
    )
    assert names(equal_ties) == ["Lò Thị Mai", "Hà Văn Tú"]


def test_a_list_can_be_limited_to_some_participating_communes(tree, campaign, district_staff, children):
    gift_list = gift_list_build(
        campaign=campaign, by=district_staff, kind="gift", value=100_000, count=10, communes=[tree["b"]]
    )
    assert names(gift_list) == ["Hà Văn Tú", "Đinh Thị Lan", "Phạm Thị Yến"]


def test_children_who_got_the_gift_in_this_campaign_or_wait_on_another_list_are_left_out(
    campaign, district_staff, officer_a, children, today
):
    support_record(
        by=officer_a,
        child=children["mai"],
        kind="gift",
        value=200_000,
        delivered_on=today,
        source="campaign",
        campaign=campaign,
    )
    first = gift_list_build(campaign=campaign, by=district_staff, kind="gift", value=100_000, count=2)
    assert names(first) == ["Hà Văn Tú", "Vàng A Sử"]
    second = gift_list_build(campaign=campaign, by=district_staff, kind="gift", value=100_000, count=2)
    assert names(second) == ["Đinh Thị Lan", "Nguyễn Văn Hưng"]
    # Another type of support is another list: Mai gets school supplies.
    supplies = gift_list_build(campaign=campaign, by=district_staff, kind="school_supplies", value=1, count=1)
    assert names(supplies) == ["Lò Thị Mai"]


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"value": 300_000, "count": 4, "budget": 1_000_000}, "budget", "Vượt ngân sách"),
        ({"value": 0, "count": 4}, "value", "lớn hơn 0"),
        ({"value": -5, "budget": 100}, "value", "lớn hơn 0"),
        ({"value": 100_000}, "budget", "ngân sách hoặc số trẻ em"),
        ({"value": 600_000, "budget": 500_000}, "budget", "không đủ"),
    ],
)
def test_a_bad_list_is_refused_with_a_clear_message(
    campaign, district_staff, children, kwargs, field, message
):
    with pytest.raises(ValidationError) as error:
        gift_list_build(campaign=campaign, by=district_staff, kind="gift", **kwargs)
    assert message in " ".join(error.value.message_dict[field])
    assert not GiftListEntry.objects.exists()


def test_a_commune_outside_the_campaign_is_refused(tree, campaign, district_staff, children):
    with pytest.raises(ValidationError) as error:
        gift_list_build(
            campaign=campaign,
            by=district_staff,
            kind="gift",
            value=1,
            count=1,
            communes=[tree["a"], tree["c"]],
        )
    assert "Xã Cường" in " ".join(error.value.message_dict["communes"])


def test_an_officer_cannot_build_a_list_of_the_districts_campaign(campaign, officer_a, children):
    with pytest.raises(ValidationError):
        gift_list_build(campaign=campaign, by=officer_a, kind="gift", value=1, count=1)


def test_the_handover_records_every_support_in_one_step_and_a_second_is_refused(
    campaign, district_staff, children, today
):
    gift_list = gift_list_build(campaign=campaign, by=district_staff, kind="gift", value=300_000, count=4)
    supports = gift_list_handover(
        gift_list=gift_list,
        by=district_staff,
        delivered_on=today,
        handed_over_by="Nguyễn Văn Quang",
        absent_child_ids=[children["su"].pk],
    )
    assert len(supports) == 3
    given = Support.objects.filter(campaign=campaign)
    assert sorted(s.child.full_name for s in given) == ["Hà Văn Tú", "Lò Thị Mai", "Đinh Thị Lan"]
    assert {(s.kind, s.value, s.source, s.handed_over_by) for s in given} == {
        ("gift", 300_000, "campaign", "Nguyễn Văn Quang")
    }
    assert not Support.objects.filter(child=children["su"]).exists()
    gift_list.refresh_from_db()
    assert gift_list.status == GiftListStatus.HANDED_OVER and gift_list.handed_over_by == district_staff
    assert gift_list.entries.get(child=children["su"]).absent
    with pytest.raises(ValidationError) as error:
        gift_list_handover(gift_list=gift_list, by=district_staff, delivered_on=today)
    assert "đã được trao" in error.value.messages[0]
    assert Support.objects.filter(campaign=campaign).count() == 3
    # The absent child can go on a later list; those who got the gift cannot.
    later = gift_list_build(campaign=campaign, by=district_staff, kind="gift", value=300_000, count=1)
    assert names(later) == ["Vàng A Sử"]


def test_a_handover_that_fails_for_one_child_records_nothing(campaign, district_staff, children, today):
    gift_list = gift_list_build(campaign=campaign, by=district_staff, kind="gift", value=300_000, count=3)
    child_status_set(child=children["su"], by=district_staff, status="moved", on=today, reason="Chuyển đi")
    with pytest.raises(ValidationError) as error:
        gift_list_handover(gift_list=gift_list, by=district_staff, delivered_on=today)
    assert "Vàng A Sử" in " ".join(error.value.messages)
    assert not Support.objects.exists()
    assert not gift_list.entries.filter(support__isnull=False).exists()
    gift_list_handover(
        gift_list=gift_list, by=district_staff, delivered_on=today, absent_child_ids=[children["su"].pk]
    )
    assert Support.objects.count() == 2


def test_an_officer_hands_over_only_their_communes_children(
    campaign, district_staff, officer_a, officer_b, children, today, tree
):
    gift_list = gift_list_build(campaign=campaign, by=district_staff, kind="gift", value=300_000, count=4)
    gift_list_handover(gift_list=gift_list, by=officer_a, delivered_on=today)
    assert sorted(Support.objects.values_list("child__full_name", flat=True)) == ["Lò Thị Mai", "Vàng A Sử"]
    gift_list.refresh_from_db()
    assert gift_list.status == GiftListStatus.DRAFT
    with pytest.raises(ValidationError):
        gift_list_handover(gift_list=gift_list, by=officer_a, delivered_on=today)
    with pytest.raises(ValidationError):  # commune B's child cannot be marked absent by commune A
        gift_list_handover(
            gift_list=gift_list, by=officer_a, delivered_on=today, absent_child_ids=[children["tu"].pk]
        )
    gift_list_handover(gift_list=gift_list, by=officer_b, delivered_on=today)
    gift_list.refresh_from_db()
    assert gift_list.status == GiftListStatus.HANDED_OVER
    assert Support.objects.count() == 4
    outsider = gift_list_build(
        campaign=campaign, by=district_staff, kind="school_supplies", value=1, count=5, communes=[tree["b"]]
    )
    with pytest.raises(ValidationError) as error:
        gift_list_handover(gift_list=outsider, by=officer_a, delivered_on=today)
    assert error.value.code == "scope"


def test_the_signing_sheet_has_a_row_per_child_of_the_commune_and_the_signature_column(
    tree, campaign, district_staff, children, event
):
    gift_list = gift_list_build(
        campaign=campaign, by=district_staff, kind="gift", value=300_000, count=5, event=event
    )
    pdf, filename = gift_list_signing_sheet(gift_list=gift_list, user=district_staff, commune_id=tree["a"].pk)
    assert filename == "Danh sách ký nhận Tết Trung thu 2026 Xã An.pdf"
    # Cells wrap in narrow columns: compare with the white space collapsed.
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    for expected in (
        "DANH SÁCH KÝ NHẬN QUÀ",
        "Tết Trung thu 2026",
        "Xã An",
        "Ký nhận",
        "Người giám hộ",
        "Lò Thị Mai",
        "Lò Văn Páo",
        "Thôn 1 Xã An",
        "Vàng A Sử",
        "Nguyễn Văn Hưng",
        "Đêm hội trăng rằm",
        "25/09/2026",
        "19:30",
        "Nhà văn hoá xã An",
        "900.000",  # under "Giá trị (đồng)", without the sign: the column stays narrow
        "Chín trăm nghìn đồng",
        "Tổng cộng: 3 suất",
        "NGƯỜI LẬP DANH SÁCH",
        "ỦY BAN NHÂN DÂN XÃ AN",  # the committee that heads the sheet signs it
        "TM. ỦY BAN NHÂN DÂN",
    ):
        assert expected in text, expected
    for name in ("Lò Thị Mai", "Vàng A Sử", "Nguyễn Văn Hưng"):
        assert text.count(name) == 1, name
    for other_commune in ("Hà Văn Tú", "Đinh Thị Lan"):
        assert other_commune not in text
    assert AccessLog.objects.filter(action="export", children_count=3, unit=tree["a"]).exists()


def test_the_signing_sheet_names_the_fund_of_the_campaigns_unit_as_the_source(
    tree, campaign, district_staff, children, settings
):
    settings.FUND_NAME = "Quỹ của cả triển khai"
    gift_list = gift_list_build(campaign=campaign, by=district_staff, kind="gift", value=300_000, count=5)

    def source():
        pdf, _name = gift_list_signing_sheet(
            gift_list=gift_list, user=district_staff, commune_id=tree["a"].pk
        )
        text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
        return text.split("Nguồn hỗ trợ: ", 1)[1]

    assert source().startswith("Quỹ của cả triển khai")  # no fund over the campaign's district
    FundFactory(unit=tree["province"], name="Quỹ Bảo trợ trẻ em Tỉnh", code="tinh")
    assert source().startswith("Quỹ Bảo trợ trẻ em Tỉnh")  # the province's fund governs the district
    FundFactory(unit=tree["d1"], name="Quỹ Bảo trợ trẻ em Huyện Một", code="huyen-mot")
    assert source().startswith("Quỹ Bảo trợ trẻ em Huyện Một")


def test_an_officer_prints_only_their_communes_sheet(tree, campaign, district_staff, officer_b, children):
    gift_list = gift_list_build(campaign=campaign, by=district_staff, kind="gift", value=300_000, count=6)
    pdf, _name = gift_list_signing_sheet(gift_list=gift_list, user=officer_b)
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Hà Văn Tú" in text and "Phạm Thị Yến" in text
    assert "Lò Thị Mai" not in text


def test_the_xlsx_lists_every_child_with_the_handover_state(campaign, district_staff, children, today):
    gift_list = gift_list_build(campaign=campaign, by=district_staff, kind="gift", value=300_000, count=3)
    gift_list_handover(
        gift_list=gift_list, by=district_staff, delivered_on=today, absent_child_ids=[children["su"].pk]
    )
    data, filename = gift_list_xlsx(gift_list=gift_list, user=district_staff)
    assert filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [row[0] for row in rows[:4]] == [
        f"{campaign.name} · {campaign.unit.name}",
        "Danh sách nhận quà: Quà, 300.000 đồng mỗi suất",
        "Đơn vị tính: đồng",
        None,
    ]
    rows = rows[4:]
    assert rows[0] == (
        "STT",
        "Xã",
        "Trẻ em",
        "Ngày sinh",
        "Thôn",
        "Người chăm sóc",
        "Giá trị (đồng)",
        "Bàn giao",
    )
    by_name = {row[2]: row for row in rows[1:]}
    assert set(by_name) == {"Lò Thị Mai", "Vàng A Sử", "Hà Văn Tú"}
    assert by_name["Lò Thị Mai"][6] == 300_000
    assert by_name["Lò Thị Mai"][7] == f"Đã trao ngày {today:%d/%m/%Y}"
    assert by_name["Vàng A Sử"][7] == "Vắng mặt"


def test_a_draft_list_can_be_discarded_and_a_handed_over_one_is_kept(
    campaign, district_staff, children, today
):
    from campaigns.models import GiftList
    from campaigns.services.gift_lists import gift_list_delete

    draft = gift_list_build(campaign=campaign, by=district_staff, kind="gift", value=1, count=1)
    gift_list_delete(gift_list=draft, by=district_staff)
    assert not GiftList.objects.exists()
    handed = gift_list_build(campaign=campaign, by=district_staff, kind="gift", value=1, count=1)
    gift_list_handover(gift_list=handed, by=district_staff, delivered_on=today)
    with pytest.raises(ValidationError) as error:
        gift_list_delete(gift_list=handed, by=district_staff)
    assert "được giữ lại" in error.value.messages[0]
    assert GiftList.objects.count() == 1


def test_a_child_whose_data_consent_was_withdrawn_is_not_put_on_a_gift_list(
    campaign, district_staff, officer_a, children
):
    from children.services.registry import consent_set

    mai = children["mai"]
    consent_set(child=mai, by=officer_a, data_consent=True, story_consent=False)
    consent_set(child=mai, by=officer_a, data_consent=False, story_consent=False)
    gift_list = gift_list_build(campaign=campaign, by=district_staff, kind="gift", value=300_000, count=3)
    assert "Lò Thị Mai" not in names(gift_list) and len(names(gift_list)) == 3
