"""A real window on a virtual X display: ``jis hmi`` as a user starts it, against a running line.

Xvfb provides the display (installed by .ci/run); the HMI runs with Qt's xcb platform in its own process, and
``xwininfo`` (x11-utils) finds its top-level window by title. The window must show the plant's name once the
service's bus is live, and the process must end cleanly when asked to.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.proof.demo import display_available
from tests.live import LiveLine


def _free_display() -> int:
    for n in range(90, 140):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            return n
    raise RuntimeError("no free X display number")


def _window_titles(env: dict[str, str]) -> str:
    out = subprocess.run(["xwininfo", "-root", "-tree"], env=env, capture_output=True, text=True, timeout=10)
    return out.stdout


@contextlib.contextmanager
def xvfb() -> Iterator[str]:
    """A virtual X display for the test's length; yields its DISPLAY name."""
    assert shutil.which("Xvfb"), "Xvfb is missing: .ci/system-deps qt installs it"
    display = _free_display()
    server = subprocess.Popen(["Xvfb", f":{display}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
    try:
        deadline = time.monotonic() + 20
        while not Path(f"/tmp/.X11-unix/X{display}").exists():
            assert time.monotonic() < deadline, "Xvfb did not start"
            time.sleep(0.1)
        yield f":{display}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_demo_opens_screens_where_qt_can_use_the_display(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    with xvfb() as display:
        monkeypatch.setenv("DISPLAY", display)
        assert display_available()


def test_the_demo_runs_headless_and_says_so_once_when_qt_cannot_open_the_display(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setenv("DISPLAY", "127.0.0.1:99")  # X over TCP port 6099: nothing listens there (Xvfb -nolisten tcp)
    assert not display_available()
    said = [line for line in capsys.readouterr().err.splitlines() if line]
    assert len(said) == 1 and "running headless" in said[0] and ".ci/system-deps qt" in said[0], said


def test_the_demo_without_a_display_runs_headless_and_says_so_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert not display_available()
    said = [line for line in capsys.readouterr().err.splitlines() if line]
    assert len(said) == 1 and "running headless: no display" in said[0], said


def test_hmi_opens_a_real_window_on_xvfb(tmp_path: Path) -> None:
    with xvfb() as display, LiveLine(tmp_path, speed=20, fakes=True) as line:  # the HMI window is the point
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "HOME": str(tmp_path)}
        cmd = [sys.executable, "-m", "app.cli.main", "hmi", "--connect", line.plant.service.hmi_endpoint]
        hmi = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            titles = ""
            while line.plant.plant.name not in titles:
                assert hmi.poll() is None, hmi.stdout.read().decode() if hmi.stdout else "HMI exited"
                assert time.monotonic() < deadline, f"no HMI window with the plant's name:\n{titles[-2000:]}"
                time.sleep(0.5)
                titles = _window_titles(env)
            hmi.send_signal(signal.SIGTERM)
            assert hmi.wait(timeout=20) is not None
        finally:
            if hmi.poll() is None:
                hmi.kill()
