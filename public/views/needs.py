"""Children's needs, anonymised by commune and area, and the consented stories."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from children.selectors import public as children_public
from public.cache import public_data, public_page
from public.pages import page


@login_not_required
@require_GET
@public_page()
def needs(request, *, version):
    """Anonymised needs by commune and area, each with a link to donate to it; consented stories."""

    def build() -> dict:
        return {
            "needs": children_public.public_needs_by_commune(unit_path=version.scope),
            "stories": children_public.public_stories(unit_path=version.scope),
        }

    data = public_data("needs", build, version=version)
    return page(
        request,
        "public/needs.html",
        data,
        title=_("Children's needs"),
        description=_("What children of each commune need, so that you can choose what to fund."),
    )
