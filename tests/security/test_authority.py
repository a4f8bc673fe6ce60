"""Who may do what: every action x every role, against the one table in `fund_portal.authority`.

Three layers are held to the table:
- every service that writes (found by walking the apps' modules for functions taking `by`) declares
  its action, and refuses, before it writes anything, every role the table does not give it to;
- every admin action declares its permission and is offered to exactly the roles that hold it, and
  every custom admin page and every portal page declares whether it reads or which action it does;
- every state-changing URL (the portal's forms, the admin's custom pages, the admin's add, change and
  delete pages) answered for each role: superuser, fund staff, the commune officer of the unit and
  of another unit, a village volunteer, the auditor, the national auditor, a donor and an anonymous
  visitor; a refusal writes nothing (the row count of every table is the same before and after).

A new service, admin action or page without a declaration, or an action without a row in the
table, fails here.
"""

import importlib
import inspect
import pkgutil
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser, Group
from django.db import connection, transaction
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation

from children.models import Child
from fund_portal.authority import READS, Action, NotAllowed, authority_table, may
from fund_portal.models import SCOPED_ROLES, Role, User
from fund_portal.services import role_group_name, role_groups_sync
from tests.factories import (
    TEST_PASSWORD,
    UserFactory,
    give_totp,
    national_auditor,
    officer,
    staff,
    volunteer,
)

from .conftest import World
from .test_url_walk import sample_urls

APPS = ("fund_portal", "children", "donations", "campaigns", "reports")

#: Functions that take `by` but write nothing a role decides, and why.
NOT_ACTIONS = {
    "fund_portal.authority.authority_require": "the check itself",
    "children.imports.child_export.children_template": "an empty template to fill in",
    "donations.imports.donations.donations_import_template": "an empty template to fill in",
    "children.services.incidents.incident_check": "a check, called by incident_record before it writes",
    "reports.services.calendar.report_kind_check": "a check, called by report_kind_save before it writes",
    "reports.services.plans.plan_check": "a check, called by plan_save and the plan's admin form",
    "reports.services.plans.plan_target_check": "a check, called by plan_target_save, plan_target_delete",
    "reports.services.plans.population_check": "a check, called by population_save, population_delete",
    "reports.services.calendar.report_addressing_check": (
        "a check, called by report_addressing_save and report_addressing_delete before they write"
    ),
    "children.services.registry.child_check": "a check, called by child_register and child_update",
    "children.services.registry.child_register_check": "a check, called by the child admin's form",
    "children.services.transfers.child_transfer_check": "a check, called by child_transfer_request",
    "children.services.registry.circumstance_check": "a check, called by circumstance_add and its form",
    "campaigns.services.campaign_templates.campaign_template_check": (
        "a check, called by campaign_template_save"
    ),
    "children.services.registry.personal_id_check_elsewhere": "a check of the admin's form (it tells staff)",
    "children.services.duplicates.duplicate_alert_record": (
        "tells staff of a registration's match, for the checks"
    ),
    "donations.services.donations.ledger_entries_post": (
        "the ledger entries of donations posted by donation_post_many or an import (they check)"
    ),
    "donations.services.edits.edit_apply": "the edit step of disbursement_update, pledge_update (they check)",
    "children.services.support.support_check": "a check, called by support_record",
    "children.services.support.sponsorship_check": "a check, called by the sponsorship admin's form",
    "campaigns.services.campaigns.campaign_check": "a check, called by campaign_save",
    "reports.services.reports.require_unit_in_scope": "a scope check",
    "reports.services.reports.report_pdf_read": "reads a PDF; a missing one is kept via report_build",
}

ROLES = (
    "superuser",
    "staff",
    "officer",
    "officer_elsewhere",
    "volunteer",
    "auditor",
    "national_auditor",
    "donor",
    "anonymous",
)
#: The test users' roles, as the table names them.
TABLE_ROLE = {
    "staff": Role.DISTRICT_STAFF,
    "officer": Role.COMMUNE_OFFICER,
    "officer_elsewhere": Role.COMMUNE_OFFICER,
    "volunteer": Role.VILLAGE_VOLUNTEER,
}


