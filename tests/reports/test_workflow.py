"""Submit (freezes), accept, return; the portal pages; the admin; scope; the calendar and the real worker."""

import datetime as dt
import threading
import time
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from children.services.registry import child_register
from reports.models import Report, ReportKind, ReportStatus, Timeliness
from reports.selectors import completeness_summary, report_completeness
from reports.services.reports import (
    report_accept,
    report_build,
    report_narrative_save,
    report_return,
    report_submit,
    reports_calendar_run,
)
from reports.tasks import reports_calendar_task
from tests.concurrency import Call, postgresql_only
from tests.factories import report_calendar_seed
from tests.reports.conftest import YEAR, aged, d, register

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.django_db


def commune_report(district, unit="a", cadence="annual", render=False):
    return report_build(
        kind=district["kinds"][(cadence, "commune")], unit=district[unit], year=YEAR, render=render
    )


def test_submitting_freezes_the_figures_and_a_second_submission_is_refused(district):
    report = commune_report(district)
    report_narrative_save(
        report=report,
        by=district["officer_a"],
        results="Đã hỗ trợ 2 em.",
        difficulties="Thiếu kinh phí.",
        proposals="Đề nghị huyện hỗ trợ thêm.",
    )
    report = report_submit(report=report, by=district["officer_a"])
    assert report.status == ReportStatus.SUBMITTED and report.doc_number == "01/BC-UBND" and report.pdf
    frozen = report.figures
    child_register(
        by=district["officer_a"],
        full_name="Đỗ Văn Mới",
        birth_date=aged(3),
        sex="male",
        commune=district["a"],
        confirm_not_duplicate=True,
    )
    rebuilt = commune_report(district)
    assert rebuilt.figures == frozen and rebuilt.figures["children"]["total"] == 3
    with pytest.raises(ValidationError) as refused:
        report_submit(report=rebuilt, by=district["officer_a"])
    assert (
        "Báo cáo đã được gửi ngày" in refused.value.messages[0]
        and "không gửi lại được" in refused.value.messages[0]
    )
    with pytest.raises(ValidationError, match="nội dung đã được chốt"):
        report_narrative_save(
            report=rebuilt, by=district["officer_a"], results="x", difficulties="", proposals=""
        )
    assert Report.objects.get(pk=report.pk).results == "Đã hỗ trợ 2 em."


def test_the_district_returns_with_a_comment_then_accepts_the_corrected_report(district):
    report = report_submit(report=commune_report(district), by=district["officer_a"])
    with pytest.raises(PermissionDenied):
        report_accept(report=report, by=district["officer_a"])  # not by the commune itself
    with pytest.raises(PermissionDenied):
        report_accept(report=report, by=district["staff_d2"])  # another district
    with pytest.raises(ValidationError, match="Hãy nêu nội dung cần sửa"):
        report_return(report=report, by=district["staff_d1"], comment="  ")
    report = report_return(
        report=report, by=district["staff_d1"], comment="Bổ sung số liệu trẻ em khuyết tật."
    )
    assert report.status == ReportStatus.RETURNED and report.comment.startswith("Bổ sung")
    # The missing child, registered with a date in the period.
    register(district["officer_a"], district["a"], "Đỗ Văn Mới", aged(3), registered_on=d(11, 1))
    report = report_submit(report=report, by=district["officer_a"])  # recomputed at the new submission
    assert report.figures["children"]["total"] == 4 and report.doc_number == "01/BC-UBND"
    report = report_accept(report=report, by=district["staff_d1"])
    assert report.status == ReportStatus.ACCEPTED and report.decided_by == district["staff_d1"]
    with pytest.raises(ValidationError, match="Chỉ duyệt được báo cáo đã gửi"):
        report_accept(report=report, by=district["staff_d1"])


def test_a_unit_outside_the_users_scope_is_refused_and_nothing_is_written(district):
    with pytest.raises(PermissionDenied):
        report_build(
            kind=district["kinds"][("annual", "commune")],
            unit=district["b"],
            year=YEAR,
            by=district["officer_a"],
        )
    with pytest.raises(PermissionDenied):
        report_build(
            kind=district["kinds"][("annual", "commune")],
            unit=district["a"],
            year=YEAR,
            by=district["staff_d2"],
        )
    assert not Report.objects.exists()


