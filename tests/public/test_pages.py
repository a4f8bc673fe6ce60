"""The public pages: home, campaigns, news, honour roll, SEO, accessibility, friendly 404s."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from fund_portal.models import NewsPost

from .helpers import text_of

pytestmark = pytest.mark.django_db


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def flat(html: str) -> str:
    return " ".join(text_of(html).split())


@pytest.fixture
def news(site):
    now = timezone.now()
    published = NewsPost.objects.create(
        title="Trao 40 áo ấm cho trẻ em Xã An",
        slug="trao-ao-am-xa-an",
        summary="Quỹ trao áo ấm trước mùa rét.",
        body="Sáng nay Quỹ trao 40 áo ấm.\n\nCảm ơn các nhà hảo tâm.",
        campaign=site["campaign"],
        published_at=now - dt.timedelta(hours=1),
        is_published=True,
    )
    NewsPost.objects.create(
        title="Bản nháp chưa đăng", slug="ban-nhap", body="…", published_at=now, is_published=False
    )
    NewsPost.objects.create(
        title="Tin hẹn giờ",
        slug="hen-gio",
        body="…",
        published_at=now + dt.timedelta(days=1),
        is_published=True,
    )
    return published


def test_home_shows_the_fund_its_campaigns_with_progress_this_years_totals_and_news(client, site, news):
    html = get(client, "/")
    text = flat(html)
    assert '<html lang="vi">' in html
    assert "Chiến dịch đang diễn ra" in text
    # 2.000.000 + 700.000 + 900.000 of a 10.000.000 target
    assert "Đã vận động 3.600.000 ₫ trên mục tiêu 10.000.000 ₫ (36%)" in text
    assert '<progress id="progress-tet-trung-thu-cho-em" max="100" value="36">' in html
    year_total = 2_000_000 + 700_000 + 900_000 + 250_000 + 1_000_000 + 4_000_000
    assert f"{year_total:,} ₫ tiền và hiện vật đã vận động".replace(",", ".") in text
    assert "Trao 40 áo ấm cho trẻ em Xã An" in text
    assert "Bản nháp chưa đăng" not in text and "Tin hẹn giờ" not in text


def test_a_campaign_page_shows_goal_progress_donor_wall_and_updates(client, site, news):
    text = flat(get(client, "/campaigns/tet-trung-thu-cho-em/"))
    assert "Mục tiêu 10.000.000 ₫" in text and "Đã vận động 3.600.000 ₫" in text
    assert "Đạt 36% mục tiêu" in text
    assert "Công ty TNHH Ánh Dương 2.000.000 ₫" in text
    assert "T.T.B. 700.000 ₫" in text and "Trần Thị Bích" not in text
    assert "Nhà hảo tâm ẩn danh 900.000 ₫" in text and "Phạm Văn Kín" not in text
    assert "Trao 40 áo ấm cho trẻ em Xã An" in text
    list_text = flat(get(client, "/campaigns/"))
    assert "Tết Trung thu cho em" in list_text


def test_unknown_campaigns_news_and_pages_are_a_friendly_404_in_vietnamese(client, site, news):
    site["campaign"].is_public = False
    site["campaign"].save()
    for url in ("/campaigns/khong-co/", "/campaigns/tet-trung-thu-cho-em/", "/news/ban-nhap/", "/trang-la/"):
        text = flat(get(client, url, status=404))
        assert "Không tìm thấy trang" in text


def test_news_pages_show_only_published_posts(client, news):
    assert "Trao 40 áo ấm cho trẻ em Xã An" in flat(get(client, "/news/"))
    html = get(client, "/news/trao-ao-am-xa-an/")
    assert "Cảm ơn các nhà hảo tâm." in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta name="description" content="Quỹ trao áo ấm trước mùa rét.">' in html
    get(client, "/news/hen-gio/", status=404)


def test_the_honour_roll_names_recognised_donors_as_they_chose(client, site, settings):
    settings.RECOGNITION_MIN_AMOUNT = 2_000_000
    text = flat(get(client, "/honour-roll/"))
    assert "Vinh danh" in text
    assert "Công ty TNHH Ánh Dương" in text  # 7.000.000 this year
    assert "Phạm Văn Kín" not in text and "Trần Thị Bích" not in text


def test_a_gift_made_anonymously_does_not_put_its_donors_name_on_the_honour_roll(
    client, site, settings, tree
):
    """A logged-in donor's record shows the full name, but this gift asked to stay anonymous."""
    from donations.models import DisplayPreference
    from donations.services.donations import donation_create, donation_post
    from tests.factories import DonorFactory

    settings.RECOGNITION_MIN_AMOUNT = 2_000_000
    named = DonorFactory(
        unit=tree["d1"], name="Hoàng Văn Kín Đáo", display_preference=DisplayPreference.FULL_NAME
    )
    gift = donation_create(
        fund=site["fund"],
        amount=5_000_000,
        received_on=timezone.localdate(),
        donor=named,
        display_preference=DisplayPreference.ANONYMOUS,
    )
    donation_post(donation=gift, by=None)
    assert "Hoàng Văn Kín Đáo" not in flat(get(client, "/honour-roll/"))


