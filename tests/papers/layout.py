"""A PDF read back word by word with its boxes (poppler's `pdftotext -bbox`), to check a paper's layout
from the file itself: what lies beyond the page's margins, and which words print on one line."""

from __future__ import annotations

import html
import re
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

MM = 72 / 25.4
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


@dataclass
class Word:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


@dataclass
class Page:
    number: int
    width: float
    height: float
    words: list[Word]


def pdf_pages(data: bytes) -> list[Page]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "paper.pdf"
        path.write_bytes(data)
        out = subprocess.run(
            ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
        )
    pages = []
    for number, match in enumerate(PAGE.finditer(out.stdout), start=1):
        words = [
            Word(
                number,
                float(x0),
                float(y0),
                float(x1),
                float(y1),
                unicodedata.normalize("NFC", html.unescape(t)),
            )
            for x0, y0, x1, y1, t in WORD.findall(match.group(3))
        ]
        pages.append(Page(number, float(match.group(1)), float(match.group(2)), words))
    return pages


def words_outside(pages: list[Page], *, left_mm: float, right_mm: float) -> list[Word]:
    """Words whose box crosses the left or the right margin (half a point of tolerance)."""
    return [
        word
        for page in pages
        for word in page.words
        if word.x0 < left_mm * MM - 0.5 or word.x1 > page.width - right_mm * MM + 0.5
    ]


def on_one_line(pages: list[Page], phrase: str) -> list[Word]:
    """The words of `phrase`, read one after the other on one line of a page ([] if it is not there so)."""
    wanted = phrase.split()
    for page in pages:
        words = page.words
        for start in range(len(words) - len(wanted) + 1):
            run = words[start : start + len(wanted)]
            if [w.text for w in run] == wanted and all(abs(w.y0 - run[0].y0) < 1.5 for w in run):
                return run
    return []


def text_of(pages: list[Page]) -> str:
    return " ".join(word.text for page in pages for word in page.words)
