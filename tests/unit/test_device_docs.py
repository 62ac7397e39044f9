"""The device docs keep their promises in tests: every ``file.py::test_name`` that docs/printer-zpl.md,
docs/printer-modbus.md, docs/opcua.md and docs/observability.md name (their tables of missing confirmations and
silence bounds among them) exists. A file is named by its path under ``tests/`` or by its base name; a bare
``::test_name`` after it is in the same file."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ("printer-zpl.md", "printer-modbus.md", "opcua.md", "observability.md")
NAMED = re.compile(r"`((?:tests/)?[\w/]*test_\w+\.py)?::(test_\w+)`")


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


def _file(named: str) -> Path:
    path = ROOT / named if named.startswith("tests/") else ROOT / "tests" / named
    if path.exists():
        return path
    found = sorted((ROOT / "tests").rglob(Path(named).name))
    assert len(found) == 1, f"{named}: {len(found)} files of that name under tests/"
    return found[0]


@pytest.mark.parametrize("doc", DOCS)
def test_every_test_the_device_docs_name_exists(doc: str) -> None:
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    missing, current, seen = [], None, 0
    for file, name in NAMED.findall(text):
        current = _file(file) if file else current
        assert current is not None, f"{doc}: ::{name} before any file"
        seen += 1
        if name not in _tests_in(current):
            missing.append(f"{current.relative_to(ROOT)}::{name}")
    assert seen >= 3, f"{doc} names no tests"
    assert not missing
