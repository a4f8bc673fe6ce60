"""PDF documents: real PDFs rendered by WeasyPrint and read back with pypdf.

Checks what a person would see in the fund's official documents (Decree 30/2020/NĐ-CP layout):
Vietnamese text intact, A4, header and page numbers, table headers repeated on every page, only the
shipped Liberation Serif embedded (never a silent DejaVu fallback), and no network access.
"""

import datetime as dt
import io
import socket
import subprocess
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import unquote

import pypdf
import pytest
from django.conf import settings
from django.test import override_settings
from django.utils.safestring import mark_safe
from fontTools.ttLib import TTFont

from fund_portal import pdf

TRICKY = "Nguyễn Thị Ánh Tuyết, Đặng Quốc Hưng, ợ ự ỷ ỹ ộ"
ROWS = 120
A4 = (595.28, 841.89)  # points

CHILD_TEMPLATE = """{% extends "pdf/official_base.html" %}
{% block body %}
<p>Căn cứ Luật Trẻ em năm 2016. Danh sách: @TRICKY@.</p>
<table>
  <thead><tr><th>STT</th><th>Họ và tên trẻ</th><th>Địa chỉ</th><th>Số tiền (đồng)</th></tr></thead>
  <tbody>
  {% for row in rows %}
    <tr><td class="center">{{ row.0 }}</td><td>{{ row.1 }}</td><td>Xã Đồng Tiến</td>
    <td class="num">{{ row.2 }}</td></tr>
  {% endfor %}
  </tbody>
</table>
{% endblock %}
""".replace("@TRICKY@", TRICKY)

BASE_CONTEXT = {
    "issuer_parent": "UBND HUYỆN TRIỆU SƠN",
    "issuer_name": "QUỸ BẢO TRỢ TRẺ EM",
    "doc_number": "12/QĐ-QBTTE",
    "place": "Triệu Sơn",
    "doc_date": dt.date(2026, 5, 20),
    "title": "QUYẾT ĐỊNH",
    "subtitle": "Về việc hỗ trợ trẻ em có hoàn cảnh đặc biệt khó khăn",
    "recipients": ["Như Điều 3", "UBND huyện (b/c);", "Lưu: VT, KT."],
    "signer_authority": "TM. HỘI ĐỒNG QUẢN LÝ QUỸ",
    "signer_title": "GIÁM ĐỐC",
    "signer_name": "Đặng Quốc Hưng",
}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def flat(text: str) -> str:
    """NFC, with line breaks (where a paragraph wrapped) and runs of spaces made one space."""
    return " ".join(nfc(text).split())


@pytest.fixture(scope="module")
def no_network():
    """Fails any socket connection or DNS look-up made while rendering, and records it."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access during PDF rendering")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket.socket, "connect_ex", refuse)
        patch.setattr(socket, "create_connection", refuse)
        patch.setattr(socket, "getaddrinfo", refuse)
        yield attempts


@pytest.fixture(scope="module")
def template_dir(tmp_path_factory):
    """A folder of test-only templates, added to the template loader's DIRS."""
    folder = tmp_path_factory.mktemp("pdf_templates")
    engine = settings.TEMPLATES[0]
    with override_settings(TEMPLATES=[{**engine, "DIRS": [*engine["DIRS"], folder]}]):
        yield folder


def render_child(template_dir, name, source, **context):
    (template_dir / name).write_text(source, encoding="utf-8")
    return pdf.render_pdf(template_name=name, context={**BASE_CONTEXT, **context})


@pytest.fixture(scope="module")
def sample(template_dir, no_network):
    amounts = {i: f"{i * 150_000:,}".replace(",", ".") for i in range(1, ROWS + 1)}
    rows = [(i, f"Nguyễn Thị Ánh Tuyết {i}", amount) for i, amount in amounts.items()]
    data = render_child(template_dir, "sample_decision.html", CHILD_TEMPLATE, rows=rows)
    assert not no_network
    return pypdf.PdfReader(io.BytesIO(data))


def page_texts(reader):
    return [nfc(page.extract_text()) for page in reader.pages]


def texts_with_height(page):
    """(text, distance in pt from the top of the page to its baseline) for each text run."""
    runs = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            # Page y of the text origin: the text matrix through the current transformation matrix.
            y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
            runs.append((nfc(text.strip()), float(page.mediabox.height) - y))

    page.extract_text(visitor_text=visit)
    return runs


