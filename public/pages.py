"""How a public page is rendered: its title, description and canonical address (Open Graph)."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render


def page(request, template: str, context: dict, *, title: str, description: str = ""):
    """Render a public page with its title, description and the Open Graph address."""
    return render(
        request,
        template,
        {
            **context,
            "page_title": title,
            "page_description": description,
            "canonical_url": f"{settings.SITE_URL}{request.path}",
        },
    )