def test_a_calendar_whose_period_ends_before_it_starts_is_refused(district):
    kind = ReportKind(
        code="mttq",
        name="Báo cáo gửi Mặt trận Tổ quốc",
        cadence="other",
        submitter_level="commune",
        recipient="Ủy ban Mặt trận Tổ quốc huyện",
        start_month=7,
        start_day=1,
        end_month=1,
        end_day=31,
        due_month=7,
        due_day=10,
    )
    with pytest.raises(ValidationError) as refused:
        kind.full_clean()
    assert refused.value.message_dict["end_day"] == ["Kỳ báo cáo kết thúc trước khi bắt đầu."]
    kind.end_month, kind.end_day, kind.due_day = 6, 31, 31
    with pytest.raises(ValidationError, match="31/6 không phải là một ngày trong năm"):
        kind.full_clean()


def test_timeliness_is_on_time_late_or_missing_and_the_completeness_rate_follows(district):
    kind = district["kinds"][("annual", "commune")]
    report = report_submit(report=commune_report(district), by=district["officer_a"])
    Report.objects.filter(pk=report.pk).update(submitted_at=dt.datetime(YEAR, 11, 14, 9, tzinfo=TZ))
    rows = report_completeness(kind=kind, year=YEAR, under=district["d1"], today=dt.date(YEAR, 11, 16))
    assert [(r["unit"].name, r["timeliness"]) for r in rows] == [
        ("Xã An", Timeliness.ON_TIME),
        ("Xã Bình", Timeliness.MISSING),
    ]
    assert completeness_summary(rows) | {} == {
        "expected": 2,
        "reported": 1,
        "on_time": 1,
        "late": 0,
        "missing": 1,
        "completeness": 50.0,
        "timeliness": 50.0,
    }
    Report.objects.filter(pk=report.pk).update(submitted_at=dt.datetime(YEAR, 11, 16, 9, tzinfo=TZ))
    rows = report_completeness(kind=kind, year=YEAR, under=district["d1"], today=dt.date(YEAR, 11, 16))
    assert rows[0]["timeliness"] == Timeliness.LATE
    rows = report_completeness(kind=kind, year=YEAR, under=district["d1"], today=dt.date(YEAR, 11, 15))
    assert rows[1]["timeliness"] == Timeliness.NOT_DUE


# --- Portal and admin -----------------------------------------------------------------------------


def test_an_officer_builds_edits_submits_and_downloads_in_the_portal(client, district):
    client.force_login(district["officer_a"])
    response = client.post(reverse("reports:build"), {"cadence": "annual", "year": YEAR})
    report = Report.objects.get(unit=district["a"])
    assert response.status_code == 302 and response.url == reverse("reports:detail", kwargs={"pk": report.pk})
    page = client.get(response.url).content.decode()
    assert "Trẻ em có hoàn cảnh đặc biệt theo nhóm" in page and "Gửi báo cáo" in page
    assert "Nguyễn Văn An" not in page
    client.post(
        reverse("reports:narrative", kwargs={"pk": report.pk}),
        {"results": "Hoàn thành kế hoạch.", "difficulties": "", "proposals": ""},
    )
    client.post(reverse("reports:submit", kwargs={"pk": report.pk}), {"confirmed": "1"})
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.results == "Hoàn thành kế hoạch."
    again = client.post(
        reverse("reports:submit", kwargs={"pk": report.pk}), {"confirmed": "1"}, follow=True
    ).content.decode()
    assert "không gửi lại được" in again
    pdf = client.get(reverse("reports:pdf", kwargs={"pk": report.pk}))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = client.get(reverse("reports:xlsx", kwargs={"pk": report.pk}))
    assert xlsx.content[:2] == b"PK"
    # The kind's name says "Báo cáo" once: the file is not "Bao cao Bao cao ..."
    assert "Bao cao Bao cao" not in xlsx["Content-Disposition"] + pdf["Content-Disposition"]
    assert 'filename="Bao cao nam' in xlsx["Content-Disposition"]
    assert "Báo cáo năm" in client.get(reverse("reports:list")).content.decode()


