"""gunicorn's settings for the web server (read from the working directory, as the image runs it).

Each worker process gets WeasyPrint ready before its first request, as each Celery worker process
does: a PDF built in a web request (a receipt, a report before its task has built it) then costs
what every later one does, instead of about 1 s more in each new worker.
"""


def post_worker_init(worker) -> None:
    from config.celery import warm_up_pdf

    warm_up_pdf()