def test_pages_have_titles_descriptions_open_graph_and_a_canonical_address(client, site, settings):
    settings.SITE_URL = "https://quy.example.vn"
    for url, title in (
        ("/", "Quỹ Bảo trợ trẻ em huyện Triệu Sơn"),
        ("/campaigns/", "Chiến dịch"),
        ("/needs/", "Nhu cầu của trẻ em"),
        ("/transparency/", "Công khai thu chi: Quỹ Bảo trợ trẻ em Huyện Một"),
        ("/honour-roll/", "Vinh danh"),
        ("/news/", "Tin tức"),
        ("/campaigns/tet-trung-thu-cho-em/", "Tết Trung thu cho em"),
    ):
        html = get(client, url)
        assert re.search(rf"<title>{re.escape(title)}", html), url
        assert re.search(r'<meta name="description" content="[^"]{20,}">', html), url
        assert f'<meta property="og:title" content="{title}">' in html, url
        assert f'<link rel="canonical" href="https://quy.example.vn{url}">' in html, url
        assert '<meta property="og:locale" content="vi_VN">' in html


def test_robots_txt_and_the_sitemap_list_the_public_pages(client, site, news, settings):
    settings.SITE_URL = "https://quy.example.vn"
    robots = get(client, "/robots.txt")
    assert "Disallow: /admin/" in robots and "Disallow: /portal/" in robots
    assert "Sitemap: https://quy.example.vn/sitemap.xml" in robots
    sitemap = get(client, "/sitemap.xml")
    for path in ("/", "/campaigns/", "/transparency/", "/needs/", "/campaigns/tet-trung-thu-cho-em/"):
        assert f"<loc>https://quy.example.vn{path}</loc>" in sitemap
    assert "<loc>https://quy.example.vn/news/trao-ao-am-xa-an/</loc>" in sitemap
    assert "ban-nhap" not in sitemap and "hen-gio" not in sitemap


@pytest.mark.parametrize(
    "url",
    ["/", "/campaigns/", "/campaigns/tet-trung-thu-cho-em/", "/needs/", "/transparency/", "/honour-roll/"],
)
def test_every_form_field_has_a_label_and_the_page_a_skip_link(client, site, url):
    html = get(client, url)
    assert '<a class="skip-link" href="#main">Bỏ qua, đến nội dung</a>' in html and 'id="main"' in html
    fields = re.findall(r"<(?:input|select|textarea)\b[^>]*>", html)
    assert fields
    for field in fields:
        if 'type="hidden"' in field:
            continue
        field_id = re.search(r'id="([^"]+)"', field)
        assert field_id, field
        assert (
            f'<label for="{field_id.group(1)}"' in html
            or f'<label class="progress-label" for="{field_id.group(1)}"' in html
        )


def test_the_public_language_switch_works_without_a_csrf_token(client, site):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/i18n/language/", {"language": "en", "next": "/campaigns/"})
    assert response.status_code == 302 and response["Location"] == "/campaigns/"
    assert "Campaigns under way" in strict.get("/").content.decode()
