"""The public pages at province size, cold and warm (issue 20): the home page, the campaign with the most
donations (1,000,000 of the province fund's), the honour roll, the needs and the transparency page of
the fund's heaviest month (the month with the most ledger entries, not the current one), each p95 with
its max, never averaged across pages; each page warm against the bare view measured in turn with it.

Cold: the cache emptied and the per-process memos of the public funds and figures versions forgotten
before each request (a page after a deployment, or after its entry expired). Warm: the same page
again and again for a visitor without a session (the shared copy, which a worker process keeps in
its memory for a second once the cache has confirmed it fresh, `public.cache.LOCAL_SECONDS`).
Through the whole Django stack in-process (the test client), the process's objects frozen and its
collector set as a web process's (`fund_portal.startup`): the throughput behind gunicorn is
`appeal_night`'s.

The data set is the province benchmark's (`bench.province_data`, loaded by `bench --only scale`); the
first run links 1,000,000 of the province fund's donations to one public campaign
(`province_campaign`, about a minute at 5,000,000 donations). Without the data set the benchmark
stops with a RuntimeError that says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Sum
from django.test import Client

from bench.measure import Measure, benchmark, percentile, timed
from bench.province_data import PROVINCE_CODE, province_campaign
from donations.models import Donation, Fund, LedgerMonth
from donations.selectors.public_funds import PATH_PREFIX
from fund_portal.startup import freeze_loaded
from public.cache import figures_version_forget

#: Warm requests per page (and as many of the bare view, interleaved): 30 left the p95 at the
#: second-slowest request, one noisy moment.
REPEAT = 200
COLD_REPEAT = 5
COLD_TARGET_MS = 300
#: Warm: within this many times the bare view's p95.
WARM_FACTOR = 2
BARE_PATH = "/bench/bare/"


@dataclass
class PublicPage:
    label: str
    path: str
    params: dict
    about: str


def province_fund() -> Fund:
    """The province's fund: the national data set's (`seed_demo --national`) when it is loaded, else the
    province benchmark's own; or a RuntimeError saying how to load the data set."""
    from donations.demo_national import PROVINCE_FUND_CODE

    codes = [PROVINCE_FUND_CODE.format(code=PROVINCE_CODE), f"bench-{PROVINCE_CODE}"]
    funds = {fund.code: fund for fund in Fund.objects.filter(code__in=codes).select_related("unit")}
    fund = funds.get(codes[0]) or funds.get(codes[1])
    if fund is None or not Donation.objects.filter(fund=fund).exists():
        raise RuntimeError(
            "The province data set is missing (no donations in the fund bench-15): "
            "run `manage.py bench --only scale` once to load it."
        )
    return fund


def _heaviest_month(fund: Fund) -> tuple[int, int, int]:
    """The year, month and entry count of the fund's month with the most ledger entries."""
    row = (
        LedgerMonth.objects.filter(fund=fund)
        .values("month")
        .annotate(n=Sum("entries"))
        .order_by("-n", "-month")
        .first()
    )
    if row is None:
        raise RuntimeError(f"The fund {fund.code} has no ledger entries.")
    return row["month"].year, row["month"].month, row["n"]


def public_pages(fund: Fund, *, campaign_donations: int | None = None) -> list[PublicPage]:
    """The five pages of issue 20 on the fund's own public site (`/quy/<code>/...`)."""
    prefix = f"/{PATH_PREFIX}/{fund.code}"
    kwargs = {} if campaign_donations is None else {"donations": campaign_donations}
    province_campaign(fund, **kwargs)
    campaign_id, linked = (
        Donation.objects.filter(campaign__unit__path__startswith=fund.unit.path, campaign__is_public=True)
        .values_list("campaign")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    slug = fund.unit.campaigns.get(pk=campaign_id).slug
    year, month, entries = _heaviest_month(fund)
    return [
        PublicPage("home", f"{prefix}/", {}, f"the home page of {fund.code}"),
        PublicPage(
            "campaign",
            f"{prefix}/campaigns/{slug}/",
            {},
            f"{linked:,} donations linked to the campaign".replace(",", "."),
        ),
        PublicPage("honour roll", f"{prefix}/honour-roll/", {}, "this year's honour roll"),
        PublicPage("needs", f"{prefix}/needs/", {}, "the needs of the fund's communes"),
        PublicPage(
            "transparency, heaviest month",
            f"{prefix}/transparency/",
            {"fund": fund.code, "year": year, "month": month},
            f"{month:02d}/{year}: {entries:,} ledger entries".replace(",", "."),
        ),
    ]


def _client() -> Client:
    return Client(HTTP_HOST=settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS else "localhost")


def _get(client: Client, path: str, params: dict) -> None:
    response = client.get(path, params)
    if response.status_code != 200:
        raise RuntimeError(f"{path} {params} answered {response.status_code}")


def _cold_get(client: Client, path: str, params: dict) -> None:
    cache.clear()
    figures_version_forget()
    _get(client, path, params)


def _summary(times: list[float]) -> str:
    return f"p50 {percentile(times, 50):.1f} ms, max {max(times):.1f} ms; {len(times)} requests"


def _interleaved(client: Client, page: PublicPage, repeat: int) -> tuple[list[float], list[float]]:
    """The bare view and the page warm, one request of each in turn: both measured under the same
    conditions of the machine, so a busy moment weighs on both (measured one block after the other,
    a second of noise fell on one side only)."""
    bare: list[float] = []
    warm: list[float] = []
    for _ in range(repeat):
        bare += timed(lambda: _get(client, BARE_PATH, {}))
        warm += timed(lambda: _get(client, page.path, page.params))
    return bare, warm


def public_pages_measures(
    fund: Fund, *, repeat: int = REPEAT, cold_repeat: int = COLD_REPEAT, campaign_donations: int | None = None
) -> list[Measure]:
    """Per page: cold p95 (target 300 ms) and warm p95 (target twice the bare view's p95 measured
    interleaved with it)."""
    pages = public_pages(fund, campaign_donations=campaign_donations)
    client = _client()
    _get(client, BARE_PATH, {})
    freeze_loaded()  # as the web process does once it has loaded (config.wsgi)
    rows = []
    every_bare: list[float] = []
    for page in pages:
        cold = timed(lambda page=page: _cold_get(client, page.path, page.params), repeat=cold_repeat)
        _get(client, page.path, page.params)
        bare, warm = _interleaved(client, page, repeat)
        every_bare += bare
        bare_p95 = round(percentile(bare, 95), 2)
        for state, times, target, baseline in (
            ("cold", cold, COLD_TARGET_MS, None),
            ("warm", warm, round(WARM_FACTOR * bare_p95, 2), bare_p95),
        ):
            rows.append(
                Measure(
                    f"public pages: {page.label} {state} p95",
                    round(percentile(times, 95), 2),
                    "ms",
                    target=target,
                    baseline=baseline,
                    baseline_label="the bare view warm, p95, interleaved" if baseline else "",
                    note=f"{page.about}; {_summary(times)}"
                    + (
                        "; cache emptied before each"
                        if state == "cold"
                        else f"; target {WARM_FACTOR}x the bare view's p95 in the same requests' turns "
                        f"(bare {_summary(bare)})"
                    ),
                )
            )
    rows.insert(
        0,
        Measure(
            "public pages: the bare view p95",
            round(percentile(every_bare, 95), 2),
            "ms",
            note=_summary(every_bare),
        ),
    )
    return rows


@benchmark("public_pages")
def bench_public_pages() -> list[Measure]:
    return public_pages_measures(province_fund())