def test_the_draft_pdf_downloaded_after_the_text_is_written_prints_that_text(
    client, district, django_capture_on_commit_callbacks
):
    """The draft's PDF is made when the draft is built (and mailed with it); once the officer writes the
    results, the next download prints them, and the file that left them out is removed."""
    import io

    import pypdf
    from django.core.files.storage import default_storage

    report = commune_report(district, render=True)
    first = report.pdf.name
    assert default_storage.exists(first)
    client.force_login(district["officer_a"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reports:narrative", kwargs={"pk": report.pk}),
            {"results": "Đã tặng quà cho hai em mồ côi.", "difficulties": "Thiếu kinh phí.", "proposals": ""},
        )
    response = client.get(reverse("reports:pdf", kwargs={"pk": report.pk}))
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    assert "Đã tặng quà cho hai em mồ côi." in " ".join(text.split()) and "Thiếu kinh phí." in text
    report.refresh_from_db()
    assert report.pdf and report.pdf.name != first  # kept again, for the next download
    assert not default_storage.exists(first)


def test_an_officer_cannot_open_another_communes_report(client, district):
    other = commune_report(district, unit="b")
    client.force_login(district["officer_a"])
    for name in ("detail", "pdf", "xlsx"):
        assert client.get(reverse(f"reports:{name}", kwargs={"pk": other.pk})).status_code == 404
    assert client.post(reverse("reports:submit", kwargs={"pk": other.pk})).status_code == 404
    assert Report.objects.get(pk=other.pk).status == ReportStatus.DRAFT


def test_district_staff_accept_return_and_see_the_dashboard_in_the_admin(client, district):
    kind = district["kinds"][("annual", "commune")]
    report = report_submit(report=commune_report(district), by=district["officer_a"])
    client.force_login(district["staff_d1"])
    url = reverse("admin:reports_report_return", args=[report.pk])
    client.post(url, {"comment": "Thiếu phần kiến nghị."})
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED and report.comment == "Thiếu phần kiến nghị."
    report = report_submit(report=report, by=district["officer_a"])
    client.post(reverse("admin:reports_report_accept", args=[report.pk]))
    assert Report.objects.get(pk=report.pk).status == ReportStatus.ACCEPTED
    page = client.get(
        reverse("admin:reports_report_dashboard"), {"kind": kind.pk, "year": YEAR}
    ).content.decode()
    assert "1/2 đơn vị đã nộp" in page and "Chưa nộp" in page and "Xã Bình" in page and "Xã Cường" not in page
    response = client.post(
        reverse("admin:reports_report_build"),
        {"kind": district["kinds"][("annual", "district")].pk, "unit": district["d1"].pk, "year": YEAR},
    )
    assert response.status_code == 302 and Report.objects.filter(unit=district["d1"]).exists()
    client.force_login(district["staff_d2"])
    assert client.get(reverse("admin:reports_report_change", args=[report.pk])).status_code in (302, 404)


# --- The calendar ----------------------------------------------------------------------------------


def test_the_calendar_builds_each_draft_once_and_marks_the_missing_once(
    district, django_capture_on_commit_callbacks
):
    kind = district["kinds"][("annual", "commune")]
    calls = []
    with django_capture_on_commit_callbacks(execute=True):
        reports_calendar_run(today=dt.date(YEAR, 11, 7), enqueue=lambda **kw: calls.append(kw))
    assert not [c for c in calls if c["kind_id"] == kind.pk]  # more than 7 days before 15/11
    assert {c["kind_id"] for c in calls} == {
        k.pk for k in district["kinds"].values() if k.cadence == "semiannual"
    }
    calls.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reports_calendar_run(today=dt.date(YEAR, 11, 8), enqueue=lambda **kw: calls.append(kw))
    assert {c["unit_id"] for c in calls if c["kind_id"] == kind.pk} == {district[u].pk for u in "abc"}
    district_kind = district["kinds"][("annual", "district")]  # due 20/11: its window opens on 13/11
    assert not [c for c in calls if c["kind_id"] == district_kind.pk]
    report_build(kind=kind, unit=district["a"], year=YEAR, render=False)
    calls.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reports_calendar_run(today=dt.date(YEAR, 11, 9), enqueue=lambda **kw: calls.append(kw))
    assert {c["unit_id"] for c in calls if c["kind_id"] == kind.pk} == {district["b"].pk, district["c"].pk}
    with django_capture_on_commit_callbacks(execute=True):
        marked = reports_calendar_run(today=dt.date(YEAR, 11, 16), enqueue=lambda **kw: None)[
            "marked_missing"
        ]
    assert marked == 1 and Report.objects.get().missing_marked_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            reports_calendar_run(today=dt.date(YEAR, 11, 17), enqueue=lambda **kw: None)["marked_missing"]
            == 0
        )


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker_test
def test_a_real_worker_builds_the_drafts_emails_the_officers_once_and_running_twice_makes_nothing_twice(
    celery_app, celery_worker, district
):
    report_calendar_seed()
    reports_calendar_task.delay(today=f"{YEAR}-11-09")
    # The annual commune drafts (due 15/11) and the late six-month drafts of the 3 communes, the 2
    # districts and the province (which nobody works in: built, and emailed to nobody).
    wait_until_built(9, emails=6)
    reports = Report.objects.filter(kind__cadence="annual", kind__submitter_level="commune").order_by(
        "unit__code"
    )
    assert [r.unit.name for r in reports] == ["Xã An", "Xã Bình", "Xã Cường"]
    assert all(r.pdf and r.figures["children"]["total"] >= 1 for r in reports)
    assert [r.emailed_at is not None for r in reports] == [True, True, False]  # Cường's officer has no email
    annual = [m for m in mail.outbox if m.subject.startswith("Dự thảo báo cáo đã sẵn sàng: Báo cáo năm")]
    assert sorted(m.to[0] for m in annual) == ["canbo.a@xa-an.gov.vn", "canbo.b@xa-binh.gov.vn"]
    assert annual[0].attachments[0][2] == "application/pdf"
    assert len(mail.outbox) == 6  # 2 officers x 2 commune reports, 2 district staff x the six-month report
    reports_calendar_task.delay(today=f"{YEAR}-11-16").get(timeout=30)  # again, after the commune due date
    wait_until_built(11, emails=8)  # only the district annual reports (window from 13/11) are new
    assert Report.objects.count() == 11 and len(mail.outbox) == 8
    assert Report.objects.filter(missing_marked_at__isnull=False).count() == 9  # all but the district annual
    stamp = list(Report.objects.order_by("pk").values_list("missing_marked_at", flat=True))
    reports_calendar_task.delay(today=f"{YEAR}-11-17").get(timeout=30)
    time.sleep(1)
    assert list(Report.objects.order_by("pk").values_list("missing_marked_at", flat=True)) == stamp
    assert Report.objects.count() == 11 and len(mail.outbox) == 8


