"""The honour roll (vinh danh): donors the fund thanks, as each chose to be shown."""

from __future__ import annotations

import hashlib

from django.contrib.auth.decorators import login_not_required
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from donations.selectors import transparency
from donations.selectors.public_funds import request_fund
from fund_portal.query_params import query_page, query_year
from fund_portal.text import normalize_text
from public.cache import public_data, public_page
from public.pages import page


@login_not_required
@require_GET
@public_page(params=("year", "q", "page"))
def honour_roll(request, *, version):
    """Vinh danh: donors who gave much in the year, or gave year after year, as each chose to be shown;
    a page of them at a time, and a search by name."""
    year = query_year(request, default=timezone.localdate().year)
    query = normalize_text(request.GET.get("q", ""))[:100]
    page_number = query_page(request)
    fund = request_fund(request)
    data = public_data(
        f"honour:{year}:{page_number}:{hashlib.sha256(query.encode()).hexdigest()[:16]}",
        lambda: {
            "roll": transparency.recognised_donors(
                year=year, fund=fund, unit_path=version.scope, query=query, page=page_number
            ),
            "year": year,
            "query": query,
        },
        version=version,
    )
    min_amount, years_needed = transparency.recognition_thresholds(fund=fund)
    return page(
        request,
        "public/honour_roll.html",
        {**data, "min_amount": min_amount, "years_needed": years_needed},
        title=_("Honour roll"),
        description=_("Agencies, businesses and people the fund thanks for their support."),
    )
