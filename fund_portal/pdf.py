"""PDF documents rendered from Django templates with WeasyPrint.

Everything a PDF needs comes from this repository, so a document is laid out the same on every
machine: the serif family shipped in ``static/fonts/`` (Liberation Serif 2.x, metric-compatible
with Times New Roman and complete for Vietnamese) is loaded through ``@font-face`` with absolute
``file://`` URLs, and the fetcher refuses anything but files inside the project's static folders
and ``data:`` URIs, so rendering never touches the network.

WeasyPrint takes about a second to import, so it is imported on first use only: importing this
module (or the ``pdf_tags`` template library) stays cheap.

    from fund_portal.pdf import pdf_response, render_pdf

    pdf = render_pdf(template_name="reports/pdf/decision.html", context={...}, request=request)
    return pdf_response(pdf, "Quyết định hỗ trợ.pdf")

Official documents extend ``pdf/official_base.html`` (Decree 30/2020/NĐ-CP layout).
"""

from __future__ import annotations

import atexit
import datetime
import functools
import logging
import mimetypes
import os
import re
import threading
import time
import unicodedata
import weakref
from pathlib import Path
from shutil import rmtree
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urljoin, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.http import HttpRequest

logger = logging.getLogger(__name__)

#: The shipped fonts. The family gets a name of its own, not "Liberation Serif": an @font-face
#: that failed to load must not be hidden by a system copy that happens to be installed.
FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
FONT_FAMILY = "Fund Portal Serif"
FONT_FILES = {
    ("normal", "normal"): "LiberationSerif-Regular.ttf",
    ("bold", "normal"): "LiberationSerif-Bold.ttf",
    ("normal", "italic"): "LiberationSerif-Italic.ttf",
    ("bold", "italic"): "LiberationSerif-BoldItalic.ttf",
}
#: The project's own static folder, the base URL for relative URLs in PDF templates.
STATIC_DIR = FONT_DIR.parent


class URLRefused(ValueError):
    """A PDF template asked for a resource outside the project (never fetched)."""


# --- Vietnamese text helpers -------------------------------------------------------------------


def vietnamese_long_date(value: datetime.date | datetime.datetime | None) -> str:
    """Decree 30/2020/NĐ-CP's long date: ``ngày 05 tháng 02 năm 2026``, ``ngày 20 tháng 5 năm 2026``.

    Days 1-9 and the months January and February take a leading zero, the other months do not.
    An aware datetime is taken in the current time zone. ``None`` gives the blank form filled in
    by hand at signing: ``ngày … tháng … năm …``.
    """
    if value is None or value == "":
        return "ngày … tháng … năm …"
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year}"


def recipient_lines(recipients: Iterable[str] | None) -> list[str]:
    """The "Nơi nhận" list as the decree punctuates it: ``- A;`` on each line, ``- Lưu: VT.`` last."""
    items = [str(r).strip().lstrip("-–• ").rstrip(" ;.,") for r in recipients or ()]
    items = [item for item in items if item]
    return [f"- {item}{'.' if i == len(items) - 1 else ';'}" for i, item in enumerate(items)]


#: The words that begin an administrative unit's name, longest first.
UNIT_WORDS = ("thành phố", "thị trấn", "thị xã", "đặc khu", "phường", "huyện", "quận", "tỉnh", "xã")


def place_name(name: str) -> str:
    """ "Xã Dân Lý" -> "Dân Lý": the place in "Dân Lý, ngày … tháng … năm …"."""
    for word in UNIT_WORDS:
        if name.lower().startswith(word + " "):
            return name[len(word) + 1 :]
    return name


#: The longest name printed on one line in the header's left column (13 pt capitals).
ISSUER_LINE_CHARS = 22


def issuer_lines(name: str) -> list[str]:
    """An issuing body's name in the lines it is printed on, each kept whole: the body, then the unit
    it belongs to ("Ủy ban nhân dân xã Dân Lý" -> ["Ủy ban nhân dân", "xã Dân Lý"]), so that a narrow
    header never breaks "…XÃ DÂN / LÝ". A short name ("UBND huyện Triệu Sơn") stays on one line."""
    if len(name) <= ISSUER_LINE_CHARS:
        return [name]
    lowered = f" {name.lower()} "
    for word in UNIT_WORDS:
        at = lowered.find(f" {word} ", 1)
        if at > 0:
            return [name[: at - 1].strip(), name[at - 1 :].strip()]
    return [name]


