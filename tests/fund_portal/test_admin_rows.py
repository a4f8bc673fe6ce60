"""The admin lists' rows made by `fund_portal.admin_rows` are Django's HTML, character for character, on
every admin list of the portal (names that need escaping, empty links, choices, dates, both
languages, a page past the first); the navigation sidebar, cached per user and place, is Django's too."""

import datetime as dt
from pathlib import Path

import django
import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import items_for_result
from django.core.cache import cache
from django.db import connection
from django.template import Context, Engine
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from children.admin.registry import ChildAdmin
from children.models import Child
from donations.models import Fund
from fund_portal import admin_rows
from tests.factories import DonorFactory, FundFactory, children_bulk, staff

pytestmark = pytest.mark.django_db

TRICKY = ["Lê \"Bé\" & <b>Na</b> 'y'", "Nguyễn Văn An", "Trần Thị <script>x</script>"]


@pytest.fixture
def root(tree):
    """A superuser (every list is open to them), with a TOTP device as staff must have."""
    return staff(tree["province"], username="quantri", is_superuser=True)


@pytest.fixture
def rows_of_every_kind(tree):
    children = children_bulk(
        [tree["a"], tree["b"], tree["c"]],
        130,
        TRICKY,
        status=lambda n: "active" if n % 5 else "inactive",
    )
    FundFactory(unit=tree["d1"], code="huyen-mot", name="Quỹ <Một> & Hai", public_host="quy.mot.vn")
    for n, name in enumerate(TRICKY):
        DonorFactory(name=name, tax_code=f"010000000{n}", unit=tree["a"])
    return children


def _compare(client, url: str, params: dict | None = None) -> tuple[bool, int] | None:
    """Whether the list at `url` takes the lean way, and then that each row is Django's; None when
    the page is not a list."""
    response = client.get(url, params or {})
    assert response.status_code == 200, url
    cl = response.context.get("cl") if response.context else None
    if cl is None:
        return None
    content = response.content.decode()
    if admin_rows._columns(cl) is None:
        return False, len(cl.result_list)
    lean = admin_rows.results(cl)
    assert len(lean) == len(cl.result_list)
    for row, result in zip(lean, cl.result_list, strict=True):
        djangos = "".join(items_for_result(cl, result, None))
        assert row[0] == djangos, url
        assert f"<tr>{djangos}</tr>" in content, url  # and the page shows it
    return True, len(cl.result_list)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_admin_list_that_takes_the_lean_way_shows_djangos_rows(
    client, root, rows_of_every_kind, language
):
    client.force_login(root)
    lean = {}
    with translation.override(language):
        client.cookies["django_language"] = language
        for model in admin.site._registry:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            compared = _compare(client, url)
            if compared and compared[0]:
                lean[model] = compared[1]
    # The lists with rows here took the lean way (so the comparison above compared something).
    assert lean[Child] == ChildAdmin.list_per_page == 50
    assert lean[Fund] >= 1
    assert {model._meta.model_name for model in lean} >= {"child", "fund", "donor", "administrativeunit"}


def test_a_page_past_the_first_with_a_filter_and_a_search_shows_djangos_rows(
    client, root, rows_of_every_kind
):
    client.force_login(root)
    url = reverse("admin:children_child_changelist")
    assert _compare(client, url, {"p": "3"}) == (True, 30)  # 130 children, 50 a page
    assert _compare(client, url, {"status__exact": "active", "q": "nguyen"})[0] is True
    assert _compare(client, url, {"o": "-2.1"})[0] is True  # sorted by a column header


