"""What the code imports is declared, and what is declared is pinned in requirements.lock (a fresh install gets
exactly what CI tested): the promise of README's "Two commands"."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PRODUCTION = ("app", "plc_io", "ui", "sequencer", "hardware_sims")
OWN = {*PRODUCTION, "tests"}


def _name(requirement: str) -> str:
    return re.split(r"[\[=<>; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _pins(requirements: list[str]) -> dict[str, str]:
    return {_name(r): r.split("==", 1)[1].split(";")[0].strip() for r in requirements if "==" in r}


def _project() -> dict[str, list[str]]:
    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {"runtime": data["dependencies"], "dev": data["optional-dependencies"]["dev"]}


def _imported(folders: tuple[str, ...]) -> set[str]:
    """Top-level names of the third-party modules imported anywhere under ``folders``."""
    names: set[str] = set()
    for folder in folders:
        for path in (REPO / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names.update(a.name.split(".")[0] for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names.add(node.module.split(".")[0])
    return {n for n in names if n not in OWN and n not in sys.stdlib_module_names}


def _distributions(modules: set[str]) -> dict[str, set[str]]:
    known = packages_distributions()
    return {m: {d.lower().replace("_", "-") for d in known.get(m, [])} for m in modules}


def test_every_package_the_production_code_imports_is_a_declared_runtime_dependency() -> None:
    declared = {_name(r) for r in _project()["runtime"]}
    undeclared = {m: d for m, d in _distributions(_imported(PRODUCTION)).items() if not d & declared}
    assert not undeclared, f"imported but not in [project].dependencies: {undeclared}"


def test_every_package_the_tests_import_is_declared() -> None:
    declared = {_name(r) for group in _project().values() for r in group}
    undeclared = {m: d for m, d in _distributions(_imported(("tests",))).items() if not d & declared}
    assert not undeclared, f"imported by tests but not declared: {undeclared}"


def test_every_declared_pin_is_the_version_in_the_lock_file() -> None:
    lock = [line for line in (REPO / "requirements.lock").read_text().splitlines() if re.match(r"^[A-Za-z]", line)]
    locked = _pins(lock)
    declared = _pins([r for group in _project().values() for r in group])
    assert declared, "pyproject.toml pins nothing"
    differ = {n: (v, locked.get(n)) for n, v in declared.items() if locked.get(n) != v}
    assert not differ, f"pyproject pin vs requirements.lock (run `make lock`): {differ}"