def expected(role: str, action: Action) -> bool:
    """The table as each test user should meet it."""
    if role == "superuser":
        return True
    if role in ("auditor", "national_auditor", "donor", "anonymous"):
        return False
    return TABLE_ROLE[role] in authority_table()[action]


def _modules():
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if re.search(r"\.(migrations|management)\b|bench|demo|test_settings", info.name):
                continue
            yield importlib.import_module(info.name)


def services_taking_by() -> dict[str, object]:
    found = {}
    for module in _modules():
        for name, function in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(function):
                continue
            if function.__module__ != module.__name__:
                continue
            if "by" in inspect.signature(function).parameters:
                found[f"{module.__name__}.{name}"] = function
    return found


# --- Declarations ------------------------------------------------------------------------------


def test_every_action_has_a_row_in_the_table():
    assert set(authority_table()) == set(Action)


def test_the_auditor_and_donors_hold_no_action_in_the_table():
    for action, roles in authority_table().items():
        assert Role.AUDITOR not in roles and Role.DONOR not in roles, action
        assert Role.NATIONAL_AUDITOR not in roles, action


def test_the_village_volunteer_holds_the_childrens_actions_of_a_village_and_nothing_of_money():
    held = {action for action, roles in authority_table().items() if Role.VILLAGE_VOLUNTEER in roles}
    assert held == {Action.CHILD_REGISTER, Action.CHILD_ASSESS, Action.INCIDENT_RECORD}
    # A cộng tác viên records and follows up; setting a priority is the commune's and the fund's.
    assert authority_table()[Action.CHILD_PRIORITY] == {Role.DISTRICT_STAFF, Role.COMMUNE_OFFICER}


def test_the_matrix_covers_every_role_of_the_portal():
    covered = set(TABLE_ROLE.values()) | {Role.AUDITOR, Role.NATIONAL_AUDITOR, Role.DONOR}
    assert covered == set(Role)


def test_every_service_that_takes_by_declares_its_action():
    services = services_taking_by()
    assert len(services) > 40
    undeclared = sorted(
        name
        for name, function in services.items()
        if name not in NOT_ACTIONS and not hasattr(function, "authority")
    )
    assert undeclared == [], "declare @requires(Action.X) or list it in NOT_ACTIONS with why"
    stale = sorted(name for name in NOT_ACTIONS if name not in services)
    assert stale == []


def _ours(model_admin) -> bool:
    return model_admin.__class__.__module__.split(".")[0] in APPS


def _admin_actions(*, ours=True):
    """Every action of the admin classes (ours, or the third-party ones), as a superuser is offered them."""
    request = _request(User(is_superuser=True, is_active=True, is_staff=True))
    for model, model_admin in admin.site._registry.items():
        if _ours(model_admin) is not ours:
            continue
        for action in model_admin.get_actions(request).values():
            if action.name != "delete_selected":  # Django's own: the model's delete permission
                yield model, model_admin, action.func


def test_every_admin_action_declares_the_action_it_does():
    actions = list(_admin_actions())
    assert len(actions) >= 11
    for model, _admin, function in actions:
        permissions = getattr(function, "allowed_permissions", ())
        assert permissions, f"{model.__name__}.{function.__name__} declares no permissions=[Action.X]"
        for permission in permissions:
            assert permission in Action.values, (model, function.__name__, permission)


def _patterns(patterns=None, prefix=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        text = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, text)
        elif isinstance(entry, URLPattern):
            yield "/" + text, entry.callback


#: The admin's own pages of every model: Django's model permissions decide them.
STANDARD_ADMIN = re.compile(r"/(add|change|delete|history)/$|^/admin/[\w]+/[\w]+/$|/autocomplete/$")


def _declaration(callback):
    while not hasattr(callback, "authority") and hasattr(callback, "__wrapped__"):
        callback = callback.__wrapped__
    return getattr(callback, "authority", None), getattr(callback, "post_only", False)


def portal_and_admin_pages():
    """(url template, declared authority, post_only) of every portal page and custom admin page."""
    pages = []
    for template, callback in _patterns():
        if template.startswith("/portal/"):
            pages.append((template, *_declaration(callback)))
        elif _is_custom_admin(template) and _in_our_apps(callback):
            pages.append((template, *_declaration(callback)))
    return pages


