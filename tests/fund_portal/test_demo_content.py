"""The demo shows every screen with content on the day it is loaded: a campaign running today, the
Mid-Autumn gifts its news tells of, the README's search example, and the demo donor's donations."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, CampaignKind
from campaigns.selectors import campaign_progress
from fund_portal.demo import seed_demo
from fund_portal.models import NewsPost

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    seed_demo()


def test_a_campaign_runs_today_and_the_home_page_shows_it_with_money_raised(client, demo):
    today = timezone.localdate()
    running = Campaign.objects.filter(starts_on__lte=today, ends_on__gte=today, is_public=True)
    assert running.exists()
    assert any(campaign_progress(campaign=c)["raised"] > 0 for c in running)
    home = client.get("/").content.decode()
    assert "Hiện chưa có chiến dịch nào đang diễn ra" not in home
    assert any(c.name in home for c in running)


def test_no_campaign_of_the_demo_that_has_ended_shows_nothing_raised(demo):
    ended = Campaign.objects.filter(ends_on__lt=timezone.localdate())
    assert ended.exists()
    assert [c.slug for c in ended if campaign_progress(campaign=c)["raised"] == 0] == []


def test_the_province_has_a_report_waiting_and_a_plan_with_targets(demo):
    from reports.models import Plan, Report, ReportStatus

    today = timezone.localdate()
    assert Plan.objects.filter(unit__code="38", targets__isnull=False).exists()
    if today.month > 5 or (
        today.month == 5 and today.day > 25
    ):  # the district's six-month report is due 25/05
        district = Report.objects.get(unit__code="397", kind__cadence="semiannual", year=today.year)
        assert district.status == ReportStatus.SUBMITTED
        assert (
            Report.objects.filter(
                unit__level="commune", status=ReportStatus.ACCEPTED, year=today.year
            ).count()
            == 3
        )


def test_the_mid_autumn_news_tells_of_gifts_the_campaign_counts(demo):
    news = NewsPost.objects.get(slug__startswith="trao-qua-trung-thu-")
    campaign = news.campaign
    assert campaign.kind == CampaignKind.MID_AUTUMN
    assert campaign.ends_on < timezone.localdate()
    assert str(campaign.year) in news.title and news.published_at.date() <= timezone.localdate()
    assert campaign_progress(campaign=campaign)["supports"] > 0


def test_the_readmes_search_example_finds_a_child(client, demo):
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    typed, found = re.search(
        r'search by name without diacritics \("([^"]+)" finds "([^"]+)"\)', readme
    ).groups()
    client.force_login(get_user_model().objects.get(username="canbo.danly"))
    listing = client.get(reverse("children:list"), {"q": typed}).content.decode()
    assert f">{found}</a>" in listing


def test_the_demo_donor_sees_their_donations_with_receipts(client, demo):
    client.force_login(get_user_model().objects.get(username="nhahaotam"))
    page = client.get(reverse("donations:mine")).content.decode()
    assert len(re.findall(r"/donate/mine/\d+/receipt\.pdf", page)) >= 3


def test_loading_the_demo_again_over_demo_data_of_an_earlier_version_changes_nothing_and_does_not_stop(demo):
    """`make run` loads the demo on every start: over an older demo, whose Mid-Autumn campaign had no
    participating communes (and so no gift list), it leaves that campaign as it is."""
    from campaigns.models import GiftList

    campaign = NewsPost.objects.get(slug__startswith="trao-qua-trung-thu-").campaign
    GiftList.objects.filter(campaign=campaign).delete()  # the earlier version had neither
    campaign.participating_communes.clear()

    seed_demo()

    assert not GiftList.objects.filter(campaign=campaign).exists()


def test_a_child_of_hop_thanh_waits_for_dan_lys_officer_to_accept_its_move(client, demo):
    from children.models import ChildTransfer, TransferStatus

    transfer = ChildTransfer.objects.get()
    assert transfer.status == TransferStatus.REQUESTED
    assert (transfer.from_commune.code, transfer.to_commune.code) == ("15682", "15703")
    assert transfer.child.commune.code == "15682"  # it stays with Hợp Thành until Dân Lý decides
    client.force_login(get_user_model().objects.get(username="canbo.danly"))
    listing = client.get(reverse("children:transfer_list")).content.decode()
    assert transfer.child.full_name in listing
    detail = client.get(reverse("children:transfer_detail", args=[transfer.pk])).content.decode()
    assert reverse("children:transfer_accept", args=[transfer.pk]) in detail  # the form to accept it
    # Another commune sees nothing of it.
    client.force_login(get_user_model().objects.get(username="canbo.thobinh"))
    assert transfer.child.full_name not in client.get(reverse("children:transfer_list")).content.decode()
