"""Every promise in docs/ is a test, and every test a page names exists: each ``tests/PATH.py::test_name`` in the
pages of docs/ and in the README, a file also named by its base name alone (``test_x.py::test_y``), and a bare
``::test_name`` taken to be in the file the page named last. One check for every page; the pages that are promise
tables say how many tests they name at least (``MIN_NAMED``), so a table that lost its names fails too."""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
NAMED = re.compile(r"`((?:tests/)?[\w/]*test_\w+\.py)?::(test_\w+)`")
MIN_NAMED = {
    "security.md": 30,
    "ship-notices.md": 20,
    "message-formats.md": 20,
    "printer-zpl.md": 3,
    "printer-modbus.md": 3,
    "opcua.md": 3,
    "observability.md": 3,
}


@functools.cache
def defined_in(path: Path) -> frozenset[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return frozenset(n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))


def named_file(named: str) -> Path:
    path = ROOT / named if named.startswith("tests/") else ROOT / "tests" / named
    if path.exists():
        return path
    found = sorted((ROOT / "tests").rglob(Path(named).name))
    assert len(found) == 1, f"{named}: {len(found)} files of that name under tests/"
    return found[0]


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_every_test_a_page_names_exists(page: Path) -> None:
    missing, current, seen = [], None, 0
    for file, name in NAMED.findall(page.read_text(encoding="utf-8")):
        current = named_file(file) if file else current
        assert current is not None, f"{page.name}: ::{name} before any file"
        seen += 1
        if name not in defined_in(current):
            missing.append(f"{current.relative_to(ROOT)}::{name}")
    assert seen >= MIN_NAMED.get(page.name, 0), f"{page.name} names {seen} tests"
    assert not missing


def test_the_promise_tables_are_pages_that_exist() -> None:
    assert set(MIN_NAMED) <= {p.name for p in PAGES}
