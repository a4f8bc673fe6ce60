"""Celery tasks of the reports: thin, by ids, retried on failure; the rules are in reports.services."""

import datetime as dt
import logging

from celery import shared_task

from .services.reports import report_build_and_notify, reports_calendar_run

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def reports_calendar_task(today: str | None = None) -> dict:
    """Daily (beat): build the drafts due soon, mark what is missing at the due date. Idempotent."""
    result = reports_calendar_run(today=dt.date.fromisoformat(today) if today else None)
    return {"built": len(result["built"]), "marked_missing": result["marked_missing"]}


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def report_build_task(*, kind_id: int, unit_id: int, year: int) -> int:
    """Build one unit's draft (figures, then PDF) and email its officers once."""
    sent = report_build_and_notify(kind_id=kind_id, unit_id=unit_id, year=year)
    logger.info("Report %s/%s/%s built; %s officers emailed", kind_id, unit_id, year, sent)
    return sent
