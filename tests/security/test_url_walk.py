"""Every URL of the portal, found by walking the URL patterns, tried by those who must not see commune B.

Each pattern is filled with sample values for its converters (every integer with the id of each of
commune B's records in turn: its child, donation, incident, report, gift list, unit...), then
requested with GET and POST as an anonymous visitor, as the officer of another commune, as the
volunteer of another commune's village, as a donor, and as the volunteer of one of B's villages (with
B's other villages' children as what must not be reached). Whatever answers, no response may carry
commune B's children's names or ID numbers, its anonymous donor or its incident (HTML, JSON, CSV,
PDF and XLSX are all read), and nothing of B may change. An anonymous visitor is sent to the login
page from everything that is not public by design (PUBLIC below); the admin sends officers,
volunteers and donors away.
"""

import io
import itertools
import re
import uuid
from html import unescape

import pytest
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from .conftest import SECRET_DONOR, SECRET_INCIDENT, World, scoped_counts

pytestmark = pytest.mark.django_db

#: URLs public by design, and why. Everything else needs a login (LoginRequiredMiddleware).
PUBLIC = (
    re.compile(r"^/$"),  # the home page
    re.compile(r"^/(campaigns|needs|transparency|honour-roll|news)/"),  # the public site, from the ledger
    re.compile(r"^/transparency/(statement|donors)\.(csv|xlsx)$"),  # its downloads
    re.compile(r"^/(robots\.txt|sitemap\.xml)$"),
    re.compile(r"^/i18n/"),  # the language switch
    re.compile(r"^/healthz$"),  # the load balancer's probe: "ok" or "error", nothing else
    re.compile(r"^/accounts/"),  # allauth: login, signup, password reset, two-factor steps
    re.compile(r"^/admin/login/$"),  # redirects to allauth's login
    re.compile(r"^/donate/$"),  # the public donation form
    re.compile(r"^/bank-feed/sepay/$"),  # the bank feed's webhook: its API key or signature, not a login
    # A donation's follow-up, the status that page polls and the receipt, for whoever holds its
    # unguessable transfer reference.
    re.compile(r"^/donate/(?!mine/)[^/]+/(receipt\.pdf|status\.json)?$"),
    # A sponsor's anonymised progress page and photo (with consent), by its unguessable key.
    re.compile(r"^/sponsor/[0-9a-f-]{36}/(photo/)?$"),
)
#: Never POSTed to: logging out would end the attacker's own session half way through the walk.
NO_POST = re.compile(r"^/accounts/")
LOGIN = "/accounts/login/"
_PLACEHOLDER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^()]*)\)")


def _template(pattern) -> str:
    """A pattern as text with `<converter:name>` placeholders (regex groups become placeholders too)."""
    if isinstance(pattern, RoutePattern):
        return str(pattern)
    text = str(pattern).lstrip("^").rstrip("$").replace("\\Z", "")

    def group(match):
        body = match["body"]
        if re.fullmatch(r"[\w-]+(\|[\w-]+)*", body):  # an alternation of words: take the first
            return body.split("|")[0]
        return f"<str:{match['name']}>"

    return re.sub(r"\\(.)", r"\1", _GROUP.sub(group, text))


