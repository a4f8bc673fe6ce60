"""A recurring campaign saved in the admin goes through `campaign_template_save` (issue 15): its key
date must come back every year, or the daily task that makes each year's campaign would fail on it."""

import pytest
from django.urls import reverse

from campaigns.models import Campaign, CampaignTemplate
from campaigns.services.campaign_templates import campaigns_from_templates

pytestmark = pytest.mark.django_db


def _template_form(tree, **changes) -> dict:
    data = {
        "kind": "childrens_day",
        "name_pattern": "Ngày Quốc tế Thiếu nhi {year}",
        "slug_prefix": "quoc-te-thieu-nhi",
        "date_rule": "solar",
        "day": 1,
        "month": 6,
        "days_before": 0,
        "days_after": 0,
        "unit": tree["d1"].pk,
        "target_amount": 0,
        "target_supports": 0,
        "is_public": "on",
        "is_active": "on",
    }
    return {**data, **changes}


@pytest.mark.parametrize(("rule", "day", "month"), [("solar", 31, 4), ("solar", 29, 2), ("lunar", 30, 8)])
def test_a_recurring_campaign_whose_date_is_missing_in_some_years_is_refused_on_the_admin_form(
    client, tree, district_staff, rule, day, month
):
    client.force_login(district_staff)
    response = client.post(
        reverse("admin:campaigns_campaigntemplate_add"),
        _template_form(tree, date_rule=rule, day=day, month=month),
    )
    assert response.status_code == 200
    assert "không có trong mọi năm" in response.content.decode()
    assert not CampaignTemplate.objects.filter(unit__isnull=False).exists()  # the national calendar aside


def test_a_recurring_campaign_saved_in_the_admin_makes_its_campaigns(client, tree, district_staff):
    client.force_login(district_staff)
    response = client.post(
        reverse("admin:campaigns_campaigntemplate_add"),
        _template_form(tree, name_pattern="  Ngày Quốc tế   Thiếu nhi {year} "),
    )
    assert response.status_code == 302
    template = CampaignTemplate.objects.get(unit=tree["d1"])
    assert template.name_pattern == "Ngày Quốc tế Thiếu nhi {year}"
    for year in (2025, 2026, 2027, 2028):
        campaigns_from_templates(year=year, templates=[template])
    assert Campaign.objects.count() == 4
