"""The children list on a phone: the name search first, the six other filters folded under "Lọc"
(opened when one of them is in use), so the first children show on the first screen."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import officer

pytestmark = pytest.mark.django_db


def _filters(html: str) -> str:
    return re.search(r'<details class="more-filters"[^>]*>.*?</details>', html, flags=re.S).group(0)


def test_the_filters_other_than_the_name_are_folded_under_a_disclosure(client, tree):
    client.force_login(officer(tree["a"]))
    html = client.get(reverse("children:list")).content.decode()
    folded = _filters(html)
    assert "<summary>Lọc</summary>" in folded
    assert " open" not in folded.split(">", 1)[0]
    for name in ("group", "poverty", "need", "review", "min_age", "max_age"):
        assert f'name="{name}"' in folded
    assert 'name="q"' in html and 'name="q"' not in folded


def test_the_disclosure_is_open_and_counts_the_filters_in_use(client, tree):
    client.force_login(officer(tree["a"]))
    query = {"q": "an", "review": "pending", "min_age": "3"}
    html = client.get(reverse("children:list"), query).content.decode()
    folded = _filters(html)
    assert folded.split(">", 1)[0].endswith(" open")
    assert "<summary>Lọc (2)</summary>" in folded


def test_the_list_reads_the_officers_unit_once(client, tree):
    """What the officer sees (the scope), the header and the review progress all name the officer's
    commune: it is read once, with the account (`fund_portal.auth_backends`), and kept on it."""
    user = officer(tree["a"])
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("children:list")).content.decode()
    units = [q["sql"] for q in queries if 'FROM "fund_portal_administrativeunit" WHERE' in q["sql"]]
    assert units == []
    accounts = [q["sql"] for q in queries if 'FROM "fund_portal_user"' in q["sql"]]
    assert len(accounts) == 1 and 'JOIN "fund_portal_administrativeunit"' in accounts[0], accounts
    assert tree["a"].name in html