def embedded_fonts(reader):
    """{PDF font name: PostScript name inside the embedded font file} over every page."""
    fonts = {}

    def collect(resources):
        resources = resources.get_object() if resources else {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor_font = descendants[0].get_object() if descendants else font
            descriptor = descriptor_font["/FontDescriptor"].get_object()
            font_file = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
            inner = None
            if font_file is not None:
                with TTFont(io.BytesIO(font_file.get_object().get_data())) as ttf:
                    inner = ttf["name"].getDebugName(6)
            fonts[str(descriptor["/FontName"])] = inner
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if "/Resources" in xobject:
                collect(xobject["/Resources"])

    for page in reader.pages:
        collect(page.get("/Resources"))
    return fonts


# --- The sample official document -----------------------------------------------------------------


def test_vietnamese_text_and_decree_header_survive(sample):
    text = flat(" ".join(page_texts(sample)))
    for expected in (
        TRICKY,
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND HUYỆN TRIỆU SƠN",
        "QUỸ BẢO TRỢ TRẺ EM",
        "Số: 12/QĐ-QBTTE",
        "Triệu Sơn, ngày 20 tháng 5 năm 2026",
        "QUYẾT ĐỊNH",
        "Về việc hỗ trợ trẻ em có hoàn cảnh đặc biệt khó khăn",
        "Nơi nhận:",
        "- Như Điều 3;",
        "- UBND huyện (b/c);",
        "- Lưu: VT, KT.",
        "TM. HỘI ĐỒNG QUẢN LÝ QUỸ",
        "GIÁM ĐỐC",
        "Đặng Quốc Hưng",
    ):
        assert flat(expected) in text, expected


def test_pages_are_a4_portrait(sample):
    for page in sample.pages:
        assert float(page.mediabox.width) == pytest.approx(A4[0], abs=1)
        assert float(page.mediabox.height) == pytest.approx(A4[1], abs=1)


def test_table_header_repeats_on_every_page_and_rows_stay_whole(sample):
    texts = page_texts(sample)
    assert len(texts) >= 2
    pages_with_rows = [t for t in texts if "Nguyễn Thị Ánh Tuyết 1" in t or "Xã Đồng Tiến" in t]
    assert len(pages_with_rows) >= 2
    for text in pages_with_rows:
        assert "Họ và tên trẻ" in text and "Số tiền (đồng)" in text
    assert "Họ và tên trẻ" in texts[1]
    everything = "\n".join(texts)
    for i in range(1, ROWS + 1):  # each row once, all of it on one line of one page
        assert everything.count(f"Nguyễn Thị Ánh Tuyết {i} Xã Đồng Tiến") == 1, i


def test_page_numbers_at_top_centre_from_page_two(sample):
    top_margin = 20 / 25.4 * 72  # 20 mm
    first = [text for text, depth in texts_with_height(sample.pages[0]) if depth < top_margin]
    assert first == []
    for number, page in enumerate(sample.pages[1:], start=2):
        in_margin = {text for text, depth in texts_with_height(page) if depth < top_margin}
        assert in_margin == {str(number)}


def test_only_the_shipped_liberation_serif_is_embedded(sample):
    fonts = embedded_fonts(sample)
    assert fonts
    family = pdf.FONT_FAMILY.replace(" ", "-")
    for pdf_name, inner_name in fonts.items():
        # The PDF names a font after its @font-face family (behind a subset tag, "ABCDEF+")...
        assert pdf_name.lstrip("/").split("+")[-1].startswith(family), pdf_name
        assert "dejavu" not in pdf_name.lower()
        # ...and the font file embedded is the shipped Liberation Serif.
        assert inner_name and inner_name.startswith("LiberationSerif"), (pdf_name, inner_name)
    assert {name for name in fonts.values()} >= {"LiberationSerif", "LiberationSerif-Bold"}


def test_fonts_shipped_cover_vietnamese():
    for filename in pdf.FONT_FILES.values():
        with TTFont(pdf.FONT_DIR / filename) as font:
            cmap = font.getBestCmap()
            missing = {c for c in nfc(TRICKY + "ĐđƠơƯưẠạỘộỰựỸỹ") if c != " " and ord(c) not in cmap}
            assert not missing, (filename, missing)
    assert (pdf.FONT_DIR / "OFL.txt").is_file()


# --- Fetching -------------------------------------------------------------------------------------

REMOTE_TEMPLATE = """{% extends "pdf/official_base.html" %}
{% block extra_head %}
<link rel="stylesheet" href="https://example.com/evil.css">
<style>
  @import url("http://example.com/imported.css");
  .bg { background: url("//example.com/protocol-relative.png"); height: 5mm; }
</style>
{% endblock %}
{% block body %}
<p>Ảnh ngoài: <img src="http://example.com/x.png" alt="x"> <img src="file:///etc/hostname" alt="h"></p>
<div class="bg"></div>
<p>Ảnh nhúng: <img src="data:image/png;base64,{{ png }}" alt="dot"></p>
{% endblock %}
"""

ONE_PIXEL_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)


