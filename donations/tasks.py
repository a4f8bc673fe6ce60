"""The Celery tasks of donations: the receipt emailed to a donor once their transfer is posted."""

from celery import shared_task


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def receipt_email_task(*, donation_id: int) -> None:
    """Email the donor their receipt (`donations.services.receipts`)."""
    from .services.receipts import donation_receipt_email

    donation_receipt_email(donation_id=donation_id)
