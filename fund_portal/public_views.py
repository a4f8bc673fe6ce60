"""The public site (Vietnamese, mobile first): the fund, campaigns, needs, transparency, news.

Every page here is open to all (`@login_not_required`) and read-only. Pages built from the figures are
cached by `public_cache` (keyed by the figures version, so a posted donation shows on the next load).
Nothing about a child leaves `children.public`: counts and consented, anonymised stories only.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.sitemaps import Sitemap
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from campaigns.models import Campaign
from children import public as children_public
from donations.models import Fund
from donations.selectors import transparency
from donations.selectors.funds import public_fund

from . import selectors
from .exports import safe_cell, xlsx_response
from .models import NewsPost
from .pdf import ascii_filename
from .public_cache import public_data, public_page
from .query_params import query_month, query_year

HOME_CAMPAIGNS = 3
HOME_NEWS = 3


def _percent(part: int, whole: int) -> int:
    return min(100, round(part * 100 / whole)) if whole > 0 else 0


def _campaign_cards(campaigns: list[Campaign]) -> list[dict]:
    raised = transparency.campaigns_raised(campaign_ids=[c.pk for c in campaigns])
    today = timezone.localdate()
    return [
        {
            "pk": c.pk,
            "name": c.name,
            "slug": c.slug,
            "url": reverse("public:campaign_detail", kwargs={"slug": c.slug}),
            "kind": c.get_kind_display(),
            "starts_on": c.starts_on,
            "ends_on": c.ends_on,
            "target": c.target_amount,
            "raised": raised.get(c.pk, 0),
            "percent": _percent(raised.get(c.pk, 0), c.target_amount),
            "state": "upcoming" if c.starts_on > today else ("over" if c.ends_on < today else "active"),
            "description": c.description,
        }
        for c in campaigns
    ]


#: What the public pages show of a campaign (and all they load: the campaigns app grows other fields).
CAMPAIGN_FIELDS = ("name", "slug", "kind", "unit_id", "starts_on", "ends_on", "target_amount", "description")


def _public_campaigns():
    return Campaign.objects.filter(is_public=True).only(*CAMPAIGN_FIELDS).order_by("-starts_on", "-id")


def _news_items(queryset) -> list[dict]:
    return [
        {
            "title": p.title,
            "url": p.get_absolute_url(),
            "summary": p.summary,
            "published_at": p.published_at,
        }
        for p in queryset
    ]


def _page(request, template: str, context: dict, *, title: str, description: str = ""):
    """Render a public page with its title, description and the Open Graph address."""
    return render(
        request,
        template,
        {
            **context,
            "page_title": title,
            "page_description": description,
            "canonical_url": f"{settings.SITE_URL}{request.path}",
        },
    )


@login_not_required
@require_GET
@public_page()
def home(request, *, version):
    """The fund: what it does, active campaigns with progress, this year's totals, the latest news."""

    def build() -> dict:
        today = timezone.localdate()
        active = list(_public_campaigns().filter(starts_on__lte=today, ends_on__gte=today)[:HOME_CAMPAIGNS])
        return {
            "campaigns": _campaign_cards(active),
            "year": today.year,
            "raised": transparency.raised_in_year(year=today.year),
            "children_supported": children_public.children_supported_in_year(year=today.year),
            "news": _news_items(NewsPost.objects.published()[:HOME_NEWS]),
            "counts": selectors.public_unit_counts(),
        }

    data = public_data("home", build, version=version)
    return _page(
        request,
        "public/home.html",
        data,
        title=settings.FUND_NAME,
        description=_(
            "The Child Protection Fund: support for children in special circumstances, published openly."
        ),
    )


@login_not_required
@require_GET
@public_page()
def campaign_list(request, *, version):
    data = public_data(
        "campaigns", lambda: {"campaigns": _campaign_cards(list(_public_campaigns()))}, version=version
    )
    return _page(
        request,
        "public/campaign_list.html",
        data,
        title=_("Campaigns"),
        description=_("The fund's campaigns: their goals, what has been raised, and what was done."),
    )


@login_not_required
@require_GET
@public_page()
def campaign_detail(request, slug, *, version):
    campaign = get_object_or_404(_public_campaigns(), slug=slug)

    def build() -> dict:
        (card,) = _campaign_cards([campaign])
        from children.models import Support

        reached = Support.objects.filter(campaign=campaign)
        return {
            "campaign": card,
            "donors": transparency.campaign_donor_wall(campaign_id=campaign.pk),
            "updates": _news_items(NewsPost.objects.published().filter(campaign=campaign)[:10]),
            "gifts": reached.count(),
        }

    data = public_data(f"campaign:{campaign.pk}", build, version=version)
    return _page(
        request,
        "public/campaign_detail.html",
        data,
        title=campaign.name,
        description=(campaign.description or campaign.name)[:160],
    )


