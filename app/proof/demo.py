"""``jis demo``: the whole simulated plant (simulators in their own process, the service, the HMI) in one go.

Every hop runs over its real protocol on 127.0.0.1: the OEM feed over ZeroMQ, the lights over Modbus TCP, the
printer over ZPL/TCP, the HMI over the bus. Each run uses free ports and a fresh SQLite database in a work
folder (or ``--database URL``, e.g. an empty PostgreSQL database), so it never collides with a running plant.
Headless, it prints a live status line and, with ``--json``, one summary object; the exit code is 0 only if
every vehicle completed with nothing out of sequence.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.config import load_plant, with_free_ports
from app.proof.demo_users import ensure_demo_users
from app.proof.verdict import printer_records
from app.service.runtime import Service, scaled_clock
from plc_io.loopback_ports import free_port
from sequencer.alarms import AlarmState
from sequencer.events import AcknowledgeAlarm, RackShipped, ReprintLabel, ResolveDeviation
from sequencer.plant import OpcUaServerConfig, OpcUaSettings, PlantConfig

log = logging.getLogger(__name__)
LEAD_REACTION_S = 30.0  # plant seconds a simulated shift lead takes to come and correct a wrong pick
LEAD_NOTE = "wrong part put back, right bin shown again"
UNCERTAIN_NOTE = "checked the part: no label on it, reprinted"
FOUND_NOTE = "checked the part: its label is on it"


@dataclass(frozen=True, kw_only=True)
class DemoOptions:
    config: str | None = None
    vehicles: int | None = 200
    speed: float = 100.0
    seed: int | None = None
    headless: bool = True
    as_json: bool = False
    workdir: str | None = None
    timeout_s: float | None = None
    faults: str = "none"
    ptl: str | None = None  # override every PTL device's protocol (modbus | opcua)
    printer: str | None = None  # override every printer's protocol (zpl | modbus | opcua)
    database: str | None = None  # SQLAlchemy URL; default: a fresh SQLite file in the work folder
    line_server: bool = True  # the line's OPC UA server for SCADA/MES (dev profile on 127.0.0.1 unless configured)


def _percentile(values: list[float], q: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 2)
    return round(statistics.quantiles(values, n=100, method="inclusive")[q - 1], 2)


def _printer_records(path: Path) -> tuple[int, int]:
    """(labels the printers printed, label ids they printed more than once) from their own records."""
    ids = printer_records(path)  # shared with jis chaos (app.proof.verdict)
    return sum(ids.values()), sum(1 for n in ids.values() if n > 1)


def _faults_injected(records: Path) -> dict[str, int]:
    path = records.with_suffix(".faults.json")
    return json.loads(path.read_text()) if path.exists() else {}


async def _wait_ready(proc: asyncio.subprocess.Process, timeout_s: float) -> dict[str, Any]:
    """The simulators' ready line: {"ready": true, "control": endpoint}."""
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), timeout_s)
    if b"ready" not in line:
        raise RuntimeError(f"simulators failed to start: {line!r}")
    return dict(json.loads(line))


def _prepare(opts: DemoOptions) -> tuple[Path, PlantConfig]:
    """A work folder with a fresh database (unless one is given) and the plant file moved to free ports."""
    work = Path(opts.workdir or tempfile.mkdtemp(prefix="jis-demo-"))
    work.mkdir(parents=True, exist_ok=True)
    database = opts.database
    if database is None:
        db = work / "jis-demo.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        database = f"sqlite:///{db}"
    plant = _with_protocols(load_plant(opts.config), opts)
    plant = with_free_ports(_with_line_server(plant) if opts.line_server else plant, database=database)
    (work / "plant.json").write_text(plant.model_dump_json(indent=2))
    return work, plant


def _screens(plant: PlantConfig, ready: dict[str, Any]) -> list[list[str]]:
    """The HMI windows a demo opens when a display is available: operator panel first, then the others."""
    svc = plant.service
    hmi = [sys.executable, "-m", "app.cli.main", "hmi", "--connect", svc.hmi_endpoint]
    hmi += ["--commands", svc.hmi_command_endpoint, "--snapshot", svc.hmi_snapshot_endpoint]
    screens = [[*hmi, "--role", "operator"], [*hmi, "--role", "lead"]]
    if ready.get("control"):
        screens.append([*hmi, "--role", "engineer", "--sim", str(ready["control"])])
    return screens