def _in_our_apps(callback) -> bool:
    while hasattr(callback, "__wrapped__"):
        callback = callback.__wrapped__
    return getattr(callback, "__module__", "").split(".")[0] in APPS


def _is_custom_admin(template: str) -> bool:
    return template.startswith("/admin/") and not STANDARD_ADMIN.search(template)


def test_every_portal_page_declares_whether_it_reads_or_what_it_does():
    pages = [p for p in portal_and_admin_pages() if p[0].startswith("/portal/")]
    assert len(pages) >= 35
    undeclared = [template for template, authority, _post in pages if authority is None]
    assert undeclared == [], "use @portal_view (reads) or @portal_action(Action.X)"


def test_every_custom_admin_page_declares_whether_it_reads_or_what_it_does():
    pages = [p for p in portal_and_admin_pages() if p[0].startswith("/admin/")]
    undeclared = [template for template, authority, _post in pages if authority is None]
    assert undeclared == [], "use @reads or @action_required(Action.X)"
    declared = {template: authority for template, authority, _p in pages}
    for template in (
        "/admin/donations/donation/import/",
        "/admin/donations/donation/<int:pk>/reverse/",
        "/admin/donations/donor/duplicates/",
        "/admin/donations/donor/import/",
        "/admin/donations/bankstatement/mapping/<str:token>/",
        "/admin/donations/salarydrive/<int:pk>/collection/",
        "/admin/children/child/duplicates/",
        "/admin/children/child/import/",
        "/admin/reports/report/build/",
        "/admin/reports/report/<int:pk>/accept/",
        "/admin/reports/report/<int:pk>/return/",
        "/admin/campaigns/giftlist/build/",
        "/admin/campaigns/giftlist/<int:pk>/handover/",
    ):
        assert declared.get(template) in Action.values, template


# --- The matrix --------------------------------------------------------------------------------


def row_counts() -> dict[str, int]:
    """The number of rows of every table the portal has, in one query."""
    tables = sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        }
    )
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(tables, cursor.fetchone(), strict=True))


def _superuser() -> User:
    superuser = User.objects.create_superuser("quantri", "quantri@example.org", TEST_PASSWORD)
    give_totp(superuser)
    return superuser


@pytest.fixture
def people(tree) -> dict[str, object]:
    """One account of each role on the small tree: the officer's commune is A, the other's C."""
    return {
        "superuser": _superuser(),
        "staff": staff(tree["d1"], username="canbo.huyen"),
        "officer": officer(tree["a"], username="canbo.a"),
        "officer_elsewhere": officer(tree["c"], username="canbo.c"),
        "volunteer": volunteer(tree["va"], username="congtacvien.a"),
        "auditor": UserFactory(role=Role.AUDITOR, unit=tree["d1"], username="kiemtra"),
        "national_auditor": national_auditor(username="kiemtra.toanquoc"),
        "donor": UserFactory(role=Role.DONOR, username="nhahaotam"),
        "anonymous": AnonymousUser(),
    }


@pytest.fixture
def demo_people(world: World) -> dict[str, object]:
    """The same roles in the demo data: the officer of commune B (Dân Lý) and of another commune."""
    return {
        "superuser": _superuser(),
        "staff": world.district_staff,
        "officer": world.officer_b,
        "officer_elsewhere": world.officer_a,
        "volunteer": world.volunteer_b,
        "auditor": User.objects.get(username="kiemtra.huyen"),
        "national_auditor": national_auditor(username="kiemtra.toanquoc"),
        "donor": world.donor,
        "anonymous": AnonymousUser(),
    }