def test_remote_and_foreign_urls_are_refused_without_network(template_dir, no_network, caplog):
    caplog.set_level("WARNING", logger="fund_portal.pdf")
    data = render_child(template_dir, "remote.html", REMOTE_TEMPLATE, png=ONE_PIXEL_PNG)
    assert no_network == []
    refused = " ".join(r.getMessage() for r in caplog.records if r.name == "fund_portal.pdf")
    for url in (
        "http://example.com/x.png",
        "https://example.com/evil.css",
        "http://example.com/imported.css",
        "file://example.com/protocol-relative.png",
        "file:///etc/hostname",
    ):
        assert url in refused
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert "Ảnh nhúng" in nfc(reader.pages[0].extract_text())
    images = [img for page in reader.pages for img in page.images]
    assert len(images) == 1  # the data: URI, nothing else


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.png",
        "https://example.com/x.png",
        "ftp://example.com/x.png",
        "file://example.com/x.png",
        "file:///etc/passwd",
        (pdf.STATIC_DIR / ".." / "config" / "settings.py").as_uri(),
        "file:///static/../../etc/passwd",
        "file:///static/%2e%2e/%2e%2e/etc/passwd",
        (pdf.STATIC_DIR / "css" / "no-such-file.css").as_uri(),
    ],
)
def test_fetcher_refuses(url):
    fetcher = pdf.url_fetcher()
    with pytest.raises(pdf.URLRefused):
        fetcher.fetch(url)


def test_fetcher_serves_static_files_and_data_uris():
    fetcher = pdf.url_fetcher()
    response = fetcher.fetch((pdf.FONT_DIR / "LiberationSerif-Regular.ttf").as_uri())
    assert response.read()[:4] == b"\x00\x01\x00\x00"
    # A {% static %} URL, resolved against the file:// base URL, goes through the staticfiles finders.
    response = fetcher.fetch("file://" + settings.STATIC_URL + "css/pdf-official.css")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()
    assert fetcher.fetch("data:text/plain;base64,xJDDoA==").read() == "Đà".encode()


def test_fetcher_finds_hashed_static_names_in_static_root(tmp_path):
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "pdf-official.0123abcd.css").write_text("@page { size: A4 }")
    (tmp_path.parent / "outside.css").write_text("p {}")
    fetcher = pdf.url_fetcher()
    with override_settings(STATIC_ROOT=tmp_path):
        response = fetcher.fetch("file://" + settings.STATIC_URL + "css/pdf-official.0123abcd.css")
        assert response.read() == b"@page { size: A4 }"
        with pytest.raises(pdf.URLRefused):
            fetcher.fetch("file://" + settings.STATIC_URL + "../outside.css")


def test_body_can_come_from_context_without_child_template(no_network):
    data = pdf.render_pdf(
        template_name="pdf/official_base.html",
        context={"body": mark_safe("<p>Nội dung: ơ ư ạ ộ ự.</p>"), "doc_date": None, "recipients": []},
    )
    text = nfc(pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text())
    assert "Nội dung: ơ ư ạ ộ ự." in text
    assert "ngày … tháng … năm …" in text
    assert "Nơi nhận" not in text
    assert "QUỸ BẢO TRỢ TRẺ EM" in text  # issuer_name's default


