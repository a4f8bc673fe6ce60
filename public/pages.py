"""How a public page is rendered: its title, description and canonical address (Open Graph)."""

from __future__ import annotations

from django.shortcuts import render

from donations.selectors.public_funds import public_fund_name, public_fund_site_url, request_fund


def public_site_name(request) -> str:
    """The name of the fund whose site this is (the deployment's name for its default fund)."""
    return public_fund_name(request_fund(request))


def page(request, template: str, context: dict, *, title: str, description: str = ""):
    """Render a public page with its title, description and the Open Graph address."""
    return render(
        request,
        template,
        {
            **context,
            "page_title": title,
            "page_description": description,
            # One address per page, whichever way it was reached (its fund's host, or /quy/<code>/).
            "canonical_url": f"{public_fund_site_url(request_fund(request))}{request.path_info}",
        },
    )
