"""Stopping is clean (issue 13, item 4): SIGINT and SIGTERM on ``jis serve``, ``demo``, ``sim``, ``hmi`` and ``chaos``
at moments drawn from a seeded generator, a few per command.

Each command runs in a subprocess leading a process group of its own, as a shell runs a job, and is stopped as
people and machines stop it: SIGINT to the whole group (a terminal's Ctrl-C reaches every process of the
foreground job) or SIGTERM to the leader alone (a supervisor, ``kill``). The moment is counted from when the
command reached its own code (it catches SIGTERM: ``app.signals``); before that the interpreter itself is starting,
and a Ctrl-C then is Python's own to report. Then it must exit within ``STOP_BOUND_S``, say no "Traceback" on
stderr, leave no process of its group (scanned in /proc), and every port a process of the group listened on while
it ran (sampled from /proc/net/tcp until it ended) must be free to listen on again. ``jis demo``, stopped once its
plant was starting, prints its summary marked partial and exits 130 or 143.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from app.config import load_plant, with_free_ports
from plc_io.loopback_ports import free_port
from sequencer.plant import OpcUaServerConfig
from tests.live import LiveLine

pytestmark = pytest.mark.e2e

STOP_BOUND_S = 45.0  # from the signal to the last process of the group gone (the demo gives its simulators 15 s)
SAMPLE_S = 0.2  # how often the group's processes and listening ports are sampled while it runs
MOMENTS = 4  # per command: SIGINT to the group, SIGTERM to the leader, SIGINT, SIGTERM
WINDOWS = {"serve": (0.0, 8.0), "demo": (0.0, 14.0), "sim": (0.0, 5.0), "hmi": (0.0, 5.0), "chaos": (0.0, 14.0)}
STARTED_S = 30.0  # until the command's Python reached its own code, on a loaded machine


@dataclass(frozen=True)
class Stop:
    command: str
    moment: float  # seconds after the start
    group: bool  # SIGINT to the whole group (Ctrl-C), else SIGTERM to the leader

    @property
    def signal(self) -> signal.Signals:
        return signal.SIGINT if self.group else signal.SIGTERM

    def __str__(self) -> str:
        return f"{self.command}-{self.signal.name}-{'group' if self.group else 'leader'}-at-{self.moment:.1f}s"


def stops() -> list[Stop]:
    """A few moments per command, the same on every run (seeded by the command's name)."""
    cases = []
    for command, (low, high) in WINDOWS.items():
        rng = random.Random(f"stopping {command}")
        moments = sorted(rng.uniform(low, high) for _ in range(MOMENTS))
        cases += [Stop(command, moment, group=i % 2 == 0) for i, moment in enumerate(moments)]
    return cases


# -- watching a process group through /proc --------------------------------------------------------------------
def group_members(pgid: int) -> dict[int, str]:
    """pid -> command line of every live (not zombie) process in group ``pgid``."""
    members = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="utf-8") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid or fields[0] == "Z":
                continue
            with open(f"/proc/{entry.name}/cmdline", "rb") as cmdline:
                members[int(entry.name)] = cmdline.read().replace(b"\0", b" ").decode(errors="replace")[:200]
        except (OSError, IndexError, ValueError):
            continue  # it ended while we looked
    return members