# --- Helpers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,text",
    [
        (dt.date(2026, 5, 20), "ngày 20 tháng 5 năm 2026"),
        (dt.date(2026, 2, 5), "ngày 05 tháng 02 năm 2026"),
        (dt.date(2026, 1, 9), "ngày 09 tháng 01 năm 2026"),
        (dt.date(2026, 3, 1), "ngày 01 tháng 3 năm 2026"),
        (dt.date(2026, 12, 31), "ngày 31 tháng 12 năm 2026"),
        (dt.date(2026, 10, 10), "ngày 10 tháng 10 năm 2026"),
        # 28 February 20:00 UTC is already 1 March in Viet Nam.
        (dt.datetime(2026, 2, 28, 20, 0, tzinfo=dt.UTC), "ngày 01 tháng 3 năm 2026"),
        (None, "ngày … tháng … năm …"),
    ],
)
def test_vietnamese_long_date(value, text):
    assert pdf.vietnamese_long_date(value) == text


def test_recipient_lines_are_punctuated_as_the_decree_asks():
    assert pdf.recipient_lines(["Như trên", "- UBND huyện;", "Lưu: VT."]) == [
        "- Như trên;",
        "- UBND huyện;",
        "- Lưu: VT.",
    ]
    assert pdf.recipient_lines(None) == []


def test_pdf_response_has_ascii_and_utf8_filenames():
    response = pdf.pdf_response(b"%PDF-1.7 test", "Quyết định hỗ trợ Đặng Quốc Hưng.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == "13"
    assert response.content == b"%PDF-1.7 test"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="Quyet dinh ho tro Dang Quoc Hung.pdf"; ')
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert all(ord(c) < 128 and c not in ' ";' for c in encoded)
    assert unquote(encoded) == nfc("Quyết định hỗ trợ Đặng Quốc Hưng.pdf")


def test_pdf_response_inline_and_hostile_names():
    response = pdf.pdf_response(b"%PDF", 'Báo cáo\r\n"quý 2"/../x', inline=True)
    disposition = response["Content-Disposition"]
    assert disposition.startswith('inline; filename="Bao cao quy 2 .. x.pdf"; ')
    assert "\r" not in disposition and "\n" not in disposition
    assert "/" not in unquote(disposition.split("''")[1])
    blank = pdf.pdf_response(b"", "   ")["Content-Disposition"]
    assert blank.startswith('attachment; filename="document.pdf"; ')


def test_threads_render_side_by_side(no_network):
    """Each thread keeps its own fonts (Pango and Fontconfig objects are not thread-safe)."""
    context = {**BASE_CONTEXT, "body": mark_safe(f"<p>{TRICKY}</p>")}

    def render(_):
        return pdf.render_pdf(template_name="pdf/official_base.html", context=context)

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(render, range(4)))
    for data in results:
        reader = pypdf.PdfReader(io.BytesIO(data))
        assert flat(TRICKY) in flat(reader.pages[0].extract_text())
        assert all(name.startswith("LiberationSerif") for name in embedded_fonts(reader).values())


def test_a_worker_process_is_ready_for_pdfs_once_started(no_network):
    """Celery's worker_process_init runs the warm-up: the thread then holds its fonts and stylesheet, and
    the warm-up page itself is a real PDF set in the shipped fonts."""
    from config.celery import warm_up_pdf

    def in_a_new_thread():
        assert getattr(pdf._local, "resources", None) is None
        warm_up_pdf()
        resources = pdf._local.resources
        reader = pypdf.PdfReader(io.BytesIO(pdf.html_to_pdf(pdf.WARM_UP_HTML)))
        return resources, pdf._local.resources, reader

    with ThreadPoolExecutor(max_workers=1) as pool:
        before, after, reader = pool.submit(in_a_new_thread).result()
    assert before is after  # the document after the warm-up used what it built
    assert "Quỹ Bảo trợ trẻ em" in reader.pages[0].extract_text()
    assert all(name.startswith("LiberationSerif") for name in embedded_fonts(reader).values())


# --- A document's own stylesheets, parsed once ----------------------------------------------------

STYLED_TEMPLATE = """{% extends "pdf/official_base.html" %}
{% block extra_head %}<style>
  .doc-body p { text-indent: 0; }
  p.note { font-size: @SIZE@pt; font-weight: bold; }
  td { padding: 9pt; }
</style>{% endblock %}
{% block body %}<p class="note">Ghi chú đặc biệt</p><p>Đoạn văn thường.</p>
<table><tr><td>Ô một</td><td class="num">1.250.000</td></tr></table>{% endblock %}
"""


def weasyprint_alone(html: str) -> bytes:
    """The same HTML laid out by WeasyPrint finding and parsing the document's stylesheets itself."""
    from weasyprint import HTML

    font_config, base_css, fetcher = pdf._resources()
    document = HTML(string=html, base_url=pdf.STATIC_DIR.as_uri() + "/", url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[base_css], font_config=font_config)


