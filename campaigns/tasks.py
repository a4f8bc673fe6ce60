import logging

from celery import shared_task

from .services.campaign_templates import campaigns_due

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def campaigns_from_templates_task() -> int:
    """Daily: make the recurring campaigns (this year's and next year's) that start within the lead
    time; idempotent, a template makes one campaign a year however often this runs."""
    made = campaigns_due()
    logger.info("Recurring campaigns made: %s", ", ".join(c.slug for c in made) or "none")
    return len(made)
