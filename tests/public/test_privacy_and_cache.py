"""No child is exposed anywhere public, over the demo data; cached pages follow the figures."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from children.models import Child
from donations.models import Donor, Fund, LedgerEntry
from fund_portal.demo import seed_demo
from fund_portal.models import NewsPost
from fund_portal.public_cache import public_cache_bump

from .conftest import give
from .helpers import fund_prefix, text_of

pytestmark = pytest.mark.django_db


def test_no_public_page_or_file_holds_a_childs_name_or_id_over_the_demo_data(client):
    seed_demo()
    children = list(Child.objects.all())
    assert len(children) >= 50
    # Consented stories are on the page: the test then also covers them.
    for c in children[:5]:
        Child.objects.filter(pk=c.pk).update(story_consent=True, story="Em mong có áo ấm.")
    for i, c in enumerate(children[:20]):
        Child.objects.filter(pk=c.pk).update(personal_id=f"0382120{i:05d}")
    NewsPost.objects.create(
        title="Tin", slug="tin", body="Nội dung", published_at=timezone.now(), is_published=True
    )
    pages = [
        "/",
        "/campaigns/",
        "/needs/",
        "/honour-roll/",
        "/news/",
        "/news/tin/",
        "/sitemap.xml",
        "/robots.txt",
    ]
    pages.append(f"/campaigns/tet-trung-thu-{timezone.localdate().year}/")
    bodies = []
    # The demo's second fund has pages of its own, at its prefix.
    others = {fund_prefix(f.unit.path) for f in Fund.objects.select_related("unit")} - {""}
    pages += [
        f"{prefix}{page}"
        for prefix in sorted(others)
        for page in ("/", "/campaigns/", "/needs/", "/honour-roll/", "/news/")
    ]
    for fund in Fund.objects.select_related("unit"):
        years = {d.year for d in LedgerEntry.objects.filter(fund=fund).values_list("entry_date", flat=True)}
        at = fund_prefix(fund.unit.path)
        for year in years or {timezone.localdate().year}:
            pages.append(f"{at}/transparency/?fund={fund.code}&year={year}")
            for month in range(1, 13):
                pages.append(f"{at}/transparency/?fund={fund.code}&year={year}&month={month}")
                bodies.append(
                    client.get(
                        f"{at}/transparency/donors.csv?fund={fund.code}&year={year}&month={month}"
                    ).content.decode()
                )
                book = load_workbook(
                    io.BytesIO(
                        client.get(
                            f"{at}/transparency/donors.xlsx?fund={fund.code}&year={year}&month={month}"
                        ).content
                    )
                )
                bodies.append(str(list(book.active.iter_rows(values_only=True))))
            bodies.append(
                client.get(f"{at}/transparency/statement.csv?fund={fund.code}&year={year}").content.decode()
            )
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        bodies.append(text_of(response.content.decode()))
    everything = "\n".join(bodies)
    assert "L." in everything or "tuổi" in everything
    # A donor may share a child's name; a donor shown by their own choice is not a leak.
    donor_names = set(Donor.objects.values_list("name", flat=True))
    for c in Child.objects.all():
        if c.full_name not in donor_names:
            assert c.full_name not in everything, c.full_name
        if c.personal_id:
            assert c.personal_id not in everything


def test_a_cached_page_costs_no_query_and_follows_the_next_posting(client, site):
    fund = site["fund"]
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200 and len(queries) == 0  # served from the cache alone
    before = response.content.decode()
    give(fund, 5_000_000, timezone.localdate(), campaign=site["campaign"], donor_name="Hoàng Văn Mới")
    after = client.get("/").content.decode()
    assert after != before and "Đã vận động 8.600.000 ₫ trên mục tiêu 10.000.000 ₫" in " ".join(
        text_of(after).split()
    )
    assert "Hoàng Văn Mới" in client.get("/campaigns/tet-trung-thu-cho-em/").content.decode()


def test_a_news_post_shows_once_the_cache_is_bumped(client, site):
    client.get("/news/")
    NewsPost.objects.create(
        title="Tin mới", slug="tin-moi", body="…", published_at=timezone.now(), is_published=True
    )
    public_cache_bump()
    assert "Tin mới" in client.get("/news/").content.decode()


def test_visitors_with_a_session_get_a_fresh_page_never_the_shared_copy(client, site):
    from tests.factories import UserFactory

    client.get("/")
    client.force_login(UserFactory())
    html = client.get("/").content.decode()
    assert "Việc của tôi" in html and "Đăng nhập" not in html


def test_the_csv_is_utf8_excel_friendly_and_formula_safe(client, site):
    give(site["fund"], 100_000, timezone.localdate(), donor_name='=HYPERLINK("x")')
    today = timezone.localdate()
    content = client.get(
        "/transparency/donors.csv", {"fund": site["fund"].code, "year": today.year, "month": today.month}
    ).content
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert any(r[0] == '\'=HYPERLINK("x")' for r in rows)


def test_a_change_no_service_announced_still_shows_within_a_second(client, site):
    """The safety net: a writer that forgot `public_figures_changed()` is caught by the figures version."""
    import time

    from donations.models import EntryKind, LedgerEntry

    from .helpers import statement_rows

    def received_this_month():
        html = client.get("/transparency/", {"fund": site["fund"].code}).content.decode()
        rows = statement_rows(html)
        return sum(row[0] for row in rows.values())

    before = received_this_month()
    LedgerEntry.objects.create(
        fund=site["fund"],
        kind=EntryKind.DONATION,
        medium="cash",
        amount=1_234_000,
        entry_date=timezone.localdate(),
    )
    assert received_this_month() == before  # the cached page, for up to a second
    time.sleep(1.05)
    assert received_this_month() == before + 1_234_000
