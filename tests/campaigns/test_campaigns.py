"""Campaigns: saved with their rules, made every year from the recurring ones (lunar dates at UTC+7),
what they raised and delivered, and the year-over-year comparison."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from campaigns.models import Campaign, CampaignTemplate, DateRule
from campaigns.selectors import campaign_progress, campaign_year_over_year
from campaigns.services.campaign_templates import campaigns_due, campaigns_from_templates
from campaigns.services.campaigns import campaign_save
from campaigns.tasks import campaigns_from_templates_task
from children.services.support import support_record
from donations.services.donations import donation_create, donation_post, donation_reverse
from tests.factories import DonorFactory, officer

pytestmark = pytest.mark.django_db


@pytest.fixture
def mid_autumn_template(tree):
    return CampaignTemplate.objects.create(
        kind="mid_autumn",
        name_pattern="Tết Trung thu {year}",
        slug_prefix="trung-thu",
        date_rule=DateRule.LUNAR,
        day=15,
        month=8,
        days_before=0,
        days_after=0,
        unit=tree["d1"],
        target_amount=50_000_000,
        target_supports=500,
        target_support_kind="gift",
    )


def test_a_lunar_template_makes_one_campaign_a_year_on_the_vietnamese_date(tree, mid_autumn_template):
    made = campaigns_from_templates(year=2026)
    assert [(c.slug, c.name, c.starts_on, c.ends_on, c.year) for c in made] == [
        ("trung-thu-2026", "Tết Trung thu 2026", dt.date(2026, 9, 25), dt.date(2026, 9, 25), 2026)
    ]
    (campaign_2025,) = campaigns_from_templates(year=2025)
    assert campaign_2025.starts_on == dt.date(2025, 10, 6)
    assert campaigns_from_templates(year=2026) == []
    assert campaigns_from_templates(year=2025) == []
    assert Campaign.objects.filter(template=mid_autumn_template).count() == 2
    campaign = Campaign.objects.get(slug="trung-thu-2026")
    assert (campaign.target_amount, campaign.target_supports, campaign.target_support_kind) == (
        50_000_000,
        500,
        "gift",
    )
    # Every commune of the organising district takes part; the other district's does not.
    assert set(campaign.participating_communes.all()) == {tree["a"], tree["b"]}


def test_the_database_refuses_a_second_campaign_of_a_template_in_a_year(tree, mid_autumn_template):
    (campaign,) = campaigns_from_templates(year=2026)
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.create(
            name="Trùng",
            slug="trung",
            unit=tree["d1"],
            starts_on=campaign.starts_on,
            ends_on=campaign.ends_on,
            template=mid_autumn_template,
            year=2026,
        )


def test_a_solar_template_spans_its_days_around_the_date_and_a_taken_slug_gets_a_suffix(tree):
    campaign_save(
        campaign=Campaign(
            name="Ngày vì người nghèo 2027 (xã)",
            slug="ngay-vi-nguoi-ngheo-2027",
            unit=tree["d1"],
            starts_on=dt.date(2027, 10, 1),
            ends_on=dt.date(2027, 10, 2),
        ),
        by=None,
    )
    CampaignTemplate.objects.create(
        kind="day_for_the_poor",
        name_pattern="Ngày vì người nghèo {year}",
        slug_prefix="ngay-vi-nguoi-ngheo",
        day=17,
        month=10,
        days_before=10,
        days_after=5,
        unit=tree["d1"],
    )
    (campaign,) = campaigns_from_templates(year=2027)
    assert (campaign.slug, campaign.starts_on, campaign.ends_on) == (
        "ngay-vi-nguoi-ngheo-2027-2",
        dt.date(2027, 10, 7),
        dt.date(2027, 10, 22),
    )


def test_the_daily_task_makes_only_the_campaigns_starting_soon_and_changes_nothing_twice(
    tree, mid_autumn_template
):
    CampaignTemplate.objects.create(
        kind="lunar_new_year",
        name_pattern="Tết Nguyên Đán {year}",
        slug_prefix="tet",
        date_rule=DateRule.LUNAR,
        day=1,
        month=1,
        days_before=20,
        days_after=5,
        unit=tree["d1"],
    )
    made = campaigns_due(today=dt.date(2026, 12, 1))
    # Tết 2027 falls on 06/02/2027 and its campaign starts 20 days before: within 90 days.
    # Tết 2026 (17/02/2026) and Mid-Autumn 2026 have started already: they are made too (late).
    assert sorted(c.slug for c in made) == ["tet-2026", "tet-2027", "trung-thu-2026"]
    assert Campaign.objects.get(slug="tet-2027").starts_on == dt.date(2027, 1, 17)
    assert campaigns_from_templates_task.apply().get() == 0
    assert Campaign.objects.count() == 3


def test_a_campaign_that_ends_before_it_starts_is_refused_in_vietnamese(tree, district_staff):
    campaign = Campaign(
        name="Cứu trợ lũ lụt", unit=tree["d1"], starts_on=dt.date(2026, 9, 10), ends_on=dt.date(2026, 9, 1)
    )
    with pytest.raises(ValidationError) as error:
        campaign_save(campaign=campaign, by=district_staff)
    assert "Ngày kết thúc chiến dịch không được trước ngày bắt đầu" in error.value.message_dict["ends_on"][0]
    assert not Campaign.objects.exists()


def test_participating_communes_must_lie_under_the_organiser_and_within_scope(tree, district_staff):
    campaign = Campaign(
        name="Cứu trợ lũ lụt", unit=tree["d1"], starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2026, 9, 30)
    )
    with pytest.raises(ValidationError) as error:
        campaign_save(campaign=campaign, by=district_staff, communes=[tree["a"], tree["c"]])
    assert "Xã Cường" in error.value.message_dict["participating_communes"][0]
    with pytest.raises(ValidationError):
        campaign_save(campaign=campaign, by=district_staff, communes=[tree["va"]])  # a village
    other_district = Campaign(
        name="Khác", unit=tree["d2"], starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2026, 9, 30)
    )
    with pytest.raises(ValidationError) as error:
        campaign_save(campaign=other_district, by=district_staff)
    assert "unit" in error.value.message_dict
    saved = campaign_save(campaign=campaign, by=district_staff, communes=[tree["a"]])
    assert saved.slug == "cuu-tro-lu-lut" and saved.year == 2026
    assert list(saved.participating_communes.all()) == [tree["a"]]


def test_progress_adds_up_the_posted_donations_and_the_supports_of_the_campaign(
    tree, campaign, fund, district_staff, officer_a, make_child, today
):
    donor = DonorFactory(unit=tree["d1"], name="Công ty Bánh kẹo Hải Hà")
    linked = {"restriction": "campaign", "restriction_campaign": campaign, "campaign": campaign}
    donation_post(
        donation=donation_create(fund=fund, amount=3_000_000, received_on=today, donor=donor, **linked),
        by=district_staff,
    )
    donation_post(
        donation=donation_create(fund=fund, amount=1_000_000, received_on=today, donor=donor, **linked),
        by=district_staff,
    )
    donation_post(
        donation=donation_create(
            fund=fund,
            amount=2_500_000,
            received_on=today,
            kind="goods",
            goods_description="Bánh trung thu",
            goods_quantity=100,
            goods_unit="hộp",
            donor_name="Một nhà hảo tâm",
            **linked,
        ),
        by=district_staff,
    )
    # Received at a commune for the campaign, unrestricted: linked by `campaign` only.
    donation_post(
        donation=donation_create(fund=fund, amount=500_000, received_on=today, campaign=campaign),
        by=district_staff,
    )
    # Not counted: pending, reversed, another campaign's, not linked.
    donation_create(fund=fund, amount=9_000_000, received_on=today, **linked)
    reversed_ = donation_post(
        donation=donation_create(fund=fund, amount=700_000, received_on=today, **linked), by=district_staff
    )
    donation_reverse(donation=reversed_, reason="Nhập nhầm", by=district_staff)
    donation_post(donation=donation_create(fund=fund, amount=800_000, received_on=today), by=district_staff)

    first, second = make_child(tree["a"], "Lò Thị Mai", 50), make_child(tree["a"], "Vàng A Sử", 40)
    for child in (first, second):
        support_record(
            by=officer_a,
            child=child,
            kind="gift",
            value=200_000,
            delivered_on=today,
            source="campaign",
            campaign=campaign,
        )
    support_record(
        by=officer_a,
        child=first,
        kind="school_supplies",
        value=150_000,
        delivered_on=today,
        source="campaign",
        campaign=campaign,
    )
    support_record(
        by=officer_a,
        child=second,
        kind="gift",
        value=999_000,
        delivered_on=today,
        source="fund",
        confirm_overlap=True,
    )

    progress = campaign_progress(campaign=campaign)
    assert (progress["cash"], progress["goods"], progress["raised"]) == (4_500_000, 2_500_000, 7_000_000)
    assert progress["donations"] == 4
    assert progress["donors"] == 3  # the company once, the unnamed benefactor, the commune's donation
    assert progress["amount_percent"] == 70
    assert (progress["supports"], progress["supports_value"]) == (3, 550_000)
    assert [(row["kind"], row["count"], row["value"]) for row in progress["by_kind"]] == [
        ("gift", 2, 400_000),
        ("school_supplies", 1, 150_000),
    ]
    assert (progress["targeted_supports"], progress["supports_percent"]) == (2, 50)


def test_year_over_year_compares_the_campaigns_of_the_same_template(
    tree, mid_autumn_template, fund, district_staff, make_child
):
    campaigns = {c.year: c for year in (2024, 2025, 2026) for c in campaigns_from_templates(year=year)}
    for year, amount in ((2024, 2_000_000), (2025, 4_000_000), (2026, 5_000_000)):
        day = campaigns[year].starts_on
        donation_post(
            donation=donation_create(
                fund=fund,
                amount=amount,
                received_on=day,
                restriction="campaign",
                restriction_campaign=campaigns[year],
                campaign=campaigns[year],
            ),
            by=district_staff,
        )
    child = make_child(tree["b"], "Hà Văn Tú", 30)
    support_record(
        by=officer(tree["b"]),
        child=child,
        kind="gift",
        value=300_000,
        delivered_on=dt.date(2025, 10, 6),
        source="campaign",
        campaign=campaigns[2025],
    )
    ad_hoc = campaign_save(
        campaign=Campaign(
            name="Lũ lụt", unit=tree["d1"], starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2026, 9, 2)
        ),
        by=district_staff,
    )
    rows = campaign_year_over_year(campaign=campaigns[2026])
    assert [(r["year"], r["raised"], r["supports"], r["is_current"]) for r in rows] == [
        (2024, 2_000_000, 0, False),
        (2025, 4_000_000, 1, False),
        (2026, 5_000_000, 0, True),
    ]
    assert [r["raised_change_percent"] for r in rows] == [None, 100, 25]
    assert campaign_year_over_year(campaign=ad_hoc) == []
