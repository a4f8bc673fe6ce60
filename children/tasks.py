"""The Celery tasks of the children registry: ageing out, the priority recomputed, and the district's
email about an urgent incident (with the beat's sweep for emails whose task was lost).

The incident tasks keep their first registered names (`children.tasks_incidents.*`, from the module
they lived in), so messages already queued and the beat schedule still find them. They import their
service inside the function: `children.services.incidents` enqueues `incident_notify_task`.
"""

import logging

from celery import shared_task

from .priority import priority_recompute
from .services.registry import children_age_out

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def children_age_out_task() -> int:
    """Daily: children who turned 16 leave the active list (idempotent: a second run changes nothing)."""
    moved = children_age_out()
    logger.info("Children aged out today: %s", moved)
    return moved


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def priority_recompute_task() -> int:
    """After a weight of the priority formula changed: every child's score and priority again."""
    changed = priority_recompute()
    logger.info("Priority recomputed for %s children", changed)
    return changed


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
