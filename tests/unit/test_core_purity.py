"""The core stays pure: no module in sequencer/ imports I/O, clocks, randomness, GUI or device libraries.

import-linter checks the same in `make test`; this AST test also catches imports inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import sequencer

FORBIDDEN = {
    "asyncio",
    "socket",
    "selectors",
    "threading",
    "time",
    "random",
    "datetime",
    "os",
    "subprocess",
    "pathlib",
    "zmq",
    "asyncua",
    "pymodbus",
    "sqlalchemy",
    "PySide6",
    "pyqtgraph",
    "logging",
    "io",
    "secrets",
    "uuid",
}


def test_sequencer_imports_nothing_impure():
    offenders = []
    for path in Path(sequencer.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []
