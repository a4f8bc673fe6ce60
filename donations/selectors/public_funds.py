"""Which fund a public request is for, and what its public pages cover.

A deployment serves several funds, each with its own public site: at `/quy/<fund code>/...` (every
public page and `/donate/`), or on its own host name (`Fund.public_host`, set in the admin), else the
default fund: `PUBLIC_FUND_CODE`, else the first top-level fund that takes donations, else the first
top-level fund. `donations.middleware.PublicFundMiddleware` decides it once per request.

A fund's pages cover its unit and every unit under it (a province fund shows the money, campaigns,
needs and news of its communes' funds too; a commune fund only its own commune's). The one exception
keeps a one-fund deployment as it was: when the default fund is the only top-level fund, its pages
cover the whole deployment (`public_fund_scope` is None).

The active funds are read at most once a second per process (like the public figures version): a
cached public page costs no database query.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http.request import split_domain_port
from django.urls import get_script_prefix, reverse

from ..models import Fund

#: The first part of the path of a fund's own pages: /quy/<fund code>/.
PATH_PREFIX = "quy"
READ_SECONDS = 1.0


@dataclass(frozen=True)
class _PublicFunds:
    by_code: dict[str, Fund]
    by_host: dict[str, Fund]
    default: Fund | None
    top_count: int


_memo: dict = {"read_at": -READ_SECONDS, "funds": None}


def _default(funds: list[Fund]) -> Fund | None:
    if settings.PUBLIC_FUND_CODE:
        return next((f for f in funds if f.code == settings.PUBLIC_FUND_CODE), None)
    tops = [f for f in funds if f.parent_id is None]
    with_account = set(
        Fund.objects.filter(pk__in=[f.pk for f in tops], bank_accounts__is_default=True).values_list(
            "pk", flat=True
        )
    )
    return next((f for f in tops if f.pk in with_account), tops[0] if tops else None)


def _public_funds() -> _PublicFunds:
    now = time.monotonic()
    if _memo["funds"] is None or now - _memo["read_at"] >= READ_SECONDS:
        funds = list(Fund.objects.filter(is_active=True).select_related("unit").order_by("pk"))
        _memo["funds"] = _PublicFunds(
            by_code={f.code: f for f in funds},
            by_host={f.public_host: f for f in funds if f.public_host},
            default=_default(funds),
            top_count=sum(1 for f in funds if f.parent_id is None),
        )
        _memo["read_at"] = now
    return _memo["funds"]


def public_funds_forget() -> None:
    """Read the funds again on the next request (tests, and the admin after a fund is saved)."""
    _memo["funds"] = None


def public_fund_default() -> Fund | None:
    """The fund of a request without a fund code or a mapped host."""
    return _public_funds().default


def public_fund_by_code(code: str) -> Fund | None:
    """The active fund of this code (the /quy/<code>/ pages), or None."""
    return _public_funds().by_code.get(code)


def public_fund_for_host(host: str | None) -> Fund | None:
    """The fund whose own host name this is, else the default fund."""
    funds = _public_funds()
    return funds.by_host.get((host or "").lower(), funds.default)


def public_fund_scope(fund: Fund | None) -> str | None:
    """The unit path a fund's public pages cover, or None for the whole deployment (no fund, or the
    default fund of a deployment with one top-level fund)."""
    if fund is None:
        return None
    funds = _public_funds()
    if funds.default is not None and fund.pk == funds.default.pk and funds.top_count <= 1:
        return None
    return fund.unit.path


def public_fund_name(fund: Fund | None) -> str:
    """The name a fund's public pages show: its public name, else the deployment's name (FUND_NAME) for
    the default fund and the fund's own name for the others."""
    if fund is None:
        return settings.FUND_NAME
    default = public_fund_default()
    if fund.public_name:
        return fund.public_name
    return settings.FUND_NAME if default is not None and fund.pk == default.pk else fund.name


def request_host(request) -> str | None:
    """The host name a request came on (no port); None for one Django refuses (answered with a 400)."""
    try:
        return split_domain_port(request.get_host())[0]
    except DisallowedHost:  # answered with a 400 by Django; never a fund's
        return None


def in_fund_scope(queryset, lookup: str, unit_path: str | None):
    """Only the rows whose unit (reached by `lookup`) is under `unit_path`, a fund's public pages'
    scope (`public_fund_scope`); all of them for None."""
    return queryset if unit_path is None else queryset.filter(**{f"{lookup}__path__startswith": unit_path})


def request_fund(request) -> Fund | None:
    """The fund a public request is for: the fund of its /quy/<code>/ path (set by the middleware),
    else of its host name, else the default fund. Read when first asked, so that a request that shows
    no fund (the health probe) reads no fund."""
    if not hasattr(request, "fund"):
        request.fund = public_fund_for_host(request_host(request))
    return request.fund


def public_fund_site_url(fund: Fund | None) -> str:
    """The address a fund's public pages are published at: its own host name (with SITE_URL's scheme),
    else SITE_URL, and `/quy/<code>` after it for a fund other than the default one."""
    scheme = urlsplit(settings.SITE_URL).scheme or "https"
    if fund is not None and fund.public_host:
        return f"{scheme}://{fund.public_host}"
    default = public_fund_default()
    if fund is None or default is None or fund.pk == default.pk:
        return settings.SITE_URL
    return f"{settings.SITE_URL}/{PATH_PREFIX}/{fund.code}"


def public_fund_origin(fund: Fund | None) -> str:
    """The scheme and host of a fund's public pages, without a path: its own host name's, else
    SITE_URL's (for files served at the site's root, such as uploaded images)."""
    if fund is not None and fund.public_host:
        return public_fund_site_url(fund)
    parts = urlsplit(settings.SITE_URL)
    return f"{parts.scheme or 'https'}://{parts.netloc}"


def public_fund_url(fund: Fund | None, viewname: str, **kwargs) -> str:
    """The absolute address of one of a fund's public pages, for a mail or a document: on its own host
    name, else on SITE_URL (under /quy/<code>/ for a fund other than the default one), whatever
    request or worker builds it."""
    path = reverse(viewname, kwargs=kwargs or None)
    return public_fund_site_url(fund) + "/" + path.removeprefix(get_script_prefix())


def request_on_own_host(request, fund: Fund | None) -> bool:
    """Whether the request came on the fund's own host name (not on the main site's)."""
    return fund is not None and bool(fund.public_host) and request_host(request) == fund.public_host


def request_fund_scope(request) -> str | None:
    """The unit path the request's public pages cover (see `public_fund_scope`)."""
    return public_fund_scope(request_fund(request))
