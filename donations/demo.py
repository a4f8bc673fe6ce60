"""The large donations data set for benchmarks: `seed_demo --donations N` (COPY on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

from django.db import transaction
from django.utils import timezone

from campaigns.models import Campaign, CampaignKind
from donations.services.disbursements import disbursement_propose
from donations.services.donations import donation_create, donation_post
from donations.services.donors import donor_save
from fund_portal.bulk import analyze, bulk_load, next_ids
from fund_portal.demo import DEMO_COMMUNES, DISTRICT_CODE
from fund_portal.models import AdministrativeUnit, NewsPost, User
from fund_portal.text import fold

from .imports.donation_load import DONATION_COLUMNS, DONOR_COLUMNS, donation_copy_row, donor_copy_row
from .models import (
    BankAccount,
    CampaignRaised,
    DisplayPreference,
    DocumentSeries,
    Donation,
    DonationDay,
    DonationKind,
    DonationStatus,
    Donor,
    DonorKind,
    DonorMonth,
    DonorYear,
    Fund,
    HonourRollYear,
    LedgerEntry,
    LedgerMonth,
    NeedArea,
    PostedDonorMonth,
    RestrictionKind,
    SourceCategory,
)
from .services.donations import ledger_entries_post
from .services.numbers import document_numbers_reserve, receipt_number

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quang", "Thu", "Xuân", "Hồng", "Anh"]
GIVEN = [
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hoa",
    "Hùng",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phong",
    "Phương",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
]
COMPANIES = ["Công ty TNHH {}", "Công ty Cổ phần {}", "Doanh nghiệp tư nhân {}", "Hợp tác xã {}"]
AMOUNTS = [
    50_000,
    100_000,
    200_000,
    300_000,
    500_000,
    1_000_000,
    2_000_000,
    5_000_000,
    10_000_000,
    20_000_000,
]
AMOUNT_WEIGHTS = [10, 20, 20, 8, 18, 12, 5, 4, 2, 1]


CHUNK = 200_000


#: The tables a loaded posting writes, itself or through the database's triggers (the sums of the
#: ledger's months, the donors' years and months, the honour roll, the days, the campaigns' totals):
#: their planner statistics are refreshed after a load, as autovacuum would on a server (it is off on
#: the benchmark's PostgreSQL). Without them the triggers' look-ups of the next posting's donors were
#: planned as scans of sums a million rows long: a 100,000-row import took 189 s where it takes 9.
POSTED_TABLES = (
    Donor,
    Donation,
    LedgerEntry,
    LedgerMonth,
    DonorYear,
    HonourRollYear,
    DonorMonth,
    PostedDonorMonth,
    DonationDay,
    CampaignRaised,
)


def seed_donations(*, fund: Fund, count: int, donors: int | None = None, seed: int = 2026) -> int:
    """Add `count` posted donations (with their ledger entries and receipt numbers) over three years."""
    rng = random.Random(seed)
    donors = donors or max(count // 40, 10)
    today = timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        donor_ids = list(next_ids(Donor._meta.db_table, donors))
        bulk_load(
            Donor._meta.db_table,
            DONOR_COLUMNS,
            (demo_donor_row(rng, donor_id, fund.unit_id, now) for donor_id in donor_ids),
        )
        days = sorted(today - dt.timedelta(days=rng.randint(1, 3 * 365)) for _ in range(count))
        per_year = Counter(day.year for day in days)
        numbers = {
            year: iter(document_numbers_reserve(fund=fund, series=DocumentSeries.RECEIPT, year=year, count=n))
            for year, n in sorted(per_year.items())
        }
        ids = next_ids(Donation._meta.db_table, count)
        rows = []
        for index, (donation_id, day) in enumerate(zip(ids, days, strict=True), start=1):
            seq = next(numbers[day.year])
            amount = rng.choices(AMOUNTS, AMOUNT_WEIGHTS)[0]
            number = receipt_number(fund.code, day.year, seq)
            donor_id = rng.choice(donor_ids) if rng.random() < 0.8 else None
            posted_at = dt.datetime.combine(day, dt.time(9), tzinfo=now.tzinfo)
            rows.append(
                donation_copy_row(
                    id=donation_id,
                    fund_id=fund.pk,
                    donor_id=donor_id,
                    kind=rng.choice((DonationKind.CASH, DonationKind.TRANSFER)),
                    amount=amount,
                    received_on=day,
                    source=SourceCategory.CHILD_FUND,
                    status=DonationStatus.POSTED,
                    receipt_year=day.year,
                    receipt_seq=seq,
                    receipt_number=number,
                    display_preference=DisplayPreference.FULL_NAME,
                    created_at=posted_at,
                    posted_at=posted_at,
                    restriction="none",
                )
            )
            if index % CHUNK == 0 or index == count:  # in chunks: 5,000,000 rows at once took 4 GB
                bulk_load(Donation._meta.db_table, DONATION_COLUMNS, rows)
                rows = []
        # The entries in one statement after the rows: the triggers' sums (the donors' years and
        # months, the honour roll) are then written once per donor, not once per chunk (each chunk's
        # entries took minutes at 5,000,000 donations to one fund).
        if count:
            ledger_entries_post(list(ids), now=now, by=None)
    analyze(*POSTED_TABLES)
    return count


def demo_donor_row(rng: random.Random, donor_id: int, unit_id: int, now) -> tuple:
    """A made-up donor (a person, or one in seven a business) as COPY loads it, in `DONOR_COLUMNS`."""
    if rng.random() < 0.15:
        name = rng.choice(COMPANIES).format(f"{rng.choice(GIVEN)} {rng.choice(GIVEN)}")
        kind = DonorKind.BUSINESS
    else:
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        kind = DonorKind.INDIVIDUAL
    return donor_copy_row(
        id=donor_id,
        unit_id=unit_id,
        kind=kind,
        name=name,
        name_folded=fold(name),
        display_preference=rng.choice(list(DisplayPreference.values)),
        created_at=now,
    )


def demo_seed() -> None:
    """The district fund with its bank account, commune funds, a campaign, donors and a year of donations."""

    district = AdministrativeUnit.objects.get(code=DISTRICT_CODE)
    if Fund.objects.filter(code="qbtte-trieu-son").exists():
        return
    fund = Fund.objects.create(
        unit=district,
        name="Quỹ Bảo trợ trẻ em huyện Triệu Sơn",
        code="qbtte-trieu-son",
        governing_body="UBND huyện Triệu Sơn",
        place="Triệu Sơn",
        address="Tiểu khu 3, thị trấn Triệu Sơn, tỉnh Thanh Hóa",
        tax_code="2801234567",
        director_name="Lê Thị Lan",
        treasurer_name="Đặng Thị Thu",
    )
    BankAccount.objects.create(
        fund=fund,
        bank_name="Agribank chi nhánh Triệu Sơn",
        bank_bin="970405",
        account_number="3509205000123",
        account_name="QUY BAO TRO TRE EM HUYEN TRIEU SON",
        is_default=True,
    )
    for code in DEMO_COMMUNES:
        commune = AdministrativeUnit.objects.get(code=code)
        Fund.objects.create(
            unit=commune, parent=fund, name=f"Quỹ Bảo trợ trẻ em {commune.name}", code=f"qbtte-{code}"
        )
    today = timezone.localdate()
    communes = AdministrativeUnit.objects.filter(code__in=DEMO_COMMUNES)
    mid_year = demo_mid_autumn_year(today)
    mid_autumn = Campaign.objects.create(
        name=f"Tết Trung thu {mid_year}",
        slug=f"tet-trung-thu-{mid_year}",
        kind=CampaignKind.MID_AUTUMN,
        unit=district,
        starts_on=dt.date(mid_year, 8, 15),
        ends_on=dt.date(mid_year, 10, 15),
        target_amount=12_000_000,
        target_supports=30,
        target_support_kind="gift",
        description="Quà Trung thu cho trẻ em có hoàn cảnh đặc biệt.",
    )
    mid_autumn.participating_communes.set(communes)
    running = _running_campaign(district=district, today=today)
    running.participating_communes.set(communes)
    donors = [
        donor_save(donor=Donor(unit=district, kind=kind, name=name, tax_code=tax, interests=interests))
        for kind, name, tax, interests in (
            (DonorKind.BUSINESS, "Công ty TNHH Mía đường Lam Sơn", "2800100123", [NeedArea.NUTRITION_HEALTH]),
            (DonorKind.BUSINESS, "Ngân hàng Nông nghiệp chi nhánh Triệu Sơn", "0100686174-123", []),
            (DonorKind.AGENCY, "Phòng Giáo dục và Đào tạo huyện Triệu Sơn", "", [NeedArea.EDUCATION]),
            (DonorKind.INDIVIDUAL, "Lê Văn Thành", "", [NeedArea.WARM_CLOTHES]),
            (DonorKind.INDIVIDUAL, "Nguyễn Thị Hương", "", []),
            (DonorKind.ORGANISATION, "Hội Chữ thập đỏ huyện Triệu Sơn", "", [NeedArea.PLAY]),
        )
    ]
    rng = random.Random(2026)
    for i in range(40):
        day = today - dt.timedelta(days=rng.randint(1, 300))
        donor = rng.choice(donors + [None])
        campaign = next((c for c in (running, mid_autumn) if c.starts_on <= day <= c.ends_on), None)
        restricted = campaign is not None and rng.random() < 0.6
        donation = donation_create(
            fund=fund,
            amount=rng.choice([200_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000]),
            received_on=day,
            kind=rng.choice([DonationKind.CASH, DonationKind.TRANSFER]),
            donor=donor,
            donor_name="" if donor else rng.choice(["", "Một nhà hảo tâm", "Trần Minh Đức"]),
            campaign=campaign if restricted else None,
            restriction=RestrictionKind.CAMPAIGN if restricted else RestrictionKind.NONE,
            restriction_campaign=campaign if restricted else None,
        )
        if i < 36:
            donation_post(donation=donation, by=None)
    donation_post(
        donation=donation_create(
            fund=fund,
            amount=12_000_000,
            received_on=today - dt.timedelta(days=20),
            kind=DonationKind.GOODS,
            donor=donors[0],
            goods_description="Áo ấm trẻ em",
            goods_quantity=80,
            goods_unit="chiếc",
        ),
        by=None,
    )
    _donor_account_donations(fund=fund, district=district, running=running, today=today)
    for days_ago, donor, amount in (
        (12, donors[1], 10_000_000),
        (6, donors[4], 2_000_000),
        (1, None, 500_000),
    ):
        _campaign_transfer(
            running, fund=fund, on=today - dt.timedelta(days=days_ago), donor=donor, amount=amount
        )
    officer = User.objects.get(username="canbo.thobinh")
    disbursement_propose(
        by=officer,
        fund=fund,
        amount=4_500_000,
        spent_on=today - dt.timedelta(days=2),
        purpose="Khám sức khoẻ cho trẻ em mầm non xã Thọ Bình",
        need_area=NeedArea.NUTRITION_HEALTH,
        recipient_unit=AdministrativeUnit.objects.get(code="15670"),
    )
    demo_second_fund(today=today)


def _campaign_transfer(campaign, *, fund, on, donor, amount, name="Một nhà hảo tâm") -> None:
    """A posted transfer to a campaign (named `name` when it has no donor record)."""
    donation_post(
        donation=donation_create(
            fund=fund,
            amount=amount,
            received_on=on,
            kind=DonationKind.TRANSFER,
            donor=donor,
            donor_name="" if donor else name,
            campaign=campaign,
            restriction=RestrictionKind.CAMPAIGN,
            restriction_campaign=campaign,
        ),
        by=None,
    )


SECOND_FUND_CODE = "qbtte-nong-cong"


def demo_second_fund(*, today: dt.date) -> Fund:
    """A second fund beside Triệu Sơn's, with its own public site at /quy/qbtte-nong-cong/: Nông Cống
    district's, its bank account, honour-roll threshold, a campaign, donations and a news post."""
    district = AdministrativeUnit.objects.get(code="404")  # Huyện Nông Cống
    fund = Fund.objects.create(
        unit=district,
        name="Quỹ Bảo trợ trẻ em huyện Nông Cống",
        public_name="Quỹ Bảo trợ trẻ em Nông Cống",
        code=SECOND_FUND_CODE,
        governing_body="UBND huyện Nông Cống",
        place="Nông Cống",
        recognition_min_amount=5_000_000,
    )
    BankAccount.objects.create(
        fund=fund,
        bank_name="Vietcombank chi nhánh Thanh Hóa",
        bank_bin="970436",
        account_number="0501000777888",
        account_name="QUY BAO TRO TRE EM HUYEN NONG CONG",
        is_default=True,
    )
    winter = Campaign.objects.create(
        name=f"Áo ấm cho em Nông Cống {today.year}",
        slug=f"ao-am-nong-cong-{today.year}",
        kind=CampaignKind.AD_HOC,
        unit=district,
        starts_on=today - dt.timedelta(days=20),
        ends_on=today + dt.timedelta(days=40),
        target_amount=30_000_000,
        description="Áo ấm và chăn cho trẻ em vùng khó khăn của huyện Nông Cống.",
    )
    cement = donor_save(
        donor=Donor(unit=district, kind=DonorKind.BUSINESS, name="Công ty CP Xi măng Nông Cống")
    )
    for days_ago, donor, amount in ((15, cement, 8_000_000), (4, None, 700_000)):
        on = today - dt.timedelta(days=days_ago)
        _campaign_transfer(winter, fund=fund, on=on, donor=donor, amount=amount, name="Hoàng Thị Mai")
    NewsPost.objects.create(
        title="Phát động chương trình “Áo ấm cho em” ở Nông Cống",
        slug=f"ao-am-nong-cong-{today.year}",
        summary="Quỹ Bảo trợ trẻ em Nông Cống kêu gọi ủng hộ áo ấm cho trẻ em vùng khó khăn.",
        body="Quỹ Bảo trợ trẻ em huyện Nông Cống phát động chương trình “Áo ấm cho em”.",
        campaign=winter,
        unit=district,
        published_at=timezone.now() - dt.timedelta(days=19),
        is_published=True,
    )
    return fund


