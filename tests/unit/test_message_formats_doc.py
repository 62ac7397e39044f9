"""Every promise table in docs/message-formats.md names tests that exist (as docs/security.md's tables are checked
by test_security_doc.py): a row names ``tests/PATH.py::test_name``, or ``::test_name`` in the file named last."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "message-formats.md"
NAMED = re.compile(r"`(tests/[\w/]+\.py)?::(test_\w+)`")


def promised() -> list[tuple[str, str]]:
    """(file, test) for every test a promise table names, in the order the document names them."""
    out: list[tuple[str, str]] = []
    current = ""
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            continue
        for path, name in NAMED.findall(line):
            current = path or current
            out.append((current, name))
    return out


def test_the_promise_tables_name_tests_that_exist() -> None:
    named = promised()
    assert len(named) >= 20, "the partner, inbox and quantity tables"
    missing = [
        f"{path}::{name}"
        for path, name in named
        if not path or not re.search(rf"^(async )?def {name}\(", (ROOT / path).read_text(encoding="utf-8"), re.M)
    ]
    assert missing == []
