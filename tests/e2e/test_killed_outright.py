"""The exit path no ``finally`` sees (issue 15 item 5; docs/security.md "A full disk"): ``jis demo`` and ``jis chaos``
killed outright (SIGKILL: the OOM killer, a supervisor's last word) take their children with them: each child they
started (the simulators, the service, the screens) asked the kernel for SIGTERM when its parent dies
(``app.signals.end_with_parent``) and ends within ``GONE_S``.

Each command runs in a subprocess leading a process group of its own; its children are read from /proc (Linux) once
they exist, the command is sent SIGKILL, and every child must be gone (or a zombie waiting to be reaped) in time.
A child that outlived it is killed by the test's cleanup and fails the test.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

STARTED_S = 60.0  # until the command's children run, on a loaded machine
GONE_S = 20.0  # from the SIGKILL to every child gone (a child stops its servers on SIGTERM)
POLL_S = 0.2


def children(pid: int) -> set[int]:
    """The live children of ``pid`` (every thread's), from /proc."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            continue
    return {c for c in found if alive(c)}


def alive(pid: int) -> bool:
    """Running (a zombie, dead and waiting for its reaper, is not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    state = next((ln.split()[1] for ln in status.splitlines() if ln.startswith("State:")), "X")
    return state not in ("Z", "X")


COMMANDS = {
    "demo": ["demo", "--headless", "--vehicles", "400", "--speed", "5", "--json"],
    "chaos": ["chaos", "--vehicles", "400", "--kills", "0", "--outages", "0", "--db-locks", "0", "--speed", "5"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_killed_outright_it_leaves_no_child_behind(command: str, tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "app.cli.main", *COMMANDS[command]]
    if command == "chaos":
        argv += ["--workdir", str(tmp_path / "chaos")]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)}
    proc = subprocess.Popen(argv, cwd=tmp_path, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    seen: set[int] = set()
    try:
        deadline = time.monotonic() + STARTED_S
        want = 2 if command == "chaos" else 1  # chaos: the simulators and the service; demo: the simulators
        while time.monotonic() < deadline and proc.poll() is None and len(seen) < want:
            seen |= children(proc.pid)
            time.sleep(POLL_S)
        assert len(seen) >= want, f"{command} started {len(seen)} child(ren) within {STARTED_S} s"
        time.sleep(1.0)  # the children past their start
        proc.kill()
        proc.wait(timeout=10)
        deadline = time.monotonic() + GONE_S
        while time.monotonic() < deadline and any(alive(c) for c in seen):
            time.sleep(POLL_S)
        left = sorted(c for c in seen if alive(c))
        assert not left, f"{command} killed outright left {left} running"
    finally:
        for child in seen:
            if alive(child):
                os.kill(child, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