def _with_protocols(plant: PlantConfig, opts: DemoOptions) -> PlantConfig:
    """The plant with every PTL and printer switched to the protocol asked for on the command line."""
    devices = plant.devices
    # the simulated plant speaks OPC UA in the dev profile; the service logs it as UNSECURED (docs/opcua.md)
    dev = OpcUaSettings(security="dev")
    if opts.ptl:
        ptl = {n: d.model_copy(update={"protocol": opts.ptl, "opcua": dev}) for n, d in devices.ptl.items()}
        devices = devices.model_copy(update={"ptl": ptl})
    if opts.printer:
        printers = {
            n: d.model_copy(update={"protocol": opts.printer, "opcua": dev}) for n, d in devices.printers.items()
        }
        devices = devices.model_copy(update={"printers": printers})
    return plant.model_copy(update={"devices": devices})


def _with_line_server(plant: PlantConfig) -> PlantConfig:
    """The line's OPC UA server for SCADA and MES, unsecured on 127.0.0.1 unless the plant file configures it (the
    demo's own is optional: a demo runs on without it, saying so). The benchmarks switch it off
    (``line_server=False``): they measure the sequencing path on its own."""
    if plant.service.opcua_server is not None:
        return plant
    service = plant.service.model_copy(update={"opcua_server": OpcUaServerConfig(security="dev", optional=True)})
    return plant.model_copy(update={"service": service})


async def run_demo(
    opts: DemoOptions,
    reference: Callable[[PlantConfig], Awaitable[list[float]]] | None = None,
    on_service: Callable[[Service], None] | None = None,
) -> dict[str, Any]:
    """Run the plant; ``reference`` (benchmarks) measures raw device operations once the simulators are up;
    ``on_service`` (benchmarks) is handed the service once it is ready, to watch it."""
    work, plant = _prepare(opts)
    records = work / "printed.jsonl"
    sim_cmd = [sys.executable, "-m", "hardware_sims", "plant", "--config", str(work / "plant.json")]
    sim_cmd += ["--speed", str(opts.speed), "--records", str(records)]
    if opts.vehicles is not None:
        sim_cmd += ["--vehicles", str(opts.vehicles)]
    if opts.seed is not None:
        sim_cmd += ["--seed", str(opts.seed)]
    sim_cmd += ["--faults", opts.faults, "--control", f"tcp://127.0.0.1:{free_port()}"]
    sims = await asyncio.create_subprocess_exec(*sim_cmd, stdout=asyncio.subprocess.PIPE)
    hmi: asyncio.subprocess.Process | None = None  # the operator panel: closing it ends the demo
    hmis: list[asyncio.subprocess.Process] = []
    service = Service(plant, clock=scaled_clock(opts.speed))
    started = time.monotonic()
    task: asyncio.Task[None] | None = None
    dock: asyncio.Task[None] | None = None
    try:
        ready = await _wait_ready(sims, 30)
        reference_ms = await reference(plant) if reference else []
        task = asyncio.create_task(service.run(), name="service")
        await asyncio.wait_for(service.ready.wait(), 30)
        if on_service is not None:
            on_service(service)
        # fresh random passwords for the demo's HMI users, said once on stderr (never a default password)
        await asyncio.get_running_loop().run_in_executor(service.writer, ensure_demo_users, service.accounts)
        dock = asyncio.create_task(_dock_and_lead(service, records), name="dock-and-lead")
        if not opts.headless:
            hmis = [await asyncio.create_subprocess_exec(*cmd) for cmd in _screens(plant, ready)]
            hmi = hmis[0]
        await _watch(service, opts, hmi, task)
    finally:
        elapsed = time.monotonic() - started
        if dock is not None:
            dock.cancel()
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if sims.returncode is None:
            sims.terminate()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(sims.wait(), 15)
        if sims.returncode is None:
            sims.kill()
        for screen in hmis:
            if screen.returncode is None:
                screen.terminate()
                await screen.wait()
    summary = _summary(service, records, elapsed, opts, work)
    if reference:
        summary["reference_write_ms"] = reference_ms
    return summary


