"""The data set of the province benchmark (issue 17's Speed): the national two-level tree with five
villages in every commune, and one province holding 100,000 children and 5,000,000 posted donations in
its funds.

On the national data set (`seed_demo --national`), the province's children and donations are the ones
that set gave it (about 2% of each at full scale), in its funds; nothing is added.

Idempotent: each step finds what is there and skips it, so only the first run pays the load (about
seven minutes on a 2-core machine). Every load is COPY (`fund_portal.bulk`, the demo's seeders), never
row by row. The small demo (Thanh Hóa's three-level Triệu Sơn, which the other benchmarks use) is
loaded first, so the national load keeps Thanh Hóa in that shape and both data sets live side by side.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone

from campaigns.models import Campaign
from children.demo import seed_children
from children.models import Child, NeedCount
from donations.demo import POSTED_TABLES, seed_donations
from donations.demo_national import VILLAGES_PER_COMMUNE, national_funds, national_villages
from donations.models import Donation, Fund
from fund_portal.bulk import analyze
from fund_portal.demo import seed_demo
from fund_portal.models import AdministrativeUnit, Role, UnitLevel, User
from fund_portal.services import units_load_national, user_set_role

#: Tỉnh Lào Cai: 99 communes in the 2025 list (the issue's "about 100"), two levels.
PROVINCE_CODE = "15"
CHILDREN = 100_000
DONATIONS = 5_000_000
#: The province's fund takes this share of the donations; the rest is split over COMMUNE_FUNDS funds.
PROVINCE_FUND_SHARE = 0.6
COMMUNE_FUNDS = 20
STAFF_USERNAME = "bench.tinh"


@dataclass
class Prepared:
    province: AdministrativeUnit
    staff: User
    #: (step, seconds) of each load that ran this time; empty when everything was there.
    loads: list[tuple[str, float]] = field(default_factory=list)


def _timed(loads: list, label: str, func) -> None:
    started = time.perf_counter()
    func()
    loads.append((label, time.perf_counter() - started))


def province_funds(province: AdministrativeUnit, *, commune_funds: int = COMMUNE_FUNDS) -> list[Fund]:
    """The province's fund first, then the funds of its first `commune_funds` communes (made once)."""
    funds = [
        Fund.objects.get_or_create(
            code=f"bench-{province.code}",
            defaults={"unit": province, "name": f"Quỹ Bảo trợ trẻ em {province.name}"},
        )[0]
    ]
    communes = AdministrativeUnit.objects.filter(
        path__startswith=province.path, level=UnitLevel.COMMUNE
    ).order_by("path")[:commune_funds]
    for commune in communes:
        funds.append(
            Fund.objects.get_or_create(
                code=f"bench-{commune.code}",
                defaults={"unit": commune, "name": f"Quỹ Bảo trợ trẻ em {commune.name}"},
            )[0]
        )
    return funds


def _donations(funds: list[Fund], *, count: int) -> None:
    """`count` posted donations: the province fund's share, the rest evenly over the commune funds; a
    fund that already has donations is skipped (a load cut short is finished by the next run)."""
    own = int(count * PROVINCE_FUND_SHARE) if len(funds) > 1 else count
    each = (count - own) // max(len(funds) - 1, 1)
    for index, fund in enumerate(funds):
        wanted = own if index == 0 else each
        if wanted and not Donation.objects.filter(fund=fund).exists():
            seed_donations(fund=fund, count=wanted, seed=2026 + index)


def _staff(province: AdministrativeUnit) -> User:
    """The province's fund staff account, with a TOTP device (staff are sent to set one up otherwise)."""
    user = User.objects.filter(username=STAFF_USERNAME).first()
    if user is None:
        user = User(username=STAFF_USERNAME, first_name="Hà", last_name="Nguyễn Thị")
        user.set_unusable_password()
    user = user_set_role(user=user, role=Role.DISTRICT_STAFF, unit=province)
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    return user


