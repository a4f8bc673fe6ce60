"""Every URL of the portal with hostile path and query values answers without a server error.

The walk of test_url_walk.py finds every URL pattern; here each one is requested with hostile
values: in its path converters (a NUL byte, an integer too large for any database column, a very
long text, quotes and markup), in the query parameters the views read (years below zero and past
any calendar, NUL bytes, huge page numbers, dates that do not exist), and in the admin every
registered changelist gets its own filters' parameters, its date hierarchy's `__year`, `__month`
and `__day`, its search and its ordering with those values, and every autocomplete its `term`.
Each is tried as a superuser, as fund (district) staff, as a commune officer and anonymously.
A 5xx, or an exception escaping a view, fails the test with the list of requests that caused it.
"""

import inspect

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import resolve

from fund_portal.admin import TolerantChangeList
from fund_portal.models import User
from tests.factories import give_totp

from .test_url_walk import _PLACEHOLDER, url_templates

pytestmark = pytest.mark.django_db

#: A NUL byte (PostgreSQL cannot store it in text), an integer past 64 bits, a negative year, a
#: date that does not exist, and a long text.
HOSTILE_QUERY_VALUES = ("\x00", "9999999999999999999999", "-1", "2024-13-45", "x" * 3000)
#: In the admin's lists (the slowest pages, so fewer values): a NUL byte is refused before any view
#: (one case per list shows it) and a long text fails like any other non-number; fund staff, whose
#: lists are scoped, get the two that broke lists.
ADMIN_VALUES = {
    "superuser": ("9999999999999999999999", "-1", "2024-13-45"),
    "fund staff": ("9999999999999999999999", "2024-13-45"),
}
#: Every query parameter a view of the portal reads, and the usual ones of lists and forms.
QUERY_NAMES = (
    "year",
    "month",
    "day",
    "page",
    "q",
    "term",
    "fund",
    "commune",
    "child",
    "status",
    "purpose",
    "format",
    "after",
    "urgent",
    "group",
    "keep",
    "duplicate",
    "next",
    "o",
    "p",
    "since",
    "until",
    "date",
    "from",
    "to",
    "kind",
    "unit",
    "campaign",
    "cadence",
    "sort",
)
HOSTILE_PATH_VALUES = {
    "int": ("99999999999999999999999",),
    "str": ("\x00", "x" * 500, "'\"<>"),
    "slug": ("a" * 500,),
    "path": ("\x00", "99999999999999999999999", "-1", "x" * 500),
    "uuid": ("00000000-0000-0000-0000-000000000000",),
}
#: Also POSTed: the values that reach a database lookup unchanged.
HOSTILE_POST_VALUES = ("\x00", "99999999999999999999999")
#: Filled in for the other placeholders of a pattern while one is hostile.
ORDINARY = {"int": "1", "str": "x", "slug": "x", "path": "1", "uuid": "00000000-0000-0000-0000-000000000001"}
#: Logging out mid-walk would end the session; the language switch only sets a cookie.
SKIP = ("/accounts/logout/",)


def _fill(template: str, hostile_index: int | None, hostile_value: str | None) -> str:
    index = iter(range(1000))

    def value(match):
        converter = match["converter"] or "str"
        return hostile_value if next(index) == hostile_index else ORDINARY.get(converter, "x")

    return _PLACEHOLDER.sub(value, template)


def path_cases() -> list[tuple[str, str]]:
    """Each pattern with each hostile value in each of its placeholders in turn (others ordinary),
    as (method, url)."""
    cases = set()
    for template in url_templates():
        if template.startswith(SKIP):
            continue
        for position, (converter, _name) in enumerate(_PLACEHOLDER.findall(template)):
            for hostile in HOSTILE_PATH_VALUES.get(converter or "str", HOSTILE_PATH_VALUES["str"]):
                cases.add(("get", _fill(template, position, hostile)))
                if hostile in HOSTILE_POST_VALUES:
                    cases.add(("post", _fill(template, position, hostile)))
    return sorted(cases)


def _names_read_by(url: str) -> tuple[str, ...]:
    """The query parameters the view of `url` reads one by one: those quoted in its source, or all
    of them where it binds a form to the query (a heuristic that keeps the walk short)."""
    func = inspect.unwrap(resolve(url).func)
    func = getattr(func, "view_class", func)
    try:
        text = inspect.getsource(func)
    except (OSError, TypeError):
        return QUERY_NAMES
    if "request.GET or" in text or "request.GET)" in text or "request.GET," in text:
        return QUERY_NAMES
    return tuple(name for name in QUERY_NAMES if f'"{name}"' in text)


def query_cases() -> list[tuple[str, dict]]:
    """Each pattern without placeholders (lists, forms, public pages, downloads) with each hostile
    value in every parameter at once, then in each parameter its view reads, alone."""
    cases = []
    for template in url_templates():
        if template.startswith(SKIP) or _PLACEHOLDER.search(template) or "/admin/" in template:
            continue
        for hostile in HOSTILE_QUERY_VALUES:
            cases.append((template, dict.fromkeys(QUERY_NAMES, hostile)))
            cases += [(template, {name: hostile}) for name in _names_read_by(template)]
    return cases