async def _dock_and_lead(service: Service, records: Path) -> None:
    """Stand-ins for the dock scanner and the shift lead of a real centre, acting through the service's door.

    A closed rack with its label printed goes onto the truck; a wrong pick is corrected a little later (the
    operator has put the wrong part back); a label that may or may not have printed (the printer's link dropped
    mid-job) is checked a little later, as the deviation asks: the lead looks at the part (the printers' own
    records, the demo's stand-in for the world) and resolves the deviation when the label is on it, or reprints
    explicitly when it is not (the new label says REPRINT); an alarm that has returned to normal is acknowledged a
    little later (the lead has read it), as on a staffed line.
    """
    seen_wrong: dict[int, float] = {}
    seen_uncertain: dict[str, float] = {}
    seen_returned: dict[int, float] = {}
    while True:
        await asyncio.sleep(0.2)
        core, now = service.core, service.clock()
        for rack in [r for r in core.state.watched_racks.values() if r.closed and r.labelled]:
            shipped = RackShipped(at=now, feed=rack.feed, family=rack.family, rack_no=rack.rack_no, user="dock")
            await service.submit(shipped)
        for dev in [d for d in core.state.deviations.open_deviations() if d.kind == "wrong_pick" and d.active]:
            if now - seen_wrong.setdefault(dev.deviation_id, now) >= LEAD_REACTION_S:
                fix = ResolveDeviation(at=now, user="sim-lead", reason=LEAD_NOTE, deviation_id=dev.deviation_id)
                await service.submit(fix)
        for label_id, dev_id in sorted(core.state.uncertain.items()):  # once: either takes it out of ``uncertain``
            if now - seen_uncertain.setdefault(label_id, now) >= LEAD_REACTION_S:
                await service.submit(_check_uncertain(label_id, dev_id, now, printer_records(records)))
        for dev in [d for d in core.state.deviations.open_deviations() if d.state is AlarmState.RTN_UNACK]:
            if now - seen_returned.setdefault(dev.deviation_id, now) >= LEAD_REACTION_S:
                read = AcknowledgeAlarm(at=now, user="sim-lead", reason="read", deviation_id=dev.deviation_id)
                await service.submit(read)


def _check_uncertain(
    label_id: str, dev_id: int, at: float, printed: Counter[tuple[str, int]]
) -> ResolveDeviation | ReprintLabel:
    """What a lead does with an uncertain label after looking at the part: resolve it when a label with this id is
    on it (the printer did print it before its link dropped), reprint it when there is none."""
    if any(printed_id == label_id for printed_id, _ in printed):
        return ResolveDeviation(at=at, user="sim-lead", reason=FOUND_NOTE, deviation_id=dev_id)
    return ReprintLabel(at=at, user="sim-lead", reason=UNCERTAIN_NOTE, label_id=label_id)


async def _watch(
    service: Service, opts: DemoOptions, hmi: asyncio.subprocess.Process | None, task: asyncio.Task[None]
) -> None:
    """Until every vehicle completed (or the HMI window closed, or the time-out), with a live status line."""
    plant = service.plant
    takt = max(f.takt_s for f in plant.feeds)
    limit = opts.timeout_s or (60 + 3 * (opts.vehicles or 0) * takt / opts.speed)
    deadline = time.monotonic() + limit
    last_print = 0.0
    while not task.done():
        core = service.core
        if opts.vehicles is not None and _accounted(service) >= opts.vehicles * len(plant.feeds):
            await _drain_labels(service)
            return
        if hmi is not None and hmi.returncode is not None:
            return
        if opts.vehicles is not None and time.monotonic() > deadline:
            log.error("demo timed out after %.0f s", limit)
            return
        if not opts.as_json and time.monotonic() - last_print >= 0.5:
            last_print = time.monotonic()
            feeds = " ".join(f"{f.cfg.id}#{f.last_seq}" for f in core.state.feeds.values())
            line = (
                f"\r{feeds}  broadcast {sum(f.broadcasts for f in core.state.feeds.values()):5d}  "
                f"completed {core.state.vehicles_completed:5d}  racks {core.state.racks_completed:4d}  "
                f"labels {core.state.labels_printed:5d}  open deviations {len(core.state.deviations.by_id):3d}"
            )
            print(line, end="", file=sys.stderr, flush=True)
        await asyncio.sleep(0.1)
    task.result()  # the service died: raise its error