def province_prepare(
    *, children: int = CHILDREN, donations: int = DONATIONS, commune_funds: int = COMMUNE_FUNDS
) -> Prepared:
    """Load what is missing of the data set; returns the province, its staff account and the loads."""
    loads: list[tuple[str, float]] = []
    seed_demo()
    units = AdministrativeUnit.objects
    if not units.filter(code=PROVINCE_CODE, level=UnitLevel.PROVINCE).exists():
        _timed(loads, "the national tree (units load --national)", units_load_national)
    province = units.get(code=PROVINCE_CODE, level=UnitLevel.PROVINCE)
    started = time.perf_counter()
    if national_villages():  # the national tree "with their villages"
        label = f"{VILLAGES_PER_COMMUNE} villages per commune of the country"
        loads.append((label, time.perf_counter() - started))
    # On the national data set (`seed_demo --national`) the province's children, funds and donations are
    # that set's: nothing is added.
    national = national_funds(province)
    if not national and not Child.objects.filter(commune__path__startswith=province.path).exists():
        # Registered last year, so every report of this year counts them.
        registered = dt.datetime(timezone.localdate().year - 1, 1, 15, 9, tzinfo=dt.UTC)
        _timed(
            loads,
            f"{children:,} children".replace(",", "."),
            lambda: seed_children(count=children, under=province, registered_at=registered),
        )
    funds = national or province_funds(province, commune_funds=commune_funds)
    if not national and not all(Donation.objects.filter(fund=fund).exists() for fund in funds):
        _timed(
            loads, f"{donations:,} donations".replace(",", "."), lambda: _donations(funds, count=donations)
        )
    # The planner's statistics of the funds made above (`units_load` refreshes the units' own after each
    # load; again here when the units were loaded by an earlier run): without them every join to the
    # 4,000 units is a hash of the whole table.
    analyze(AdministrativeUnit, Fund)
    # The summaries the triggers keep (filled by the loads above, or by the migrations that made them)
    # vacuumed as autovacuum would on a server where it runs (the benchmark's PostgreSQL has it off):
    # without a visibility map the transparency page's index-only scan of a heavy month read its 23,000
    # heap pages, 1.6 s when they were not in memory. Quick once done (only pages changed since).
    analyze(*POSTED_TABLES, NeedCount)
    return Prepared(province=province, staff=_staff(province), loads=loads)


#: Issue 20's "campaign with 1,000,000 donations": that many of the province fund's donations are linked
#: to one public campaign of the province (fewer where the fund has fewer).
CAMPAIGN_DONATIONS = 1_000_000


def province_campaign(fund: Fund, *, donations: int = CAMPAIGN_DONATIONS) -> tuple[Campaign, int]:
    """The province's public campaign with `donations` of its fund's donations linked to it (made once,
    the first time: one UPDATE, then VACUUM ANALYZE outside a transaction); returns it and how many
    donations it has. The link is the donation's plain campaign field (no restriction): the fund's
    ledger, balances and honour roll are the same with it or without."""
    today = timezone.localdate()
    campaign, _made = Campaign.objects.get_or_create(
        slug=f"bench-{fund.code}-appeal",
        defaults={
            "name": "Đêm hội gây quỹ vì trẻ em",
            "unit_id": fund.unit_id,
            "starts_on": dt.date(today.year - 3, 1, 1),
            "ends_on": dt.date(today.year + 1, 12, 31),
            "is_public": True,
            "target_amount": 10**12,
        },
    )
    if not Donation.objects.filter(campaign=campaign).exists():
        chosen = (
            Donation.objects.filter(fund=fund, campaign__isnull=True).order_by("id").values("id")[:donations]
        )
        Donation.objects.filter(pk__in=chosen).update(campaign=campaign)
        analyze(Donation)
    return campaign, Donation.objects.filter(campaign=campaign).count()
