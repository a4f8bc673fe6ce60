"""Benchmarks of the pages people open most, at province size (issue 20): the admin's donation search
(a receipt number, a tax code, a donor's name), the honour roll cold and warm, a commune officer's
own children list at page 1, 20, 50 and the last, and the demo district's staff's list at page 1, 20,
50, near its end and the last, and searched by two letters; each p95 with its max, never averaged
across cases.

The data set is the province benchmark's (`bench.province_data`: Tỉnh Lào Cai, 100,000 children and
5,000,000 posted donations); its first run loads it. On the national data set (`seed_demo --national`)
the province holds what that set gave it.
"""

from __future__ import annotations

import math

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench.measure import Measure, benchmark, p95_measure, percentile, timed
from bench.province_data import Prepared, province_prepare
from children.models import Child
from children.selectors.registry import children_list, children_page
from donations.models import Donation, DonationStatus, Donor, DonorYear, Fund, HonourRollYear
from donations.selectors.transparency import HONOUR_ROLL_PAGE, recognition_thresholds
from fund_portal.demo import DISTRICT_LOGINS, seed_demo
from fund_portal.models import AdministrativeUnit, Role, User
from fund_portal.services import user_set_role

REPEAT = 30
COLD_REPEAT = 5
SEARCH_TARGET_MS = 100
LIST_TARGET_MS = 50
COLD_TARGET_MS = 300
OFFICER_USERNAME = "bench.xa"
#: The demo's district staff (`fund_portal.demo`), and a search of two letters: too short for the names'
#: trigram index, it matches a large share of any list.
DISTRICT_USERNAME = next(name for name, role, *_rest in DISTRICT_LOGINS if role == Role.DISTRICT_STAFF)
TWO_LETTERS = "an"
#: The list's page, as the portal's view takes it (`children_page`'s default).
PAGE_SIZE = children_page.__kwdefaults__["size"]


def _client(user=None) -> Client:
    client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS else "localhost")
    if user is not None:
        client.force_login(user)
    return client


def _get(client: Client, url: str, params: dict | None = None) -> None:
    response = client.get(url, params or {})
    if response.status_code != 200:
        raise RuntimeError(f"{url} {params} answered {response.status_code}")


def _search_terms(prepared: Prepared) -> list[tuple[str, str]]:
    """A receipt number, a tax code and two words of a donor's name, taken from the data set."""
    funds = Fund.objects.filter(unit__path__startswith=prepared.province.path)
    posted = Donation.objects.filter(fund__in=funds, status=DonationStatus.POSTED).exclude(receipt_number="")
    terms = []
    receipt = posted.order_by("-id").values_list("receipt_number", flat=True).first()
    if receipt:
        terms.append(("a receipt number", receipt))
    taxed = Donor.objects.exclude(tax_code="").values_list("tax_code", flat=True).first()
    if taxed:
        terms.append(("a tax code", taxed))
    name = Donor.objects.exclude(name="").order_by("-id").values_list("name", flat=True).first()
    if name:
        terms.append(("two words of a donor's name", " ".join(name.split()[-2:])))
    return terms


def donation_search_measures(prepared: Prepared) -> list[Measure]:
    """The admin's donation list searched by the province's staff; baseline: the list unsearched."""
    client = _client(prepared.staff)
    url = reverse("admin:donations_donation_changelist")
    _get(client, url)
    bare = timed(lambda: _get(client, url), repeat=REPEAT)
    rows = []
    for label, term in _search_terms(prepared):
        _get(client, url, {"q": term})
        times = timed(lambda term=term: _get(client, url, {"q": term}), repeat=REPEAT)
        rows.append(
            p95_measure(
                f"scale: admin donation search, {label}, p95",
                times,
                target=SEARCH_TARGET_MS,
                baseline=bare,
                label="the list unsearched, p95",
                note=f"«{term}» over the donations of {prepared.province.name}",
            )
        )
    return rows


