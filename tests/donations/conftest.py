import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import FundFactory, staff


@pytest.fixture
def fund(tree):
    return FundFactory(unit=tree["d1"], name="Quỹ Bảo trợ trẻ em Huyện Một", code="huyen-mot")


@pytest.fixture
def district_staff(tree):
    return staff(tree["d1"], username="lan")


@pytest.fixture
def second_staff(tree):
    return staff(tree["d1"], username="minh")


@pytest.fixture
def yesterday():
    return timezone.localdate() - dt.timedelta(days=1)
