"""A large priority recompute runs in batches of a few thousand children, each its own short
transaction, on the long-jobs queue: receipts and urgent-incident mail never wait behind it."""

import datetime as dt
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from children.models import Child, PriorityWeight
from children.priority import priority_batch_read, priority_batches
from children.services.registry import child_register
from children.tasks import priority_recompute_batch_task, priority_recompute_task
from config.celery import app
from tests.factories import officer

pytestmark = pytest.mark.django_db


def register(commune, name) -> Child:
    return child_register(
        by=officer(commune),
        full_name=name,
        birth_date=dt.date(2018, 3, 1),
        sex="male",
        ethnicity="01",
        commune=commune,
        poverty="poor",
        confirm_not_duplicate=True,
    )


def test_batches_hold_whole_communes_up_to_the_size_and_a_large_commune_alone(tree):
    for index in range(3):
        register(tree["a"], f"Lê Văn An {index}")
    register(tree["b"], "Hà Văn Tú")
    register(tree["c"], "Lò Văn Páo")
    a, b, c = tree["a"].pk, tree["b"].pk, tree["c"].pk
    assert priority_batches(communes=None, size=2) == [([a], 3), ([b, c], 2)]
    assert priority_batches(communes=None, size=5) == [([a, b, c], 5)]
    assert priority_batches(communes=[b, c], size=1) == [([b], 1), ([c], 1)]
    assert priority_batches(communes=[tree["d2"].pk], size=10) == []  # no children there


def test_long_jobs_go_to_their_own_queue_and_a_worker_without_q_serves_both():
    route = app.amqp.router.route
    for name in (
        "children.tasks.priority_recompute_task",
        "children.tasks.priority_recompute_units_task",
        "children.tasks.priority_recompute_batch_task",
        "reports.tasks.report_build_task",
    ):
        assert route({}, name)["queue"].name == "long", name
    for name in ("donations.tasks.receipt_email_task", "children.tasks_incidents.incident_notify_task"):
        assert route({}, name)["queue"].name == "celery", name
    assert set(app.amqp.queues) == {"celery", "long"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker_test
def test_a_recompute_of_several_batches_is_done_by_the_worker_a_batch_per_task(
    celery_app, celery_worker, tree, settings
):
    children = [register(tree[key], f"Lê Văn {key}") for key in ("a", "b", "c")]
    PriorityWeight.objects.filter(fund__isnull=True, factor="poverty:poor").update(weight=33)
    settings.PRIORITY_RECOMPUTE_BATCH = 1
    assert priority_recompute_task() == 3  # three batches handed to the worker: the children scheduled
    give_up = time.monotonic() + 30
    while time.monotonic() < give_up:
        if set(Child.objects.filter(pk__in=[c.pk for c in children]).values_list("priority", flat=True)) == {
            33
        }:
            break
        time.sleep(0.2)
    assert list(Child.objects.filter(pk__in=[c.pk for c in children]).values_list("priority", flat=True)) == [
        33,
        33,
        33,
    ]


def test_a_batch_read_computes_the_scores_and_writes_nothing_then_the_task_writes_them(tree):
    child = register(tree["a"], "Lê Văn Bình")
    other = register(tree["b"], "Hà Văn Tú")
    before = child.priority
    PriorityWeight.objects.filter(fund__isnull=True, factor="poverty:poor").update(weight=41)
    with CaptureQueriesContext(connection) as queries:
        priority_batch_read(commune_ids=[tree["a"].pk])
    assert [q["sql"].split()[0] for q in queries if "SUM(s.score)" in q["sql"]] == ["SELECT"]
    assert not [q for q in queries if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))]
    assert Child.objects.get(pk=child.pk).priority == before != 41
    assert priority_recompute_batch_task(commune_ids=[tree["a"].pk]) == 1  # read, then written
    assert Child.objects.get(pk=child.pk).priority == 41
    assert Child.objects.get(pk=other.pk).priority == before  # another commune's child waits its batch
