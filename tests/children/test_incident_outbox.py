"""An urgent incident reaches the district even when the broker is down as it is recorded: the page
answers, the incident is kept, and the beat's sweep sends the email once the broker is back; never
twice."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from children.models import Incident, IncidentKind
from children.services.incidents import incident_notify_district, incidents_notify_pending
from config.celery import app as celery_app
from tests.factories import officer, staff

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


def _connections_forgotten() -> None:
    """The app's broker connections and its producers are made again from its settings on next use
    (as Celery does after a fork): closing the pool alone leaves the producers on the closed pool."""
    celery_app.pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker_down():
    """The Celery app publishes to a port where nothing listens, with no publish retries."""
    saved = celery_app.conf.broker_url, celery_app.conf.task_publish_retry
    celery_app.conf.broker_url, celery_app.conf.task_publish_retry = "redis://127.0.0.1:1/0", False
    _connections_forgotten()
    yield
    celery_app.conf.broker_url, celery_app.conf.task_publish_retry = saved
    _connections_forgotten()


def _record(client, commune):
    return client.post(
        reverse("children:incident_new"),
        {
            "commune": commune.pk,
            "kind": IncidentKind.VIOLENCE,
            "urgent": "on",
            "occurred_at": timezone.localtime(timezone.now() - dt.timedelta(hours=1)).strftime(
                "%d/%m/%Y %H:%M"
            ),
            "child_description": "Em nam khoảng 10 tuổi",
            "description": "Mô tả",
        },
    )


def test_an_urgent_incident_recorded_while_the_broker_is_down_is_kept_and_swept_later(
    client, tree, broker_down, django_capture_on_commit_callbacks, caplog
):
    district = staff(tree["d1"], username="lan", email="lan@huyen.gov.vn")
    client.force_login(officer(tree["a"], username="canbo"))
    with django_capture_on_commit_callbacks(execute=True):
        response = _record(client, tree["a"])
    assert response.status_code == 302, response.content.decode()[:500]
    assert any("on_commit" in r.getMessage() and r.exc_info for r in caplog.records)  # the broker refused
    incident = Incident.objects.get()
    assert incident.notified_at is None and mail.outbox == []

    assert incidents_notify_pending() == 0  # too early: its own task may still come
    later = timezone.now() + dt.timedelta(minutes=3)
    assert incidents_notify_pending(now=later) == 1
    assert [m.to for m in mail.outbox] == [[district.email]]
    assert incidents_notify_pending(now=later) == 0
    assert len(mail.outbox) == 1


def test_the_task_and_the_sweep_together_send_one_email(tree, client, django_capture_on_commit_callbacks):
    staff(tree["d1"], username="lan", email="lan@huyen.gov.vn")
    client.force_login(officer(tree["a"], username="canbo"))
    with django_capture_on_commit_callbacks(execute=False):
        _record(client, tree["a"])
    incident = Incident.objects.get()
    assert incident_notify_district(incident_id=incident.pk) == 1
    assert incident_notify_district(incident_id=incident.pk) == 0
    assert incidents_notify_pending(now=timezone.now() + dt.timedelta(hours=1)) == 0
    assert len(mail.outbox) == 1
    incident.refresh_from_db()
    assert incident.notified_at is not None
