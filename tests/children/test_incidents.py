"""Incidents (vụ việc): recording, the district's alert, the banner, the 12-hour deadline, privacy, counts."""

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from children.context_processors import incidents as banner_context
from children.models import AccessLog, Incident, IncidentKind, IncidentStatus
from children.selectors.incidents import (
    child_incidents,
    incident_counts,
    incident_counts_by_commune,
    urgent_open_summary,
)
from children.services.incidents import incident_close, incident_intervene, incident_record
from children.services.registry import child_register
from children.tasks import incident_notify_task
from fund_portal.models import Role
from fund_portal.scope import visible_unit_ids
from tests.factories import UserFactory, officer, staff

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
BANNER = "vụ việc khẩn cấp chờ can thiệp"


def ago(**delta) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


def local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")


def grant(user):
    """Give the sensitive permission and return a fresh user object (permissions are cached per object)."""
    user.user_permissions.add(Permission.objects.get(codename="view_sensitive"))
    return type(user).objects.get(pk=user.pk)


def record(by, commune, **fields):
    values = {
        "kind": IncidentKind.DROWNING,
        "occurred_at": ago(hours=1),
        "description": "Trẻ rơi xuống ao sau nhà, được hàng xóm cứu.",
        "child_description": "Bé trai khoảng 6 tuổi",
        **fields,
    }
    return incident_record(by=by, commune=commune, **values)


def register_child(by, commune, name="Nguyễn Văn An"):
    today = timezone.localdate()
    return child_register(
        by=by,
        full_name=name,
        birth_date=today.replace(year=today.year - 7),
        sex="male",
        ethnicity="01",
        commune=commune,
    )


@pytest.fixture
def officer_a(tree):
    return officer(tree["a"], username="canbo_a")


@pytest.fixture
def staff_d1(tree):
    return staff(tree["d1"], username="lan", email="lan@huyenmot.gov.vn")


@pytest.fixture
def staff_d2(tree):
    return staff(tree["d2"], username="hai", email="hai@huyenhai.gov.vn")


# --- Recording and the district's alert -----------------------------------------------------


def test_an_officer_records_an_urgent_incident_and_only_staff_whose_scope_holds_the_commune_are_emailed(
    client, tree, officer_a, staff_d1, staff_d2, django_capture_on_commit_callbacks
):
    province_staff = staff(tree["province"], username="tinh", email="tinh@tinh.gov.vn")
    staff(tree["d1"], username="khong_email", email="")
    officer(tree["a"], username="canbo_khac", email="canbo@xa-an.gov.vn")
    child = register_child(officer_a, tree["a"], name="Lê Thị Hoa")
    client.force_login(officer_a)
    occurred = ago(hours=2)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("children:incident_new"),
            {
                "commune": tree["a"].pk,
                "kind": IncidentKind.SEXUAL_ABUSE,
                "urgent": "on",
                "occurred_at": local(occurred),
                "child": child.pk,
                "description": "Chi tiết vụ việc không được gửi qua email.",
            },
        )
    assert response.status_code == 302 and response.url == reverse("children:incident_recorded")
    incident = Incident.objects.get()
    assert incident.urgent and incident.status == IncidentStatus.OPEN and incident.recorded_by == officer_a
    assert len(callbacks) == 1 and mail.outbox == []  # the email leaves only after the commit, from a worker

    assert incident_notify_task.apply(kwargs={"incident_id": incident.pk}).get() == 2
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == sorted([staff_d1.email, province_staff.email])
    text = message.subject + message.body
    deadline = local(incident.reported_at + dt.timedelta(hours=12))
    assert "Xã An" in text and deadline in text and "khẩn cấp" in text
    assert "http://testserver" not in text
    assert f"/portal/children/incidents/{incident.pk}/" in message.body
    for secret in ("Lê Thị Hoa", "Chi tiết vụ việc", "Xâm hại", "xâm hại"):
        assert secret not in text


def test_a_not_urgent_incident_sends_no_email(tree, officer_a, staff_d1, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        incident = record(officer_a, tree["a"], urgent=False)
    assert callbacks == []
    assert incident_notify_task.apply(kwargs={"incident_id": incident.pk}).get() == 0
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker_test
def test_a_real_worker_sends_the_alert_after_the_commit(celery_app, celery_worker, tree):
    officer_a = officer(tree["a"])
    district = staff(tree["d1"], email="truc@huyenmot.gov.vn")
    incident = record(officer_a, tree["a"], urgent=True)
    give_up = time.monotonic() + 30
    while not mail.outbox and time.monotonic() < give_up:
        time.sleep(0.2)  # the worker runs in a thread of this process and writes to the same outbox
    assert [m.to for m in mail.outbox] == [[district.email]]
    assert "Xã An" in mail.outbox[0].subject and str(incident.pk) in mail.outbox[0].body


def test_the_email_task_is_registered_with_celery_in_a_fresh_process():
    """The worker must know the task by name: autodiscovery reads `children.tasks` and the admin."""
    code = (
        "import django; django.setup();"
        "from config.celery import app; app.loader.import_default_modules();"
        "print('children.tasks_incidents.incident_notify_task' in app.tasks)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.stdout.strip().splitlines()[-1] == "True", out.stderr


# --- The banner ---------------------------------------------------------------------------------


def test_the_banner_shows_in_the_portal_and_the_admin_for_district_staff_and_goes_after_intervention(
    client, tree, officer_a, staff_d1, staff_d2
):
    incident = record(officer_a, tree["a"], urgent=True, reported_at=ago(hours=2), occurred_at=ago(hours=3))
    deadline = local(incident.reported_at + dt.timedelta(hours=12))
    client.force_login(staff_d1)
    for url in (reverse("portal:dashboard"), reverse("admin:index")):
        body = client.get(url).content.decode()
        assert f"1 {BANNER} — hạn {deadline}" in body, url
        assert "còn 9 giờ" in body or "còn 10 giờ" in body
        assert "Trẻ rơi xuống ao" not in body and "Đuối nước" not in body
        assert f'href="{reverse("children:incident_list")}"' not in body  # no link without the permission
    client.force_login(staff_d2)
    assert BANNER not in client.get(reverse("admin:index")).content.decode()
    client.force_login(officer_a)  # an officer without the permission: no banner
    assert BANNER not in client.get(reverse("portal:dashboard")).content.decode()

    holder = grant(officer(tree["a"], username="truong_xa"))
    client.force_login(holder)
    body = client.get(reverse("portal:dashboard")).content.decode()
    assert BANNER in body and f'href="{reverse("children:incident_list")}"' in body
    incident_intervene(
        incident=incident, by=holder, actions="Đưa trẻ đi trạm y tế.", intervened_at=ago(hours=1)
    )
    client.force_login(staff_d1)
    assert BANNER not in client.get(reverse("portal:dashboard")).content.decode()
    assert BANNER not in client.get(reverse("admin:index")).content.decode()


def test_the_auditors_see_the_banner_of_their_scope_the_national_one_of_every_province(
    client, tree, officer_a
):
    from tests.factories import give_totp, national_auditor

    def auditor(unit, username):
        user = UserFactory(role=Role.AUDITOR, unit=unit, username=username, is_staff=True)
        give_totp(user)
        return user

    record(officer_a, tree["a"], urgent=True, reported_at=ago(hours=2), occurred_at=ago(hours=3))
    for user in (auditor(tree["province"], "kiemtra_tinh"), national_auditor(username="kiemtra_quocgia")):
        client.force_login(user)
        assert f"1 {BANNER}" in client.get(reverse("admin:index")).content.decode(), user.username
    client.force_login(auditor(tree["d2"], "kiemtra_hai"))
    assert BANNER not in client.get(reverse("admin:index")).content.decode()


def test_the_banner_is_one_query_and_nothing_for_anonymous_visitors_and_donors(tree, officer_a, staff_d1):
    record(officer_a, tree["a"], urgent=True)
    record(staff_d1, tree["b"], urgent=True, reported_at=ago(minutes=30), occurred_at=ago(hours=1))
    record(officer_a, tree["a"], urgent=False)
    request = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    for user in (AnonymousUser(), UserFactory(role=Role.DONOR)):
        request.user = user
        with CaptureQueriesContext(connection) as queries:
            assert banner_context(request) == {}
        assert len(queries) == 0
    quiet = staff(tree["d2"])  # nothing open in Huyện Hai: one query, no permission check
    visible_unit_ids(quiet)  # computed once per request by the page's own scoped queries
    request.user = quiet
    with CaptureQueriesContext(connection) as queries:
        assert banner_context(request) == {}
    assert len(queries) == 1
    request.user = staff_d1
    visible_unit_ids(staff_d1)
    staff_d1.has_perm("children.view_sensitive")  # likewise cached on the user by the page
    with CaptureQueriesContext(connection) as queries:
        context = banner_context(request)
    assert len(queries) == 1
    assert context["urgent_incidents"]["count"] == 2
    first = Incident.objects.filter(urgent=True).order_by("reported_at").first()
    assert context["urgent_incidents"]["deadline"] == first.reported_at + dt.timedelta(hours=12)


# --- Who sees what ---------------------------------------------------------------------------------


def test_an_officer_without_the_permission_records_but_cannot_list_or_open_incidents(client, tree, officer_a):
    client.force_login(officer_a)
    page = client.get(reverse("children:incident_new"))
    assert page.status_code == 200 and "Ghi nhận vụ việc" in page.content.decode()
    response = client.post(
        reverse("children:incident_new"),
        {
            "commune": tree["a"].pk,
            "kind": IncidentKind.INJURY,
            "occurred_at": local(ago(hours=3)),
            "child_description": "Bé gái 9 tuổi",
            "description": "Ngã xe đạp.",
        },
        follow=True,
    )
    assert "Đã ghi nhận vụ việc" in response.content.decode()
    incident = Incident.objects.get()
    assert client.get(reverse("children:incident_list")).status_code == 403
    assert client.get(reverse("children:incident_detail", args=[incident.pk])).status_code == 404
    intervene_url = reverse("children:incident_intervene", args=[incident.pk])
    assert (
        client.post(intervene_url, {"actions": "x", "intervened_at": local(ago(hours=1))}).status_code == 404
    )
    assert client.post(reverse("children:incident_close", args=[incident.pk])).status_code == 404
    assert not AccessLog.objects.exists()
    with pytest.raises(PermissionDenied):
        incident_intervene(incident=incident, by=officer_a, actions="x", intervened_at=ago(hours=1))
    assert child_incidents(child=register_child(officer_a, tree["a"]), user=officer_a) == []


def test_with_the_permission_each_user_sees_only_the_incidents_of_their_scope(
    client, tree, officer_a, staff_d1
):
    in_a = record(officer_a, tree["a"], child_description="Bé An 5 tuổi")
    in_b = record(officer(tree["b"]), tree["b"], child_description="Bé Bình 6 tuổi")
    in_c = record(officer(tree["c"]), tree["c"], child_description="Bé Cường 7 tuổi")
    holder_a = grant(officer_a)
    client.force_login(holder_a)
    listing = client.get(reverse("children:incident_list")).content.decode()
    assert reverse("children:incident_detail", args=[in_a.pk]) in listing
    assert reverse("children:incident_detail", args=[in_b.pk]) not in listing
    assert client.get(reverse("children:incident_detail", args=[in_b.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        incident_close(incident=in_b, by=holder_a)

    client.force_login(grant(staff_d1))
    listing = client.get(reverse("children:incident_list")).content.decode()
    assert reverse("children:incident_detail", args=[in_a.pk]) in listing
    assert reverse("children:incident_detail", args=[in_b.pk]) in listing
    assert reverse("children:incident_detail", args=[in_c.pk]) not in listing
    assert client.get(reverse("children:incident_detail", args=[in_c.pk])).status_code == 404


def test_opening_an_incident_is_logged_and_shows_the_deadline_and_the_child(client, tree, officer_a):
    child = register_child(officer_a, tree["a"], name="Phạm Thu Hà")
    incident = record(
        officer_a,
        tree["a"],
        urgent=True,
        child=child,
        reported_at=ago(hours=3, minutes=30),
        occurred_at=ago(hours=4),
    )
    overdue = record(officer_a, tree["a"], urgent=True, reported_at=ago(hours=13), occurred_at=ago(hours=14))
    holder = grant(officer_a)
    client.force_login(holder)
    body = client.get(reverse("children:incident_detail", args=[incident.pk])).content.decode()
    assert "Hạn can thiệp" in body and local(incident.reported_at + dt.timedelta(hours=12)) in body
    assert "còn 8 giờ 29 phút" in body or "còn 8 giờ 30 phút" in body
    assert "Phạm Thu Hà" in body and "Đuối nước" in body and "Chờ can thiệp" in body
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.child, log.unit) == (holder, "sensitive", child, tree["a"])
    body = client.get(reverse("children:incident_detail", args=[overdue.pk])).content.decode()
    assert "Quá hạn" in body
    listing = client.get(reverse("children:incident_list"), {"status": "open"}).content.decode()
    assert "Quá hạn" in listing and "còn 8 giờ" in listing
    assert child_incidents(child=child, user=holder) == [incident]
    from django.contrib.auth.context_processors import PermWrapper
    from django.template.loader import render_to_string

    partial = render_to_string(
        "children/_child_incidents.html",
        {"incidents": [incident], "child": child, "perms": PermWrapper(holder)},
    )
    assert reverse("children:incident_detail", args=[incident.pk]) in partial and "Đuối nước" in partial
    assert f"{reverse('children:incident_new')}?child={child.pk}" in partial


def test_the_status_goes_open_then_intervened_then_closed_through_the_portal(client, tree, officer_a):
    incident = record(officer_a, tree["a"], urgent=True)
    client.force_login(grant(officer_a))
    url = reverse("children:incident_intervene", args=[incident.pk])
    response = client.post(url, {"actions": "", "intervened_at": local(ago(minutes=10))})
    assert response.status_code == 400 and "Hãy ghi biện pháp đã thực hiện." in response.content.decode()
    response = client.post(
        url, {"actions": "Đưa trẻ tới trạm y tế xã.", "intervened_at": local(ago(minutes=10))}
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.INTERVENED and incident.actions == "Đưa trẻ tới trạm y tế xã."
    client.post(reverse("children:incident_close", args=[incident.pk]))
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLOSED
    page = client.post(reverse("children:incident_close", args=[incident.pk]), follow=True).content.decode()
    assert "Vụ việc này đã kết thúc rồi." in page


# --- Bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields,field,message",
    [
        ({"occurred_at": "future"}, "occurred_at", "Vụ việc không thể xảy ra trong tương lai"),
        (
            {"reported_at": "before"},
            "reported_at",
            "Thời điểm nhận tin báo không thể trước khi vụ việc xảy ra.",
        ),
        ({"reported_at": "future"}, "reported_at", "Thời điểm nhận tin báo không thể ở tương lai"),
        ({"child": "of_b"}, "child", "Trẻ em đã chọn không có trong danh sách của Xã An."),
        ({"commune": "b"}, "commune", "Xã Bình nằm ngoài đơn vị của bạn."),
        ({"commune": "d1"}, "commune", "Huyện Một không phải là cấp xã."),
        ({"kind": "kidnap"}, "kind", "“kidnap” không phải là một loại vụ việc."),
        (
            {"child_description": ""},
            "child_description",
            "Hãy chọn một trẻ em trong danh sách hoặc mô tả trẻ em",
        ),
        ({"description": "  "}, "description", "Hãy ghi diễn biến vụ việc."),
        (
            {"actions": "Đã đưa đi viện", "intervened_at": "before"},
            "intervened_at",
            "không thể trước khi vụ việc",
        ),
        ({"actions": "", "intervened_at": "now"}, "actions", "Hãy ghi biện pháp đã thực hiện."),
    ],
)
def test_bad_input_is_refused_in_vietnamese_and_nothing_is_written(
    tree, officer_a, fields, field, message, django_capture_on_commit_callbacks
):
    occurred = ago(hours=5)
    times = {"future": timezone.now() + dt.timedelta(hours=2), "before": occurred - dt.timedelta(hours=1)}
    times["now"] = timezone.now()
    values = {"occurred_at": occurred, "urgent": True}
    for key, value in fields.items():
        if key in ("occurred_at", "reported_at", "intervened_at"):
            value = times[value]
        elif key == "child":
            value = register_child(officer(tree["b"]), tree["b"], name="Trẻ Xã Bình")
        elif key == "commune":
            value = tree[value]
        values[key] = value
    commune = values.pop("commune", tree["a"])
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationError) as error:
        record(officer_a, commune, **values)
    assert field in error.value.message_dict
    assert any(message in text for text in error.value.message_dict[field]), error.value.message_dict
    assert not Incident.objects.exists() and callbacks == []


def test_an_auditor_cannot_record_an_incident(tree):
    auditor = UserFactory(role=Role.AUDITOR, unit=tree["d1"])
    with pytest.raises(PermissionDenied):
        record(auditor, tree["a"])
    assert not Incident.objects.exists()


def test_bad_transitions_are_refused_in_vietnamese(tree, officer_a):
    holder = grant(officer_a)
    incident = record(officer_a, tree["a"], occurred_at=ago(hours=3))
    with pytest.raises(ValidationError) as error:
        incident_close(incident=incident, by=holder)
    assert "Chỉ kết thúc vụ việc sau khi đã ghi nhận việc can thiệp." in error.value.messages
    for when, text in (
        (ago(hours=4), "Thời điểm can thiệp không thể trước khi vụ việc xảy ra."),
        (timezone.now() + dt.timedelta(hours=1), "Thời điểm can thiệp không thể ở tương lai"),
        (None, "Hãy ghi ngày giờ can thiệp."),
    ):
        with pytest.raises(ValidationError) as error:
            incident_intervene(incident=incident, by=holder, actions="Thăm hỏi", intervened_at=when)
        assert any(text in m for m in error.value.messages), error.value.messages
    incident.refresh_from_db()
    assert (
        incident.status == IncidentStatus.OPEN and incident.actions == "" and incident.intervened_at is None
    )
    incident_intervene(incident=incident, by=holder, actions="Thăm hỏi", intervened_at=ago(hours=1))
    with pytest.raises(ValidationError) as error:
        incident_intervene(incident=incident, by=holder, actions="Lần hai", intervened_at=ago(minutes=5))
    assert "Vụ việc này không còn ở trạng thái chờ can thiệp." in error.value.messages
    incident_close(incident=incident, by=holder)
    with pytest.raises(ValidationError) as error:
        incident_close(incident=incident, by=holder)
    assert "Vụ việc này đã kết thúc rồi." in error.value.messages
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLOSED and incident.actions == "Thăm hỏi"


def test_the_portal_form_shows_a_refusal_on_its_field_in_vietnamese(client, tree, officer_a):
    client.force_login(officer_a)
    future = timezone.now() + dt.timedelta(days=1)
    response = client.post(
        reverse("children:incident_new"),
        {
            "commune": tree["a"].pk,
            "kind": IncidentKind.VIOLENCE,
            "occurred_at": local(future),
            "child_description": "Bé trai 10 tuổi",
            "description": "Bị đánh.",
        },
    )
    assert response.status_code == 200
    assert "Vụ việc không thể xảy ra trong tương lai" in response.content.decode()
    assert not Incident.objects.exists()


# --- Reports and the admin -------------------------------------------------------------------------


def test_incident_counts_count_by_kind_what_occurred_in_the_period_under_the_units(tree, officer_a, staff_d1):
    today = timezone.localdate(ago(hours=1))  # the day they occurred, also in the first hour after midnight
    record(officer_a, tree["a"], kind=IncidentKind.DROWNING, urgent=True)
    record(officer_a, tree["a"], kind=IncidentKind.DROWNING)
    record(staff_d1, tree["b"], kind=IncidentKind.VIOLENCE, urgent=True)
    record(officer_a, tree["a"], kind=IncidentKind.INJURY, occurred_at=ago(days=40), reported_at=ago(days=39))
    record(officer(tree["c"]), tree["c"], kind=IncidentKind.DROWNING)
    counts = incident_counts(units=[tree["d1"]], start=today - dt.timedelta(days=30), end=today)
    assert counts[IncidentKind.DROWNING] == 2 and counts[IncidentKind.VIOLENCE] == 1
    assert counts[IncidentKind.INJURY] == 0 and counts[IncidentKind.TRAFFICKING] == 0
    assert counts["urgent"] == 2 and counts["total"] == 3
    assert incident_counts(unit_ids=[tree["a"].pk, tree["c"].pk], start=today, end=today)["total"] == 3
    whole = incident_counts(units=[tree["province"]], start=today - dt.timedelta(days=60), end=today)
    assert whole["total"] == 5 and whole[IncidentKind.INJURY] == 1
    assert incident_counts(units=[tree["d2"]], start=today + dt.timedelta(days=1), end=today)["total"] == 0
    since = today - dt.timedelta(days=60)
    by_commune = incident_counts_by_commune(commune_ids=[tree[k].pk for k in "abc"], start=since, end=today)
    for key in "abc":
        assert by_commune[tree[key].pk] == incident_counts(units=[tree[key]], start=since, end=today)
    assert by_commune[tree["a"].pk]["total"] == 3


def test_the_admin_hides_incidents_without_the_permission_and_scopes_them_with_it(
    client, tree, officer_a, staff_d1
):
    mine = record(officer_a, tree["a"], urgent=True)
    far = record(officer(tree["c"]), tree["c"])
    client.force_login(staff_d1)
    assert client.get(reverse("admin:children_incident_changelist")).status_code == 403
    assert client.get(reverse("admin:children_incident_change", args=[mine.pk])).status_code == 403
    assert "children/incident/" not in client.get(reverse("admin:index")).content.decode()

    holder = grant(staff_d1)
    client.force_login(holder)
    listing = client.get(reverse("admin:children_incident_changelist")).content.decode()
    assert reverse("admin:children_incident_change", args=[mine.pk]) in listing
    assert reverse("admin:children_incident_change", args=[far.pk]) not in listing
    assert client.get(reverse("admin:children_incident_change", args=[far.pk])).status_code == 302
    assert client.get(reverse("admin:children_incident_delete", args=[mine.pk])).status_code == 403
    assert client.get(reverse("admin:children_incident_add")).status_code == 403
    change = reverse("admin:children_incident_change", args=[mine.pk])
    assert "hạn can thiệp" in client.get(change).content.decode().lower()
    assert AccessLog.objects.filter(user=holder, action="sensitive", unit=tree["a"]).count() == 1

    now = timezone.localtime()
    client.post(
        change,
        {
            "actions": "Can thiệp tại nhà",
            "intervened_at_0": now.strftime("%d/%m/%Y"),
            "intervened_at_1": (now - dt.timedelta(minutes=5)).strftime("%H:%M"),
        },
    )
    mine.refresh_from_db()
    assert mine.status == IncidentStatus.INTERVENED and mine.actions == "Can thiệp tại nhà"
    client.post(
        reverse("admin:children_incident_changelist"),
        {"action": "close_selected", "_selected_action": [mine.pk]},
    )
    mine.refresh_from_db()
    assert mine.status == IncidentStatus.CLOSED
    assert urgent_open_summary(user=holder) is None