@login_not_required
@require_GET
@public_page()
def needs(request, *, version):
    """Anonymised needs by commune and area, each with a link to donate to it; consented stories."""

    def build() -> dict:
        return {
            "needs": children_public.public_needs_by_commune(),
            "stories": children_public.public_stories(),
        }

    data = public_data("needs", build, version=version)
    return _page(
        request,
        "public/needs.html",
        data,
        title=_("Children's needs"),
        description=_("What children of each commune need, so that you can choose what to fund."),
    )


def _transparency_fund(request) -> tuple[Fund, list[Fund]]:
    funds = transparency.public_funds()
    if not funds:
        raise Http404(_("No fund publishes its accounts yet."))
    code = request.GET.get("fund")
    if not code:
        public = public_fund()
        return (public if public in funds else funds[0]), funds
    for fund in funds:
        if fund.code == code:
            return fund, funds
    raise Http404(_("No fund has this code."))


def _transparency_data(fund: Fund, year: int | None, month: int | None) -> dict:
    statement = transparency.fund_statement(fund=fund, year=year)
    months_with_entries = [row.month.month for row in statement.months]
    if month not in months_with_entries:
        month = months_with_entries[-1] if months_with_entries else None
    biggest = max([max(r.cash_in + r.goods_in, r.cash_out + r.goods_out) for r in statement.months] or [0])
    chart = [
        {
            "label": row.month.strftime("%m/%Y"),
            "in_pct": _percent(row.cash_in + row.goods_in, biggest),
            "out_pct": _percent(row.cash_out + row.goods_out, biggest),
            "in": row.cash_in + row.goods_in,
            "out": row.cash_out + row.goods_out,
        }
        for row in statement.months
    ]
    donors = transparency.fund_donor_list(fund=fund, year=statement.year, month=month) if month else []
    return {
        "fund": fund,
        "statement": statement,
        "totals": statement.totals,
        "chart": chart,
        "spending": transparency.fund_spending(fund=fund, year=statement.year),
        "balances": transparency.fund_balances(statement=statement),
        "donor_month": month,
        "donors": donors[:100],
        "donors_total": sum(d["amount"] for d in donors),
        "donors_count": len(donors),
    }


@login_not_required
@require_GET
@public_page(params=("fund", "year", "month"))
def transparency_page(request, *, version):
    """Công khai (Decree 93/2019): per fund and month, what came in and went out, balances, spending
    by purpose and by commune, the donors as each chose to be shown; CSV and XLSX of the same figures."""
    fund, funds = _transparency_fund(request)
    year, month = query_year(request), query_month(request)
    data = public_data(
        f"transparency:{fund.pk}:{year}:{month}",
        lambda: _transparency_data(fund, year, month),
        version=version,
    )
    return _page(
        request,
        "public/transparency.html",
        {**data, "funds": funds},
        title=_("Transparency: %(fund)s") % {"fund": fund.name},
        description=_("Money and goods received and spent by the fund, month by month, to the đồng."),
    )


def statement_table(statement) -> tuple[list[str], list[list]]:
    """The statement as the rows of the page's table (CSV and XLSX give exactly these)."""
    headers = [
        _("Month"),
        _("Money received"),
        _("Goods received (value)"),
        _("Money spent"),
        _("Goods handed out (value)"),
        _("Money balance"),
        _("Goods balance (value)"),
    ]
    rows = [
        [_("Brought forward"), "", "", "", "", statement.opening_cash, statement.opening_goods],
        *[
            [
                row.month.strftime("%m/%Y"),
                row.cash_in,
                row.goods_in,
                row.cash_out,
                row.goods_out,
                row.cash_balance,
                row.goods_balance,
            ]
            for row in statement.months
        ],
    ]
    total = statement.totals
    rows.append(
        [
            _("Total %(year)s") % {"year": statement.year},
            total.cash_in,
            total.goods_in,
            total.cash_out,
            total.goods_out,
            total.cash_balance,
            total.goods_balance,
        ]
    )
    return headers, rows


def _csv_response(filename: str, headers: list[str], rows: list[list]) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows([[safe_cell(v) for v in row] for row in rows])
    # A byte-order mark, so that Excel opens the Vietnamese text as UTF-8.
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{ascii_filename(filename)}"'
    return response


