import logging

from celery import shared_task
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task
def heartbeat_task() -> str:
    """A periodic sign of life: beat schedules it, a worker runs it, the log shows it."""
    now = timezone.localtime().isoformat(timespec="seconds")
    logger.info("Celery heartbeat: worker and beat are running (%s)", now)
    return now