def url_templates(patterns=None, prefix="") -> list[str]:
    """Every URL of the portal as a template, by walking the resolver's patterns recursively."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        text = prefix + _template(entry.pattern)
        if isinstance(entry, URLResolver):
            found += url_templates(entry.url_patterns, text)
        else:
            found.append("/" + text)
    return found


def sample_urls(template: str, world: World) -> list[str]:
    """The template filled with each combination of sample values for its converters."""
    names = _PLACEHOLDER.findall(template)
    if not names:
        return [template]
    admin = template.startswith("/admin/")
    pools = {
        "int": world.ids[:1] if admin else world.ids,
        "path": [str(world.ids[0])],
        "uuid": world.tokens + [str(uuid.uuid4())],
        "slug": world.slugs + ["x"],
        "str": world.codes,
    }
    choices = [pools.get(converter or "str", world.codes) for converter, _name in names]
    urls = []
    for values in itertools.islice(itertools.product(*choices), 200):
        values = iter(values)
        urls.append(_PLACEHOLDER.sub(lambda _m, v=values: str(next(v)), template))
    return urls


def readable_text(response) -> str:
    """What a person would read in the response, whatever its format."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "pdf" in kind:
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
    if "spreadsheetml" in kind:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            " ".join(str(v) for v in row if v is not None)
            for sheet in book
            for row in sheet.iter_rows(values_only=True)
        )
    return unescape(content.decode("utf-8", errors="replace"))


def is_public(url: str) -> bool:
    return any(rule.search(url) for rule in PUBLIC)


def test_the_walk_finds_every_part_of_the_portal():
    templates = url_templates()
    assert len(templates) > 250
    for expected in (
        "/portal/children/<int:pk>/",
        "/portal/children/<int:pk>/groups/<int:item_pk>/remove/",
        "/portal/money/donations/<int:pk>/receipt.pdf",
        "/portal/reports/<int:pk>/pdf/",
        "/portal/campaigns/lists/<int:pk>/sheet/<int:commune_id>/",
        "/donate/mine/<int:pk>/receipt.pdf",
        "/sponsor/<uuid:token>/",
        "/transparency/statement.csv",
        "/admin/children/child/<path:object_id>/change/",
        "/portal/children/transfers/<int:pk>/accept/",
    ):
        assert expected in templates, expected


def _walk(client, world: World) -> list[tuple[str, str, int, str]]:
    """Request every sample URL with GET and POST; the answers as (method, url, status, location)."""
    answers = []
    for template in url_templates():
        for url in sample_urls(template, world):
            for method in ("get", "post"):
                if method == "post" and NO_POST.search(url):
                    continue
                response = getattr(client, method)(url, {})
                location = response.get("Location", "")
                answers.append((method, url, response.status_code, location))
                if response.status_code == 200:
                    text = readable_text(response)
                    leaked = sorted(secret for secret in world.secrets if secret in text)
                    assert not leaked, f"{method.upper()} {url} shows commune B's {leaked}"
    return answers


def _assert_nothing_of_b_changed(world: World) -> None:
    assert scoped_counts() == world.counts


def test_an_anonymous_visitor_reaches_only_the_public_pages(client, world):
    answers = _walk(client, world)
    for method, url, status, location in answers:
        if is_public(url):
            continue
        assert status in (302, 403, 404, 405), (method, url, status)
        if status == 302:
            assert location.startswith((LOGIN, "/admin/login/")), (method, url, location)
    assert sum(1 for a in answers if a[2] == 302) > 250
    _assert_nothing_of_b_changed(world)


def test_an_officer_of_another_commune_never_sees_commune_b(client, world):
    client.force_login(world.officer_a)
    answers = _walk(client, world)
    for method, url, status, _location in answers:
        assert status in (200, 302, 400, 403, 404, 405), (method, url, status)
        if url.startswith("/admin/") and url != "/admin/login/":
            # Officers work in the portal: the admin sends them to the login page or refuses.
            assert status in (302, 403), (method, url, status)
    # Commune B's own pages, by id, are "not found" for this officer.
    child = world.ids[0]
    statuses = {url: status for method, url, status, _l in answers if method == "get"}
    assert statuses[f"/portal/children/{child}/"] == 404
    assert statuses[f"/portal/units/{world.commune_b.code}/"] == 404
    assert statuses[f"/portal/units/id/{world.commune_b.pk}/"] == 404
    assert statuses[f"/portal/children/transfers/{world.transfer_id}/"] == 404  # not its commune's request
    _assert_nothing_of_b_changed(world)


