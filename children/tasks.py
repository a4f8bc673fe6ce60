"""The Celery tasks of the children registry: ageing out, the priority recomputed, and the district's
email about an urgent incident (with the beat's sweep for emails whose task was lost).

The incident tasks keep their first registered names (`children.tasks_incidents.*`, from the module
they lived in), so messages already queued and the beat schedule still find them. They import their
service inside the function: `children.services.incidents` enqueues `incident_notify_task`.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Q

from donations.models import Fund
from donations.selectors.funds import fund_governed_communes
from fund_portal.models import AdministrativeUnit, UnitLevel

from .models import PriorityWeight
from .priority import priority_batch_read, priority_batches, priority_recompute
from .services.registry import children_age_out

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def children_age_out_task() -> int:
    """Daily: children who turned 16 leave the active list (idempotent: a second run changes nothing)."""
    moved = children_age_out()
    logger.info("Children aged out today: %s", moved)
    return moved


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def priority_recompute_task(*, fund_id: int | None = None) -> int:
    """After a weight of the priority formula changed: the score and priority again of the children the
    fund governs; without a fund (the default set), of every child. In batches (`_recompute_communes`)."""
    if fund_id is None:
        communes = None
    else:
        fund = Fund.objects.filter(pk=fund_id).select_related("unit").first()
        communes = fund_governed_communes(fund=fund) if fund is not None else []
    changed = _recompute_communes(communes)
    logger.info("Priority recomputed for %s children (fund %s)", changed, fund_id or "all")
    return changed


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def priority_recompute_units_task(*, unit_ids: list[int]) -> int:
    """After units' flags or places changed: the children of every commune at or under them."""
    paths = AdministrativeUnit.objects.filter(pk__in=unit_ids).values_list("path", flat=True)
    under = Q(pk__in=[])
    for path in paths:
        under |= Q(path__startswith=path)
    communes = AdministrativeUnit.objects.filter(under, level=UnitLevel.COMMUNE).order_by("pk")
    changed = _recompute_communes(list(communes.values_list("pk", flat=True)))
    logger.info("Priority recomputed for %s children under units %s", changed, unit_ids)
    return changed


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def priority_recompute_batch_task(*, commune_ids: list[int]) -> int:
    """One batch of a large recompute: the children of a few communes, read first outside any
    transaction (`priority_batch_read`), then recomputed in one short transaction."""
    priority_batch_read(commune_ids=commune_ids)
    return priority_recompute(commune_ids=commune_ids)


def priority_recompute_units(*, unit_ids: list[int]) -> None:
    """The core's hook (`UNIT_CHANGED_HOOKS`), called after the commit: the recompute in a task."""
    priority_recompute_units_task.delay(unit_ids=list(unit_ids))


def priority_funds_changed() -> None:
    """A fund was added, moved or (de)activated: the fund that governs some communes changed, and with
    it the weights that count there when funds have weights of their own. Every child is recomputed in
    a task, after the commit (a fund is added rarely; which communes changed hands is not worth
    working out)."""
    if PriorityWeight.objects.filter(fund__isnull=False).exists():
        transaction.on_commit(priority_recompute_task.delay, robust=True)


def _recompute_communes(communes: list[int] | None) -> int:
    """Recompute the children of these communes (None: of every commune) a batch at a time, each batch
    a transaction of its own that holds at most `PRIORITY_RECOMPUTE_BATCH` children (a commune larger
    than that is a batch alone), so officers' edits never wait long behind it.

    One batch is recomputed here and its count returned. More are each handed to a task of their own
    on the long-jobs queue (`priority_recompute_batch_task`): no task runs longer than the broker lets a
    task run before giving it to another worker, and the pool works through them side by side. The
    count returned is then the number of children scheduled."""
    batches = priority_batches(communes=communes, size=settings.PRIORITY_RECOMPUTE_BATCH)
    if len(batches) <= 1:
        return sum(priority_recompute(commune_ids=batch.communes) for batch in batches)
    for batch in batches:
        priority_recompute_batch_task.delay(commune_ids=batch.communes)
    return sum(batch.children for batch in batches)


@shared_task(
    name="children.tasks_incidents.incident_notify_task",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def incident_notify_task(*, incident_id: int) -> int:
    """Email the fund staff whose scope holds an urgent incident's commune (no details of the case)."""
    from .services.incidents import incident_notify_district

    sent = incident_notify_district(incident_id=incident_id)
    logger.info("Urgent incident %s: %s staff emailed", incident_id, sent)
    return sent


@shared_task(name="children.tasks_incidents.incidents_notify_pending_task")
def incidents_notify_pending_task() -> int:
    """The beat's sweep: email the urgent incidents whose own task never ran (the broker was down)."""
    from .services.incidents import incidents_notify_pending

    sent = incidents_notify_pending()
    if sent:
        logger.warning("Urgent incidents notified by the sweep, their task lost: %s", sent)
    return sent