def person_name(user) -> str:
    """A user's name as a paper prints it, family name first ("Lê Thị Lan"); the login without a name."""
    if user is None:
        return ""
    return f"{user.last_name} {user.first_name}".strip() or user.username


def committee_signature(unit, *, title: str = "", name: str = "") -> dict[str, str]:
    """How the People's Committee of `unit` signs (Decree 30/2020/NĐ-CP): "TM. Ủy ban nhân dân",
    then "Chủ tịch", or "KT. Chủ tịch" and "Phó Chủ tịch" for a deputy; and the signer's name. The
    signer is the unit's, unless `title` and `name` say another (a paper's own addressing)."""
    title = (title or unit.signer_title or "Chủ tịch").strip()
    deputy = title.lower() != "chủ tịch"
    return {
        "signer_authority": "TM. Ủy ban nhân dân",
        "signer_title": f"KT. Chủ tịch\n{title}" if deputy else title,
        "signer_name": name or unit.signer_name,
    }


@functools.cache
def _advance_widths(bold: bool) -> tuple[dict[int, int], int, int]:
    """The shipped serif's advance width of each character (font units), the widest, and units per em."""
    from fontTools.ttLib import TTFont

    with TTFont(FONT_DIR / FONT_FILES[("bold" if bold else "normal", "normal")], lazy=True) as font:
        metrics = font["hmtx"]
        widths = {code: metrics[glyph][0] for code, glyph in font.getBestCmap().items()}
        return widths, max(widths.values()), font["head"].unitsPerEm


def text_width_pt(text: str, size_pt: float, *, bold: bool = False) -> float:
    """How wide `text` prints on one line in the shipped serif at `size_pt` (no kerning: the font has
    none for these letters); a character the font lacks counts as its widest."""
    widths, widest, units = _advance_widths(bold)
    return sum(widths.get(ord(char), widest) for char in unicodedata.normalize("NFC", text)) * size_pt / units


# --- Fetching: project files and data: URIs only -----------------------------------------------


def _allowed_roots() -> list[Path]:
    roots = [STATIC_DIR]
    for entry in getattr(settings, "STATICFILES_DIRS", ()):
        roots.append(Path(entry[1] if isinstance(entry, list | tuple) else entry))
    if getattr(settings, "STATIC_ROOT", None):
        roots.append(Path(settings.STATIC_ROOT))
    return [root.resolve() for root in roots]


def _static_url_prefixes() -> list[str]:
    """What a ``{% static %}`` URL looks like once resolved against the file:// base URL."""
    static_url = settings.STATIC_URL or ""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", static_url):
        return [static_url]
    return ["file://" + quote("/" + static_url.lstrip("/"))]


def resolve_local_url(url: str) -> Path:
    """The project file a ``file://`` URL (or a ``{% static %}`` URL) names; raises URLRefused.

    Allowed: files inside the project's static folders (STATICFILES_DIRS, STATIC_ROOT, the shipped
    fonts) and whatever the staticfiles finders find for a URL under STATIC_URL.
    """
    for prefix in _static_url_prefixes():
        if url.startswith(prefix):
            relative = unquote(urlsplit(url[len(prefix) :]).path)
            try:
                found = finders.find(relative) if relative else None
            except SuspiciousFileOperation:
                found = None
            if found:
                return Path(found).resolve()
            if relative and getattr(settings, "STATIC_ROOT", None):  # e.g. a hashed name from the manifest
                static_root = Path(settings.STATIC_ROOT).resolve()
                collected = (static_root / relative).resolve()
                if collected.is_relative_to(static_root) and collected.is_file():
                    return collected
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        raise URLRefused(f"not a local file URL: {url}")
    path = Path(url2pathname(parts.path)).resolve()
    if not any(path.is_relative_to(root) for root in _allowed_roots()):
        raise URLRefused(f"outside the project's static folders: {url}")
    if not path.is_file():
        raise URLRefused(f"no such file: {url}")
    return path