def _roll_cases(prepared: Prepared, fund: Fund | None) -> list[tuple[str, dict]]:
    """The first page, the last page (the deepest) and a search by a common word of the donors' names."""
    scope = prepared.province.path
    lines = HonourRollYear.objects.filter(scope=scope, year=timezone.localdate().year)
    min_amount, years_needed = recognition_thresholds(fund=fund)
    count = lines.filter(Q(amount__gte=min_amount) | Q(streak__gte=years_needed)).count()
    cases = [("first page", {}), ("last page", {"page": str(max(1, -(-count // HONOUR_ROLL_PAGE)))})]
    name = lines.order_by("donor_id").values_list("name", flat=True).first()
    if name:
        cases.append(("a search", {"q": name.split()[0]}))
    return cases


def honour_roll_measures(prepared: Prepared) -> list[Measure]:
    """The honour roll of the province's fund, cold (the cache emptied before each request): the first
    page, the last and a search; and warm. Baseline: the news page warm (a public page with no figures:
    the bare cost of a cached page)."""
    fund = Fund.objects.filter(unit=prepared.province).first()
    prefix = f"/quy/{fund.code}" if fund else ""
    url = f"{prefix}/honour-roll/"
    client = _client()
    _get(client, f"{prefix}/news/")
    bare = timed(lambda: _get(client, f"{prefix}/news/"), repeat=REPEAT)
    summary = DonorYear.objects.filter(fund__unit__path__startswith=prepared.province.path).count()
    lines = HonourRollYear.objects.filter(scope=prepared.province.path).count()
    note = f"{summary:,} donor-year rows, {lines:,} roll lines of the province".replace(",", ".")
    label = "the news page warm, p95"
    rows = []
    for case, params in _roll_cases(prepared, fund):

        def cold(params=params):
            cache.clear()
            _get(client, url, params)

        size = len(client.get(url, params).content)
        rows.append(
            p95_measure(
                f"scale: honour roll cold, {case}, p95",
                timed(cold, repeat=COLD_REPEAT),
                target=COLD_TARGET_MS,
                baseline=bare,
                label=label,
                note=f"{params or 'no parameters'}, {size / 1024:.0f} kB of HTML; {note}",
            )
        )
    _get(client, url)
    warm = timed(lambda: _get(client, url), repeat=REPEAT)
    rows.append(
        p95_measure(
            "scale: honour roll warm p95",
            warm,
            target=2 * percentile(bare, 95),
            baseline=bare,
            label=label,
            note=note + "; target twice the bare page",
        )
    )
    return rows


def _officer(prepared: Prepared) -> tuple[User, int, int]:
    """An officer of the province's largest commune (made once), the commune and its children."""
    commune_id, total = (
        Child.objects.filter(commune__path__startswith=prepared.province.path, status="active")
        .values_list("commune_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    user = User.objects.filter(username=OFFICER_USERNAME).first()
    if user is None:
        user = User(username=OFFICER_USERNAME, first_name="Văn An", last_name="Lê")
        user.set_unusable_password()
    if user.unit_id != commune_id:
        user = user_set_role(
            user=user, role=Role.COMMUNE_OFFICER, unit=AdministrativeUnit.objects.get(pk=commune_id)
        )
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    return user, commune_id, total


def officer_list_measures(prepared: Prepared) -> list[Measure]:
    """A commune officer's own children list (no search) at page 1, 20, 50 and the last; baseline: the
    same rows by primary key."""
    officer, _commune, total = _officer(prepared)
    last = max(math.ceil(total / PAGE_SIZE), 1)
    cases = _cases([("page 1", 1), ("page 20", 20), ("page 50", 50), (f"last page ({last})", last)], last)
    note = f"{total:,} children in the officer's commune".replace(",", ".")
    return _list_pages(
        _client(officer), officer, cases, query="", name="scale: officer's own children list", note=note
    )


def _cases(cases: list[tuple[str, int]], last: int) -> list[tuple[str, int]]:
    """The pages of `cases` the list has, each once."""
    seen, kept = set(), []
    for label, page in cases:
        if 1 <= page <= last and page not in seen:
            seen.add(page)
            kept.append((label, page))
    return kept


def _list_pages(client: Client, user: User, cases, *, query: str, name: str, note: str) -> list[Measure]:
    """Each of `cases` (label, page number) of the user's children list, searched by `query`, timed
    over HTTP; baseline: the same rows by primary key."""
    url = reverse("children:list")
    listed = children_list(user=user, query=query)
    ordered = listed.values_list("pk", flat=True)
    rows = []
    for label, page in cases:
        cursor = "" if page == 1 else str(ordered[(page - 1) * PAGE_SIZE - 1])
        ids = [c.pk for c in children_page(children=listed, after=cursor)[0]]
        params = {"q": query} if query else {}
        if cursor:
            params["after"] = cursor
        _get(client, url, params)
        times = timed(lambda params=params: _get(client, url, params), repeat=REPEAT)
        bare = timed(lambda ids=ids: list(Child.objects.filter(pk__in=ids)), repeat=REPEAT)
        rows.append(
            p95_measure(
                f"{name} {label} p95",
                times,
                target=LIST_TARGET_MS,
                baseline=bare,
                label="the same rows by primary key, p95",
                note=note,
            )
        )
    return rows


def district_list_measures() -> list[Measure]:
    """The demo district's staff's children list (no search) at page 1, 20, 50, the page before the
    last and the last; then searched by two letters, its first page, page 20 and its last."""
    seed_demo()
    staff = User.objects.get(username=DISTRICT_USERNAME)
    client = _client(staff)
    rows = []
    searches = (
        ("", "scale: district children list"),
        (TWO_LETTERS, f"scale: district children list «{TWO_LETTERS}»"),
    )
    for query, name in searches:
        total = children_list(user=staff, query=query).count()
        last = max(math.ceil(total / PAGE_SIZE), 1)
        deep = [("page 50", 50), (f"page {last - 1}", last - 1)] if not query else []
        cases = _cases([("page 1", 1), ("page 20", 20), *deep, (f"last page ({last})", last)], last)
        note = f"{total:,} children in {staff.unit.name}".replace(",", ".")
        rows += _list_pages(client, staff, cases, query=query, name=name, note=note)
    return rows


@benchmark("scale")
def bench_scale() -> list[Measure]:
    prepared = province_prepare()
    return [
        *donation_search_measures(prepared),
        *honour_roll_measures(prepared),
        *officer_list_measures(prepared),
        *district_list_measures(),
    ]
