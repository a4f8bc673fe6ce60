import logging

from celery import shared_task

from .priority import priority_recompute
from .services import children_age_out
from .tasks_incidents import incident_notify_task, incidents_notify_pending_task  # noqa: F401  (autodiscovery reads tasks.py only)

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
