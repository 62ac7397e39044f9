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


# The one exception, as in pyproject's import contract: the shift calendar turns plant wall-clock times into epoch
# seconds with the zone's rules; tests/unit/test_calendar.py::test_calendar_reads_no_clock keeps it off the clock.
ALLOWED = {"calendar.py: datetime"}


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
    assert [o for o in offenders if o not in ALLOWED] == []