def test_a_page_reads_only_the_columns_its_list_shows_and_no_query_per_row(client, root, tree):
    """`list_only`: the page's rows come from one query of the listed columns (no story, no health
    notes), their commune and village joined; the page's queries are as many for 3 rows as for 50."""
    client.force_login(root)
    url = reverse("admin:children_child_changelist")

    def queries():
        with CaptureQueriesContext(connection) as made:
            response = client.get(url)
        assert response.status_code == 200
        return response.context["cl"], [query["sql"] for query in made.captured_queries]

    children_bulk([tree["a"]], 3, TRICKY)
    queries()  # what the first page of a session reads once (the sidebar, the funds)
    few_cl, few = queries()
    children_bulk([tree["a"], tree["b"]], 60, TRICKY)
    many_cl, many = queries()
    assert (len(few_cl.result_list), len(many_cl.result_list)) == (3, 50)
    assert len(few) == len(many)
    rows = [sql for sql in many if '"children_child"."full_name"' in sql]
    assert len(rows) == 1 and "health_notes" not in rows[0] and '"children_child"."story"' not in rows[0]
    assert '"fund_portal_administrativeunit"."name"' in rows[0]


def test_a_list_with_a_column_of_its_own_is_left_to_django(client, root, rows_of_every_kind):
    """The gift lists show `__str__` and a money column: not fields, so Django renders them."""
    client.force_login(root)
    cl = client.get(reverse("admin:campaigns_giftlist_changelist")).context["cl"]
    assert admin_rows._columns(cl) is None


def test_the_sidebar_is_djangos_and_is_kept_per_user_and_place(client, root, rows_of_every_kind, tree):
    cache.clear()
    client.force_login(root)
    url = reverse("admin:children_child_changelist")
    first = client.get(url)
    # Django's own sidebar, rendered from its template file with the page's context.
    djangos = Path(django.__file__).parent / "contrib/admin/templates/admin/nav_sidebar.html"
    context = Context(first.context[0].flatten())
    expected = Engine.get_default().from_string(djangos.read_text()).render(context)
    html = first.content.decode()
    assert expected.strip() in html
    assert 'class="model-child current-model"' in html and "model-group" in html
    # Again, from the cache: the same.
    assert expected.strip() in client.get(url).content.decode()
    # Another place: the current model moves; the first place's sidebar is not reused.
    other = client.get(reverse("admin:donations_fund_changelist")).content.decode()
    assert 'class="model-fund current-model"' in other and 'class="model-child current-model"' not in other
    # Another user, of another role, gets their own sidebar, not the superuser's.
    client.force_login(staff(tree["d1"], username="canbo.huyen"))
    mine = client.get(url).content.decode()
    assert 'class="model-child current-model"' in mine and "model-group" not in mine


def test_a_birth_date_shows_as_the_day_month_year_in_both_languages(client, root, rows_of_every_kind):
    Child.objects.update(birth_date=dt.date(2012, 1, 5))
    client.force_login(root)
    for language in ("vi", "en"):
        client.cookies["django_language"] = language
        with translation.override(language):  # the request's language is not left active after it
            html = client.get(reverse("admin:children_child_changelist")).content.decode()
        assert '<td class="field-birth_date nowrap">05/01/2012</td>' in html


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_list_with_columns_the_admin_computes_shows_djangos_rows(client, root, tree, language):
    """The donations' list shows the donor and the amount through the admin's methods: each row is
    Django's, a name that needs escaping, a missing donor and a pending donation among them."""
    from donations.services.donations import donation_create, donation_post

    fund = FundFactory(unit=tree["d1"], code="huyen-mot", name="Quỹ <Một> & Hai")
    donor = DonorFactory(name=TRICKY[0], unit=tree["d1"])
    day = dt.date(2026, 3, 4)
    donation_create(fund=fund, amount=1_250_000, received_on=day, donor=donor)
    donation_create(fund=fund, amount=50_000, received_on=day, donor_name=TRICKY[2])
    donation_post(donation=donation_create(fund=fund, amount=7, received_on=day), by=root)
    client.force_login(root)
    with translation.override(language):
        client.cookies["django_language"] = language
        compared = _compare(client, reverse("admin:donations_donation_changelist"))
    assert compared == (True, 3)
