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


def fund_prefix(unit_path: str) -> str:
    """Where the public pages that show a unit's records are: "" for the default fund's (at /), else
    "/quy/<code>" of the top-level fund above the unit (a deployment serves several funds)."""
    from donations.models import Fund
    from donations.selectors.public_funds import public_fund_default

    default = public_fund_default()
    if default is None or unit_path.startswith(default.unit.path):
        return ""
    tops = Fund.objects.filter(parent__isnull=True, is_active=True).select_related("unit").order_by("pk")
    return next(f"/quy/{fund.code}" for fund in tops if unit_path.startswith(fund.unit.path))