def wait_until_built(count: int, emails: int) -> None:
    give_up = time.monotonic() + 60
    while time.monotonic() < give_up and (
        Report.objects.filter(built_at__isnull=False).count() < count or len(mail.outbox) < emails
    ):
        time.sleep(0.3)
    time.sleep(0.5)
    assert Report.objects.filter(built_at__isnull=False).count() == count


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_communes_reports_of_one_kind_are_built_at_once(tree):
    """A build locks its own report, not the kind or the unit it reads with it: while one commune's
    report is being built (its transaction open), another commune's report of the same kind is built
    without waiting. Locking the kind's row too made the worker pool build a deadline's reports one
    at a time (3,321 communes: 29 minutes on 2 processes)."""
    report_calendar_seed()  # a transactional test's flush empties the migrations' calendar
    kind = ReportKind.objects.get(code="xa-bao-cao-nam")
    held, release = threading.Event(), threading.Event()

    def holding():
        with transaction.atomic():
            report_build(kind=kind, unit=tree["a"], year=YEAR, render=False)
            held.set()
            release.wait(20)

    holder = Call(holding)
    holder.start()
    try:
        assert held.wait(20), holder.error
        racer = Call(lambda: report_build(kind=kind, unit=tree["b"], year=YEAR, render=False))
        racer.start()
        racer.join(10)
        built_while_the_other_was_open = not racer.is_alive()
    finally:
        release.set()
    holder.join(20)
    racer.join(20)
    assert holder.error is None and racer.error is None
    assert built_while_the_other_was_open
    assert Report.objects.filter(kind=kind, year=YEAR, built_at__isnull=False).count() == 2
