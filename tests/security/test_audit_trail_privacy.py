"""The audit trail holds to the rules of the records it logs: without `children.view_sensitive`, no
entry of an incident or a sensitive group is listed, found or opened, a child's health notes read
"[hạn chế]", and a search never matches what is hidden. With the permission, all of it is there."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from children.models import Child, Circumstance, Incident
from children.services.incidents import incident_record
from children.services.registry import child_register, child_update
from fund_portal.models import Role
from tests.factories import UserFactory, give_totp, officer, staff

pytestmark = pytest.mark.django_db

CHILD = "Phạm Thị Huyền"
HEALTH = "Đang điều trị ARV tại trạm y tế"
INCIDENT = "Bị người lạ dụ dỗ đưa sang biên giới"


def _sensitive(user):
    user.user_permissions.add(Permission.objects.get(codename="view_sensitive"))
    return type(user).objects.get(pk=user.pk)  # a fresh object: permissions are cached


@pytest.fixture
def trail(tree):
    """A child with a trafficking group (G12), an orphan group (G01), health notes and an incident,
    all recorded through the services, so the trail is what the portal writes."""
    recorder = _sensitive(officer(tree["a"], username="canbo_ghi"))
    today = timezone.localdate()
    child = child_register(
        by=recorder,
        full_name=CHILD,
        birth_date=dt.date(2013, 3, 4),
        sex="female",
        ethnicity="01",
        commune=tree["a"],
        confirm_not_duplicate=True,
        health_notes=HEALTH,
        circumstances=[
            {"group": "G12", "identified_on": today},
            {"group": "G01", "identified_on": today},
        ],
    )
    child_update(child=child, by=recorder, health_notes=HEALTH + " (tái khám tháng 6)")
    child_update(child=Child.objects.get(pk=child.pk), by=recorder, address="Thôn 1, số nhà 27B")
    incident = incident_record(
        by=recorder,
        commune=tree["a"],
        kind="trafficking",
        occurred_at=timezone.now() - dt.timedelta(hours=2),
        description=INCIDENT,
        child=child,
    )
    entries = {
        "child_created": LogEntry.objects.get_for_object(child).get(action=LogEntry.Action.CREATE),
        "trafficking": LogEntry.objects.get_for_object(
            Circumstance.objects.get(child=child, group="G12")
        ).get(),
        "orphan": LogEntry.objects.get_for_object(Circumstance.objects.get(child=child, group="G01")).get(),
        "incident": LogEntry.objects.get_for_object(Incident.objects.get(pk=incident.pk)).first(),
    }
    updates = LogEntry.objects.get_for_object(child).filter(action=LogEntry.Action.UPDATE).order_by("pk")
    entries["health_only"] = next(e for e in updates if set(e.changes_dict) == {"health_notes"})
    entries["address"] = next(e for e in updates if "address" in e.changes_dict)
    return child, entries


def auditor(unit):
    user = UserFactory(role=Role.AUDITOR, unit=unit)
    give_totp(user)
    return user


def _change_url(entry):
    return reverse("admin:auditlog_logentry_change", args=[entry.pk])


def _list(client, query=""):
    url = reverse("admin:auditlog_logentry_changelist")
    response = client.get(url, {"q": query} if query else {}, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("role", ["auditor", "district staff"])
def test_without_the_permission_the_trail_lists_no_sensitive_entry_and_search_finds_none(
    client, tree, trail, role
):
    child, entries = trail
    client.force_login(auditor(tree["d1"]) if role == "auditor" else staff(tree["d1"]))

    body = _list(client)
    assert _change_url(entries["child_created"]) in body
    assert _change_url(entries["orphan"]) in body  # a group that is not sensitive stays in the trail
    assert _change_url(entries["address"]) in body
    for hidden in ("trafficking", "incident", "health_only"):
        assert _change_url(entries[hidden]) not in body, hidden
    assert "G12" not in body and INCIDENT not in body and "ARV" not in body

    # The search of the report: the group's code finds nothing; nor do words of the health notes.
    for query in ("G12", "ARV", "biên giới", "trafficking"):
        found = _list(client, query)
        assert CHILD not in found, query
        assert _change_url(entries["trafficking"]) not in found
        assert _change_url(entries["child_created"]) not in found
    # What is not restricted is still searchable, in the record's name and in the changes.
    assert _change_url(entries["orphan"]) in _list(client, "G01")
    assert _change_url(entries["address"]) in _list(client, "27B")  # ASCII: SQLite stores JSON escaped


def test_without_the_permission_an_entry_opens_with_health_notes_restricted_and_hidden_ones_not_at_all(
    client, tree, trail
):
    _child, entries = trail
    client.force_login(auditor(tree["d1"]))
    page = client.get(_change_url(entries["child_created"]), HTTP_ACCEPT_LANGUAGE="vi")
    assert page.status_code == 200
    body = page.content.decode()
    assert CHILD in body and "[hạn chế]" in body
    assert "ARV" not in body
    for hidden in ("trafficking", "incident", "health_only"):
        response = client.get(_change_url(entries[hidden]))
        assert response.status_code == 302, hidden  # the admin's "does not exist" redirect
        assert INCIDENT not in client.get(response.url).content.decode()


def test_with_the_permission_the_whole_trail_is_listed_found_and_shown(client, tree, trail):
    _child, entries = trail
    client.force_login(_sensitive(auditor(tree["d1"])))
    body = _list(client)
    for name in entries:
        assert _change_url(entries[name]) in body, name
    found = _list(client, "G12")
    assert CHILD in found and _change_url(entries["trafficking"]) in found
    assert _change_url(entries["child_created"]) in _list(client, "ARV")
    page = client.get(_change_url(entries["child_created"])).content.decode()
    assert "ARV" in page and "[hạn chế]" not in page
    assert INCIDENT in client.get(_change_url(entries["incident"])).content.decode()


def test_the_stored_entries_are_marked_and_never_changed_by_showing_them(trail):
    _child, entries = trail
    marks = {
        name: LogEntry.objects.get(pk=e.pk).additional_data.get("restricted") for name, e in entries.items()
    }
    assert marks == {
        "child_created": False,
        "trafficking": True,
        "orphan": False,
        "incident": True,
        "health_only": True,
        "address": False,
    }
    assert HEALTH in str(LogEntry.objects.get(pk=entries["child_created"].pk).changes)


def test_a_group_changed_from_a_sensitive_one_is_hidden_too(trail, tree):
    child, _entries = trail
    circumstance = Circumstance.objects.get(child=child, group="G12")
    circumstance.group = "G03"  # the old value G12 is in the entry's changes
    circumstance.save()
    entry = LogEntry.objects.get_for_object(circumstance).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.changes_dict["group"] == ["G12", "G03"]
    assert entry.additional_data["restricted"] is True


def test_the_admins_own_change_history_of_a_child_does_not_name_a_sensitive_group_without_the_permission(
    client, tree, trail
):
    from django.contrib.admin.models import CHANGE
    from django.contrib.admin.models import LogEntry as AdminLogEntry

    child, _entries = trail
    editor = _sensitive(staff(tree["d1"], username="staff_sua"))
    # What the admin writes when a holder of the permission adds groups in the child's inline.
    AdminLogEntry.objects.log_actions(
        user_id=editor.pk,
        queryset=[child],
        action_flag=CHANGE,
        change_message=[
            {"added": {"name": "special circumstance", "object": f"{CHILD}: G12"}},
            {"added": {"name": "special circumstance", "object": f"{CHILD}: G01"}},
        ],
    )
    url = reverse("admin:children_child_history", args=[child.pk])
    client.force_login(staff(tree["d1"]))
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "G12" not in body and f"{CHILD}: G01" in body and "[hạn chế]" in body
    client.force_login(editor)
    assert f"{CHILD}: G12" in client.get(url).content.decode()


def test_the_migration_marks_entries_written_before_the_trail_held_to_the_permission(trail):
    import importlib

    from django.apps import apps

    _child, entries = trail
    for entry in entries.values():  # as they were stored before: no mark
        data = dict(entry.additional_data)
        data.pop("restricted")
        LogEntry.objects.filter(pk=entry.pk).update(additional_data=data)
    migration = importlib.import_module("children.migrations.0011_audit_restricted_entries")
    migration.mark(apps, None)
    marks = {
        name: LogEntry.objects.get(pk=e.pk).additional_data.get("restricted") for name, e in entries.items()
    }
    assert [name for name, hidden in marks.items() if hidden] == ["trafficking", "incident", "health_only"]