async def _drain_labels(service: Service, limit_s: float = 15.0) -> None:
    """Let labels still on their way to the printer land, so the summary compares like with like."""
    deadline = time.monotonic() + limit_s
    while service.core.state.unprinted and time.monotonic() < deadline:  # noqa: ASYNC110 (polls the core's state)
        await asyncio.sleep(0.1)


def _cancelled(service: Service) -> int:
    return service.core.vehicle_statuses()["cancelled"]


def _accounted(service: Service) -> int:
    """Vehicles that reached an end: completed (picked, labelled) or cancelled by the OEM."""
    ends = ("completed", "cancelled")
    statuses = service.core.vehicle_statuses()
    return sum(statuses[s] for s in ends)


def _summary(service: Service, records: Path, elapsed: float, opts: DemoOptions, work: Path) -> dict[str, Any]:
    core = service.core
    lat, queued = list(service.latency.latencies_ms), list(service.latency.queued_ms)
    printed, printer_doubled = _printer_records(records)
    return {
        "vehicles_requested": None if opts.vehicles is None else opts.vehicles * len(service.plant.feeds),
        "vehicles_broadcast": sum(f.broadcasts for f in core.state.feeds.values()),
        "vehicles_completed": core.state.vehicles_completed,
        "vehicles_cancelled": _cancelled(service),
        "racks_completed": core.state.racks_completed,
        "labels_printed": core.state.labels_printed,
        "labels_printed_by_printers": printed,
        "doubled": service.check.doubled + printer_doubled,
        "out_of_sequence": service.check.out_of_sequence,
        "deviations": dict(sorted(core.state.deviations.counts.items())),
        "open_deviations": len(core.state.deviations.by_id),
        "quarantined": service.intake.quarantined,
        "latency_ms": {"p50": _percentile(lat, 50), "p99": _percentile(lat, 99), "samples": len(lat)},
        # bins lit only when their station freed: received -> lit includes the line's queue at the station
        "queued_ms": {"p50": _percentile(queued, 50), "p99": _percentile(queued, 99), "samples": len(queued)},
        "faults_injected": _faults_injected(records),
        "speed": opts.speed,
        "elapsed_s": round(elapsed, 2),
        "workdir": str(work),
    }


def demo_passed(summary: dict[str, Any]) -> bool:
    wanted = summary["vehicles_requested"]
    complete = wanted is None or summary["vehicles_completed"] + summary["vehicles_cancelled"] >= wanted
    return bool(complete and summary["out_of_sequence"] == 0 and summary["doubled"] == 0)


# Opens Qt as the screens will (xcb or wayland platform plugin and its system libraries), without a window.
_QT_PROBE = "from PySide6.QtWidgets import QApplication; QApplication([])"
QT_PROBE_TIMEOUT_S = 20.0


def display_available() -> bool:
    """Whether the demo can open its screens: a display, and Qt able to use it. When Qt cannot (a system library
    missing), say so once, naming what to install, and run headless instead of starting screens that fail."""
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return False
    try:
        probe = subprocess.run(
            [sys.executable, "-c", _QT_PROBE], capture_output=True, text=True, timeout=QT_PROBE_TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        reason = f"Qt did not open the display within {QT_PROBE_TIMEOUT_S:.0f} s"
    else:
        if probe.returncode == 0:
            return True
        lines = [line for line in probe.stderr.splitlines() if line.strip()]
        reason = lines[-1] if lines else f"Qt exited with {probe.returncode}"
    print(
        f"jis demo: no screens, running headless: Qt cannot open the display ({reason.strip()}); "
        "its system libraries: as root run .ci/system-deps qt",
        file=sys.stderr,
    )
    return False