@functools.cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnlyURLFetcher(URLFetcher):
        """Serves project files and data: URIs; refuses http(s), ftp and everything else."""

        def __init__(self):
            super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, timeout=1)

        def fetch(self, url, headers=None):
            if url[:5].lower() == "data:":
                return super().fetch(url, headers)  # decoded in memory by urllib's DataHandler
            try:
                path = resolve_local_url(url)
            except URLRefused as refused:
                logger.warning("PDF rendering: refused to fetch %s", refused)
                raise
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})

    return LocalOnlyURLFetcher


def url_fetcher():
    """A WeasyPrint URL fetcher that never goes to the network."""
    return _fetcher_class()()


def font_face_css() -> str:
    """@font-face rules for the shipped serif family, with absolute file:// URLs."""
    rules = [
        f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; font-style: {style}; '
        f'src: url("{(FONT_DIR / filename).as_uri()}") format("truetype"); }}'
        for (weight, style), filename in FONT_FILES.items()
    ]
    # A "user" stylesheet: any template's own rules win over these defaults.
    rules.append(f'html, pre, code, kbd, samp {{ font-family: "{FONT_FAMILY}", serif; }}')
    return "\n".join(rules)


# --- Rendering ---------------------------------------------------------------------------------

_local = threading.local()
_font_configs: weakref.WeakSet = weakref.WeakSet()


@atexit.register
def _remove_font_folders() -> None:
    """Remove the cached configurations' temporary font copies while the interpreter still can.

    Otherwise FontConfiguration.__del__ runs during interpreter shutdown, after ``shutil.rmtree``
    is gone, and prints "Exception ignored in ... TypeError" when every process exits.
    """
    for font_config in list(_font_configs):
        folder, font_config._folder = getattr(font_config, "_folder", None), None
        if folder:
            rmtree(folder, ignore_errors=True)


def _forget_after_fork() -> None:
    """A forked child (gunicorn --preload, Celery prefork) builds its own fonts.

    The parent's temporary font copies stay the parent's: the child neither uses nor removes them.
    """
    for font_config in list(_font_configs):
        font_config._folder = None
    _font_configs.clear()
    _local.resources = None
    _parsed_stylesheet.cache_clear()  # the parent's, parsed for the parent's fonts


os.register_at_fork(after_in_child=_forget_after_fork)


def _resources():
    """(FontConfiguration, base CSS, fetcher), built once per thread.

    The same FontConfiguration must go to CSS() and write_pdf() or @font-face fonts are silently
    replaced by DejaVu. Keeping it saves the font setup on every later document (measured: a
    one-page document in 43 ms instead of 112 ms). Per thread, because Pango and Fontconfig
    objects are not safe to share between threads.
    """
    resources = getattr(_local, "resources", None)
    if resources is None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        # Under the root logger's INFO these print ~70 lines per PDF (layout steps, and the glyph
        # lists of fontTools' subsetter when HarfBuzz-Subset is missing). Unless LOGGING names them.
        for name in ("weasyprint.progress", "fontTools"):
            if logging.getLogger(name).level == logging.NOTSET:
                logging.getLogger(name).setLevel(logging.WARNING)

        font_config = FontConfiguration()
        _font_configs.add(font_config)
        fetcher = url_fetcher()
        base_css = CSS(string=font_face_css(), font_config=font_config, url_fetcher=fetcher)
        resources = _local.resources = (font_config, base_css, fetcher)
    return resources


#: How many parsed stylesheets are kept (the official one, and each template's own <style>).
STYLESHEETS_KEPT = 64
#: The type a document's <link>/<style> is given once its stylesheet is handed to WeasyPrint parsed:
#: WeasyPrint's own search reads only text/css.
_TAKEN_TYPE = "text/x-fund-portal-parsed"


@functools.lru_cache(maxsize=STYLESHEETS_KEPT)
def _parsed_stylesheet(text: str, base_url: str, font_config, fetcher):
    """A stylesheet's text parsed for one thread's fonts and fetcher (`_resources`), kept by all four:
    a thread's sheets are its own, and a changed text is parsed again."""
    from weasyprint import CSS

    return CSS(string=text, base_url=base_url, url_fetcher=fetcher, font_config=font_config)


