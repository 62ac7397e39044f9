"""Say what is happening (issue 13, item 6), through the real command line at the default log level.

``jis serve`` says one line per endpoint it serves, and the line server once it is up; ``jis sim plant`` one line per
simulated device besides its JSON ready line on stdout. A long command on a terminal (its stderr a pty here, as a
person's terminal is) redraws one progress line with what is done, what is left and an estimate; with stderr a
pipe it says one line per phase; with ``--json`` nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import load_plant, with_free_ports
from plc_io.loopback_ports import free_port
from sequencer.plant import OpcUaServerConfig

pytestmark = pytest.mark.e2e

JIS = [sys.executable, "-m", "app.cli.main"]
SAMPLES = Path(__file__).resolve().parents[1] / "samples"
UP_S = 90.0


def plant_file(folder: Path) -> Path:
    plant = with_free_ports(load_plant(), database=f"sqlite:///{folder / 'jis.db'}")
    server = OpcUaServerConfig(security="dev", endpoint=f"opc.tcp://127.0.0.1:{free_port()}/jis/line")
    service = plant.service.model_copy(update={"metrics_port": free_port(), "opcua_server": server})
    path = folder / "plant.json"
    path.write_text(plant.model_copy(update={"service": service}).model_dump_json(), encoding="utf-8")
    return path


@contextlib.contextmanager
def running(argv: list[str], err: Path, **kwargs: object) -> Iterator[subprocess.Popen[bytes]]:
    with err.open("wb") as sink:
        proc = subprocess.Popen([*JIS, *argv], stderr=sink, process_group=0, **kwargs)  # type: ignore[call-overload]
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def wait_for(err: Path, text: str, proc: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + UP_S
    while text not in (said := err.read_text(errors="replace")):
        assert proc.poll() is None and time.monotonic() < deadline, said[-3000:]
        time.sleep(0.2)
    return said


def startup_lines(said: str) -> list[str]:
    return [line.split(" INFO startup: ", 1)[1] for line in said.splitlines() if " INFO startup: " in line]


def test_jis_serve_says_each_endpoint_it_serves(tmp_path: Path) -> None:
    plant = json.loads(plant_file(tmp_path).read_text())
    svc = plant["service"]
    with running(["serve", "--config", str(tmp_path / "plant.json")], tmp_path / "err") as proc:
        said = wait_for(tmp_path / "err", "startup: OPC UA", proc)
    lines = startup_lines(said)
    wanted = [
        f"feed {svc['feed_endpoint']} (OEM gateways publish here; CURVE off",
        f"HMI bus {svc['hmi_endpoint']}, snapshots {svc['hmi_snapshot_endpoint']} (CURVE off",
        f"HMI commands {svc['hmi_command_endpoint']} (logins and manual operations; CURVE off",
        f"metrics http://127.0.0.1:{svc['metrics_port']}/metrics",
        "service up: devices ptl-seat, ptl-bump, zebra-1",
        f"OPC UA {svc['opcua_server']['endpoint']} (dev profile: UNSECURED",
    ]
    assert len(lines) == len(wanted), lines
    for line, start in zip(lines, wanted, strict=True):
        assert line.startswith(start), (line, start)
    assert "pymodbus" not in said and "asyncua" not in said  # the devices are not there: our lines say so


def test_jis_sim_plant_says_each_device_beside_its_ready_line(tmp_path: Path) -> None:
    plant = json.loads(plant_file(tmp_path).read_text())
    argv = ["sim", "plant", "--config", str(tmp_path / "plant.json"), "--control", "tcp://127.0.0.1:0"]
    with running(argv, tmp_path / "err", stdout=subprocess.PIPE) as proc:
        assert proc.stdout is not None
        ready = json.loads(proc.stdout.readline())
        said = wait_for(tmp_path / "err", "startup: control channel", proc)
    assert ready["ready"] is True
    lines = [line.split(" INFO startup: ", 1)[1] for line in said.splitlines() if " INFO startup: " in line]
    ptl, zebra = plant["devices"]["ptl"], plant["devices"]["printers"]["zebra-1"]
    assert lines == [
        f"ptl-seat: Modbus TCP pick-to-light gateway 127.0.0.1:{ptl['ptl-seat']['port']} (unit ids 1, 2, 3, 4)",
        f"ptl-bump: Modbus TCP pick-to-light gateway 127.0.0.1:{ptl['ptl-bump']['port']} (unit ids 1, 2, 3, 4)",
        f"zebra-1: Zebra ZPL printer 127.0.0.1:{zebra['port']}, JSON status 127.0.0.1:{zebra['status_port']}",
        f"OEM feed L1: a broadcast every 60 s to {plant['service']['feed_endpoint']} (no end, speed 1x)",
        f"control channel {ready['control']} (docs/sim-control.md)",
    ]


def on_a_terminal(argv: list[str], timeout_s: float = 240) -> tuple[int, str, str]:
    """Run with stderr on a pty: (exit code, what the terminal showed, stdout)."""
    reader, writer = pty.openpty()
    proc = subprocess.Popen([*JIS, *argv], stdout=subprocess.PIPE, stderr=writer)
    os.close(writer)
    shown, deadline = [], time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not select.select([reader], [], [], 0.5)[0]:
            if proc.poll() is not None:
                break
            continue
        try:
            chunk = os.read(reader, 65536)
        except OSError:  # the last writer closed it
            break
        if not chunk:
            break
        shown.append(chunk)
    os.close(reader)
    out, _ = proc.communicate(timeout=60)
    return proc.returncode, b"".join(shown).decode(errors="replace"), out.decode()


FUZZ = ["fuzz", "--inputs", "20000", "--only", "json,hmi_command", "--corpus", str(SAMPLES)]
REDRAWN = re.compile(r"\rjis fuzz: json \(1/2\)  \d+/20000 inputs \(\d+%\), \d+ left  ~\d+ s left  crashes 0")


def test_a_long_command_shows_its_progress_on_a_terminal() -> None:
    code, shown, out = on_a_terminal(FUZZ)
    assert code == 0, shown
    assert len(REDRAWN.findall(shown)) >= 2, shown  # redrawn in place, done and left and an estimate
    assert "\rjis fuzz: hmi_command (2/2)" in shown
    assert "json" in out and "\r" not in out  # the report on stdout, untouched


def test_on_a_pipe_one_line_per_phase_and_with_json_nothing(tmp_path: Path) -> None:
    done = subprocess.run([*JIS, *FUZZ], capture_output=True, text=True, timeout=240, check=True)
    assert done.stderr.splitlines() == [
        "jis fuzz: json (1/2): 20000 inputs",
        "jis fuzz: hmi_command (2/2): 20000 inputs",
    ]
    code, shown, out = on_a_terminal([*FUZZ, "--json"])
    assert code == 0 and shown == "", shown
    assert set(json.loads(out)) == {"json", "hmi_command"}


def test_the_headless_demo_shows_vehicles_done_and_left_on_a_terminal(tmp_path: Path) -> None:
    argv = ["demo", "--headless", "--vehicles", "12", "--speed", "300", "--workdir", str(tmp_path)]
    code, shown, out = on_a_terminal(argv)
    assert code == 0, shown[-3000:]
    assert re.search(r"\rjis demo: running the line  \d+/12 vehicles \(\d+%\), \d+ left", shown), shown[-3000:]
    assert json.loads(out)["vehicles_completed"] == 12
