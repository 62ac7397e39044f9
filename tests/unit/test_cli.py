"""The ``jis`` command line as one tree: every command listed in ``jis --help`` with one line, the global options
accepted before any command, and ``jis sim`` passing everything through to the simulators. (That app's logic
modules parse no command line is an import-linter contract in pyproject.toml.)"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli import bench as bench_cli
from app.cli import sim
from app.cli.main import build_parser, commands
from app.proof import bench

EVERY_COMMAND = [
    "serve",
    "demo",
    "hmi",
    "sim",
    "report",
    "replay",
    "migrate",
    "import",
    "parse",
    "config",
    "users",
    "certs",
    "feed-keys",
    "chaos",
    "bench",
    "fuzz",
    "rehearse",
]


def test_jis_help_lists_every_command_on_one_line_each() -> None:
    cmd = [sys.executable, "-m", "app.cli.main", "--help"]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, env={**os.environ, "COLUMNS": "80"})
    section = done.stdout.split("commands:")[1].splitlines()[2:]  # after the "COMMAND" line
    listed = dict(re.fullmatch(r" {4}(\S+) +(\S.*)", line).groups() for line in section)  # type: ignore[union-attr]
    assert list(listed) == EVERY_COMMAND, done.stdout
    assert len(commands()) == len(EVERY_COMMAND)


@pytest.mark.parametrize("command", EVERY_COMMAND)
def test_the_global_options_go_before_any_command(command: str) -> None:
    tail = {"import": ["FILE"], "parse": ["FILE"], "users": ["list"], "certs": ["--out", "x", "--name", "n"]}
    tail |= {"feed-keys": ["--out", "x", "--name", "n"], "sim": ["plant"], "config": ["check"], "rehearse": ["S"]}
    args = build_parser().parse_args(["--log-level", "DEBUG", "--log-json", command, *tail.get(command, [])])
    assert (args.command, args.log_level, args.log_json) == (command, "DEBUG", True)
    assert callable(args.run)


def test_jis_sim_passes_every_argument_through_with_the_global_log_options() -> None:
    args = build_parser().parse_args(["--log-level", "INFO", "sim", "--help"])
    assert sim.command(args)[1:] == ["-m", "hardware_sims", "--log-level", "INFO", "--help"]
    args = build_parser().parse_args(["--log-json", "sim", "plant", "--config", "p.toml", "--log-level", "DEBUG"])
    assert sim.command(args)[3:] == ["--log-json", "plant", "--config", "p.toml", "--log-level", "DEBUG"]


def test_jis_sim_runs_the_simulators_own_command_line() -> None:
    cmd = [sys.executable, "-m", "app.cli.main", "sim", "ptl", "--help"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.startswith("usage: jis sim ptl")


def test_the_bench_parts_on_the_command_line_are_the_benchmarks_parts() -> None:
    assert set(bench_cli.PARTS) == set(bench.PARTS)


def every_parser(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from every_parser(sub)


def test_every_option_says_what_it_is_for() -> None:
    from hardware_sims.__main__ import build_parser as sim_parser

    for parser in [*every_parser(build_parser()), *every_parser(sim_parser())]:
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
                continue
            assert action.help, f"{parser.prog} {'/'.join(action.option_strings) or action.dest}: no help text"


def test_names_listed_on_the_command_line_are_the_ones_the_code_knows() -> None:
    from app.cli import hmi as hmi_cli
    from app.proof.fuzz import TARGETS, _targets
    from ui.main import ROLE_WINDOWS

    assert set(hmi_cli.ROLES) == set(ROLE_WINDOWS)
    from ui.widgets import SANE_DPI

    assert tuple(map(float, hmi_cli.SCREEN_DPI)) == SANE_DPI
    from ui.i18n import LANGUAGES

    assert tuple(LANGUAGES) == hmi_cli.SCREEN_LANGUAGES
    assert list(_targets(Path(__file__).resolve().parents[1] / "samples")) == list(TARGETS)
