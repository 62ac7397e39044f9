"""A stop asked while a command starts is never lost: a SIGINT the process began with ignored is taken
(``app.signals.terminate_raises``), and (``app.signals.raise_if_stop_asked``) a cancel that a wait on
the way swallowed (Python 3.11's ``asyncio.wait_for`` returns its inner result and drops the cancel when both come at
once) still stops the task where it checks, and a timeout's own cancel given back does not; a stop while the modules
load ends with the exit code the command said (``app.signals.forget_interrupt``)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from app.signals import raise_if_stop_asked, terminate_raises

ROOT = Path(__file__).resolve().parents[2]


async def _starting(swallowed: asyncio.Event, checked: list[str]) -> None:
    try:
        await asyncio.sleep(10)  # a step of the start, where the stop's cancel lands
    except asyncio.CancelledError:  # swallowed, as a library's wait may
        swallowed.set()
    raise_if_stop_asked()
    checked.append("served on")  # never: it would serve until killed
    await asyncio.sleep(10)


def test_a_swallowed_stop_still_stops_the_task_where_it_checks() -> None:
    async def scenario() -> list[str]:
        swallowed, checked = asyncio.Event(), list[str]()
        task = asyncio.create_task(_starting(swallowed, checked))
        await asyncio.sleep(0)
        task.cancel()
        async with asyncio.timeout(5):
            with pytest.raises(asyncio.CancelledError):
                await task
        assert swallowed.is_set()
        return checked

    assert asyncio.run(scenario()) == []


def test_a_timeout_inside_the_start_is_not_taken_for_a_stop() -> None:
    async def starting() -> str:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.01):
                await asyncio.sleep(10)
        raise_if_stop_asked()
        return "served"

    assert asyncio.run(starting()) == "served"


def test_a_command_started_with_sigint_ignored_takes_it_while_it_runs() -> None:
    """A background job of a non-interactive shell begins with SIGINT ignored: a jis command takes it all the same
    (``terminate_raises``), as its loop does once running, and gives the disposition back after."""
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with terminate_raises():
            assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)


STOPPED_WHILE_LOADING = """
import sys
from app.cli import main as cli

def _run(argv):  # Ctrl-C lands while a module loads, inside a dataclass being built (code run from a string)
    exec("raise KeyboardInterrupt")

cli._run = _run
sys.exit(cli.main(["--help"]))
"""


def test_a_stop_while_modules_load_ends_with_the_exit_code_said(tmp_path: Path) -> None:
    """CPython takes a KeyboardInterrupt raised in ``exec``'d code for one never handled, even once caught, and
    ``python -m`` would then end by SIGINT (-2, no summary) instead of 130 (``app.signals.forget_interrupt``)."""
    done = _run_as_module(tmp_path, "stopped_while_loading", STOPPED_WHILE_LOADING)
    assert done.returncode == 128 + signal.SIGINT, done.stderr[-2000:]
    assert "Traceback" not in done.stderr


SWALLOWED_WHILE_LOADING = """
import sys, time, weakref
from app.cli import main as cli

class Lock:
    pass

def interrupted(ref):  # Ctrl-C lands in a weakref callback (importlib's module locks have one): Python swallows it
    raise KeyboardInterrupt

def _run(argv):
    lock = Lock()
    ref = weakref.ref(lock, interrupted)
    del lock
    time.sleep(20)  # the command's work: a stop given back lands here
    print("ran to its end")
    return 0

cli._run = _run
sys.exit(cli.main([]))
"""


def test_a_stop_python_swallowed_still_stops_the_command(tmp_path: Path) -> None:
    """A KeyboardInterrupt raised in a weakref callback is only printed as "Exception ignored" by Python, and the
    command ran on: the command line sends the signal again (``app.signals._stop_again``), quietly."""
    done = _run_as_module(tmp_path, "swallowed_while_loading", SWALLOWED_WHILE_LOADING)
    assert done.returncode == 128 + signal.SIGINT, done.stderr[-2000:]
    assert "ran to its end" not in done.stdout
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr


def _run_as_module(folder: Path, name: str, source: str) -> subprocess.CompletedProcess[str]:
    """``source`` run as ``python -m name`` (how the tests and the demo start a jis command), the repo importable."""
    (folder / f"{name}.py").write_text(source, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)])}
    return subprocess.run([sys.executable, "-m", name], env=env, capture_output=True, text=True, timeout=60)
