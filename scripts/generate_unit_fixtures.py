"""Regenerate the committed administrative-unit data from the `vietnam-provinces` package.

Source: the PyPI package `vietnam-provinces` 2026.9.0 (by Nguyễn Hồng Quân, GPL-3.0-or-later,
data retrieved 2026-09-20), which scrapes the list of administrative units published by the
National Statistics Office (Cục Thống kê) after the National Assembly's Resolution 202/2025/QH15
(34 provinces from 1 July 2025) and the Standing Committee's resolutions merging the communes:
3,321 communes, wards and special zones (xã, phường, đặc khu), with no district level.

The package is used once, here, and is not a runtime dependency: the portal loads the JSON files
this script writes (`manage.py units load`). Run it in a scratch environment:

    pip install vietnam-provinces==2026.9.0
    python scripts/generate_unit_fixtures.py national   # fund_portal/data/units_vn_2025.json
    python scripts/generate_unit_fixtures.py 38         # units_38_legacy.json and units_38_2025.json

`national` writes the whole two-level tree (province -> commune) and stops with an error unless it
holds exactly 34 provinces and 3,321 communes. A province code writes that province's old three-level
tree (province -> district -> commune, the shape of the source documents) and its 2025 tree.
Codes are the statistics office's, zero-padded as it prints them: province 2 digits ("01"),
district 3, commune 5 ("00004").
"""

import json
import sys
from pathlib import Path

import vietnam_provinces
from vietnam_provinces import Province as Province2025
from vietnam_provinces import Ward as Ward2025
from vietnam_provinces.legacy import District, Province, Ward

OUT = Path(__file__).resolve().parent.parent / "fund_portal" / "data"
PACKAGE_VERSION = "2026.9.0"
PROVINCES_2025 = 34
COMMUNES_2025 = 3321


def province_code(code) -> str:
    return f"{int(code):02d}"


def district_code(code) -> str:
    return f"{int(code):03d}"


def commune_code(code) -> str:
    return f"{int(code):05d}"


def legacy_tree(code: int) -> list[dict]:
    province = next(p for p in Province.iter_all() if int(p.code) == code)
    rows = [{"code": province_code(code), "name": province.name, "level": "province", "parent": None}]
    for district in District.iter_all():
        if int(district.province_code) != code:
            continue
        rows.append(
            {
                "code": district_code(district.code),
                "name": district.name,
                "level": "district",
                "parent": province_code(code),
            }
        )
        for ward in Ward.iter_all():
            if ward.district_code == district.code:
                rows.append(
                    {
                        "code": commune_code(ward.code),
                        "name": ward.name,
                        "level": "commune",
                        "parent": district_code(district.code),
                    }
                )
    return rows


def tree_2025(code: int) -> list[dict]:
    province = Province2025.from_code(code)
    rows = [{"code": province_code(code), "name": province.name, "level": "province", "parent": None}]
    for ward in Ward2025.iter_by_province(province.code):
        rows.append(
            {
                "code": commune_code(ward.code),
                "name": ward.name,
                "level": "commune",
                "parent": province_code(code),
            }
        )
    return rows


def national_tree() -> list[dict]:
    rows = []
    for province in sorted(Province2025.iter_all(), key=lambda p: int(p.code)):
        rows += tree_2025(int(province.code))
    provinces = sum(1 for row in rows if row["level"] == "province")
    communes = sum(1 for row in rows if row["level"] == "commune")
    if (provinces, communes) != (PROVINCES_2025, COMMUNES_2025):
        sys.exit(
            f"vietnam-provinces {vietnam_provinces.__version__} gives {provinces} provinces and "
            f"{communes} communes, not {PROVINCES_2025} and {COMMUNES_2025}: data not written."
        )
    if len({row["code"] for row in rows}) != len(rows):
        sys.exit("Two units share a code: data not written.")
    return rows


def write(path: Path, rows: list[dict]) -> None:
    lines = ",\n".join(json.dumps(row, ensure_ascii=False) for row in rows)
    path.write_text(f"[\n{lines}\n]\n", encoding="utf-8")
    print(f"{path.name}: {len(rows)} units")


def main() -> None:
    if vietnam_provinces.__version__ != PACKAGE_VERSION:
        sys.exit(f"Expected vietnam-provinces {PACKAGE_VERSION}, found {vietnam_provinces.__version__}.")
    which = sys.argv[1] if len(sys.argv) > 1 else "national"
    if which == "national":
        write(OUT / "units_vn_2025.json", national_tree())
        return
    code = int(which)
    write(OUT / f"units_{code}_legacy.json", legacy_tree(code))
    write(OUT / f"units_{code}_2025.json", tree_2025(code))


if __name__ == "__main__":
    main()