def _document_stylesheets(document, font_config, fetcher) -> list:
    """The document's own stylesheets in its ``<head>`` (``<link rel="stylesheet">`` to a project file,
    ``<style>``), in document order, parsed once and kept (`_parsed_stylesheet`); their elements are
    then skipped by WeasyPrint's own search, which would parse them again for every document (a
    commune report: 20 ms of CSS). One elsewhere (in the body) is left to WeasyPrint, and wins over
    these.

    The rules keep their cascade: all of them, the fonts' defaults included, are given in the order
    the document had them, so they win over each other and over the browser's defaults as before. A
    ``<link>`` or ``<style>`` with a ``media`` or a ``type`` of its own is left to WeasyPrint."""
    from weasyprint.css import get_child_text

    base_url = STATIC_DIR.as_uri() + "/"
    sheets = []
    head = document.etree_element.find("head")
    for element in list(head) if head is not None else ():
        if element.get("media") or element.get("type", "text/css").strip().lower() != "text/css":
            continue
        if element.tag == "style":
            text, sheet_url = get_child_text(element), base_url
        elif element.tag == "link" and (element.get("rel") or "").lower().split() == ["stylesheet"]:
            try:
                path = resolve_local_url(urljoin(base_url, element.get("href") or ""))
            except URLRefused:
                continue  # WeasyPrint's own search refuses it through the fetcher, and logs it
            text, sheet_url = path.read_text(encoding="utf-8"), path.as_uri()
        else:
            continue
        element.set("type", _TAKEN_TYPE)
        sheets.append(_parsed_stylesheet(text, sheet_url, font_config, fetcher))
    return sheets


def html_to_pdf(html: str) -> bytes:
    """A PDF of an HTML string; relative URLs resolve against the project's static folder."""
    from weasyprint import HTML

    font_config, base_css, fetcher = _resources()
    document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=fetcher)
    stylesheets = [base_css, *_document_stylesheets(document, font_config, fetcher)]
    return document.write_pdf(stylesheets=stylesheets, font_config=font_config)


#: A page set with the official stylesheet and the shipped fonts, bold and italic included.
WARM_UP_HTML = (
    '<html><head><link rel="stylesheet" href="css/pdf-official.css"></head><body>'
    '<h1>Quỹ Bảo trợ trẻ em</h1><table><tr><th>Nguồn</th><td class="num">1.250.000</td></tr></table>'
    "<p><b>Đồng</b> <i>ý</i></p></body></html>"
)


def warm_up() -> float:
    """Import WeasyPrint, build this thread's fonts and stylesheet, and lay out one small page, so the
    next document costs what every later one does: the first of a process otherwise takes about 1 s
    more. Celery's worker processes call it as they start (`config.celery`). Returns the seconds
    it took."""
    started = time.perf_counter()
    html_to_pdf(WARM_UP_HTML)
    return time.perf_counter() - started


def render_pdf(*, template_name: str, context: dict[str, Any], request: HttpRequest | None = None) -> bytes:
    """Render a Django template to PDF bytes (A4 and the rest come from the template's CSS)."""
    html = render_to_string(template_name, context, request=request)
    return html_to_pdf(html)


# --- HTTP -------------------------------------------------------------------------------------

_UNSAFE_FILENAME = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]+')


def ascii_filename(filename: str) -> str:
    """``Báo cáo quỹ Đông Sơn.pdf`` -> ``Bao cao quy Dong Son.pdf``: safe in any header or file system."""
    text = filename.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^A-Za-z0-9._() -]+", "_", text)
    return re.sub(r"\s+", " ", text).strip(" ._") or "document"


def pdf_response(pdf_bytes: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    """An HttpResponse for a PDF: ``attachment`` (download) or ``inline`` (shown in the browser).

    Content-Disposition carries an ASCII ``filename`` for old clients and the Vietnamese name as
    RFC 5987 ``filename*=UTF-8''…``; path separators, quotes and control characters are dropped.
    """
    name = unicodedata.normalize("NFC", _UNSAFE_FILENAME.sub(" ", filename))
    name = re.sub(r"\s+", " ", name).strip(" .") or "document"
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    fallback = ascii_filename(name[:-4]) + ".pdf"
    disposition = "inline" if inline else "attachment"
    response = HttpResponse(pdf_bytes, content_type="application/pdf")
    response["Content-Disposition"] = (
        f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    response["Content-Length"] = str(len(pdf_bytes))
    response["X-Content-Type-Options"] = "nosniff"
    return response
