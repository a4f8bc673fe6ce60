"""Table 8 of a report: the results against the unit's own plan targets, each rate with what it is
counted over (the population the unit entered, or the registry)."""

from __future__ import annotations

from reports.documents.parts import PERCENT, TEXT, Table, count_text
from reports.figures.compute import percent, population_of, targets_of

#: Where a rate's denominator comes from, as the targets table says it.
REGISTRY = "Danh sách quản lý"


def _base(figures: dict, field: str) -> str:
    population = population_of(figures, field)
    if population is None:
        return REGISTRY
    source = "tổng các xã" if population["source"] == "communes" else population["source"]
    return f"Dân số ({source})" if source else "Dân số"


def _target_text(targets: dict, indicator: str, unit: str = "%") -> str:
    return f"{targets[indicator]} {unit}" if indicator in targets else "Chưa giao"


def targets_table(figures: dict, shares: dict) -> Table:
    """Results against the unit's own plan targets; each rate says what it is counted over."""
    children, support = figures["children"], figures["support"]
    difficult = support["difficult"]
    play = support["play_equipment"]
    targets = targets_of(figures)
    under_16 = population_of(figures, "children_under_16")
    table = Table(
        "Bảng 8. Kết quả so với chỉ tiêu kế hoạch",
        ["Chỉ tiêu", "Kết quả", "Tỷ lệ đạt", "Chỉ tiêu kế hoạch", "Mẫu số"],
        [TEXT, TEXT, PERCENT, TEXT, TEXT],
        always_shown=bool(targets),
        wrapped={4: 22.0},  # the base of a rate: a list's or a source's name
    )
    table.rows = [
        [
            "Trẻ em có hoàn cảnh đặc biệt được hỗ trợ",
            f"{count_text(support['special_supported'])}/{count_text(children['special']['total'])}",
            shares["special_supported"],
            _target_text(targets, "special_supported"),
            REGISTRY,
        ],
        [
            "Trẻ em thuộc hộ nghèo, cận nghèo được hỗ trợ",
            f"{count_text(support['poor_supported'])}/{count_text(shares['poor_base'])}",
            shares["poor_supported"],
            _target_text(targets, "poor_supported"),
            _base(figures, "children_poor"),
        ],
        [
            f"Trẻ em mầm non, tiểu học được khám sức khỏe ({count_text(difficult['communes'])} "
            f"xã đặc biệt khó khăn)",
            f"{count_text(difficult['health_checked'])}/{count_text(difficult['target_children'])}",
            shares["health_checked"],
            _target_text(targets, "health_checked"),
            REGISTRY,
        ],
        [
            "Trẻ em mầm non, tiểu học được hỗ trợ dinh dưỡng (xã đặc biệt khó khăn)",
            f"{count_text(difficult['nutrition'])}/{count_text(difficult['target_children'])}",
            shares["nutrition"],
            _target_text(targets, "nutrition"),
            REGISTRY,
        ],
        [
            "Xã được hỗ trợ thiết bị vui chơi (lũy kế; trong kỳ)",
            f"{count_text(play['communes_to_date'])}; {count_text(play['communes_in_period'])}",
            percent(play["communes_to_date"], targets["play_equipment"])
            if "play_equipment" in targets
            else None,
            _target_text(targets, "play_equipment", "xã"),
            "",
        ],
        [
            "Trẻ em dưới 16 tuổi trong danh sách quản lý",
            f"{count_text(children['total'])}/{count_text(under_16['value'])}"
            if under_16
            else count_text(children["total"]),
            shares.get("registry_coverage"),
            "",
            _base(figures, "children_under_16") if under_16 else "Chưa có số liệu dân số",
        ],
    ]
    return table
