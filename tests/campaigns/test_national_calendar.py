"""The national calendar ships with the product: a fresh install (migrations run) has the recurring
campaigns of the source documents, without a unit; a unit takes them up and edits its own copies."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from campaigns import lunar
from campaigns.models import Campaign, CampaignTemplate
from campaigns.services.campaign_templates import (
    campaign_template_save,
    campaign_templates_adopt,
    campaigns_due,
    campaigns_from_templates,
    template_date,
)
from fund_portal.demo import seed_demo
from tests.factories import UserFactory, staff

pytestmark = pytest.mark.django_db


def national() -> dict[str, CampaignTemplate]:
    return {t.kind: t for t in CampaignTemplate.objects.filter(unit=None)}


def fields(template: CampaignTemplate) -> tuple:
    return (
        template.name_pattern,
        template.date_rule,
        template.day,
        template.month,
        template.days_before,
        template.days_after,
    )


def test_a_fresh_install_has_the_national_calendar_of_the_source_documents():
    """The test database is made by the migrations, as a fresh install is (and these tests run before
    any test that empties the tables)."""
    calendar = national()
    assert {kind: fields(t) for kind, t in calendar.items()} == {
        "childrens_day": ("Ngày Quốc tế Thiếu nhi 1/6/{year}", "solar", 1, 6, 10, 0),
        "action_month": ("Tháng hành động vì trẻ em {year}", "solar", 1, 6, 0, 29),
        "mid_autumn": ("Tết Trung thu {year}", "lunar", 15, 8, 40, 10),
        "lunar_new_year": ("Tết Nguyên đán {year}", "lunar", 1, 1, 30, 5),
        "day_for_the_poor": ("Ngày vì người nghèo {year}", "solar", 17, 10, 30, 0),
    }
    assert all(t.is_active and t.is_public and t.target_amount == 0 for t in calendar.values())
    # The lunar festivals fall on the Vietnamese dates (UTC+7), through `campaigns.lunar`.
    assert template_date(template=calendar["mid_autumn"], year=2026) == dt.date(2026, 9, 25)
    assert template_date(template=calendar["lunar_new_year"], year=2027) == dt.date(2027, 2, 6)
    assert template_date(template=calendar["mid_autumn"], year=2027) == lunar.lunar_to_solar(2027, 8, 15)
    assert template_date(template=calendar["day_for_the_poor"], year=2026) == dt.date(2026, 10, 17)


def test_the_national_calendar_makes_no_campaign_by_itself():
    assert len(national()) == 5
    assert campaigns_due(today=dt.date(2026, 5, 1)) == []
    assert not Campaign.objects.exists()


def test_a_unit_takes_up_the_national_calendar_and_makes_its_campaigns_from_its_copies(tree):
    lan = staff(tree["d1"], username="lan")
    before = {kind: fields(t) for kind, t in national().items()}
    copies = campaign_templates_adopt(unit=tree["d1"], by=lan)
    assert {c.kind: fields(c) for c in copies} == before
    assert {c.slug_prefix for c in copies} == {t.slug_prefix for t in national().values()}
    assert campaign_templates_adopt(unit=tree["d1"], by=lan) == []  # taken up once
    assert CampaignTemplate.objects.filter(unit=tree["d1"]).count() == 5

    made = {c.kind: c for c in campaigns_from_templates(year=2026, by=lan)}
    assert len(made) == 5 and all(c.unit == tree["d1"] for c in made.values())
    assert (made["mid_autumn"].starts_on, made["mid_autumn"].ends_on) == (
        dt.date(2026, 8, 16),
        dt.date(2026, 10, 5),
    )
    assert (made["action_month"].starts_on, made["action_month"].ends_on) == (
        dt.date(2026, 6, 1),
        dt.date(2026, 6, 30),
    )
    assert made["mid_autumn"].slug == "tet-trung-thu-2026"
    assert set(made["childrens_day"].participating_communes.all()) == {tree["a"], tree["b"]}


def test_a_units_copy_is_its_own_to_edit_and_the_national_template_stays(tree):
    lan = staff(tree["d1"], username="lan")
    copy = next(c for c in campaign_templates_adopt(unit=tree["d1"], by=lan) if c.kind == "mid_autumn")
    copy.days_before, copy.target_amount = 20, 90_000_000
    campaign_template_save(template=copy, by=lan)
    assert (national()["mid_autumn"].days_before, national()["mid_autumn"].target_amount) == (40, 0)
    [campaign] = campaigns_from_templates(year=2026, templates=[copy], by=lan)
    assert (campaign.starts_on, campaign.target_amount) == (dt.date(2026, 9, 5), 90_000_000)


def test_a_second_unit_takes_up_the_calendar_under_prefixes_with_its_code(tree):
    campaign_templates_adopt(unit=tree["d1"], by=None)
    copies = campaign_templates_adopt(unit=tree["d2"], by=staff(tree["d2"], username="hoa"))
    assert {c.slug_prefix for c in copies} == {f"{t.slug_prefix}-902" for t in national().values()}
    slugs = {c.slug for c in campaigns_from_templates(year=2026) if c.kind == "mid_autumn"}
    assert slugs == {"tet-trung-thu-2026", "tet-trung-thu-902-2026"}


def test_a_units_own_template_of_a_kind_stands_in_for_the_national_one(tree):
    lan = staff(tree["d1"], username="lan")
    own = campaign_template_save(
        template=CampaignTemplate(
            kind="mid_autumn",
            name_pattern="Vui Tết Trung thu {year}",
            slug_prefix="vui-trung-thu",
            date_rule="lunar",
            day=15,
            month=8,
            unit=tree["d1"],
        ),
        by=lan,
    )
    copies = campaign_templates_adopt(unit=tree["d1"], by=lan)
    assert len(copies) == 4 and "mid_autumn" not in {c.kind for c in copies}
    assert list(CampaignTemplate.objects.filter(unit=tree["d1"], kind="mid_autumn")) == [own]


def test_only_a_national_administrator_changes_the_national_calendar(tree):
    lan = staff(tree["d1"], username="lan")
    for change in ({"day": 2}, {"unit": tree["d1"]}):
        template = national()["childrens_day"]
        for name, value in change.items():
            setattr(template, name, value)
        with pytest.raises(ValidationError, match="quản trị viên toàn quốc"):
            campaign_template_save(template=template, by=lan)
    assert (national()["childrens_day"].day, national()["childrens_day"].unit) == (1, None)
    admin = UserFactory(username="quantri", is_superuser=True, is_staff=True)
    template = national()["childrens_day"]
    template.days_before = 14
    campaign_template_save(template=template, by=admin)
    assert national()["childrens_day"].days_before == 14


def test_a_unit_outside_the_users_scope_cannot_take_up_the_calendar(tree):
    with pytest.raises(ValidationError, match="ngoài phạm vi"):
        campaign_templates_adopt(unit=tree["d2"], by=staff(tree["d1"], username="lan"))
    assert not CampaignTemplate.objects.filter(unit__isnull=False).exists()


def test_staff_take_up_the_national_calendar_from_the_admin(client, tree):
    client.force_login(staff(tree["d1"], username="lan"))
    url = reverse("admin:campaigns_campaigntemplate_changelist")
    selected = [national()["mid_autumn"].pk, national()["lunar_new_year"].pk]
    page = client.post(url, {"action": "take_up_for_my_unit", "_selected_action": selected}, follow=True)
    assert "Đã áp dụng 2 chiến dịch hằng năm của lịch toàn quốc cho Huyện Một." in page.content.decode()
    kinds = set(CampaignTemplate.objects.filter(unit=tree["d1"]).values_list("kind", flat=True))
    assert kinds == {"mid_autumn", "lunar_new_year"}


def test_seeding_the_demo_twice_takes_up_the_calendar_once():
    seed_demo()
    district = {t.kind: t for t in CampaignTemplate.objects.filter(unit__code="397")}
    assert len(district) == 5 and district["mid_autumn"].slug_prefix == "tet-trung-thu"
    assert district["mid_autumn"].target_amount == 150_000_000
    before = set(CampaignTemplate.objects.values_list("pk", "unit", "slug_prefix", "target_amount"))
    campaigns = Campaign.objects.count()
    seed_demo()
    assert set(CampaignTemplate.objects.values_list("pk", "unit", "slug_prefix", "target_amount")) == before
    assert Campaign.objects.count() == campaigns
    assert len(national()) == 5
