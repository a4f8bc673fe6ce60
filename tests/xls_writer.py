"""A minimal writer of old Excel files (.xls: BIFF8 in an OLE2 compound file), for tests only.

No library the project depends on writes .xls any more, and banks still export it; this writes the
least a reader needs: one sheet of text and number cells (LABEL and NUMBER records) in a compound
file of 512-byte sectors. The Workbook stream is padded to 4096 bytes so that it lives in ordinary
sectors; with `mini=True` it is left small and written in the mini stream (64-byte sectors held in
the root entry's stream, chained by the mini FAT), as Excel writes a small workbook.
"""

import math
import struct

_SECTOR = 512
_END_OF_CHAIN, _FAT_SECTOR, _FREE, _NO_STREAM = 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF, 0xFFFFFFFF


def _record(kind: int, data: bytes) -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _bof(substream: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, substream, 0x0DBB, 0x07CC, 0, 0x06))


def _cell(row: int, column: int, value) -> bytes:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _record(0x0203, struct.pack("<HHHd", row, column, 0, float(value)))
    text = str(value)
    encoded = text.encode("utf-16-le")
    return _record(0x0204, struct.pack("<HHHHB", row, column, 0, len(encoded) // 2, 1) + encoded)


def _workbook_stream(rows: list[list], *, pad: bool = True) -> bytes:
    name = "Sheet1".encode("utf-16-le")
    boundsheet_size = 4 + 4 + 2 + 2 + len(name)
    globals_ = _bof(0x0005) + _record(0x0042, struct.pack("<H", 1200))
    sheet_offset = len(globals_) + boundsheet_size + 4  # after BOUNDSHEET and EOF
    globals_ += _record(0x0085, struct.pack("<IBBBB", sheet_offset, 0, 0, len(name) // 2, 1) + name)
    globals_ += _record(0x000A, b"")
    width = max((len(row) for row in rows), default=0)
    sheet = _bof(0x0010) + _record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, width, 0))
    for row_number, row in enumerate(rows):
        for column, value in enumerate(row):
            if value not in (None, ""):
                sheet += _cell(row_number, column, value)
    stream = globals_ + sheet + _record(0x000A, b"")
    return stream + b"\x00" * max(0, 4096 - len(stream)) if pad else stream


def _directory_entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
    encoded = (name + "\x00").encode("utf-16-le") if name else b""
    return (
        encoded.ljust(64, b"\x00")
        + struct.pack("<HBB", len(encoded), kind, 1)
        + struct.pack("<III", _NO_STREAM, _NO_STREAM, child)
        + b"\x00" * 16
        + struct.pack("<I", 0)
        + b"\x00" * 16
        + struct.pack("<II", start, size)
        + struct.pack("<I", 0)
    )


def xls_bytes(rows: list[list], *, mini: bool = False) -> bytes:
    """An .xls file whose first sheet holds rows (text, int or float cells; None or "" empty)."""
    if mini:
        return _xls_mini(_workbook_stream(rows, pad=False))
    stream = _workbook_stream(rows)
    stream_sectors = math.ceil(len(stream) / _SECTOR)
    directory_at, fat_at = stream_sectors, stream_sectors + 1
    if fat_at + 1 > _SECTOR // 4:
        raise ValueError("too many rows for this small writer")
    fat = [index + 1 for index in range(stream_sectors - 1)] + [_END_OF_CHAIN, _END_OF_CHAIN, _FAT_SECTOR]
    directory = (
        _directory_entry("Root Entry", 5, 1, _END_OF_CHAIN, 0)
        + _directory_entry("Workbook", 2, _NO_STREAM, 0, len(stream))
        + _directory_entry("", 0, _NO_STREAM, 0, 0) * 2
    )
    return _compound(stream, directory, fat, directory_at=directory_at, fat_at=fat_at)


def _xls_mini(stream: bytes) -> bytes:
    """The workbook stream (under 4096 bytes) in the mini stream: sectors are the mini stream's
    container, then the mini FAT, the directory and the FAT."""
    if len(stream) >= 4096:
        raise ValueError("a mini-stream workbook is under 4096 bytes")
    minis = math.ceil(len(stream) / 64)
    container = stream.ljust(minis * 64, b"\x00")
    container_sectors = math.ceil(len(container) / _SECTOR)
    mini_fat_at = container_sectors
    directory_at, fat_at = mini_fat_at + 1, mini_fat_at + 2
    fat = [index + 1 for index in range(container_sectors - 1)]
    fat += [_END_OF_CHAIN, _END_OF_CHAIN, _END_OF_CHAIN, _FAT_SECTOR]  # container, mini FAT, directory, FAT
    mini_fat = [index + 1 for index in range(minis - 1)] + [_END_OF_CHAIN]
    mini_fat += [_FREE] * (_SECTOR // 4 - len(mini_fat))
    directory = (
        _directory_entry("Root Entry", 5, 1, 0, len(container))
        + _directory_entry("Workbook", 2, _NO_STREAM, 0, len(stream))
        + _directory_entry("", 0, _NO_STREAM, 0, 0) * 2
    )
    body = container.ljust(container_sectors * _SECTOR, b"\x00") + struct.pack(
        f"<{len(mini_fat)}I", *mini_fat
    )
    return _compound(body, directory, fat, directory_at=directory_at, fat_at=fat_at, mini_fat_at=mini_fat_at)


def _compound(
    body: bytes, directory: bytes, fat: list[int], *, directory_at, fat_at, mini_fat_at=None
) -> bytes:
    """The header, then `body` (whole sectors from sector 0), the directory sector and the FAT sector."""
    fat = fat + [_FREE] * (_SECTOR // 4 - len(fat))
    mini_fat = (mini_fat_at, 1) if mini_fat_at is not None else (_END_OF_CHAIN, 0)
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, directory_at, 0, 4096, *mini_fat, _END_OF_CHAIN, 0)
        + struct.pack("<I", fat_at)
        + struct.pack("<I", _FREE) * 108
    )
    body = body.ljust(directory_at * _SECTOR, b"\x00")
    return header + body + directory + struct.pack(f"<{len(fat)}I", *fat)
