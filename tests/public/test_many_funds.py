"""Many funds in one deployment: each fund's public pages show only that fund, chosen by the URL
(/quy/<code>/) or the host name; a posting in one fund leaves the other fund's cached pages alone."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, CampaignKind
from children.models import Child
from children.services.care import needs_assess
from donations.models import BankAccount, DisplayPreference, Donation, Fund, NeedArea
from donations.selectors.public_funds import public_funds_forget
from fund_portal.models import NewsPost
from fund_portal.public_cache import GENERATION_KEY, scope_generation_key
from public.cache import figures_version, figures_version_forget
from tests.donations.test_donate import form_data
from tests.factories import DonorFactory, FundFactory, officer

from .conftest import give
from .helpers import text_of

pytestmark = pytest.mark.django_db

ONE, TWO = "huyen-mot", "huyen-hai"


def flat(html: str) -> str:
    return " ".join(text_of(html).split())


def _fund(unit, *, code, name, account, **fields):
    fund = FundFactory(unit=unit, code=code, name=name, parent=None, **fields)
    BankAccount.objects.create(
        fund=fund,
        bank_name="Agribank",
        bank_bin="970405",
        account_number=account,
        account_name=name.upper(),
        is_default=True,
    )
    return fund


def _child_in_need(commune, name, by):
    today = timezone.localdate()
    child = Child.objects.create(
        full_name=name,
        name_folded=name.lower(),
        birth_date=today.replace(year=today.year - 8),
        sex="female",
        commune=commune,
    )
    needs_assess(
        child=child,
        by=by,
        year=today.year,
        on=today.replace(month=1, day=15),
        needs={NeedArea.WARM_CLOTHES: (3, "")},
    )


@pytest.fixture
def two_funds(tree):
    """Two district funds side by side: Huyện Một's (the default fund, the older) and Huyện Hai's, with
    its own public name and honour-roll threshold; each with a campaign, donors, news and needs."""
    today = timezone.localdate()
    one = _fund(
        tree["d1"],
        code=ONE,
        name="Quỹ BTTE huyện Một",
        account="1111111111",
        public_name="Quỹ Bảo trợ trẻ em Huyện Một",
    )
    two = _fund(
        tree["d2"],
        code=TWO,
        name="Quỹ BTTE huyện Hai",
        account="2222222222",
        public_name="Quỹ Trẻ em Huyện Hai",
        recognition_min_amount=10_000_000,
    )
    for unit, name, slug in (
        (tree["d1"], "Trung thu Huyện Một", "trung-thu-mot"),
        (tree["d2"], "Tết ấm Huyện Hai", "tet-am-hai"),
    ):
        Campaign.objects.create(
            name=name,
            slug=slug,
            kind=CampaignKind.MID_AUTUMN,
            unit=unit,
            starts_on=today - dt.timedelta(days=30),
            ends_on=today + dt.timedelta(days=30),
            target_amount=100_000_000,
        )
    sun = DonorFactory(
        unit=tree["d1"], name="Công ty Ánh Dương", display_preference=DisplayPreference.FULL_NAME
    )
    dawn = DonorFactory(
        unit=tree["d2"], name="Công ty Bình Minh", display_preference=DisplayPreference.FULL_NAME
    )
    give(one, 60_000_000, today, donor=sun)
    give(two, 20_000_000, today, donor=dawn)
    now = timezone.now()
    for title, slug, unit in (
        ("Tin của Huyện Một", "tin-mot", tree["d1"]),
        ("Tin của Huyện Hai", "tin-hai", tree["d2"]),
        ("Tin chung của quỹ", "tin-chung", None),
    ):
        NewsPost.objects.create(
            title=title, slug=slug, body="…", unit=unit, published_at=now, is_published=True
        )
    _child_in_need(tree["a"], "Nguyễn Thị Lan", officer(tree["a"], username="canbo.an"))
    _child_in_need(tree["c"], "Trần Thị Cúc", officer(tree["c"], username="canbo.cuong"))
    return {"one": one, "two": two, "sun": sun, "dawn": dawn}


OWN = {
    ONE: ["Quỹ Bảo trợ trẻ em Huyện Một"],
    TWO: ["Quỹ Trẻ em Huyện Hai"],
}
OTHER = {ONE: ["Huyện Hai"], TWO: ["Huyện Một"]}

PAGES = {
    "/": {
        ONE: ["Trung thu Huyện Một", "Tin của Huyện Một", "60.000.000"],
        TWO: ["Tết ấm Huyện Hai", "Tin của Huyện Hai", "20.000.000"],
    },
    "/campaigns/": {ONE: ["Trung thu Huyện Một"], TWO: ["Tết ấm Huyện Hai"]},
    "/needs/": {ONE: ["Xã An"], TWO: ["Xã Cường"]},
    "/transparency/": {ONE: ["60.000.000"], TWO: ["20.000.000"]},
    "/honour-roll/": {ONE: ["Công ty Ánh Dương"], TWO: ["Công ty Bình Minh"]},
    "/news/": {ONE: ["Tin của Huyện Một", "Tin chung của quỹ"], TWO: ["Tin của Huyện Hai"]},
    "/donate/": {ONE: [], TWO: []},
}
NOT_SHOWN = {
    "/": {
        ONE: ["Tết ấm", "Tin của Huyện Hai", "20.000.000"],
        TWO: ["Trung thu", "Tin của Huyện Một", "Tin chung", "60.000.000"],
    },
    "/campaigns/": {ONE: ["Tết ấm"], TWO: ["Trung thu"]},
    "/needs/": {ONE: ["Xã Cường"], TWO: ["Xã An"]},
    "/transparency/": {ONE: ["20.000.000", "Quỹ Trẻ em Huyện Hai"], TWO: ["60.000.000", "Huyện Một"]},
    "/honour-roll/": {ONE: ["Bình Minh"], TWO: ["Ánh Dương"]},
    "/news/": {ONE: ["Tin của Huyện Hai"], TWO: ["Tin của Huyện Một", "Tin chung"]},
    "/donate/": {ONE: ["Huyện Hai"], TWO: ["Huyện Một"]},
}


@pytest.mark.parametrize("path", list(PAGES))
@pytest.mark.parametrize("prefix, code", [("", ONE), (f"/quy/{ONE}", ONE), (f"/quy/{TWO}", TWO)])
def test_each_public_page_shows_only_its_own_fund(client, two_funds, path, prefix, code):
    response = client.get(prefix + path)
    assert response.status_code == 200
    html = flat(response.content.decode())
    for text in OWN[code] + PAGES[path][code]:
        assert text in html, (code, path, text)
    for text in NOT_SHOWN[path][code]:
        assert text not in html, (code, path, text)


def test_the_links_of_a_funds_pages_stay_on_its_pages(client, two_funds):
    html = client.get(f"/quy/{TWO}/").content.decode()
    assert f'href="/quy/{TWO}/transparency/"' in html and f'href="/quy/{TWO}/donate/"' in html
    # The prefix is the request's only: addresses reversed after it are the plain ones.
    assert reverse("public:transparency") == "/transparency/"


@pytest.mark.parametrize("code, account", [(ONE, "1111111111"), (TWO, "2222222222")])
def test_a_donation_goes_to_the_fund_of_the_page_and_shows_its_bank_account(client, two_funds, code, account):
    response = client.post(f"/quy/{code}/donate/", form_data(client_token=f"tok-{code}-12345"))
    donation = Donation.objects.get(donor_name="Trần Thị Mai")
    assert response.status_code == 302 and response.url.startswith(f"/quy/{code}/donate/")
    assert donation.fund.code == code
    status = client.get(response.url).content.decode()
    other = "2222222222" if account == "1111111111" else "1111111111"
    assert account in status and other not in status


def test_each_funds_honour_roll_uses_its_own_threshold(client, two_funds):
    """Huyện Hai thanks a gift of 10.000.000 đồng in a year; Huyện Một keeps the setting (50.000.000)."""
    give(
        two_funds["one"],
        20_000_000,
        timezone.localdate(),
        donor_name="Lê Văn Hai Mươi",
        display_preference=DisplayPreference.FULL_NAME,
    )
    assert "Lê Văn Hai Mươi" not in flat(client.get("/honour-roll/").content.decode())
    html = flat(client.get(f"/quy/{TWO}/honour-roll/").content.decode())
    assert "Công ty Bình Minh" in html and "10.000.000" in html


def test_a_posting_in_one_fund_leaves_the_other_funds_cached_pages_alone(client, two_funds):
    one, two = two_funds["one"], two_funds["two"]
    scope_one, scope_two = one.unit.path, two.unit.path
    client.get(f"/quy/{ONE}/transparency/")
    client.get(f"/quy/{TWO}/transparency/")
    generations = cache.get_many(
        [GENERATION_KEY, scope_generation_key(scope_one), scope_generation_key(scope_two)]
    )
    version_two = figures_version(scope_two)

    give(one, 7_000_000, timezone.localdate(), donor_name="Người mới")

    figures_version_forget()
    after = cache.get_many([GENERATION_KEY, scope_generation_key(scope_one), scope_generation_key(scope_two)])
    assert after[scope_generation_key(scope_one)] > generations.get(scope_generation_key(scope_one), 0)
    assert after.get(scope_generation_key(scope_two)) == generations.get(scope_generation_key(scope_two))
    assert after.get(GENERATION_KEY) == generations.get(GENERATION_KEY)
    assert figures_version(scope_two) == version_two  # the same cache entry for Huyện Hai's page
    # Renamed behind the cache's back: a page built again would show the new names.
    Fund.objects.filter(pk__in=[one.pk, two.pk]).update(public_name="Tên mới")
    public_funds_forget()
    assert "67.000.000" in flat(client.get(f"/quy/{ONE}/transparency/").content.decode())
    html_two = flat(client.get(f"/quy/{TWO}/transparency/").content.decode())
    assert "Tên mới" not in html_two and "Quỹ Trẻ em Huyện Hai" in html_two  # served from its cache


def test_a_province_funds_pages_cover_the_funds_under_it(client, tree, two_funds):
    """A fund's pages cover its unit and those under it: the province's shows both districts'."""
    province = _fund(tree["province"], code="tinh", name="Quỹ Bảo trợ trẻ em Tỉnh", account="3333333333")
    html = flat(client.get("/quy/tinh/").content.decode())
    assert "Quỹ Bảo trợ trẻ em Tỉnh" in html and "80.000.000" in html
    assert "Trung thu Huyện Một" in html and "Tết ấm Huyện Hai" in html
    # Its transparency page lists its own accounts and those of the funds under it, each on its own.
    own = flat(client.get("/quy/tinh/transparency/").content.decode())
    assert province.display_name in own and "60.000.000" not in own
    transparency = flat(client.get("/quy/tinh/transparency/", {"fund": TWO}).content.decode())
    assert "20.000.000" in transparency
    # A district's pages do not show the province's.
    assert client.get(f"/quy/{TWO}/transparency/", {"fund": "tinh"}).status_code == 404


