"""The small demo data set: Triệu Sơn district of Thanh Hóa, a few communes, their villages and logins.

Idempotent: running it again finds what is there and creates nothing twice. Later issues add
their demo records here.
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.mfa.utils import decrypt
from django.db import transaction

from .models import AdministrativeUnit, Role, UnitLevel, User
from .services import DATA_DIR, units_load, units_load_file, user_set_role

#: Used only by `seed_demo` on a development machine; README.md lists it with the logins.
DEMO_PASSWORD = "demo-quy-2026"

DISTRICT_CODE = "397"  # Huyện Triệu Sơn
#: Demo communes: code -> (login, especially difficult, ethnic-minority and mountainous).
DEMO_COMMUNES = {
    "15703": ("canbo.danly", False, False),  # Xã Dân Lý
    "15682": ("canbo.hopthanh", False, False),  # Xã Hợp Thành
    "15670": ("canbo.thobinh", True, True),  # Xã Thọ Bình
    "15769": ("canbo.binhson", True, True),  # Xã Bình Sơn
    "15664": ("canbo.thitran", False, False),  # Thị trấn Triệu Sơn
}
VILLAGES_PER_COMMUNE = 4


@dataclass
class DemoLogin:
    username: str
    role: str
    unit: str
    totp_secret: str | None = None


def demo_units() -> None:
    units_load_file(path=DATA_DIR / "units_38_legacy.json")
    communes = {u.code: u for u in AdministrativeUnit.objects.filter(code__in=DEMO_COMMUNES)}
    rows = []
    for code, (_login, difficult, mountainous) in DEMO_COMMUNES.items():
        commune = communes[code]
        rows.append(
            {
                "code": code,
                "name": commune.name,
                "level": UnitLevel.COMMUNE,
                "parent": DISTRICT_CODE,
                "is_especially_difficult": difficult,
                "is_ethnic_mountainous": mountainous,
            }
        )
        # Villages have no official code; the demo gives them the commune's code and a number.
        rows += [
            {"code": f"{code}-{n:02d}", "name": f"Thôn {n}", "level": UnitLevel.VILLAGE, "parent": code}
            for n in range(1, VILLAGES_PER_COMMUNE + 1)
        ]
    units_load(rows=rows)


def _demo_user(username: str, *, role: str, unit: AdministrativeUnit | None, **fields) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, **fields)
        user.set_password(DEMO_PASSWORD)
    return user_set_role(user=user, role=role, unit=unit)


def _totp_secret(user: User) -> str:
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator:
        return decrypt(authenticator.data["secret"])
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def demo_users() -> list[DemoLogin]:
    district = AdministrativeUnit.objects.get(code=DISTRICT_CODE)
    logins = []
    staff = _demo_user(
        "canbo.huyen",
        role=Role.DISTRICT_STAFF,
        unit=district,
        first_name="Lan",
        last_name="Lê Thị",
        email="canbo.huyen@example.org",
    )
    logins.append(DemoLogin(staff.username, staff.get_role_display(), district.name, _totp_secret(staff)))
    auditor = _demo_user(
        "kiemtra.huyen", role=Role.AUDITOR, unit=district, first_name="Minh", last_name="Phạm Văn"
    )
    logins.append(
        DemoLogin(auditor.username, auditor.get_role_display(), district.name, _totp_secret(auditor))
    )
    for code, (login, *_flags) in DEMO_COMMUNES.items():
        commune = AdministrativeUnit.objects.get(code=code)
        officer = _demo_user(
            login, role=Role.COMMUNE_OFFICER, unit=commune, first_name="Cán bộ", last_name=commune.name
        )
        logins.append(DemoLogin(officer.username, officer.get_role_display(), commune.name))
    donor = _demo_user(
        "nhahaotam",
        role=Role.DONOR,
        unit=None,
        first_name="Hà",
        last_name="Nguyễn Thu",
        email="nhahaotam@example.org",
    )
    logins.append(DemoLogin(donor.username, donor.get_role_display(), "—"))
    return logins


def demo_money() -> None:
    """The district fund with its bank account, commune funds, a campaign, donors and a year of donations."""
    import datetime as dt
    import random

    from django.utils import timezone

    from campaigns.models import Campaign, CampaignKind
    from donations.models import BankAccount, DonationKind, Donor, DonorKind, Fund, NeedArea, RestrictionKind
    from donations.services.disbursements import disbursement_propose
    from donations.services.donations import donation_create, donation_post
    from donations.services.donors import donor_save

    district = AdministrativeUnit.objects.get(code=DISTRICT_CODE)
    if Fund.objects.filter(code="qbtte-trieu-son").exists():
        return
    fund = Fund.objects.create(
        unit=district, name="Quỹ Bảo trợ trẻ em huyện Triệu Sơn", code="qbtte-trieu-son"
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
    mid_autumn = Campaign.objects.create(
        name=f"Tết Trung thu {today.year}",
        slug=f"tet-trung-thu-{today.year}",
        kind=CampaignKind.MID_AUTUMN,
        unit=district,
        starts_on=dt.date(today.year, 8, 15),
        ends_on=dt.date(today.year, 10, 15),
        target_amount=150_000_000,
        description="Quà Trung thu cho trẻ em có hoàn cảnh đặc biệt.",
    )
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
        restricted = rng.random() < 0.3
        donation = donation_create(
            fund=fund,
            amount=rng.choice([200_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000]),
            received_on=day,
            kind=rng.choice([DonationKind.CASH, DonationKind.TRANSFER]),
            donor=donor,
            donor_name="" if donor else rng.choice(["", "Một nhà hảo tâm", "Trần Minh Đức"]),
            campaign=mid_autumn if restricted and mid_autumn.starts_on <= day else None,
            restriction=RestrictionKind.CAMPAIGN
            if restricted and mid_autumn.starts_on <= day
            else RestrictionKind.NONE,
            restriction_campaign=mid_autumn if restricted and mid_autumn.starts_on <= day else None,
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


def demo_children(per_commune: int = 10) -> None:
    """A few children in each demo commune, registered by its officer, with groups, this year's needs,
    some support and reviews; Nhà hảo tâm sponsors one child of Dân Lý. District staff (canbo.huyen)
    get the permission to see sensitive data, so the demo shows both sides of it."""
    import datetime as dt
    import random

    from django.contrib.auth.models import Permission
    from django.utils import timezone

    from children.models import Child, Circumstance
    from children.priority import priority_recompute
    from children.reference import ETHNIC_SHARES, SPECIAL_CIRCUMSTANCES
    from children.services import (
        child_register,
        needs_assess,
        review_record,
        sponsorship_start,
        support_record,
    )
    from donations.demo import GIVEN, MIDDLE, SURNAMES
    from donations.models import Donor, NeedArea
    from donations.services.donors import donor_save

    if Child.objects.exists():
        return
    rng = random.Random(16)
    today = timezone.localdate()
    district_staff = User.objects.get(username="canbo.huyen")
    district_staff.user_permissions.add(Permission.objects.get(codename="view_sensitive"))
    codes, weights = zip(*ETHNIC_SHARES.items(), strict=True)
    first = None
    for code, (login, *_flags) in DEMO_COMMUNES.items():
        officer = User.objects.get(username=login)
        villages = list(AdministrativeUnit.objects.filter(parent__code=code))
        for index in range(per_commune):
            sex = rng.choice(["male", "female"])
            middle = "Thị" if sex == "female" else rng.choice(MIDDLE)
            child = child_register(
                by=officer,
                confirm_not_duplicate=True,
                full_name=f"{rng.choice(SURNAMES)} {middle} {rng.choice(GIVEN)}",
                birth_date=today - dt.timedelta(days=rng.randint(200, 15 * 365)),
                sex=sex,
                ethnicity=rng.choices(codes, weights)[0],
                commune=officer.unit,
                village=rng.choice(villages),
                poverty=rng.choice(["none", "none", "poor", "near_poor"]),
                poverty_year=today.year - 1,
                data_consent=True,
            )
            first = first or child
            if rng.random() < 0.5:
                group = rng.choice(SPECIAL_CIRCUMSTANCES)
                Circumstance.objects.create(
                    child=child, group=group.code, identified_on=today - dt.timedelta(days=90)
                )
            if index % 2 == 0:
                areas = rng.sample(NeedArea.values, 2)
                needs_assess(
                    child=child,
                    by=officer,
                    year=today.year,
                    on=today.replace(month=1, day=15),
                    needs={area: (rng.randint(1, 3), "") for area in areas},
                )
            if index % 3 == 0:
                support_record(
                    by=officer,
                    child=child,
                    kind=rng.choice(["warm_clothes", "school_supplies", "health_check", "gift"]),
                    value=rng.choice([200_000, 300_000, 500_000]),
                    delivered_on=today - dt.timedelta(days=rng.randint(1, 120)),
                    source="fund",
                    handed_over_by=str(officer),
                )
            if index % 4 == 0:
                review_record(child=child, by=officer, note="Gia đình vẫn ở địa chỉ cũ.")
    priority_recompute()
    account = User.objects.get(username="nhahaotam")
    donor = Donor.objects.filter(user=account).first() or donor_save(
        donor=Donor(
            unit=district_staff.unit,
            name=f"{account.last_name} {account.first_name}".strip(),
            user=account,
            email=account.email,
        )
    )
    if first is not None:
        sponsorship = sponsorship_start(
            by=district_staff,
            donor=donor,
            child=first,
            starts_on=today.replace(day=1) - dt.timedelta(days=60),
            monthly_amount=500_000,
        )
        for months_ago in (2, 1):
            support_record(
                by=district_staff,
                child=first,
                kind="cash",
                value=500_000,
                delivered_on=today.replace(day=1) - dt.timedelta(days=30 * months_ago - 5),
                source="sponsorship",
                sponsorship=sponsorship,
            )


def demo_campaigns() -> None:
    """The recurring campaigns of the district as templates (Mid-Autumn and Tết by the lunar calendar),
    this year's campaigns made from them, the demo's Mid-Autumn campaign tied to its template, and a
    news post."""
    from django.utils import timezone

    from campaigns.models import Campaign, CampaignKind, CampaignTemplate, DateRule
    from campaigns.services import campaigns_from_templates
    from fund_portal.models import NewsPost

    if CampaignTemplate.objects.exists():
        return
    district = AdministrativeUnit.objects.get(code=DISTRICT_CODE)
    today = timezone.localdate()
    templates = {}
    for kind, name, prefix, rule, day, month, before, after, target in (
        (
            CampaignKind.MID_AUTUMN,
            "Tết Trung thu {year}",
            "tet-trung-thu",
            DateRule.LUNAR,
            15,
            8,
            40,
            10,
            150_000_000,
        ),
        (
            CampaignKind.LUNAR_NEW_YEAR,
            "Tết Nguyên đán {year}",
            "tet-nguyen-dan",
            DateRule.LUNAR,
            1,
            1,
            30,
            5,
            200_000_000,
        ),
        (
            CampaignKind.CHILDRENS_DAY,
            "Quốc tế Thiếu nhi 1/6/{year}",
            "quoc-te-thieu-nhi",
            DateRule.SOLAR,
            1,
            6,
            10,
            0,
            50_000_000,
        ),
        (
            CampaignKind.ACTION_MONTH,
            "Tháng hành động vì trẻ em {year}",
            "thang-hanh-dong",
            DateRule.SOLAR,
            1,
            6,
            0,
            29,
            80_000_000,
        ),
        (
            CampaignKind.DAY_FOR_THE_POOR,
            "Ngày vì người nghèo {year}",
            "ngay-vi-nguoi-ngheo",
            DateRule.SOLAR,
            17,
            10,
            30,
            0,
            60_000_000,
        ),
    ):
        templates[kind] = CampaignTemplate.objects.create(
            kind=kind,
            name_pattern=name,
            slug_prefix=prefix,
            date_rule=rule,
            day=day,
            month=month,
            days_before=before,
            days_after=after,
            unit=district,
            target_amount=target,
        )
    Campaign.objects.filter(
        kind=CampaignKind.MID_AUTUMN, template__isnull=True, starts_on__year=today.year
    ).update(template=templates[CampaignKind.MID_AUTUMN], year=today.year)
    campaigns_from_templates(year=today.year)
    mid_autumn = Campaign.objects.filter(template=templates[CampaignKind.MID_AUTUMN], year=today.year).first()
    NewsPost.objects.get_or_create(
        slug=f"trao-qua-trung-thu-{today.year}",
        defaults={
            "title": f"Trao quà Trung thu {today.year} cho trẻ em có hoàn cảnh đặc biệt",
            "summary": "Quỹ Bảo trợ trẻ em huyện Triệu Sơn trao quà cho trẻ em ở năm xã.",
            "body": "Nhân dịp Tết Trung thu, Quỹ Bảo trợ trẻ em huyện đã trao quà cho trẻ em có hoàn cảnh "
            "đặc biệt ở các xã Dân Lý, Hợp Lý, Thọ Tân, Bình Sơn và thị trấn Triệu Sơn.\n\n"
            "Cảm ơn các nhà hảo tâm đã đồng hành cùng Quỹ.",
            "campaign": mid_autumn,
            "published_at": timezone.now(),
            "is_published": True,
        },
    )


def seed_demo() -> list[DemoLogin]:
    with transaction.atomic():
        demo_units()
        logins = demo_users()
        demo_money()
        demo_campaigns()
        demo_children()
        return logins
