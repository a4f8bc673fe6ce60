"""The layout of docs/architecture.md holds: modules stay small, functions stay simple, packages have no
facade, and every path the map names exists (import-linter checks the layers in `make test`)."""

import ast
import re
from pathlib import Path

import pytest
from radon.complexity import cc_visit

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ["config", "fund_portal", "donations", "children", "campaigns", "reports", "public"]
MAX_LINES = 500
#: Modules that are a table of data more than code, with the reason; they may run a little longer.
DATA_MODULES = {
    "children/reference/circumstances.py": "Article 10's groups and Decree 56's subgroups, one entry a line",
}
DATA_MAX_LINES = 600
MAX_COMPLEXITY = 25


def product_modules() -> list[Path]:
    return sorted(
        path
        for package in PRODUCT
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def test_the_product_has_modules_to_check():
    assert len(product_modules()) > 100


def test_no_production_module_is_over_500_lines():
    long = {
        name: n
        for path in product_modules()
        if (n := len(path.read_text().splitlines()))
        > (DATA_MAX_LINES if (name := str(path.relative_to(ROOT))) in DATA_MODULES else MAX_LINES)
    }
    assert long == {}


def test_no_production_function_is_above_complexity_25():
    complex_ = {
        f"{path.relative_to(ROOT)}:{block.lineno} {block.fullname}": block.complexity
        for path in product_modules()
        for block in cc_visit(path.read_text())
        if block.complexity > MAX_COMPLEXITY
    }
    assert complex_ == {}


@pytest.mark.parametrize("kind", ["services", "selectors", "views", "imports"])
def test_packages_have_no_facade(kind):
    """`<app>/<kind>/__init__.py` holds a docstring only: callers import from the noun module."""
    facades = []
    for init in ROOT.glob(f"*/{kind}/__init__.py"):
        body = ast.parse(init.read_text()).body
        if any(not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)) for node in body):
            facades.append(str(init.relative_to(ROOT)))
    assert facades == []


def test_every_path_the_architecture_map_names_exists():
    text = (ROOT / "docs" / "architecture.md").read_text()
    named = set(re.findall(r"`((?:[A-Za-z_]+/)+[A-Za-z0-9_<>.-]*)`", text))
    roots = {*PRODUCT, "bench", "templates", "tests", "static", "scripts", "locale", "docs"}
    paths = {p for p in named if "<" not in p and p.split("/")[0] in roots}
    assert len(paths) > 30
    missing = sorted(p for p in paths if not (ROOT / p).exists())
    assert missing == []


def test_apps_do_not_import_each_others_private_names():
    """`from donations.x import _helper` in another app: a private helper shared is a helper misplaced."""
    found = []
    for path in product_modules():
        app = path.relative_to(ROOT).parts[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                other = node.module.split(".")[0]
                if other in PRODUCT and other != app:
                    found += [
                        f"{path.relative_to(ROOT)}: {node.module}.{a.name}"
                        for a in node.names
                        if a.name.startswith("_")
                    ]
    assert found == []