def test_a_funds_own_host_name_picks_the_fund(client, two_funds, settings):
    settings.ALLOWED_HOSTS = ["testserver", "quy.huyenhai.gov.vn"]
    Fund.objects.filter(pk=two_funds["two"].pk).update(public_host="quy.huyenhai.gov.vn")
    public_funds_forget()
    html = flat(client.get("/", HTTP_HOST="quy.huyenhai.gov.vn").content.decode())
    assert "Quỹ Trẻ em Huyện Hai" in html and "Tết ấm Huyện Hai" in html and "Trung thu" not in html
    html = client.get("/campaigns/", HTTP_HOST="quy.huyenhai.gov.vn:443").content.decode()
    assert "Quỹ Trẻ em Huyện Hai" in html
    # One address per page: its own host's, however it was reached.
    canonical = '<link rel="canonical" href="http://quy.huyenhai.gov.vn/campaigns/">'
    assert canonical in html and canonical in client.get(f"/quy/{TWO}/campaigns/").content.decode()
    sitemap = client.get("/sitemap.xml", HTTP_HOST="quy.huyenhai.gov.vn").content.decode()
    assert "<loc>http://quy.huyenhai.gov.vn/campaigns/tet-am-hai/</loc>" in sitemap
    assert "Quỹ Bảo trợ trẻ em Huyện Một" in flat(client.get("/").content.decode())


