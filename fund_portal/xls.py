"""How far the cells of an old Excel file (.xls) reach, measured before anything reads it.

The .xls reader allocates every sheet's whole rectangle from the first to the last cell, and reads
every sheet when it opens the file: two cells at A1 and IV65536 in a 6 kB file made the process
1 GB larger. So the file's Workbook stream is taken out of its OLE2 container here (sectors chained
by the FAT, or the mini stream for a small one) and its cell records scanned for their highest row
and column. Anything malformed raises ValueError.
"""

import struct

_END_OF_CHAIN = 0xFFFFFFFE
#: Cell records (BIFF8) with the row and the first column at the start of their data.
_CELLS = {0x0006, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00D6}
#: Records of several cells in a row: their last column is in their last two bytes.
_CELL_RUNS = {0x00BD, 0x00BE}


def xls_extent(data: bytes) -> tuple[int, int]:
    """The number of rows and columns the largest sheet's rectangle of cells spans."""
    stream = _workbook_stream(data)
    rows = columns = 0
    position = 0
    while position + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, position)
        body = stream[position + 4 : position + 4 + length]
        if kind in _CELLS and length >= 4:
            row, column = struct.unpack_from("<HH", body)
            rows, columns = max(rows, row + 1), max(columns, column + 1)
        elif kind in _CELL_RUNS and length >= 6:
            row = struct.unpack_from("<H", body)[0]
            last = struct.unpack_from("<H", body, length - 2)[0]
            rows, columns = max(rows, row + 1), max(columns, last + 1)
        position += 4 + length
    return rows, columns


def _workbook_stream(data: bytes) -> bytes:
    sector_size = 1 << struct.unpack_from("<H", data, 30)[0]
    mini_size = 1 << struct.unpack_from("<H", data, 32)[0]
    if sector_size not in (512, 4096) or mini_size != 64:
        raise ValueError("not a compound file")
    directory_start, _signature, cutoff, mini_fat_start = struct.unpack_from("<IIII", data, 48)
    difat_start = struct.unpack_from("<I", data, 68)[0]
    per_sector = sector_size // 4

    def sector(number: int) -> bytes:
        start = (number + 1) * sector_size
        if start >= len(data):
            raise ValueError("sector out of the file")
        return data[start : start + sector_size]

    fat_sectors = [n for n in struct.unpack_from("<109I", data, 76) if n < _END_OF_CHAIN]
    seen = set()
    while difat_start < _END_OF_CHAIN and difat_start not in seen:
        seen.add(difat_start)
        entries = struct.unpack(f"<{per_sector}I", sector(difat_start).ljust(sector_size, b"\xff"))
        fat_sectors += [n for n in entries[:-1] if n < _END_OF_CHAIN]
        difat_start = entries[-1]
    fat = []
    for number in fat_sectors:
        fat += struct.unpack(f"<{per_sector}I", sector(number).ljust(sector_size, b"\xff"))

    def chain(start: int, table: list[int]) -> list[int]:
        numbers = []
        while start < _END_OF_CHAIN:
            if start >= len(table) or len(numbers) > len(table):
                raise ValueError("broken chain")
            numbers.append(start)
            start = table[start]
        return numbers

    directory = b"".join(sector(n) for n in chain(directory_start, fat))
    entries = [directory[i : i + 128] for i in range(0, len(directory) - 127, 128)]
    root = entries[0]
    for entry in entries:
        name_length = struct.unpack_from("<H", entry, 64)[0]
        name = entry[: max(0, name_length - 2)].decode("utf-16-le", "replace")
        if entry[66] == 2 and name in ("Workbook", "Book"):
            start, size = struct.unpack_from("<II", entry, 116)
            if size >= cutoff:
                return b"".join(sector(n) for n in chain(start, fat))[:size]
            mini_stream = b"".join(sector(n) for n in chain(struct.unpack_from("<I", root, 116)[0], fat))
            mini_fat_bytes = b"".join(sector(n) for n in chain(mini_fat_start, fat))
            mini_fat = list(struct.unpack(f"<{len(mini_fat_bytes) // 4}I", mini_fat_bytes))
            parts = (mini_stream[n * mini_size : (n + 1) * mini_size] for n in chain(start, mini_fat))
            return b"".join(parts)[:size]
    raise ValueError("no workbook stream")
