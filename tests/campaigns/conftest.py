import datetime as dt

import pytest
from django.utils import timezone

from campaigns.models import Campaign
from campaigns.services.campaigns import campaign_save
from children.services.care import priority_override_set
from children.services.registry import child_register
from tests.factories import FundFactory, officer, staff


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def district_staff(tree):
    return staff(tree["d1"], username="lan")


@pytest.fixture
def officer_a(tree):
    return officer(tree["a"], username="canbo_a")


@pytest.fixture
def officer_b(tree):
    return officer(tree["b"], username="canbo_b")


@pytest.fixture
def fund(tree):
    return FundFactory(unit=tree["d1"], name="Quỹ Bảo trợ trẻ em Huyện Một", code="huyen-mot")


@pytest.fixture
def campaign(tree, district_staff, today):
    return campaign_save(
        campaign=Campaign(
            name="Tết Trung thu 2026",
            slug="trung-thu-thu-nghiem",
            kind="mid_autumn",
            unit=tree["d1"],
            starts_on=today - dt.timedelta(days=30),
            ends_on=today + dt.timedelta(days=30),
            target_amount=10_000_000,
            target_supports=4,
            target_support_kind="gift",
        ),
        by=district_staff,
        communes=[tree["a"], tree["b"]],
    )


@pytest.fixture
def make_child(district_staff, today):
    """A child of a commune with a priority set by hand (through the registry's services)."""

    def make(commune, name, priority, village=None, guardian="Nguyễn Thị Hoa", by=None):
        by = by or district_staff
        child = child_register(
            by=by,
            full_name=name,
            birth_date=today.replace(year=today.year - 8),
            sex="female",
            ethnicity="01",
            commune=commune,
            village=village,
            guardian_name=guardian,
            guardian_relationship="mẹ",
            confirm_not_duplicate=True,
        )
        return priority_override_set(child=child, by=by, value=priority, reason="Thử nghiệm")

    return make