def test_each_role_group_exists_once_and_holds_the_tables_actions(people):
    for role in SCOPED_ROLES:
        assert Group.objects.filter(name=role_group_name(role)).count() == 1
    # Groups named in another language by earlier versions are merged into the role's group.
    english = Group.objects.create(name="Auditor (read-only)")
    english.user_set.add(people["staff"])
    role_groups_sync()
    assert not Group.objects.filter(name="Auditor (read-only)").exists()
    assert list(people["auditor"].groups.values_list("name", flat=True)) == [role_group_name(Role.AUDITOR)]
    assert not people["staff"].groups.filter(name=role_group_name(Role.AUDITOR)).exists()
    for role in (Role.AUDITOR, Role.NATIONAL_AUDITOR):
        auditor_group = Group.objects.get(name=role_group_name(role))
        assert not auditor_group.permissions.exclude(codename__startswith="view_").exists()
    # The fund staff's group under its former label ("(huyện)") is merged, its members kept by role.
    former = Group.objects.create(name="Cán bộ quản lý Quỹ (huyện)")
    former.user_set.add(people["staff"], people["officer"])
    role_groups_sync()
    assert not Group.objects.filter(name="Cán bộ quản lý Quỹ (huyện)").exists()
    assert role_group_name(Role.DISTRICT_STAFF) == "Cán bộ quản lý Quỹ (tỉnh hoặc huyện)"
    assert list(people["staff"].groups.values_list("name", flat=True)) == [
        role_group_name(Role.DISTRICT_STAFF)
    ]
    assert list(people["officer"].groups.values_list("name", flat=True)) == [
        role_group_name(Role.COMMUNE_OFFICER)
    ]


def test_may_follows_the_table_for_every_action_and_role(people):
    for action in Action:
        for role, user in people.items():
            user = User.objects.get(pk=user.pk) if user.is_authenticated else user  # no permission cache
            assert may(user, action) is expected(role, action), (action, role)


def test_an_auditor_given_a_write_permission_by_hand_still_writes_nothing(people):
    from django.contrib.auth.models import Permission

    auditor = people["auditor"]
    auditor.user_permissions.add(*Permission.objects.filter(content_type__app_label="fund_portal"))
    auditor = User.objects.get(pk=auditor.pk)
    assert auditor.has_perm(Action.DISBURSEMENT_DECIDE.permission)
    assert not any(may(auditor, action) for action in Action)


def test_every_service_refuses_the_roles_the_table_does_not_give_its_action(people):
    """Called as each role with no real arguments: a refusal comes first, before any read or write."""
    services = {n: f for n, f in services_taking_by().items() if hasattr(f, "authority")}
    for name, service in services.items():
        parameters = inspect.signature(service).parameters
        arguments = {
            p: None
            for p, spec in parameters.items()
            if p != "by" and spec.default is inspect.Parameter.empty and spec.kind == spec.KEYWORD_ONLY
        }
        for role, user in people.items():
            before = row_counts()
            try:
                with transaction.atomic():
                    service(**arguments, by=user)
                    raise _Rollback
            except NotAllowed:
                assert not expected(role, service.authority), f"{name} refused {role}"
                assert row_counts() == before, f"{name} wrote something for {role}"
            except Exception:  # noqa: BLE001  no real arguments: past the check, anything may fail
                assert expected(role, service.authority), f"{name} let {role} past the check"


class _Rollback(Exception):
    pass


def test_admin_actions_are_offered_to_exactly_the_roles_that_may_do_them(people):
    factory = RequestFactory()
    for role, user in people.items():
        if not user.is_authenticated:
            continue
        request = factory.get("/admin/")
        request.user = User.objects.get(pk=user.pk)
        for model, model_admin, function in _admin_actions():
            offered = set(model_admin.get_actions(request))
            wanted = all(expected(role, Action(p)) for p in function.allowed_permissions)
            assert (function.__name__ in offered) is wanted, (role, model.__name__, function.__name__)
        if role in ("auditor", "national_auditor"):
            for model_admin in admin.site._registry.values():
                if model_admin.has_view_or_change_permission(request):
                    assert model_admin.get_actions(request) == {}, model_admin
        if role != "superuser":
            # The admin classes of other packages (allauth's e-mail addresses...) are the superuser's.
            for model, model_admin, _function in _admin_actions(ours=False):
                if model_admin.has_view_or_change_permission(request):
                    assert model_admin.get_actions(request) == {}, (role, model)


def _refused_by_authority(response, location: str, action: str) -> bool:
    if response.status_code == 302:
        return location.startswith(("/accounts/login/", "/admin/login/"))
    if response.status_code != 403:
        return False
    with translation.override("vi"):
        return NotAllowed(Action(action)).message in response.content.decode()


