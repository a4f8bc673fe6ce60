"""The fund's news: the list and one post."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from donations.selectors.public_funds import public_fund_origin, request_fund
from public import selectors
from public.cache import public_data, public_page
from public.pages import page


@login_not_required
@require_GET
@public_page(params=("page",), figures=False)
def news_list(request, *, version):
    posts = selectors.public_news(fund=request_fund(request), unit_path=version.scope)
    data = public_data(
        "news", lambda: {"news": selectors.news_items(posts[:50])}, version=version, figures=False
    )
    return page(request, "public/news_list.html", data, title=_("News"), description=_("News of the fund."))


@login_not_required
@require_GET
@public_page(figures=False)
def news_detail(request, slug, *, version):
    post = get_object_or_404(
        selectors.public_news(fund=request_fund(request), unit_path=version.scope), slug=slug
    )
    campaigns = selectors.public_campaigns(unit_path=version.scope)
    campaign = campaigns.filter(pk=post.campaign_id).first() if post.campaign_id else None
    paragraphs = [p.strip() for p in post.body.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return page(
        request,
        "public/news_detail.html",
        {
            "post": post,
            "campaign": campaign,
            "paragraphs": paragraphs,
            "og_image": _absolute(request, post.image.url) if post.image else "",
        },
        title=post.title,
        description=post.summary or (paragraphs[0][:160] if paragraphs else post.title),
    )


def _absolute(request, url: str) -> str:
    """An uploaded file's address with its fund's host (Open Graph readers take absolute ones only)."""
    return public_fund_origin(request_fund(request)) + url if url.startswith("/") else url
