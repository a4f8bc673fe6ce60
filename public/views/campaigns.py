"""The public campaign pages: the list and one campaign with its progress, donors and updates."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from children.models import Support
from donations.selectors import transparency
from fund_portal.models import NewsPost
from public import selectors
from public.cache import public_data, public_page
from public.pages import page


@login_not_required
@require_GET
@public_page()
def campaign_list(request, *, version):
    campaigns = selectors.public_campaigns(unit_path=version.scope)
    data = public_data(
        "campaigns", lambda: {"campaigns": selectors.campaign_cards(list(campaigns))}, version=version
    )
    return page(
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
    campaign = get_object_or_404(selectors.public_campaigns(unit_path=version.scope), slug=slug)

    def build() -> dict:
        (card,) = selectors.campaign_cards([campaign])

        reached = Support.objects.filter(campaign=campaign)
        return {
            "campaign": card,
            "donors": transparency.campaign_donor_wall(campaign_id=campaign.pk),
            "updates": selectors.news_items(NewsPost.objects.published().filter(campaign=campaign)[:10]),
            "gifts": reached.count(),
        }

    data = public_data(f"campaign:{campaign.pk}", build, version=version)
    return page(
        request,
        "public/campaign_detail.html",
        data,
        title=campaign.name,
        description=(campaign.description or campaign.name)[:160],
    )
