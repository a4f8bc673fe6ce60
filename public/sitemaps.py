"""The sitemap of a fund's public site (sitemap.xml, /quy/<code>/sitemap.xml): its pages, campaigns and
news, those its pages show (`fund_sitemaps`)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from public import selectors


class _SiteSitemap(Sitemap):
    """Addresses are the public SITE_URL's (or the fund's own host name's), not the host a request
    came on."""

    def __init__(self, *, domain: str | None = None, unit_path: str | None = None, fund=None):
        self.domain, self.unit_path, self.fund = domain, unit_path, fund

    def get_domain(self, site=None):
        return self.domain or urlsplit(settings.SITE_URL).netloc

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
        return selectors.public_campaigns(unit_path=self.unit_path)

    def location(self, item):
        return reverse("public:campaign_detail", kwargs={"slug": item.slug})

    def lastmod(self, item):
        return dt.datetime.combine(item.starts_on, dt.time(), tzinfo=dt.UTC)


class NewsSitemap(_SiteSitemap):
    changefreq = "weekly"

    def items(self):
        return selectors.public_news(fund=self.fund, unit_path=self.unit_path)

    def lastmod(self, item):
        return item.updated_at


def fund_sitemaps(*, fund, unit_path: str | None, domain: str | None = None) -> dict[str, Sitemap]:
    """The sitemaps of a fund's pages (its campaigns and news, those of the units under it), at
    `domain` (the fund's own host name when the request came on it) else SITE_URL's."""
    where = {"domain": domain, "unit_path": unit_path, "fund": fund}
    return {
        "pages": StaticSitemap(**where),
        "campaigns": CampaignSitemap(**where),
        "news": NewsSitemap(**where),
    }