HOST_TWO = "quy.huyenhai.gov.vn"


@pytest.fixture
def on_own_host(two_funds, settings):
    """Huyện Hai's fund on its own host name; the main site on another."""
    settings.SITE_URL = "https://quy.example.vn"
    settings.ALLOWED_HOSTS = ["testserver", "quy.example.vn", HOST_TWO]
    Fund.objects.filter(pk=two_funds["two"].pk).update(public_host=HOST_TWO)
    public_funds_forget()
    two_funds["two"].refresh_from_db()
    return two_funds


def test_robots_txt_on_a_funds_own_host_names_the_sitemap_on_that_host(client, on_own_host):
    robots = client.get("/robots.txt", HTTP_HOST=HOST_TWO).content.decode()
    assert f"Sitemap: https://{HOST_TWO}/sitemap.xml" in robots and "quy.example.vn" not in robots
    sitemap = client.get("/sitemap.xml", HTTP_HOST=HOST_TWO).content.decode()
    assert f"<loc>https://{HOST_TWO}/campaigns/tet-am-hai/</loc>" in sitemap
    assert "quy.example.vn" not in sitemap and "trung-thu-mot" not in sitemap
    # The main site's robots.txt and sitemap keep the main site's address.
    main = client.get("/robots.txt", HTTP_HOST="quy.example.vn").content.decode()
    assert "Sitemap: https://quy.example.vn/sitemap.xml" in main and HOST_TWO not in main
    assert (
        "<loc>https://quy.example.vn/campaigns/trung-thu-mot/</loc>"
        in client.get("/sitemap.xml").content.decode()
    )