def test_a_donor_sees_neither_the_portal_nor_the_admin_nor_anothers_receipts(client, world):
    client.force_login(world.donor)
    answers = _walk(client, world)
    for method, url, status, _location in answers:
        assert status in (200, 302, 400, 403, 404, 405), (method, url, status)
        if url.startswith("/portal/"):
            assert status in (403, 404, 405), (method, url, status)
        if url.startswith("/admin/") and url != "/admin/login/":
            assert status in (302, 403), (method, url, status)
    _assert_nothing_of_b_changed(world)


def _volunteer_of_another_commune(world: World):
    from fund_portal.models import AdministrativeUnit
    from tests.factories import volunteer

    village = AdministrativeUnit.objects.filter(parent=world.officer_a.unit).order_by("code").first()
    return volunteer(village, username="congtacvien.hopthanh")


def test_a_volunteer_of_another_communes_village_never_sees_commune_b(client, world):
    client.force_login(_volunteer_of_another_commune(world))
    answers = _walk(client, world)
    for method, url, status, _location in answers:
        assert status in (200, 302, 400, 403, 404, 405), (method, url, status)
        if url.startswith("/admin/") and url != "/admin/login/":
            assert status in (302, 403), (method, url, status)
    statuses = {url: status for method, url, status, _l in answers if method == "get"}
    assert statuses[f"/portal/children/{world.ids[0]}/"] == 404
    assert statuses[f"/portal/units/{world.commune_b.code}/"] == 404
    _assert_nothing_of_b_changed(world)


def test_a_volunteer_of_commune_b_never_sees_the_children_of_its_other_villages(client, world):
    """The walk again as the volunteer of Thôn 1 of commune B, with B's other villages' children as the
    secrets and their records' ids in every URL: the volunteer's own village is theirs, the rest of
    the commune is not (its children, its money, its reports, the commune itself)."""
    import dataclasses

    from children.models import Child, Circumstance, Need, Review, Support

    village = world.volunteer_b.unit
    own = Child.objects.filter(village=village)
    others = Child.objects.filter(commune=world.commune_b).exclude(village=village).order_by("pk")
    assert own.exists() and others.count() >= 5
    own_names = set(own.values_list("full_name", flat=True))
    names = set(others.values_list("full_name", flat=True)) & world.secrets - own_names
    assert len(names) >= 5
    of_others = {"child__in": others}
    other_ids = [
        *others.values_list("pk", flat=True)[:2],
        *Circumstance.objects.filter(**of_others).values_list("pk", flat=True)[:1],
        *Support.objects.filter(**of_others).values_list("pk", flat=True)[:1],
        *Need.objects.filter(**of_others).values_list("pk", flat=True)[:1],
        *Review.objects.filter(**of_others).values_list("pk", flat=True)[:1],
    ]
    own_ids = set(own.values_list("pk", flat=True))
    rest = [pk for pk in world.ids[1:] if pk not in own_ids]
    seen_by_volunteer = dataclasses.replace(
        world,
        secrets=names | {SECRET_DONOR, SECRET_INCIDENT},
        ids=other_ids + rest,
    )
    client.force_login(world.volunteer_b)
    answers = _walk(client, seen_by_volunteer)
    statuses = {url: status for method, url, status, _l in answers if method == "get"}
    for method, url, status, _location in answers:
        assert status in (200, 302, 400, 403, 404, 405), (method, url, status)
        if url.startswith("/admin/") and url != "/admin/login/":
            assert status in (302, 403), (method, url, status)
    for pk in others.values_list("pk", flat=True)[:2]:
        assert statuses[f"/portal/children/{pk}/"] == 404
    assert statuses[f"/portal/units/{world.commune_b.code}/"] == 404
    # Its own village's children are listed and open.
    listing = client.get("/portal/children/").content.decode()
    assert any(name in listing for name in own_names)
    assert client.get(f"/portal/children/{own.first().pk}/").status_code == 200
    _assert_nothing_of_b_changed(world)
