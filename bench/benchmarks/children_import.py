"""Benchmark of the children's import (issue 4): the fast path against django-import-export.

One 50,000-row XLSX of realistic children of the demo commune Dân Lý (15703) is imported, in the
same run, by `children_import` (validated, all or nothing, COPY, groups, status history, priority)
and by `ChildResource` (django-import-export, tuned: the baseline). Each write is rolled back, so
the measure runs again on the same database; the dry run and a re-import (every row an update of a
child the file already brought) are measured too.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import time

from django.db import connection
from django.utils import timezone

from bench.baselines.children import ChildResource
from bench.measure import Measure, benchmark, peak_rss_mb, peak_rss_reset
from bench.rollback import median_in_rollback, runs_note, timed_in_rollback
from children.imports.child_rows import HEADERS
from children.imports.children import children_import
from children.models import Child, ChildStatusChange, Circumstance
from children.reference.circumstances import SENSITIVE_CODES, SPECIAL_CIRCUMSTANCES
from children.reference.ethnic import ETHNIC_SHARES
from donations.demo import GIVEN, MIDDLE, SURNAMES
from fund_portal.demo import seed_demo
from fund_portal.models import AdministrativeUnit, UnitLevel, User
from fund_portal.text import fold

ROWS = 50_000
FAST_TARGET_S = 10
#: The tables an import writes: vacuumed after each rolled-back measure.
WRITTEN = (Child, Circumstance, ChildStatusChange)
COMMUNE_CODE = "15703"  # Xã Dân Lý, demo district Triệu Sơn
RELATIONS = ("Mẹ", "Bố", "Bà nội", "Ông ngoại", "Bà ngoại", "Cô", "Chú")
SCHOOLS = ("Trường Tiểu học Dân Lý", "Trường THCS Dân Lý", "Trường Mầm non Dân Lý", "")


def children_lines(
    *, rows: int, commune: AdministrativeUnit, villages: list[str], seed: int = 2016
) -> list[list]:
    """Template rows (the columns of `HEADERS` without health notes): dates as Excel dates or text,
    four in five with a personal ID, one in three in a group; no two rows the same child."""
    rng = random.Random(seed)
    today = timezone.localdate()
    run = int(time.time()) % 10_000
    codes, shares = zip(*ETHNIC_SHARES.items(), strict=True)
    groups = [g.code for g in SPECIAL_CIRCUMSTANCES if g.code not in SENSITIVE_CODES]
    seen: set[tuple] = set()
    lines = []
    while len(lines) < rows:
        n = len(lines)
        sex = rng.choice(("Nam", "Nữ"))
        middle = "Thị" if sex == "Nữ" else rng.choice(MIDDLE)
        name = f"{rng.choice(SURNAMES)} {middle} {rng.choice(GIVEN)}"
        born = today - dt.timedelta(days=rng.randint(30, 15 * 365))
        if (fold(name), born) in seen:
            continue
        seen.add((fold(name), born))
        poverty = rng.choices(("", "Hộ nghèo", "Hộ cận nghèo"), (70, 18, 12))[0]
        line = {
            "Họ và tên": name,
            "Ngày sinh": born if rng.random() < 0.8 else born.strftime("%d/%m/%Y"),
            "Giới tính (Nam/Nữ)": sex,
            "Dân tộc": rng.choices(codes, shares)[0],
            "Mã định danh cá nhân": f"038{run:04d}{n:05d}" if rng.random() < 0.8 else "",
            "Mã xã": commune.code,
            "Xã": commune.name,
            "Thôn": rng.choice(villages) if villages else "",
            "Địa chỉ": "",
            "Người giám hộ": f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
            "Quan hệ với trẻ": rng.choice(RELATIONS),
            "SĐT người giám hộ": f"09{rng.randint(10_000_000, 99_999_999)}",
            "Hộ nghèo/cận nghèo": poverty,
            "Năm công nhận": today.year - 1 if poverty else "",
            "Trường": rng.choice(SCHOOLS),
            "Lớp": str(rng.randint(1, 9)),
            "Bỏ học (Có/Không)": "Có" if rng.random() < 0.03 else "Không",
            "Khuyết tật": "",
            "Mức độ khuyết tật": "",
            "Nhóm hoàn cảnh đặc biệt": rng.choice(groups) if rng.random() < 0.35 else "",
            "Đồng ý lưu dữ liệu (Có/Không)": "Có",
        }
        lines.append([line.get(header, "") for header in _headers()])
    return lines


def _headers() -> list[str]:
    return [header for header in HEADERS if header != "Ghi chú sức khỏe"]


def children_xlsx(lines: list[list]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(_headers())
    for line in lines:
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@benchmark("children_import")
def bench_children_import(rows: int = ROWS) -> list[Measure]:
    """Import 50,000 children from an XLSX: fast path, django-import-export (tuned), dry run, re-import."""
    seed_demo()
    commune = AdministrativeUnit.objects.get(code=COMMUNE_CODE)
    villages = list(
        AdministrativeUnit.objects.filter(parent=commune, level=UnitLevel.VILLAGE).values_list(
            "name", flat=True
        )
    )
    user = User.objects.get(username="canbo.huyen")
    lines = children_lines(rows=rows, commune=commune, villages=villages)
    data = children_xlsx(lines)
    size = f"{rows:,}".replace(",", ".")
    note_size = f"{size} rows, {len(data) / 2**20:.1f} MB XLSX, {connection.vendor}"

    def fast():
        return children_import(uploaded=io.BytesIO(data), by=user, dry_run=False, name="bench.xlsx")

    rss_before = peak_rss_reset()
    fast_s, fast_runs, result = median_in_rollback(fast, clean=WRITTEN)
    rss_fast = peak_rss_mb()
    if not result.ok or result.created + result.updated != rows:
        raise RuntimeError(f"the fast path refused the benchmark file: {result.error_messages()[:5]}")

    start = time.perf_counter()
    dry = children_import(uploaded=io.BytesIO(data), by=user, dry_run=True, name="bench.xlsx")
    dry_s = time.perf_counter() - start
    if not dry.ok:
        raise RuntimeError(f"the dry run refused the benchmark file: {dry.error_messages()[:5]}")

    # The same file twice in one rolled-back transaction: the second import updates every child.
    reimport_s, again = timed_in_rollback(fast, clean=WRITTEN, before=fast)
    if not again.ok or again.created:
        raise RuntimeError(f"the re-import added children: {again.error_messages()[:5]}")

    def library():
        from import_export.formats.base_formats import XLSX

        dataset = XLSX().create_dataset(data)
        return ChildResource(user=user).import_data(
            dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True
        )

    peak_rss_reset()
    library_s, library_result = timed_in_rollback(library, clean=WRITTEN)
    rss_library = peak_rss_mb()
    if library_result.has_errors() or library_result.has_validation_errors():
        invalid = [(r.number, r.error_dict) for r in library_result.invalid_rows[:3]]
        raise RuntimeError(f"django-import-export refused the benchmark file: {invalid}")

    return [
        Measure(
            f"children import: fast path, {size} rows (validated, all or nothing)",
            round(fast_s, 2),
            "s",
            target=FAST_TARGET_S,
            baseline=round(library_s, 2),
            baseline_label="django-import-export 4.4 tuned",
            note=f"{note_size}; {result.created} new, {result.groups_added} groups; "
            f"{runs_note(fast_runs)}; peak RSS {rss_fast:.0f} MB (+{max(rss_fast - rss_before, 0):.0f} MB)",
        ),
        Measure(
            f"children import: django-import-export tuned, {size} rows",
            round(library_s, 2),
            "s",
            note="use_bulk, batch_size=1000, skip_diff, force_init_instance, lookups loaded once; "
            f"openpyxl read; child_check per row; peak RSS {rss_library:.0f} MB",
        ),
        Measure(
            "children import: fast path vs django-import-export",
            round(library_s / fast_s, 2),
            "x faster",
        ),
        Measure(
            f"children import: dry run, {size} rows (all checks, preview, nothing written)",
            round(dry_s, 2),
            "s",
            target=FAST_TARGET_S,
        ),
        Measure(
            f"children import: the same {size} rows again (matched, none added)",
            round(reimport_s, 2),
            "s",
            target=FAST_TARGET_S,
            note=f"{again.updated} updated, {again.unchanged} unchanged",
        ),
    ]