def test_a_news_posts_open_graph_addresses_are_on_its_funds_own_host(client, on_own_host):
    NewsPost.objects.filter(slug="tin-hai").update(image="news/2026/trao-qua.jpg")
    html = client.get(reverse("public:news_detail", kwargs={"slug": "tin-hai"}), HTTP_HOST=HOST_TWO)
    html = html.content.decode()
    assert f'<meta property="og:url" content="https://{HOST_TWO}/news/tin-hai/">' in html
    assert f'<meta property="og:image" content="https://{HOST_TWO}/media/news/2026/trao-qua.jpg">' in html


def test_the_receipt_mail_links_to_the_donation_on_its_funds_own_site(client, on_own_host, mailoutbox):
    from donations.services.receipts import donation_receipt_email

    today = timezone.localdate()
    links = {}
    for key in ("one", "two"):
        donation = give(
            on_own_host[key],
            500_000,
            today,
            donor_name="Chị Mai",
            donor_email="mai@example.org",
            with_transfer_reference=True,
        )
        donation_receipt_email(donation_id=donation.pk)
        links[key] = re.search(r"https?://\S+", mailoutbox[-1].body)[0]
        # The link answers on its host with that fund's page of the donation.
        parts = urlsplit(links[key])
        page = flat(client.get(parts.path, HTTP_HOST=parts.netloc).content.decode())
        assert donation.receipt_number in page, links[key]
    reference = Donation.objects.get(fund=on_own_host["two"], donor_name="Chị Mai").transfer_reference
    assert links["two"] == f"https://{HOST_TWO}/donate/{reference}/"
    assert links["one"].startswith("https://quy.example.vn/donate/")
    # A fund without a host name of its own: its pages under /quy/<code>/ on the main site.
    Fund.objects.filter(pk=on_own_host["two"].pk).update(public_host=None)
    public_funds_forget()
    donation_receipt_email(donation_id=Donation.objects.get(transfer_reference=reference).pk)
    assert f"https://quy.example.vn/quy/{TWO}/donate/{reference}/" in mailoutbox[-1].body


