"""Children's needs, anonymised by commune and area, and the consented stories."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
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
            "needs": _with_texts(children_public.public_needs_by_commune(unit_path=version.scope)),
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


def _with_texts(needs: dict) -> dict:
    """Each commune's and area's sentences, written once as the page's data is built (and cached with
    it): a province's 99 communes make 700 lines, and as template tags (two translations and an address
    each) they took most of a cold page's time. The addresses stay in the template, written once there:
    a fund's data serves its pages under /quy/<code>/ and under its own host name alike.

    A gift for an area goes to the fund's children who need it, whatever their commune: each area's
    button is shown once, above the communes (`areas`), not under each of them (99 communes repeated
    seven buttons 700 times, two thirds of a 167 KB page on a phone)."""
    areas: dict[str, dict] = {}
    for commune in needs["communes"]:
        name = commune["name"]
        commune["give_text"] = _("Give to the children of %(commune)s") % {"commune": name}
        for area in commune["areas"]:
            values = {
                "commune": name,
                "area": area["label"],
                "n": area["fewer_than"],
                "counter": area["count"],
            }
            if area["fewer_than"]:
                area["text"] = _("%(commune)s: fewer than %(n)s children need %(area)s") % values
            else:
                area["text"] = (
                    ngettext(
                        "%(commune)s: %(counter)s child needs %(area)s",
                        "%(commune)s: %(counter)s children need %(area)s",
                        area["count"],
                    )
                    % values
                )
            areas.setdefault(area["area"], {"area": area["area"], "fund_text": _("Fund %(area)s") % values})
    needs["areas"] = list(areas.values())
    return needs
