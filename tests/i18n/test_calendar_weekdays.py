"""The admin's date pickers head their weeks as Vietnamese calendars do: T2 … T7, CN (Django's own
catalogue has the bare digits "2 … 7")."""

import json
import re

import pytest

from tests.factories import staff

pytestmark = pytest.mark.django_db


def test_the_date_pickers_weekdays_read_t2_to_cn(client, tree):
    client.force_login(staff(tree["d1"]))
    response = client.get("/admin/jsi18n/", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    catalog = json.loads(
        re.search(r"const newcatalog = (\{.*?\});", response.content.decode(), re.S).group(1)
    )
    days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    letters = ["S", "M", "T", "W", "T", "F", "S"]
    shown = [catalog[f"one letter {day}\x04{letter}"] for day, letter in zip(days, letters, strict=True)]
    assert shown == ["CN", "T2", "T3", "T4", "T5", "T6", "T7"]
