"""The Celery task of incidents: the district's email about an urgent incident.

Registered with Celery when `children.services.incidents` is imported (the admin imports it at start-up in
every process, the worker included) and by `children.tasks`, which autodiscovery reads.
"""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def incident_notify_task(*, incident_id: int) -> int:
    """Email the fund staff whose scope holds an urgent incident's commune (no details of the case)."""
    from .services.incidents import incident_notify_district  # the service module enqueues this task

    sent = incident_notify_district(incident_id=incident_id)
    logger.info("Urgent incident %s: %s staff emailed", incident_id, sent)
    return sent


@shared_task
def incidents_notify_pending_task() -> int:
    """The beat's sweep: email the urgent incidents whose own task never ran (the broker was down)."""
    from .services.incidents import incidents_notify_pending

    sent = incidents_notify_pending()
    if sent:
        logger.warning("Urgent incidents notified by the sweep, their task lost: %s", sent)
    return sent
