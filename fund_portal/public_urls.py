"""URLs of the public site, included at the root by config.urls (the home page keeps its name "home")."""

from django.contrib.auth.decorators import login_not_required
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.views.decorators.cache import cache_page

from . import public_views

public_patterns = (
    [
        path("campaigns/", public_views.campaign_list, name="campaign_list"),
        path("campaigns/<slug:slug>/", public_views.campaign_detail, name="campaign_detail"),
        path("needs/", public_views.needs, name="needs"),
        path("transparency/", public_views.transparency_page, name="transparency"),
        re_path(
            r"^transparency/statement\.(?P<fmt>csv|xlsx)$",
            public_views.transparency_export,
            name="transparency_export",
        ),
        re_path(
            r"^transparency/donors\.(?P<fmt>csv|xlsx)$",
            public_views.transparency_donors_export,
            name="transparency_donors_export",
        ),
        path("honour-roll/", public_views.honour_roll, name="honour_roll"),
        path("news/", public_views.news_list, name="news_list"),
        path("news/<slug:slug>/", public_views.news_detail, name="news_detail"),
        path("i18n/language/", public_views.set_language_public, name="set_language"),
    ],
    "public",
)

urlpatterns = [
    path("", public_views.home, name="home"),
    path("", include(public_patterns)),
    path("robots.txt", public_views.robots_txt, name="robots_txt"),
    path(
        "sitemap.xml",
        login_not_required(cache_page(3600)(sitemap)),
        {"sitemaps": public_views.SITEMAPS},
        name="sitemap",
    ),
]
