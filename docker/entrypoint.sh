#!/bin/sh
# Entrypoint of the fund portal image: prepares the writable folders, then runs the command.
# Before the web server (gunicorn) starts, it collects the static files into STATIC_ROOT, so the
# files served always belong to the code of this very image; the worker and beat skip that step.
set -eu

mkdir -p "${VAR_DIR:-/app/var}" "${MEDIA_ROOT:-/app/var/media}"

if [ "${1:-}" = "gunicorn" ]; then
    python manage.py collectstatic --noinput --verbosity 0
fi

exec "$@"
