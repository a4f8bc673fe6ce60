"""The report's page in the portal (issue 19): the narrative's labels above their boxes, each message
once, and a submission that asks first (without JavaScript)."""

import pytest
from django.urls import reverse

from reports.models import Report, ReportStatus
from reports.services.reports import report_build
from tests.reports.conftest import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(district):
    return report_build(kind=district["kinds"][("annual", "commune")], unit=district["a"], year=YEAR)


def test_the_narratives_labels_come_before_their_boxes_and_a_message_shows_once(client, district, report):
    client.force_login(district["officer_a"])
    page = client.get(report.get_absolute_url()).content.decode()
    for name in ("results", "difficulties", "proposals"):
        assert page.index(f'<label for="id_{name}"') < page.index(f'<textarea name="{name}"')
    response = client.post(
        reverse("reports:narrative", kwargs={"pk": report.pk}),
        {"results": "Hoàn thành kế hoạch.", "difficulties": "", "proposals": ""},
        follow=True,
    )
    assert response.content.decode().count("Đã lưu nội dung báo cáo.") == 1


def test_submitting_asks_first_and_the_report_stays_a_draft_until_confirmed(client, district, report):
    client.force_login(district["officer_a"])
    url = reverse("reports:submit", kwargs={"pk": report.pk})
    asked = client.post(url)
    page = asked.content.decode()
    assert asked.status_code == 200 and 'name="confirmed" value="1"' in page
    assert f'href="{report.get_absolute_url()}"' in page  # the way back
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    assert client.post(url, {"confirmed": "1"}).status_code == 302
    assert Report.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED
