"""On an appeal night a posting arrives every second: a stale public page is built again by one request
while every other visitor gets the stale copy, and pages that show no figures are left alone."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from fund_portal.models import NewsPost
from public.cache import page_key, public_version

from .conftest import give

pytestmark = pytest.mark.django_db


def home_key() -> str:
    request = RequestFactory().get("/")
    with translation.override("vi"):
        return page_key(request, (), public_version(request))


def test_a_stale_page_being_built_by_another_request_is_served_stale_meanwhile(client, site):
    before = client.get("/").content.decode()
    give(site["fund"], 5_000_000, timezone.localdate(), campaign=site["campaign"], donor_name="Người Mới")
    key = home_key()
    assert cache.get(key) is not None
    assert cache.add(f"{key}:rebuilding", 1, 30)  # what a request building the page holds meanwhile
    with CaptureQueriesContext(connection) as queries:
        stale = client.get("/").content.decode()
    assert stale == before
    assert not [q for q in queries.captured_queries if "campaigns_campaign" in q["sql"]]  # not built
    cache.delete(f"{key}:rebuilding")  # the build is done (or its holder gave up)
    fresh = client.get("/").content.decode()
    assert fresh != before and "8.600.000" in fresh


def test_a_posting_leaves_the_news_pages_alone(client, site):
    NewsPost.objects.create(
        title="Trao áo ấm", slug="trao-ao-am", body="…", published_at=timezone.now(), is_published=True
    )
    assert "Trao áo ấm" in client.get("/news/").content.decode()
    give(site["fund"], 5_000_000, timezone.localdate(), donor_name="Người Mới")
    with CaptureQueriesContext(connection) as queries:
        assert "Trao áo ấm" in client.get("/news/").content.decode()
    assert not [q for q in queries.captured_queries if "newspost" in q["sql"]]  # served from its cache
    NewsPost.objects.create(
        title="Tin thứ hai", slug="tin-thu-hai", body="…", published_at=timezone.now(), is_published=True
    )
    from fund_portal.public_cache import public_cache_bump

    public_cache_bump()
    assert "Tin thứ hai" in client.get("/news/").content.decode()  # a news change still shows at once
