import re
from html import unescape

VND = re.compile(r"^-?[\d.]+ ₫$")


def money(text: str) -> int:
    """'1.250.000 ₫' (in its no-wrap span) -> 1250000; an empty cell is 0."""
    text = unescape(re.sub(r"<[^>]+>", "", text)).strip()
    if not text:
        return 0
    assert VND.match(text), text
    return int(text.replace(" ₫", "").replace(".", ""))


def statement_rows(html: str) -> dict[str, list[int]]:
    """The month rows of the transparency page's statement: {"05/2026": [7 numbers after the month]}."""
    rows = {}
    for month, cells in re.findall(r'<tr data-month="([^"]+)">(.*?)</tr>', html, flags=re.S):
        rows[month] = [money(c) for c in re.findall(r'<td class="num">(.*?)</td>', cells, flags=re.S)]
    return rows


def opening_row(html: str) -> list[int]:
    cells = re.search(r'<tr class="opening">(.*?)</tr>', html, flags=re.S).group(1)
    return [money(c) for c in re.findall(r'<td class="num">(.*?)</td>', cells, flags=re.S)]


def text_of(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))