def demo_mid_autumn_year(today: dt.date) -> int:
    """The year of the demo's Mid-Autumn campaign: the last one that has ended, so its gifts are handed
    out (`campaigns.demo.demo_seed_handover`) and its news is true on any day the demo is loaded."""
    return today.year if today > dt.date(today.year, 10, 15) else today.year - 1


def _running_campaign(*, district, today: dt.date) -> Campaign:
    """A campaign that runs on the day the demo is loaded: warm clothes in the cold months, school
    things the rest of the year."""
    if today.month in (10, 11, 12, 1, 2):
        name, slug, kind, text = (
            f"Áo ấm cho em mùa đông {today.year}",
            f"ao-am-cho-em-{today:%Y-%m}",
            "warm_clothes",
            "Áo ấm, chăn và mũ len cho trẻ em vùng khó khăn trước những ngày rét đậm.",
        )
    else:
        name, slug, kind, text = (
            f"Tiếp sức đến trường {today.year}",
            f"tiep-suc-den-truong-{today:%Y-%m}",
            "school_supplies",
            "Sách vở, cặp sách và học phí cho trẻ em có hoàn cảnh đặc biệt.",
        )
    return Campaign.objects.create(
        name=name,
        slug=slug,
        kind=CampaignKind.AD_HOC,
        unit=district,
        starts_on=today - dt.timedelta(days=20),
        ends_on=today + dt.timedelta(days=25),
        target_amount=40_000_000,
        target_supports=60,
        target_support_kind=kind,
        description=text,
    )


def _donor_account_donations(*, fund: Fund, district, running: Campaign, today: dt.date) -> None:
    """The demo donor login (nhahaotam) has its donor record and gives: its page lists receipts."""
    account = User.objects.get(username="nhahaotam")
    donor = Donor.objects.filter(user=account).first() or donor_save(
        donor=Donor(
            unit=district,
            name=f"{account.last_name} {account.first_name}".strip(),
            user=account,
            email=account.email,
        )
    )
    for days_ago, amount, campaign in (
        (160, 2_000_000, None),
        (75, 1_000_000, None),
        (3, 1_500_000, running),
    ):
        donation = donation_create(
            fund=fund,
            amount=amount,
            received_on=today - dt.timedelta(days=days_ago),
            kind=DonationKind.TRANSFER,
            donor=donor,
            with_transfer_reference=True,
            campaign=campaign,
            restriction=RestrictionKind.CAMPAIGN if campaign else RestrictionKind.NONE,
            restriction_campaign=campaign,
        )
        donation_post(donation=donation, by=None)


def demo_donations_large(*, count: int) -> None:
    """`seed_demo --donations N`: N posted donations to the district fund of the small demo."""

    seed_donations(fund=Fund.objects.get(code="qbtte-trieu-son"), count=count)
