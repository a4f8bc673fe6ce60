"""Every create, update and delete of a scoped record is in the audit trail, scoped like the record."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from fund_portal.models import AdministrativeUnit
from fund_portal.services import unit_save
from tests.factories import staff

pytestmark = pytest.mark.django_db


def test_changes_are_logged_with_who_and_what(client, tree):
    user = staff(tree["d1"])
    client.force_login(user)
    from auditlog.context import set_actor

    with set_actor(user):
        unit = tree["a"]
        unit.name = "Xã An Mới"
        unit_save(unit=unit)
    entry = LogEntry.objects.get_for_object(unit).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    assert entry.actor == user
    assert entry.changes_dict["name"] == ["Xã An", "Xã An Mới"]


def test_district_staff_read_the_trail_of_their_district_only(client, tree):
    own_entry = LogEntry.objects.get_for_object(tree["a"]).get(action=LogEntry.Action.CREATE)
    other_entry = LogEntry.objects.get_for_object(tree["c"]).get(action=LogEntry.Action.CREATE)
    client.force_login(staff(tree["d1"]))
    listing = client.get(reverse("admin:auditlog_logentry_changelist"))
    assert listing.status_code == 200
    body = listing.content.decode()
    assert reverse("admin:auditlog_logentry_change", args=[own_entry.pk]) in body
    assert reverse("admin:auditlog_logentry_change", args=[other_entry.pk]) not in body
    assert client.get(reverse("admin:auditlog_logentry_change", args=[own_entry.pk])).status_code == 200
    assert client.get(reverse("admin:auditlog_logentry_change", args=[other_entry.pk])).status_code == 302


def test_deleting_a_unit_is_logged(tree):
    village = AdministrativeUnit.objects.get(code="90201-01")
    pk = village.pk
    village.delete()
    assert LogEntry.objects.filter(object_pk=str(pk), action=LogEntry.Action.DELETE).exists()


def test_the_national_auditor_reads_the_trail_of_every_province_but_not_unit_less_entries(client, tree):
    from django.contrib.contenttypes.models import ContentType

    from fund_portal.models import User
    from tests.factories import UnitFactory, national_auditor

    other_province = UnitFactory(code="91", name="Tỉnh Khác", level="province", parent=None)
    entries = [
        LogEntry.objects.get_for_object(unit).get(action=LogEntry.Action.CREATE)
        for unit in (tree["a"], tree["c"], other_province)
    ]
    # An entry of a record with no unit (a donor's account, say): the fund staff's, never an auditor's.
    unit_less = LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(User),
        object_pk="0",
        object_repr="nhahaotam",
        action=LogEntry.Action.CREATE,
        additional_data={"unit_id": None},
    )
    client.force_login(national_auditor(username="kiemtra.toanquoc"))
    body = client.get(reverse("admin:auditlog_logentry_changelist") + "?all=").content.decode()
    for entry in entries:
        assert reverse("admin:auditlog_logentry_change", args=[entry.pk]) in body
    assert reverse("admin:auditlog_logentry_change", args=[unit_less.pk]) not in body
