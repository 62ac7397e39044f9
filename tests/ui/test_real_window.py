"""A real window on a virtual X display: ``jis hmi`` as a user starts it, against a running line.

Xvfb provides the display (installed by .ci/run); the HMI runs with Qt's xcb platform in its own process, and
``xwininfo`` (x11-utils) finds its top-level window by title. The window must show the plant's name once the
service's bus is live, and the process must end cleanly when asked to.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.live import LiveLine


def _free_display() -> int:
    for n in range(90, 140):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            return n
    raise RuntimeError("no free X display number")


def _window_titles(env: dict[str, str]) -> str:
    out = subprocess.run(["xwininfo", "-root", "-tree"], env=env, capture_output=True, text=True, timeout=10)
    return out.stdout


def test_hmi_opens_a_real_window_on_xvfb(tmp_path: Path) -> None:
    assert shutil.which("Xvfb"), "Xvfb is missing: .ci/run installs it (apt-get install xvfb x11-utils)"
    display = _free_display()
    xvfb = subprocess.Popen(["Xvfb", f":{display}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
    env = {**os.environ, "DISPLAY": f":{display}", "QT_QPA_PLATFORM": "xcb", "HOME": str(tmp_path)}
    hmi = None
    try:
        deadline = time.monotonic() + 20
        while not Path(f"/tmp/.X11-unix/X{display}").exists():
            assert time.monotonic() < deadline, "Xvfb did not start"
            time.sleep(0.1)
        with LiveLine(tmp_path, speed=20, fakes=True) as line:  # a window of the HMI process is the point
            cmd = [sys.executable, "-m", "app.cli.main", "hmi", "--connect", line.plant.service.hmi_endpoint]
            hmi = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
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
        if hmi is not None and hmi.poll() is None:
            hmi.kill()
        xvfb.terminate()
        xvfb.wait(timeout=10)
