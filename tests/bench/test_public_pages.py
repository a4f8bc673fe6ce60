"""The public pages benchmark (issue 20) on a tiny province: each of the five pages cold and warm, each
warm page against the bare view measured in turn with it; without the province's data set it says
what to run."""

import pytest

from bench.benchmarks.public_pages import province_fund, public_pages_measures
from bench.province_data import province_prepare
from donations.models import Donation

pytestmark = pytest.mark.django_db

PAGES = ("home", "campaign", "honour roll", "needs", "transparency, heaviest month")


def test_each_page_is_measured_cold_and_warm_against_the_bare_view(settings):
    settings.ROOT_URLCONF = "bench.urls"  # the bare view, as under bench.settings
    province_prepare(children=50, donations=300, commune_funds=2)
    fund = province_fund()

    rows = public_pages_measures(fund, repeat=3, cold_repeat=2, campaign_donations=100)

    bare, *pages = rows
    assert bare.measure == "public pages: the bare view p95" and bare.value > 0
    assert [row.measure for row in pages] == [
        f"public pages: {page} {state} p95" for page in PAGES for state in ("cold", "warm")
    ]
    assert all(row.value > 0 and "max" in row.note for row in pages)
    cold, warm = pages[0::2], pages[1::2]
    assert {row.target for row in cold} == {300} and {row.baseline for row in cold} == {None}
    # Each warm page's baseline is the bare view of its own turns: 3 requests of each, in turn.
    assert all(row.baseline > 0 and row.target == round(2 * row.baseline, 2) for row in warm)
    assert all("3 requests" in row.note.split("(bare ")[1] for row in warm)
    assert bare.baseline is None and "15 requests" in bare.note
    assert "100 donations linked to the campaign" in pages[2].note
    assert Donation.objects.filter(campaign__slug=f"bench-{fund.code}-appeal").count() == 100


def test_without_the_province_data_set_it_says_what_to_run():
    with pytest.raises(RuntimeError, match="bench --only scale"):
        province_fund()
