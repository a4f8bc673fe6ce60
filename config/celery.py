"""The portal's Celery app. Broker and schedule come from Django settings (namespace CELERY)."""

import logging
import os

from celery import Celery
from celery.signals import worker_init, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("fund_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def import_weasyprint(**_kwargs) -> None:
    """The worker's main process imports WeasyPrint (about 1 s) once: its pool processes fork with it."""
    import weasyprint  # noqa: F401


@worker_process_init.connect
def warm_up_pdf(**_kwargs) -> None:
    """Each worker process gets WeasyPrint ready before its first report (see `fund_portal.pdf.warm_up`):
    its fonts and one page, a few tenths of a second once the import is done. Celery gives a pool process
    `CELERY_WORKER_PROC_ALIVE_TIMEOUT` to start. A failure is logged, not raised: the worker still
    starts, and the task that renders a PDF reports it."""
    from fund_portal.pdf import warm_up
    from fund_portal.startup import freeze_loaded

    try:
        seconds = warm_up()
    except Exception:
        logging.getLogger(__name__).exception("PDF warm-up failed")
    else:
        logging.getLogger(__name__).info("PDF warm-up: %.2f s", seconds)
    # What the process holds now lives as long as it: out of the collector's reach, a report's build
    # pays no full collection walking it (a tenth of a commune report's time over a deadline's builds).
    freeze_loaded()
