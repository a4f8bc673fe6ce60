"""The home page: what the fund does, active campaigns, this year's totals, the latest news."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from children.selectors import public as children_public
from donations.selectors import transparency
from donations.selectors.public_funds import request_fund
from public import selectors
from public.cache import public_data, public_page
from public.pages import page, public_site_name

HOME_CAMPAIGNS = 3


HOME_NEWS = 3


@login_not_required
@require_GET
@public_page()
def home(request, *, version):
    """The fund: what it does, active campaigns with progress, this year's totals, the latest news."""

    fund, scope = request_fund(request), version.scope

    def build() -> dict:
        today = timezone.localdate()
        campaigns = selectors.public_campaigns(unit_path=scope)
        active = list(campaigns.filter(starts_on__lte=today, ends_on__gte=today)[:HOME_CAMPAIGNS])
        return {
            "campaigns": selectors.campaign_cards(active),
            "year": today.year,
            "raised": transparency.raised_in_year(year=today.year, unit_path=scope),
            "children_supported": children_public.children_supported_in_year(
                year=today.year, unit_path=scope
            ),
            "news": selectors.news_items(selectors.public_news(fund=fund, unit_path=scope)[:HOME_NEWS]),
            "counts": selectors.public_unit_counts(fund=fund),
        }

    data = public_data("home", build, version=version)
    return page(
        request,
        "public/home.html",
        data,
        title=public_site_name(request),
        description=_(
            "The Child Protection Fund: support for children in special circumstances, published openly."
        ),
    )