def _download(fmt: str, filename: str, title: str, headers: list[str], rows: list[list]) -> HttpResponse:
    if fmt == "csv":
        return _csv_response(f"{filename}.csv", headers, rows)
    return xlsx_response(filename=f"{filename}.xlsx", title=title, headers=headers, rows=rows)


@login_not_required
@require_GET
def transparency_export(request, fmt):
    """The statement of a fund and year, as CSV or XLSX: the same rows as the page."""
    fund, _funds = _transparency_fund(request)
    statement = transparency.fund_statement(fund=fund, year=query_year(request))
    headers, rows = statement_table(statement)
    return _download(fmt, f"cong-khai-{fund.code}-{statement.year}", _("Statement"), headers, rows)


@login_not_required
@require_GET
def transparency_donors_export(request, fmt):
    """The donors of a fund in a month, as each chose to be shown, as CSV or XLSX."""
    fund, _funds = _transparency_fund(request)
    year, month = query_year(request), query_month(request)
    if year is None or month is None:
        raise Http404(_("Choose a month."))
    donors = transparency.fund_donor_list(fund=fund, year=year, month=month)
    headers = [_("Donor"), _("Donations"), _("Amount (đồng)")]
    rows = [[d["name"], d["count"], d["amount"]] for d in donors]
    return _download(fmt, f"nha-tai-tro-{fund.code}-{year}-{month:02d}", _("Donors"), headers, rows)


@login_not_required
@require_GET
@public_page(params=("year",))
def honour_roll(request, *, version):
    """Vinh danh: donors who gave much in the year, or gave year after year, as each chose to be shown."""
    year = query_year(request, default=timezone.localdate().year)
    data = public_data(
        f"honour:{year}",
        lambda: {"donors": transparency.recognised_donors(year=year), "year": year},
        version=version,
    )
    return _page(
        request,
        "public/honour_roll.html",
        {
            **data,
            "min_amount": settings.RECOGNITION_MIN_AMOUNT,
            "years_needed": settings.RECOGNITION_CONSECUTIVE_YEARS,
        },
        title=_("Honour roll"),
        description=_("Agencies, businesses and people the fund thanks for their support."),
    )


@login_not_required
@require_GET
@public_page(params=("page",))
def news_list(request, *, version):
    data = public_data(
        "news", lambda: {"news": _news_items(NewsPost.objects.published()[:50])}, version=version
    )
    return _page(request, "public/news_list.html", data, title=_("News"), description=_("News of the fund."))


@login_not_required
@require_GET
@public_page()
def news_detail(request, slug, *, version):
    post = get_object_or_404(NewsPost.objects.published(), slug=slug)
    campaign = _public_campaigns().filter(pk=post.campaign_id).first() if post.campaign_id else None
    paragraphs = [p.strip() for p in post.body.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return _page(
        request,
        "public/news_detail.html",
        {
            "post": post,
            "campaign": campaign,
            "paragraphs": paragraphs,
            "og_image": post.image.url if post.image else "",
        },
        title=post.title,
        description=post.summary or (paragraphs[0][:160] if paragraphs else post.title),
    )


@login_not_required
@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /portal/",
        "Disallow: /accounts/",
        "Disallow: /donate/mine/",
        "Disallow: /sponsor/",
        "Disallow: /i18n/",
        f"Sitemap: {settings.SITE_URL}{reverse('sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


#: The public language switch posts without a CSRF token, so that the cached copy of a page (shared by
#: all visitors) carries none; the worst a forged post can do is switch a visitor's language.
set_language_public = login_not_required(csrf_exempt(require_POST(set_language)))


class _SiteSitemap(Sitemap):
    """Addresses are the public SITE_URL's, not the host a request came on."""

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or "https"


class StaticSitemap(_SiteSitemap):
    changefreq = "daily"

    def items(self):
        return [
            "home",
            "public:campaign_list",
            "public:needs",
            "public:transparency",
            "public:honour_roll",
            "public:news_list",
            "donations:donate",
        ]

    def location(self, item):
        return reverse(item)


class CampaignSitemap(_SiteSitemap):
    changefreq = "daily"

    def items(self):
        return _public_campaigns()

    def location(self, item):
        return reverse("public:campaign_detail", kwargs={"slug": item.slug})

    def lastmod(self, item):
        return dt.datetime.combine(item.starts_on, dt.time(), tzinfo=dt.UTC)


class NewsSitemap(_SiteSitemap):
    changefreq = "weekly"

    def items(self):
        return NewsPost.objects.published()

    def lastmod(self, item):
        return item.updated_at


SITEMAPS = {"pages": StaticSitemap, "campaigns": CampaignSitemap, "news": NewsSitemap}
