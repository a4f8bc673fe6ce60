import logging

from celery import shared_task

from .services import children_age_out

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def children_age_out_task() -> int:
    """Daily: children who turned 16 leave the active list (idempotent: a second run changes nothing)."""
    moved = children_age_out()
    logger.info("Children aged out today: %s", moved)
    return moved
