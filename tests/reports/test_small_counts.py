"""Small counts of a sensitive group (or incident kind, or need that stands for one) read "< 5" in what
leaves the portal: a report's page, PDF and XLSX, and the public needs page. A count of 1 in a commune
points at the child. The stored figures stay exact (a district report sums its communes)."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from children.models import Child
from children.reference.circumstances import group
from children.selectors.registry import small_count_shown
from children.services.care import needs_assess
from children.services.incidents import incident_record
from donations.models import NeedArea
from reports.documents.xlsx import report_xlsx
from reports.services.reports import report_build
from tests.factories import officer
from tests.reports.conftest import TZ, YEAR

pytestmark = pytest.mark.django_db

HIV = group("G05").name  # sensitive: one child of commune A in the report fixture
ORPHAN = group("G01").name  # not sensitive: one child of commune A


def _line(text: str, start: str) -> str:
    return next(line for line in text.splitlines() if line.strip().startswith(start))


@pytest.fixture
def commune_report(district):
    incident_record(
        by=district["officer_a"],
        commune=district["a"],
        kind="trafficking",
        occurred_at=dt.datetime(YEAR, 8, 3, 9, 0, tzinfo=TZ),
        reported_at=dt.datetime(YEAR, 8, 3, 10, 0, tzinfo=TZ),
        description="Nghi bị dụ dỗ đưa đi",
        child_description="Nữ, 13 tuổi",
    )
    return report_build(kind=district["kinds"][("annual", "commune")], unit=district["a"], year=YEAR)


def test_the_threshold_is_a_setting_and_holders_of_the_permission_see_the_count(settings, district):
    assert small_count_shown(1) == "< 5" and small_count_shown(0) == "< 5" and small_count_shown(5) == 5
    assert small_count_shown(1, user=district["officer_a"]) == "< 5"
    assert small_count_shown(1, user=district["staff_d1"]) == 1  # holds children.view_sensitive
    settings.SENSITIVE_SMALL_COUNT = 3
    assert small_count_shown(2) == "< 3" and small_count_shown(3) == 3


def test_a_reports_pdf_shows_small_counts_of_sensitive_groups_and_incidents_as_fewer_than_five(
    commune_report,
):
    figures = commune_report.figures
    assert figures["children"]["special"]["groups"] == {"G01": 1, "G05": 1}  # stored exact
    assert figures["incidents"]["trafficking"] == 1
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(commune_report.pdf.read())).pages)
    hiv = _line(text, f"{group('G05').point}) {HIV}")
    assert hiv.endswith("< 5"), hiv
    assert _line(text, f"a) {ORPHAN}").endswith(" 1")  # not sensitive: the count itself
    assert _line(text, "Mua bán").endswith("< 5")
    assert _line(text, "Đuối nước").endswith(" 1")
    # The chart writes the same text and draws no bar for it.
    assert text.count("< 5") >= 3


def test_a_reports_xlsx_and_page_show_the_same_suppressed_counts(client, district, commune_report):
    book = CalamineWorkbook.from_filelike(io.BytesIO(report_xlsx(report=commune_report)))
    rows = book.get_sheet_by_name("Trẻ em").to_python()
    assert next(r for r in rows if str(r[0]).startswith(f"{group('G05').point}) {HIV}"))[1] == "< 5"
    assert next(r for r in rows if str(r[0]).startswith(f"a) {ORPHAN}"))[1] == 1
    incidents = book.get_sheet_by_name("Vụ việc").to_python()
    assert next(r for r in incidents if r[0] == "Mua bán trẻ em")[1] == "< 5"

    client.force_login(district["officer_a"])
    page = client.get(reverse("reports:detail", args=[commune_report.pk]), HTTP_ACCEPT_LANGUAGE="vi")
    assert page.status_code == 200
    body = page.content.decode()
    row = body[body.index(f"{group('G05').point}) {HIV}") :][:300]
    assert "&lt; 5" in row and ">1<" not in row


def test_the_public_needs_page_shows_small_counts_of_counselling_and_legal_aid_as_fewer_than_five(
    client, tree
):
    by = officer(tree["a"], username="canbo.an")
    today = timezone.localdate()
    year, on = today.year, today.replace(month=1, day=15)
    for index in range(6):
        child = Child.objects.create(
            full_name=f"Trẻ {index}",
            name_folded=f"tre {index}",
            birth_date=dt.date(2016, 1, 1) + dt.timedelta(days=index),
            sex="male",
            commune=tree["a"],
        )
        needs = {NeedArea.WARM_CLOTHES: (2, "")}
        if index == 0:
            needs[NeedArea.COUNSELLING] = (3, "")
        if index < 5:
            needs[NeedArea.LEGAL_AID] = (1, "")
        needs_assess(child=child, by=by, year=year, on=on, needs=needs)
    text = " ".join(client.get("/needs/", HTTP_ACCEPT_LANGUAGE="vi").content.decode().split())
    assert "Xã An: 6 trẻ cần Đồ ấm" in text  # not sensitive: counted
    assert "Xã An: 5 trẻ cần Trợ giúp pháp lý" in text  # at the threshold: counted
    assert "Xã An: dưới 5 trẻ cần Tư vấn, tham vấn" in text
    assert "1 trẻ cần Tư vấn" not in text and "1 trẻ cần Trợ giúp" not in text