def page_images(data: bytes, folder, name: str) -> list[bytes]:
    """Each page of a PDF as a PNG, drawn by poppler."""
    path = folder / f"{name}.pdf"
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(path), str(folder / name)], check=True)
    return [png.read_bytes() for png in sorted(folder.glob(f"{name}-*.png"))]


def in_a_new_thread(function):
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function).result()


def test_a_document_s_own_stylesheets_are_parsed_once_and_cascade_as_weasyprint_s_own(
    template_dir, no_network, tmp_path
):
    """The official stylesheet (a <link>) and a template's <style> are parsed once and kept;
    the pages are drawn exactly as when WeasyPrint finds and parses them itself: a template's rule wins
    over the official one of the same weight, and loses to a more specific one."""
    (template_dir / "styled.html").write_text(STYLED_TEMPLATE.replace("@SIZE@", "20"), encoding="utf-8")
    amounts = {i: f"{i * 150_000:,}".replace(",", ".") for i in range(1, ROWS + 1)}
    rows = [(i, f"Nguyễn Thị Ánh Tuyết {i}", amount) for i, amount in amounts.items()]
    (template_dir / "sample_kept.html").write_text(CHILD_TEMPLATE, encoding="utf-8")

    def render():
        from django.template.loader import render_to_string

        htmls = [
            render_to_string("styled.html", BASE_CONTEXT),
            render_to_string("sample_kept.html", {**BASE_CONTEXT, "rows": rows}),
        ]
        pdf._parsed_stylesheet.cache_clear()
        first = [pdf.html_to_pdf(html) for html in htmls]
        kept = pdf._parsed_stylesheet.cache_info()
        again = [pdf.html_to_pdf(html) for html in htmls]
        return (
            htmls,
            first,
            kept,
            pdf._parsed_stylesheet.cache_info(),
            again,
            [weasyprint_alone(h) for h in htmls],
        )

    htmls, first, kept, kept_after, again, alone = in_a_new_thread(render)
    assert (kept.misses, kept.currsize) == (2, 2)  # pdf-official.css (once for both), the template's <style>
    assert kept_after.misses == 2 and kept_after.hits == kept.hits + 3  # the second documents parsed none
    for index in range(len(htmls)):
        images = page_images(first[index], tmp_path, f"kept{index}")
        assert len(images) == (1 if index == 0 else len(pypdf.PdfReader(io.BytesIO(alone[index])).pages))
        assert images == page_images(alone[index], tmp_path, f"alone{index}")
        assert images == page_images(again[index], tmp_path, f"again{index}")


def test_a_changed_stylesheet_is_read_again_and_a_thread_keeps_a_bounded_number(tmp_path):
    """A <style> and a linked file are kept by their text: a change is laid out at once. At most
    STYLESHEETS_KEPT are kept, the least recently used going."""
    folder = tmp_path / "css"
    folder.mkdir()
    sheet = folder / "note.css"

    def document(style: str = "") -> str:
        head = f'<link rel="stylesheet" href="{sheet.as_uri()}"><style>{style}</style>'
        return f'<html><head>{head}</head><body><p class="note">Ghi chú</p><p>Dòng sau</p></body></html>'

    def gap(data: bytes) -> float:
        """How far below the note the next line is: the note's size, as the stylesheets set it."""
        runs = dict(texts_with_height(pypdf.PdfReader(io.BytesIO(data)).pages[0]))
        return runs["Dòng sau"] - runs["Ghi chú"]

    def render():
        sheet.write_text(".note { font-size: 12pt; }", encoding="utf-8")
        small = gap(pdf.html_to_pdf(document()))
        sheet.write_text(".note { font-size: 40pt; }", encoding="utf-8")
        large = gap(pdf.html_to_pdf(document()))
        styled = gap(pdf.html_to_pdf(document(".note { font-size: 60pt; }")))
        for number in range(pdf.STYLESHEETS_KEPT + 5):
            pdf.html_to_pdf(document(f".n{number} {{ color: red; }}"))
        return small, large, styled, pdf._parsed_stylesheet.cache_info().currsize

    with override_settings(STATICFILES_DIRS=[str(folder)]):
        small, large, styled, kept = in_a_new_thread(render)
    assert small < large < styled
    assert kept == pdf.STYLESHEETS_KEPT
