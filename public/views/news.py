"""The fund's news: the list and one post."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fund_portal.models import NewsPost
from public import selectors
from public.cache import public_data, public_page
from public.pages import page


@login_not_required
@require_GET
@public_page(params=("page",))
def news_list(request, *, version):
    data = public_data(
        "news", lambda: {"news": selectors.news_items(NewsPost.objects.published()[:50])}, version=version
    )
    return page(request, "public/news_list.html", data, title=_("News"), description=_("News of the fund."))


@login_not_required
@require_GET
@public_page()
def news_detail(request, slug, *, version):
    post = get_object_or_404(NewsPost.objects.published(), slug=slug)
    campaign = selectors.public_campaigns().filter(pk=post.campaign_id).first() if post.campaign_id else None
    paragraphs = [p.strip() for p in post.body.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return page(
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
