"""Regenerate the committed administrative-unit fixtures from the `vietnam-provinces` package.

The package (GPL-3.0) is used once, here, and is not a runtime dependency: the portal loads
the JSON files this script writes. Run it in a scratch environment:

    pip install vietnam-provinces==2026.9.0
    python scripts/generate_unit_fixtures.py 38

It writes `fund_portal/data/units_<province>_legacy.json` (province -> district -> commune,
the shape of the source documents) and `fund_portal/data/units_<province>_2025.json`
(province -> commune, the two-level tree in force since 1 July 2025).
"""

import json
import sys
from pathlib import Path

from vietnam_provinces import Province as Province2025
from vietnam_provinces import Ward as Ward2025
from vietnam_provinces.legacy import District, Province, Ward

OUT = Path(__file__).resolve().parent.parent / "fund_portal" / "data"


def legacy_tree(province_code: int) -> list[dict]:
    province = next(p for p in Province.iter_all() if int(p.code) == province_code)
    rows = [{"code": str(int(province.code)), "name": province.name, "level": "province", "parent": None}]
    for district in District.iter_all():
        if int(district.province_code) != province_code:
            continue
        rows.append(
            {
                "code": str(int(district.code)),
                "name": district.name,
                "level": "district",
                "parent": str(province_code),
            }
        )
        for ward in Ward.iter_all():
            if ward.district_code == district.code:
                rows.append(
                    {
                        "code": str(int(ward.code)),
                        "name": ward.name,
                        "level": "commune",
                        "parent": str(int(district.code)),
                    }
                )
    return rows


def tree_2025(province_code: int) -> list[dict]:
    province = Province2025.from_code(province_code)
    rows = [{"code": str(province_code), "name": province.name, "level": "province", "parent": None}]
    for ward in Ward2025.iter_by_province(province.code):
        rows.append(
            {"code": str(int(ward.code)), "name": ward.name, "level": "commune", "parent": str(province_code)}
        )
    return rows


def main() -> None:
    code = int(sys.argv[1]) if len(sys.argv) > 1 else 38
    for suffix, rows in (("legacy", legacy_tree(code)), ("2025", tree_2025(code))):
        path = OUT / f"units_{code}_{suffix}.json"
        lines = ",\n".join(json.dumps(row, ensure_ascii=False) for row in rows)
        path.write_text(f"[\n{lines}\n]\n", encoding="utf-8")
        print(f"{path.name}: {len(rows)} units")


if __name__ == "__main__":
    main()
