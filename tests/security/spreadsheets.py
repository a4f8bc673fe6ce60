"""Hostile files for the upload tests, made in memory."""

import io
import zipfile

_CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
_SHEET_HEAD = (
    b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b"<sheetData>"
)
_SHEET_TAIL = b"</sheetData></worksheet>"


def xlsx_with_sheet(sheet_data: bytes, *, padding: int = 0) -> bytes:
    """An XLSX whose first sheet holds `sheet_data` (rows of <sheetData>), written by hand."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", _SHEET_HEAD + sheet_data + _SHEET_TAIL)
        if padding:
            archive.writestr("xl/media/padding.bin", b"\0" * padding)
    return out.getvalue()


def _text_cell(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def corner_bomb() -> bytes:
    """Two cells, at A1 and at XFD1048576: 1.5 kB that a reader would make into 17 billion cells."""
    return xlsx_with_sheet(
        b'<row r="1">' + _text_cell("A1", "Họ và tên") + b"</row>"
        b'<row r="1048576">' + _text_cell("XFD1048576", "x") + b"</row>"
    )


def wide_and_tall_bomb() -> bytes:
    """Within the row and column limits one by one, not together (200 columns by 250,000 rows)."""
    return xlsx_with_sheet(
        b'<row r="1">' + _text_cell("A1", "Họ và tên") + b"</row>"
        b'<row r="250000">' + _text_cell("GR250000", "x") + b"</row>"
    )


def million_rows() -> bytes:
    """A million real rows: about 5 MB zipped."""
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i) for i in range(2, 1_000_002))
    return xlsx_with_sheet(b'<row r="1">' + _text_cell("A1", "Số tiền") + b"</row>" + rows)


def rows_without_references(count: int) -> bytes:
    """Rows with no `r` attribute, which a reader numbers one after the other."""
    return xlsx_with_sheet(
        b'<row r="1">' + _text_cell("A1", "Số tiền") + b"</row>" + b"<row><c><v>1</v></c></row>" * count
    )


def not_a_workbook_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    return out.getvalue()


PDF = (
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nstream\n"
    + bytes(range(256)) * 8
    + b"\nendstream"
)


def xlsx_with_shared_strings(count: int, *, length: int = 40, used: int = 1) -> bytes:
    """A small sheet whose shared-strings part holds `count` distinct strings of `length` letters:
    a reader parses every one of them, whatever the sheet uses (`used` rows of it)."""
    strings = b"".join(b"<si><t>%0*d</t></si>" % (length, i) for i in range(count))
    rows = b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>' + b"".join(
        b'<row r="%d"><c r="A%d" t="s"><v>%d</v></c></row>' % (i + 1, i + 1, i) for i in range(1, used)
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            _WORKBOOK_RELS.replace(
                "</Relationships>",
                '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
            ),
        )
        archive.writestr("xl/worksheets/sheet1.xml", _SHEET_HEAD + rows + _SHEET_TAIL)
        archive.writestr(
            "xl/sharedStrings.xml",
            b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            + strings
            + b"</sst>",
        )
    return out.getvalue()


def with_lying_size(data: bytes, member: str, size: int) -> bytes:
    """The archive with `member`'s unpacked size rewritten to `size`, in its local header and in the
    central directory, as a hostile file would say it."""
    import struct

    out = bytearray(data)
    encoded = member.encode()
    # Local header: signature, then the unpacked size at offset 22 and the name at offset 30.
    start = out.find(b"PK\x03\x04")
    while start != -1:
        name_length = struct.unpack_from("<H", out, start + 26)[0]
        if out[start + 30 : start + 30 + name_length] == encoded:
            struct.pack_into("<I", out, start + 22, size)
        start = out.find(b"PK\x03\x04", start + 4)
    # Central directory entry: the unpacked size at offset 24 and the name at offset 46.
    start = out.find(b"PK\x01\x02")
    while start != -1:
        name_length = struct.unpack_from("<H", out, start + 28)[0]
        if out[start + 46 : start + 46 + name_length] == encoded:
            struct.pack_into("<I", out, start + 24, size)
        start = out.find(b"PK\x01\x02", start + 4)
    return bytes(out)