def test_a_bad_host_header_is_refused_without_an_error(client, two_funds):
    response = client.get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400


def test_an_unknown_fund_code_is_a_vietnamese_404(client, two_funds):
    response = client.get("/quy/khong-co/transparency/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()
    FundFactory(unit=two_funds["two"].unit, code="da-dong", is_active=False)
    assert client.get("/quy/da-dong/").status_code == 404


@pytest.mark.parametrize("host", ["Quy.Hai.VN", "http://quy.hai.vn", "quy.hai.vn/", "quy hai", "-quy.vn"])
def test_a_host_name_that_is_not_one_is_refused_in_vietnamese(tree, host):
    fund = FundFactory(unit=tree["d2"], public_host=host)
    with pytest.raises(ValidationError) as refused:
        fund.full_clean()
    assert "public_host" in refused.value.message_dict


def test_a_host_name_another_fund_uses_is_refused(tree):
    FundFactory(unit=tree["d1"], public_host="quy.hai.vn")
    fund = FundFactory.build(unit=tree["d2"], code="quy-khac", public_host="quy.hai.vn")
    with pytest.raises(ValidationError) as refused:
        fund.full_clean()
    assert refused.value.message_dict["public_host"] == ["Một quỹ khác đã dùng tên miền này."]


def test_the_demo_shows_two_funds_each_on_its_own_pages(client):
    from fund_portal.demo import seed_demo

    seed_demo()
    second = flat(client.get("/quy/qbtte-nong-cong/").content.decode())
    assert "Quỹ Bảo trợ trẻ em Nông Cống" in second and "Áo ấm cho em Nông Cống" in second
    assert "Trung thu" not in second
    assert "Công ty CP Xi măng Nông Cống" in flat(
        client.get("/quy/qbtte-nong-cong/honour-roll/").content.decode()
    )
    first = flat(client.get("/").content.decode())
    assert "Triệu Sơn" in first and "Nông Cống" not in first


def test_a_provinces_staff_see_every_fund_under_the_province_and_a_districts_only_its_own(tree, two_funds):
    from tests.factories import staff

    province_staff = staff(tree["province"], username="canbo.tinh")
    district_staff = staff(tree["d2"], username="canbo.huyenhai")
    assert set(Fund.objects.visible_to(province_staff)) == {two_funds["one"], two_funds["two"]}
    assert set(Fund.objects.visible_to(district_staff)) == {two_funds["two"]}


def test_each_funds_sitemap_lists_its_own_pages(client, two_funds, settings):
    settings.SITE_URL = "https://quy.example.vn"
    two = client.get(f"/quy/{TWO}/sitemap.xml").content.decode()
    assert f"<loc>https://quy.example.vn/quy/{TWO}/campaigns/tet-am-hai/</loc>" in two
    assert f"<loc>https://quy.example.vn/quy/{TWO}/news/tin-hai/</loc>" in two
    assert "trung-thu-mot" not in two and "tin-mot" not in two and "tin-chung" not in two
    one = client.get("/sitemap.xml").content.decode()
    assert "<loc>https://quy.example.vn/campaigns/trung-thu-mot/</loc>" in one and "tet-am-hai" not in one


def test_a_need_recorded_behind_the_caches_back_changes_its_funds_version_only(tree, two_funds):
    """The version's safety net: a need written without announcing it (no generation raised) still
    changes the version of the fund whose scope holds it, and leaves the other fund's alone."""
    scopes = [two_funds["one"].unit.path, two_funds["two"].unit.path]
    figures_version_forget()
    before = [figures_version(scope) for scope in scopes]
    child = Child.objects.filter(commune=tree["a"]).first()
    child.needs.create(
        year=timezone.localdate().year,
        area=NeedArea.EDUCATION,
        urgency=2,
        assessed_on=timezone.localdate(),
    )
    figures_version_forget()
    after = [figures_version(scope) for scope in scopes]
    assert after[0] != before[0]
    assert after[1] == before[1]
