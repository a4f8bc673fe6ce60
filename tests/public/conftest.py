import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from campaigns.models import Campaign, CampaignKind
from donations.models import (
    BankAccount,
    DisplayPreference,
    DonationKind,
    NeedArea,
    RecipientKind,
    RestrictionKind,
)
from donations.services.disbursements import disbursement_approve, disbursement_propose
from donations.services.donations import donation_create, donation_post, donation_reverse
from tests.factories import DonorFactory, FundFactory, staff


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def give(fund, amount, day, **fields):
    return donation_post(
        donation=donation_create(fund=fund, amount=amount, received_on=day, **fields), by=None
    )


@pytest.fixture
def site(tree):
    """A district fund that takes donations, a campaign under way, donors with each display choice,
    a year and a half of donations (one reversed, one of goods) and two disbursements, one to commune A."""
    today = timezone.localdate()
    fund = FundFactory(unit=tree["d1"], name="Quỹ Bảo trợ trẻ em Huyện Một", code="huyen-mot", parent=None)
    BankAccount.objects.create(
        fund=fund,
        bank_name="Agribank",
        bank_bin="970405",
        account_number="3509205000999",
        account_name="QUY BTTE HUYEN MOT",
        is_default=True,
    )
    lan, minh = staff(tree["d1"], username="lan"), staff(tree["d1"], username="minh")
    campaign = Campaign.objects.create(
        name="Tết Trung thu cho em",
        slug="tet-trung-thu-cho-em",
        kind=CampaignKind.MID_AUTUMN,
        unit=tree["d1"],
        starts_on=today - dt.timedelta(days=60),
        ends_on=today + dt.timedelta(days=30),
        target_amount=10_000_000,
        description="Quà Trung thu cho trẻ em.",
    )
    full = DonorFactory(
        unit=tree["d1"], name="Công ty TNHH Ánh Dương", display_preference=DisplayPreference.FULL_NAME
    )
    initials = DonorFactory(
        unit=tree["d1"], name="Trần Thị Bích", display_preference=DisplayPreference.INITIALS
    )
    hidden = DonorFactory(
        unit=tree["d1"], name="Phạm Văn Kín", display_preference=DisplayPreference.ANONYMOUS
    )
    last_year = today.replace(year=today.year - 1, month=6, day=10)
    give(fund, 3_000_000, last_year, donor=full)
    give(fund, 1_500_000, last_year + dt.timedelta(days=40), donor_name="Lê Văn Xa")
    for days, amount, fields in (
        (50, 2_000_000, {"donor": full, "campaign": campaign}),
        (
            45,
            700_000,
            {
                "donor": initials,
                "campaign": campaign,
                "restriction": RestrictionKind.CAMPAIGN,
                "restriction_campaign": campaign,
            },
        ),
        (40, 900_000, {"donor": hidden, "campaign": campaign}),
        (35, 250_000, {"donor_name": "Ngô Thị Ẩn", "display_preference": DisplayPreference.ANONYMOUS}),
        (5, 1_000_000, {"donor": full}),
    ):
        give(fund, amount, today - dt.timedelta(days=days), **fields)
    goods = give(
        fund,
        4_000_000,
        today - dt.timedelta(days=20),
        kind=DonationKind.GOODS,
        donor=full,
        goods_description="Áo ấm trẻ em",
        goods_quantity=40,
        goods_unit="chiếc",
    )
    wrong = give(fund, 600_000, today - dt.timedelta(days=10), donor_name="Nhập nhầm")
    donation_reverse(donation=wrong, reason="Nhập trùng", by=lan)
    spent = disbursement_propose(
        by=lan,
        fund=fund,
        amount=1_200_000,
        purpose="Khám sức khoẻ cho trẻ mầm non Xã An",
        need_area=NeedArea.NUTRITION_HEALTH,
        spent_on=today - dt.timedelta(days=3),
        recipient_unit=tree["a"],
        recipient_kind=RecipientKind.CHILDREN,
    )
    disbursement_approve(disbursement=spent, by=minh)
    general = disbursement_propose(
        by=lan,
        fund=fund,
        amount=300_000,
        purpose="Văn phòng phẩm",
        spent_on=today - dt.timedelta(days=2),
        recipient_kind=RecipientKind.OTHER,
    )
    disbursement_approve(disbursement=general, by=minh)
    return {
        "fund": fund,
        "campaign": campaign,
        "donors": {"full": full, "initials": initials, "hidden": hidden},
        "goods": goods,
        "staff": lan,
        "checker": minh,
    }