def _refused(status: int, location: str) -> bool:
    return status == 403 or (status == 302 and location.startswith(("/accounts/login/", "/admin/login/")))


def test_every_state_changing_page_answers_each_role_by_the_table(client, demo_people, world):
    """Every portal page that writes and every custom admin page, GET (unless only its POST writes)
    and POST, as every role; a refused role writes nothing."""
    pages = [(t, a, p) for t, a, p in portal_and_admin_pages() if a not in (None, READS)]
    assert len(pages) >= 30
    checked = 0
    for role, user in demo_people.items():
        client.logout()
        if user.is_authenticated:
            client.force_login(user)
        for template, authority, post_only in pages:
            allowed = expected(role, Action(authority))
            if template.startswith("/admin/") and role in (
                "officer",
                "officer_elsewhere",
                "volunteer",
                "donor",
            ):
                allowed = False  # the admin is for staff accounts whatever the portal lets them do
            for url in sample_urls(template, world)[:2]:
                for method in ("post",) if post_only else ("get", "post"):
                    before = row_counts()
                    response = getattr(client, method)(url, {})
                    location = response.get("Location", "")
                    assert response.status_code < 500, (role, method, url)
                    checked += 1
                    if allowed:
                        # Past the authority check; the service may still refuse for its own rules
                        # (another unit's record, a report that is not this unit's to send).
                        assert not _refused_by_authority(response, location, authority), (role, method, url)
                    else:
                        assert _refused(response.status_code, location), (
                            role,
                            method,
                            url,
                            response.status_code,
                        )
                        assert row_counts() == before, (role, method, url)
    assert checked > 300


@pytest.mark.parametrize("role", ["auditor", "national_auditor"])
def test_the_auditor_changes_nothing_through_the_admins_own_pages(client, demo_people, role):
    """Add, change and delete of every model in the admin, sent by the auditor and the national auditor
    (who reads every province): refused, nothing written."""
    people = demo_people
    client.force_login(people[role])
    tried = 0
    for model, model_admin in admin.site._registry.items():
        info = f"/admin/{model._meta.app_label}/{model._meta.model_name}"
        instance = model_admin.get_queryset(_request(people[role])).first()
        urls = [f"{info}/add/"]
        if instance is not None:
            urls += [f"{info}/{instance.pk}/change/", f"{info}/{instance.pk}/delete/"]
        for url in urls:
            before = row_counts()
            response = client.post(url, {"post": "yes"})
            assert response.status_code in (403, 404), (url, response.status_code)
            assert row_counts() == before, url
            tried += 1
    assert tried > 60


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _url_regex(template: str) -> str:
    return '[^/"]+'.join(map(re.escape, re.split("<[^>]+>", template)))


@pytest.mark.parametrize("role", ["auditor", "volunteer"])
def test_the_auditor_and_the_volunteer_are_shown_no_link_or_form_to_a_page_they_may_not_use(
    client, demo_people, world, role
):
    """Every portal page that reads, opened by the auditor and by the village volunteer: no link or
    form leads to a page that writes what they may not (they would only meet a refusal there)."""
    writing = [
        re.compile('(href|action)="' + _url_regex(template) + '["?]')
        for template, authority, post_only in portal_and_admin_pages()
        if template.startswith("/portal/")
        and authority not in (None, READS)
        and not post_only
        and not expected(role, Action(authority))
    ]
    readers = [t for t, a, _p in portal_and_admin_pages() if t.startswith("/portal/") and a == READS]
    user = demo_people[role]
    client.force_login(user)
    urls = [url for template in readers for url in sample_urls(template, world)[:3]]
    # The pages of a child of the volunteer's own village (commune B's first child, the walk's sample,
    # may lie in another of B's villages).
    own_child = Child.objects.filter(village=user.unit).first()
    urls += [own_child.get_absolute_url()] if own_child else []
    opened = 0
    for url in urls:
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        for pattern in writing:
            assert not pattern.search(html), (url, pattern.pattern)
        opened += 1
    assert opened >= (10 if role == "auditor" else 8)