def catches_sigterm(pid: int) -> bool:
    """The process has a handler for SIGTERM: the command line's own code runs (``app.signals.terminate_raises``)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            caught = next(line for line in status if line.startswith("SigCgt:")).split()[1]
    except (OSError, StopIteration):
        return False
    return bool(int(caught, 16) >> (signal.SIGTERM - 1) & 1)


def socket_inodes(pids: Iterator[int] | list[int]) -> dict[str, int]:
    """socket inode -> the pid holding it."""
    inodes = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            for fd in os.scandir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    link = os.readlink(fd.path)
                    if link.startswith("socket:["):
                        inodes[link[8:-1]] = pid
    return inodes


def listening() -> dict[str, tuple[str, int]]:
    """socket inode -> (address, port) of every TCP socket in LISTEN on this machine."""
    found = {}
    for table, family in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
        with contextlib.suppress(OSError), open(table, encoding="ascii") as lines:
            for line in list(lines)[1:]:
                cells = line.split()
                if cells[3] != "0A":  # TCP_LISTEN
                    continue
                hex_address, hex_port = cells[1].split(":")
                host = "127.0.0.1" if family == socket.AF_INET and hex_address == "0100007F" else "0.0.0.0"
                if family == socket.AF_INET6:
                    host = "::1" if hex_address.endswith("01000000") and set(hex_address[:24]) == {"0"} else "::"
                found[cells[9]] = (host, int(hex_port, 16))
    return found


@dataclass
class Watch:
    """Samples a process group's members and listening ports until told to stop."""

    pgid: int
    pids: set[int] = field(default_factory=set)
    ports: set[tuple[str, int]] = field(default_factory=set)
    _done: threading.Event = field(default_factory=threading.Event)

    def sample(self) -> None:
        members = group_members(self.pgid)
        self.pids |= set(members)
        inodes = socket_inodes(list(members))
        self.ports |= {address for inode, address in listening().items() if inode in inodes}

    def run(self) -> None:
        while not self._done.wait(SAMPLE_S):
            self.sample()

    @contextlib.contextmanager
    def watching(self) -> Iterator[Watch]:
        thread = threading.Thread(target=self.run, name="group-watch", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._done.set()
            thread.join()


def free_again(address: tuple[str, int]) -> bool:
    """A server could listen there again (with SO_REUSEADDR, as servers and ZeroMQ bind)."""
    host, port = address
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with contextlib.closing(socket.socket(family, socket.SOCK_STREAM)) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
            probe.listen(1)
        except OSError:
            return False
    return True


def holder(address: tuple[str, int]) -> int | None:
    """The pid listening on ``address`` now, if any."""
    inodes = [inode for inode, found in listening().items() if found[1] == address[1]]
    owners = socket_inodes([int(e.name) for e in os.scandir("/proc") if e.name.isdigit()])
    return next((owners[i] for i in inodes if i in owners), None)


# -- the commands ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def line(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveLine]:
    """A running line (fake devices) for the screens to show."""
    with LiveLine(tmp_path_factory.mktemp("line"), fakes=True) as live:
        yield live


def plant_file(folder: Path) -> Path:
    """The demo plant on free ports, with metrics and the line's OPC UA server (dev profile): every listener."""
    plant = with_free_ports(load_plant(), database=f"sqlite:///{folder / 'jis.db'}")
    server = OpcUaServerConfig(security="dev", endpoint=f"opc.tcp://127.0.0.1:{free_port()}/jis/line")
    service = plant.service.model_copy(update={"metrics_port": free_port(), "opcua_server": server})
    path = folder / "plant.json"
    path.write_text(plant.model_copy(update={"service": service}).model_dump_json(), encoding="utf-8")
    return path


def command_line(stop: Stop, folder: Path, request: pytest.FixtureRequest) -> list[str]:
    jis = [sys.executable, "-m", "app.cli.main"]
    if stop.command == "serve":
        return [*jis, "serve", "--config", str(plant_file(folder))]
    if stop.command == "sim":
        control = f"tcp://127.0.0.1:{free_port()}"
        return [*jis, "sim", "plant", "--config", str(plant_file(folder)), "--speed", "20", "--control", control]
    if stop.command == "demo":  # with its screens (offscreen), so their processes are stopped too
        return [*jis, "demo", "--vehicles", "40", "--speed", "50", "--workdir", str(folder / "demo")]
    if stop.command == "chaos":
        faults = ["--kills", "2", "--outages", "1", "--db-locks", "1", "--db-unreachable", "0"]
        return [*jis, "chaos", "--vehicles", "40", "--speed", "100", *faults, "--workdir", str(folder / "chaos")]
    svc = request.getfixturevalue("line").plant.service
    bus = ["--connect", svc.hmi_endpoint, "--commands", svc.hmi_command_endpoint]
    return [*jis, "hmi", *bus, "--snapshot", svc.hmi_snapshot_endpoint, "--role", "lead"]


def environment(folder: Path) -> dict[str, str]:
    runtime = folder / "xdg"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(runtime), "HOME": str(folder)}
    env["DISPLAY"] = ":99"  # the demo opens its screens (offscreen, whatever the display says)
    env["QT_LOGGING_RULES"] = "default.warning=false"
    return env


@pytest.mark.parametrize("stop", stops(), ids=str)
def test_a_stopped_command_leaves_nothing_behind(stop: Stop, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    argv = command_line(stop, tmp_path, request)
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen(argv, stdout=stdout, stderr=stderr, env=environment(tmp_path), process_group=0)
    watch = Watch(proc.pid)
    try:
        with watch.watching():
            deadline = time.monotonic() + STARTED_S
            while not catches_sigterm(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(stop.moment)
            watch.sample()
            (os.killpg if stop.group else os.kill)(proc.pid, stop.signal)
            signalled = time.monotonic()
            code = proc.wait(STOP_BOUND_S)
            while group_members(proc.pid) and time.monotonic() - signalled < STOP_BOUND_S:
                time.sleep(0.1)
        left = group_members(proc.pid)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(5)
    said = err.read_text(errors="replace")
    assert not left, f"left running: {left}\n{said[-3000:]}"
    assert "Traceback" not in said, said[-5000:]
    held = {a: holder(a) for a in watch.ports if not free_again(a)}
    ours = {a: pid for a, pid in held.items() if pid is None or pid in watch.pids}
    assert not ours, f"ports still held by what the command started: {ours}"
    if stop.command == "demo":
        check_partial_summary(code, out.read_text(), said)


def check_partial_summary(code: int, stdout: str, stderr: str) -> None:
    """Once the demo had begun starting its plant, a stop ends with the summary of what completed, marked partial."""
    assert code in (128 + signal.SIGINT, 128 + signal.SIGTERM), (code, stderr[-2000:])
    if "jis demo: starting the simulators and the service" not in stderr:
        return  # stopped while Python loaded it: nothing had started, nothing to sum up
    summary = json.loads(stdout[stdout.index("{") :])
    assert summary["partial"] is True
    assert summary["stopped_by"] == signal.Signals(code - 128).name
    assert summary["vehicles_requested"] == 40
    assert f"jis demo: stopped by {summary['stopped_by']}: the summary is partial" in stderr