def admin_cases(superuser, *, values: tuple[str, ...]) -> list[tuple[str, dict]]:
    """Every registered changelist with its own filters, date hierarchy, search and ordering hostile,
    one parameter at a time, with each of `values`; every autocomplete with a hostile term. Without
    values (for those the admin sends away at the door): each changelist once, all parameters hostile."""
    request = RequestFactory().get("/admin/")
    request.user = superuser
    cases = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        url = f"/admin/{opts.app_label}/{opts.model_name}/"
        names = ["q", "o", "p", "_to_field"]
        for spec in model_admin.get_changelist_instance(request).filter_specs:
            names += spec.expected_parameters()
        if model_admin.date_hierarchy:
            names += [f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")]
        cases.append((url, {"q": "\x00"}))
        if not values:
            cases.append((url, dict.fromkeys(names, HOSTILE_QUERY_VALUES[1])))
            continue
        for hostile in values:
            cases += [(url, {name: hostile}) for name in names]
            cases += [
                (
                    "/admin/autocomplete/",
                    {
                        "app_label": opts.app_label,
                        "model_name": opts.model_name,
                        "field_name": field,
                        "term": hostile,
                    },
                )
                for field in model_admin.autocomplete_fields
            ]
    for hostile in HOSTILE_QUERY_VALUES[:3]:
        cases.append(
            ("/admin/autocomplete/", {"app_label": hostile, "model_name": hostile, "field_name": hostile})
        )
    return cases


def _request(client: Client, url: str, data: dict | None = None, method: str = "get") -> str | None:
    """The failure of one request (an escaping exception or a 5xx), or None."""
    try:
        # A savepoint: a failed query must not abort the test's transaction for the requests after it.
        with transaction.atomic():
            response = getattr(client, method)(url, data or {})
    except Exception as exc:  # noqa: BLE001  what the test reports
        return f"{method.upper()} {url} {_short(data)}: {type(exc).__name__}: {str(exc)[:200]}"
    if response.status_code >= 500:
        return f"{method.upper()} {url} {_short(data)}: {response.status_code}"
    return None


def _short(data: dict | None) -> str:
    if not data:
        return ""
    return "&".join(f"{k}={v[:25]!r}" for k, v in list(data.items())[:3]) + ("&…" if len(data) > 3 else "")


@pytest.fixture
def people(world):
    superuser = User.objects.create_superuser("goc", "goc@example.org", "Mật khẩu rất dài 2024!")
    give_totp(superuser)
    return {
        "superuser": superuser,
        "fund staff": world.district_staff,
        "commune officer": world.officer_b,
        "anonymous": None,
    }


@pytest.mark.parametrize("who", ["superuser", "fund staff", "commune officer", "anonymous"])
def test_hostile_urls_never_get_a_server_error(people, who):
    user = people[who]
    cases = [(url, None, method) for method, url in path_cases()]
    cases += [(url, data, "get") for url, data in query_cases()]
    cases += [
        (url, data, "get") for url, data in admin_cases(people["superuser"], values=ADMIN_VALUES.get(who, ()))
    ]
    client = Client()
    if user is not None:
        client.force_login(user)
    failures = list(filter(None, (_request(client, url, data, method) for url, data, method in cases)))
    assert failures == [], f"{len(failures)} server errors as {who}:\n" + "\n".join(failures[:80])


def test_every_admin_list_of_the_portal_tolerates_bad_filter_values():
    """A list of ours (or auditlog's, which the portal registers again) on Django's plain ChangeList
    would let a year past 9999 in its date hierarchy, or a filter value of the wrong type, raise."""
    ours = {"campaigns", "children", "donations", "reports", "fund_portal", "auditlog"}
    plain = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in ours
        and not issubclass(model_admin.get_changelist(None), TolerantChangeList)
    ]
    assert plain == []


@pytest.mark.parametrize(
    "url",
    [
        "/admin/children/support/?delivered_on__year=9999999999999999999999",
        "/admin/children/support/?delivered_on__year=2025&delivered_on__month=99999999999999999999",
        "/admin/children/incident/?occurred_at__year=-1",
        "/admin/auditlog/logentry/?resource_type=abc",
        "/admin/auditlog/logentry/?timestamp__year=9999999999999999999999",
    ],
)
def test_a_bad_filter_value_reopens_the_admin_list_without_filters(client, tree, url):
    superuser = User.objects.create_superuser("goc", "goc@example.org", "Mật khẩu rất dài 2024!")
    give_totp(superuser)
    client.force_login(superuser)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")
    assert client.get(response["Location"]).status_code == 200


def test_an_integer_past_64_bits_in_a_list_filter_finds_nothing_or_reopens_the_list(client, tree):
    """PostgreSQL compares it and finds no row; SQLite's driver refuses it when the query runs."""
    superuser = User.objects.create_superuser("goc", "goc@example.org", "Mật khẩu rất dài 2024!")
    give_totp(superuser)
    client.force_login(superuser)
    response = client.get("/admin/auditlog/logentry/?resource_type=9999999999999999999999")
    if response.status_code == 302:
        assert response["Location"].endswith("?e=1")
    else:
        assert response.status_code == 200
        assert response.context["cl"].result_count == 0


def test_an_admin_change_page_for_an_id_that_is_no_number_is_not_found(client, tree):
    superuser = User.objects.create_superuser("goc", "goc@example.org", "Mật khẩu rất dài 2024!")
    give_totp(superuser)
    client.force_login(superuser)
    for url in ("/admin/children/child/x/change/", "/admin/children/incident/x/change/"):
        response = client.get(url)
        assert response.status_code == 302, url  # Django's "does not exist" message, back to the list
        assert response["Location"] == "/admin/"
