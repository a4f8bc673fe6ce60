"""Which fund a public request is for (see `donations.selectors.public_funds`).

A path `/quy/<fund code>/rest` is served as `/rest` for that fund (`request.fund`), with the URL prefix
set to `/quy/<fund code>/` while the request runs, so that every address the page reverses
(`{% url %}`, `reverse()`) stays on that fund's pages. An unknown or inactive fund code is a 404. Any
other request is for the fund of its host name, else the default fund, read only when a page asks
(`request_fund`): the health probe reads no fund. `request.fund_name` is the name the page shows
(`fund_portal.context_processors.portal`, the admin's header): on the staff pages (the portal, the
admin) the name of the fund that governs the logged-in member's unit, so a province's staff read
their province's fund wherever the site is served from; elsewhere the public fund's.

The prefix is not limited to the public pages: the links a public page holds to the rest of the site
(log in, the donor's own page) are reversed under it too, and must answer there.
"""

from __future__ import annotations

import re

from django.http import Http404
from django.urls import get_script_prefix, set_script_prefix
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from .selectors.funds import unit_fund_name
from .selectors.public_funds import PATH_PREFIX, public_fund_by_code, public_fund_name, request_fund

_FUND_PATH = re.compile(rf"^/{PATH_PREFIX}/(?P<code>[^/]+)(?P<rest>/.*)?$")
#: The staff pages, whose header names the member's own fund.
STAFF_PATHS = ("/portal/", "/admin/")


def page_fund_name(request) -> str:
    """The fund name a page shows: the member's own fund on a staff page, else the public fund's."""
    user = getattr(request, "user", None)
    if request.path_info.startswith(STAFF_PATHS) and user is not None and getattr(user, "unit_id", None):
        name = unit_fund_name(unit=user.unit)  # the account's unit, which the page's scope has read
        if name:
            return name
    return public_fund_name(request_fund(request))


class PublicFundMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.fund_name = SimpleLazyObject(lambda: page_fund_name(request))
        found = _FUND_PATH.match(request.path_info)
        if found is None:
            return self.get_response(request)
        request.fund = public_fund_by_code(found["code"])
        if request.fund is None:
            raise Http404(_("No fund has this code."))
        prefix = get_script_prefix()
        request.path_info = found["rest"] or "/"
        set_script_prefix(f"{prefix}{PATH_PREFIX}/{found['code']}/")
        try:
            return self.get_response(request)
        finally:
            set_script_prefix(prefix)
