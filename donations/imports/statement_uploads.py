"""Statement files kept between their upload and the page where staff say how to read them.

A statement whose layout no bank's layout names is kept so that staff need not upload it again
after mapping its columns. It is private: under `VAR_DIR` (never `MEDIA_ROOT`, which the web server
may serve), named by a random token that only the uploader's session holds. It is deleted once the
statement is imported, and after a day whatever happens: a file older than that is not read, and
each new file kept clears the older ones.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import time
from pathlib import Path

from django.conf import settings

#: How long a kept file waits for its mapping.
KEEP_FOR = dt.timedelta(days=1)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}\Z")


def uploads_folder() -> Path:
    return Path(settings.VAR_DIR) / "private" / "statement-uploads"


def upload_keep(uploaded) -> str:
    """Keep an uploaded file (an UploadedFile or bytes); the token that finds it again."""
    uploads_purge()
    folder = uploads_folder()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    token = secrets.token_urlsafe(24)
    descriptor = os.open(folder / token, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        if isinstance(uploaded, bytes | bytearray):
            out.write(uploaded)
        else:
            for chunk in uploaded.chunks():  # from the start, whatever was read of it already
                out.write(chunk)
    return token


def upload_read(token: str) -> bytes | None:
    """The kept file's content; None for a token that is malformed, unknown, used or a day old."""
    path = _path(token)
    if path is None:
        return None
    try:
        if time.time() - path.stat().st_mtime > KEEP_FOR.total_seconds():
            path.unlink(missing_ok=True)
            return None
        return path.read_bytes()
    except FileNotFoundError:
        return None


def upload_delete(token: str) -> None:
    if (path := _path(token)) is not None:
        path.unlink(missing_ok=True)


def uploads_purge() -> int:
    """Delete the files kept for more than a day; how many."""
    folder = uploads_folder()
    if not folder.is_dir():
        return 0
    oldest = time.time() - KEEP_FOR.total_seconds()
    deleted = 0
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < oldest:
                path.unlink()
                deleted += 1
        except FileNotFoundError:  # deleted meanwhile by another request
            continue
    return deleted


def _path(token) -> Path | None:
    if not isinstance(token, str) or not _TOKEN.match(token):
        return None
    return uploads_folder() / token
