"""URLs of the public site, included at the root by config.urls (the home page keeps its name "home",
the sponsor's page its namespace "sponsorship")."""

from django.urls import include, path, re_path

from public.views import campaigns, donors, home, needs, news, site, sponsorship, transparency

public_patterns = (
    [
        path("campaigns/", campaigns.campaign_list, name="campaign_list"),
        path("campaigns/<slug:slug>/", campaigns.campaign_detail, name="campaign_detail"),
        path("needs/", needs.needs, name="needs"),
        path("transparency/", transparency.transparency_page, name="transparency"),
        re_path(
            r"^transparency/statement\.(?P<fmt>csv|xlsx)$",
            transparency.transparency_export,
            name="transparency_export",
        ),
        re_path(
            r"^transparency/donors\.(?P<fmt>csv|xlsx)$",
            transparency.transparency_donors_export,
            name="transparency_donors_export",
        ),
        path("honour-roll/", donors.honour_roll, name="honour_roll"),
        path("news/", news.news_list, name="news_list"),
        path("news/<slug:slug>/", news.news_detail, name="news_detail"),
        path("i18n/language/", site.set_language_public, name="set_language"),
    ],
    "public",
)

sponsorship_patterns = (
    [
        path("<uuid:token>/", sponsorship.sponsorship_progress, name="progress"),
        path("<uuid:token>/photo/", sponsorship.sponsorship_photo, name="photo"),
    ],
    "sponsorship",
)

urlpatterns = [
    path("", home.home, name="home"),
    path("", include(public_patterns)),
    path("sponsor/", include(sponsorship_patterns)),
    path("robots.txt", site.robots_txt, name="robots_txt"),
    path("sitemap.xml", site.sitemap_xml, name="sitemap"),
]
