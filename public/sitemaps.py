"""The sitemap of the public site (sitemap.xml): its pages, campaigns and news."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from fund_portal.models import NewsPost
from public import selectors


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
        return selectors.public_campaigns()

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
