"""What the site says of itself: robots.txt, each fund's sitemap and the public language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.sitemaps.views import sitemap
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_page
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from donations.selectors.public_funds import (
    public_fund_scope,
    public_fund_site_url,
    request_fund,
    request_host,
    request_on_own_host,
)
from public import sitemaps


@login_not_required
@require_GET
def robots_txt(request):
    """What crawlers may read; its sitemap on the host it was asked on (a fund's own, else SITE_URL).
    Asked on the main site's host it reads nothing from the database."""
    origin = settings.SITE_URL
    if request_host(request) != (urlsplit(settings.SITE_URL).hostname or ""):
        fund = request_fund(request)
        if request_on_own_host(request, fund):
            origin = public_fund_site_url(fund)
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /portal/",
        "Disallow: /accounts/",
        "Disallow: /donate/mine/",
        "Disallow: /sponsor/",
        "Disallow: /i18n/",
        f"Sitemap: {origin}{reverse('sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@login_not_required
@require_GET
@cache_page(3600)
def sitemap_xml(request):
    """The sitemap of the request's fund (cached per address, so per fund and host)."""
    fund = request_fund(request)
    maps = sitemaps.fund_sitemaps(
        fund=fund,
        unit_path=public_fund_scope(fund),
        domain=fund.public_host if request_on_own_host(request, fund) else None,
    )
    return sitemap(request, sitemaps=maps)


#: The public language switch posts without a CSRF token, so that the cached copy of a page (shared by
#: all visitors) carries none; the worst a forged post can do is switch a visitor's language.
set_language_public = login_not_required(csrf_exempt(require_POST(set_language)))
