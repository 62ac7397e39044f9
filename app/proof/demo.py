"""``jis demo``: the whole simulated plant (simulators in their own process, the service, the HMI) in one go.

Every hop runs over its real protocol on 127.0.0.1: the OEM feed over ZeroMQ, the lights over Modbus TCP, the
printer over ZPL/TCP, the HMI over the bus. Each run uses free ports and a fresh SQLite database in a work
folder (or ``--database URL``, e.g. an empty PostgreSQL database), so it never collides with a running plant.
Headless, it shows its progress on a terminal (``app.progress``) and, with ``--json``, one summary object; the
exit code is 0 only if every vehicle completed with nothing out of sequence. SIGINT or SIGTERM stops it at any
moment: every process it started ends and every port it opened is free again, and the summary of what completed so
far is marked ``partial``.
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
from asyncio.subprocess import PIPE
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.config import load_plant, with_free_ports
from app.progress import Progress
from app.proof.chaos_faults import SimControlClient
from app.proof.demo_replenisher import ReplenisherStandIn
from app.proof.demo_users import ensure_demo_users
from app.proof.verdict import printer_records
from app.service.runtime import Service, scaled_clock
from app.signals import StopSignals, raise_if_stop_asked, spawning
from plc_io.loopback_ports import free_port
from sequencer.alarms import AlarmState
from sequencer.events import AcknowledgeAlarm, Event, RackLabelScanned, ReprintLabel, ResolveDeviation
from sequencer.plant import OpcUaServerConfig, OpcUaSettings, PlantConfig, ShipNoticeConfig

log = logging.getLogger(__name__)
STAFF_LOOP_S = 0.2  # real seconds between the dock's, lead's and replenisher's looks at the line
LEAD_REACTION_S = 30.0  # plant seconds a simulated shift lead takes to come and correct a wrong pick
LEAD_NOTE = "wrong part put back, right bin shown again"
UNCERTAIN_NOTE = "checked the part: no label on it, reprinted"
FOUND_NOTE = "checked the part: its label is on it"
SIMS_STOP_S = 15.0  # the simulators stop their servers and write their records; then they are killed
SCREEN_STOP_S = 5.0  # an HMI window closes on SIGTERM (ui.main); then it is killed


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


def _feed_gateways(records: Path) -> dict[str, Any]:
    path = records.with_suffix(".feeds.json")
    return dict(json.loads(path.read_text())) if path.exists() else {}


async def _wait_ready(proc: asyncio.subprocess.Process, timeout_s: float) -> dict[str, Any]:
    """The simulators' ready line: {"ready": true, "control": endpoint}."""
    assert proc.stdout is not None
    async with asyncio.timeout(timeout_s):  # not wait_for: on 3.11 it can swallow a stop (app.signals)
        line = await proc.stdout.readline()
    if b"ready" not in line:
        raise RuntimeError(f"simulators failed to start: {line!r}")
    return dict(json.loads(line))


def _prepare(opts: DemoOptions, replenish_url: str = "") -> tuple[Path, PlantConfig]:
    """A work folder with a fresh database (unless one is given) and the plant file moved to free ports."""
    work = Path(opts.workdir or tempfile.mkdtemp(prefix="jis-demo-"))
    work.mkdir(parents=True, exist_ok=True)
    database = opts.database
    if database is None:
        db = work / "jis-demo.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        database = f"sqlite:///{db}"
    plant = _with_notices(_with_protocols(load_plant(opts.config), opts), work)
    plant = _with_replenisher(plant, replenish_url)
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


def _with_notices(plant: PlantConfig, work: Path) -> PlantConfig:
    """Ship notices for every rack the dock ships, to an outbox folder in the work folder and over the feed link to
    the simulated OEM, which checks and acknowledges them (unless the plant file configures them itself)."""
    if plant.ship_notices is not None:
        return plant
    return plant.model_copy(update={"ship_notices": ShipNoticeConfig(outbox=str(work / "edi-outbox"))})


def _with_replenisher(plant: PlantConfig, url: str) -> PlantConfig:
    """Replenishment calls to the demo's replenisher (``app.proof.demo_replenisher``), where bins keep stock and the
    plant file sends its calls nowhere itself."""
    kept = any(b.capacity is not None for s in plant.stations for b in s.bins)
    if not url or not kept or plant.stock.webhooks:
        return plant
    return plant.model_copy(update={"stock": plant.stock.model_copy(update={"webhooks": (url,)})})


def _with_line_server(plant: PlantConfig) -> PlantConfig:
    """The line's OPC UA server for SCADA and MES, unsecured on 127.0.0.1 unless the plant file configures it (the
    demo's own is optional: a demo runs on without it, saying so). The benchmarks switch it off
    (``line_server=False``): they measure the sequencing path on its own."""
    if plant.service.opcua_server is not None:
        return plant
    service = plant.service.model_copy(update={"opcua_server": OpcUaServerConfig(security="dev", optional=True)})
    return plant.model_copy(update={"service": service})


@dataclass
class _Started:
    """What a demo has started so far: what its end, or a stop at any moment, must end."""

    sims: asyncio.subprocess.Process | None = None
    service: asyncio.Task[None] | None = None
    dock: asyncio.Task[None] | None = None
    replenisher: ReplenisherStandIn | None = None
    screens: list[asyncio.subprocess.Process] = field(default_factory=list)
    reference_ms: list[float] = field(default_factory=list)


async def run_demo(
    opts: DemoOptions,
    reference: Callable[[PlantConfig], Awaitable[list[float]]] | None = None,
    on_service: Callable[[Service], None] | None = None,
    on_sims: Callable[[dict[str, Any]], Awaitable[None]] | None = None,
    refill_round: Callable[[str, float], float] | None = None,
) -> dict[str, Any]:
    """Run the plant; ``reference`` (benchmarks) measures raw device operations once the simulators are up;
    ``on_service`` (benchmarks) is handed the service once it is ready, to watch it; ``on_sims`` (benchmarks) the
    simulators' ready line (their control endpoint) before the service starts; ``refill_round`` (``jis rehearse``)
    the replenisher's round per call (``app.proof.demo_replenisher``).

    SIGINT or SIGTERM at any moment stops it: every process it started is ended (each wait bounded), and the summary
    says what completed so far, marked ``partial`` with the signal in ``stopped_by``."""
    progress = Progress("jis demo", quiet=opts.as_json)
    with StopSignals() as stop, contextlib.closing(ReplenisherStandIn(round_s=refill_round)) as replenisher:
        work, plant = _prepare(opts, replenisher.url)
        records = work / "printed.jsonl"
        service = Service(plant, clock=scaled_clock(opts.speed))
        started, begun = _Started(), time.monotonic()
        started.replenisher = replenisher
        running = _run(opts, plant, records, service, started, reference, on_service, on_sims, progress)
        body = asyncio.create_task(running, name="demo")
        stop.on_stop(body.cancel)
        try:
            await asyncio.wait({body})
        finally:
            if not body.done():  # this coroutine was cancelled (a benchmark's harness): the body goes with it
                body.cancel()
                await asyncio.gather(body, return_exceptions=True)
            elapsed = time.monotonic() - begun
            progress.phase("stopping")
            await _end(started)
        progress.done()
        if not body.cancelled():
            body.result()  # the service's own error, if it died
    summary = _summary(service, records, elapsed, opts, work)
    lowest = [b.lowest for b in service.core.state.stock.values() if b.lowest is not None]
    summary["replenishment"] = {
        "calls": replenisher.calls,
        "filled": replenisher.filled,
        "lowest_stock": min(lowest, default=None),  # the least a bin held after a pick; 0: a bin ran out
    }
    if reference:
        summary["reference_write_ms"] = started.reference_ms
    if stop.received is not None:
        summary |= {"partial": True, "stopped_by": stop.received.name}
    return summary


def _sim_command(opts: DemoOptions, work: Path, records: Path) -> list[str]:
    """The simulated plant (``python -m hardware_sims plant``) on the demo's plant file."""
    cmd = [sys.executable, "-m", "hardware_sims", "plant", "--config", str(work / "plant.json")]
    cmd += ["--speed", str(opts.speed), "--records", str(records)]
    if opts.vehicles is not None:
        cmd += ["--vehicles", str(opts.vehicles)]
    if opts.seed is not None:
        cmd += ["--seed", str(opts.seed)]
    return [*cmd, "--faults", opts.faults, "--control", f"tcp://127.0.0.1:{free_port()}"]


async def _run(
    opts: DemoOptions,
    plant: PlantConfig,
    records: Path,
    service: Service,
    started: _Started,
    reference: Callable[[PlantConfig], Awaitable[list[float]]] | None,
    on_service: Callable[[Service], None] | None,
    on_sims: Callable[[dict[str, Any]], Awaitable[None]] | None,
    progress: Progress,
) -> None:
    """Start the simulators, the service, the dock and lead, the screens; run until the demo is over. Whatever it
    started is in ``started`` the moment it exists, for ``_end``."""
    progress.phase("starting the simulators and the service")
    # fresh random passwords for the demo's HMI users, said once on stderr (never a default password). Before
    # anything runs: four argon2 hashes take seconds of the writer thread on a loaded machine, and done once the
    # service was up they held its first journal commits, so the first ACKs came after the gateway's resend
    # time-out (counted duplicates) and the first bins lit after their pick time-out (issue 14 item 6)
    await asyncio.get_running_loop().run_in_executor(service.writer, ensure_demo_users, service.accounts)
    with spawning():
        sims = await asyncio.create_subprocess_exec(*_sim_command(opts, records.parent, records), stdout=PIPE)
    started.sims = sims
    ready = await _wait_ready(sims, 30)
    if on_sims is not None:
        await on_sims(ready)
    if reference is not None:
        started.reference_ms = await reference(plant)
    started.service = task = asyncio.create_task(service.run(), name="service")
    await _until_ready(service, task, 30)
    if on_service is not None:
        on_service(service)
    dock_and_lead = _dock_and_lead(service, str(ready["control"]), started.replenisher)
    started.dock = asyncio.create_task(dock_and_lead, name="dock-and-lead")
    if not opts.headless:
        for cmd in _screens(plant, ready):
            with spawning():
                started.screens.append(await asyncio.create_subprocess_exec(*cmd))
    await _watch(service, opts, started.screens[0] if started.screens else None, task, progress)


async def _until_ready(service: Service, task: asyncio.Task[None], timeout_s: float) -> None:
    """Until the service is up; its own error at once if it dies starting."""
    ready = asyncio.create_task(service.ready.wait())
    try:
        await asyncio.wait({ready, task}, timeout=timeout_s, return_when=asyncio.FIRST_COMPLETED)
    finally:
        ready.cancel()
    if task.done():
        task.result()
        raise RuntimeError("the service ended before it was up")
    if not service.ready.is_set():
        raise TimeoutError(f"the service was not up within {timeout_s:.0f} s")


async def _end(started: _Started) -> None:
    """End what the demo started: the dock and lead, the service (its own shut-down: a snapshot, the sockets), then
    the simulators (they write their records as they stop) and the screens together, each wait bounded."""
    for task in (started.dock, started.service):
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    await asyncio.gather(
        _stop_process(started.sims, SIMS_STOP_S), *(_stop_process(s, SCREEN_STOP_S) for s in started.screens)
    )


async def _stop_process(proc: asyncio.subprocess.Process | None, grace_s: float) -> None:
    """SIGTERM, then SIGKILL after ``grace_s``; a process that ended already (a Ctrl-C reached it too) is left."""
    if proc is None or proc.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.terminate()
    try:
        async with asyncio.timeout(grace_s):
            await proc.wait()
    except TimeoutError:
        log.error("pid %d did not stop within %.0f s of SIGTERM: killed", proc.pid, grace_s)
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()


async def _dock_and_lead(service: Service, control: str, replenisher: ReplenisherStandIn | None = None) -> None:
    """Stand-ins for the dock scanner and the shift lead of a real centre, acting through the service's door.

    A closed rack with its label printed goes onto the truck (the dock scans its label: the rack ships and its
    ship notice goes to the OEM); a wrong pick is corrected a little later (the
    operator has put the wrong part back); a label that may or may not have printed (the printer's link dropped
    mid-job) is checked a little later, as the deviation asks: the lead looks at the part (asks the simulated
    printers through their control channel, ``control``, whether a label with that id printed) and resolves the
    deviation when the label is on it, or reprints explicitly when it is not (the new label says REPRINT); an
    alarm that has returned to normal is acknowledged a little later (the lead has read it), as on a staffed line;
    a bin called for is filled by the replenisher after its round (``app.proof.demo_replenisher``), its scan counted.
    """
    printers = SimControlClient(control)
    try:
        await _staff(service, printers, replenisher)
    finally:
        printers.close()


async def _staff(service: Service, printers: SimControlClient, replenisher: ReplenisherStandIn | None = None) -> None:
    """The dock and the lead at work (``_dock_and_lead``), until cancelled. What one look at the line calls for goes
    in together (``_submit_together``): one journal commit for it, not one each (an acknowledgement alone was 266 of
    a shift's 2,168 commits); each look waits until the core has all of it, so nothing is sent twice."""
    seen_wrong: dict[int, float] = {}
    seen_uncertain: dict[str, float] = {}
    seen_returned: dict[int, float] = {}
    while True:
        await asyncio.sleep(STAFF_LOOP_S)
        core, now = service.core, service.clock()
        events: list[Event] = list(replenisher.due(now)) if replenisher is not None else []
        for rack in [r for r in core.state.watched_racks.values() if r.closed and r.labelled]:
            dock = core.state.feeds[rack.feed].cfg.dock
            events.append(RackLabelScanned(at=now, label_id=rack.label_id, dock=dock))
        for dev in [d for d in core.state.deviations.open_deviations() if d.kind == "wrong_pick" and d.active]:
            if now - seen_wrong.setdefault(dev.deviation_id, now) >= LEAD_REACTION_S:
                events.append(
                    ResolveDeviation(at=now, user="sim-lead", reason=LEAD_NOTE, deviation_id=dev.deviation_id)
                )
        for label_id, dev_id in sorted(core.state.uncertain.items()):  # once: either takes it out of ``uncertain``
            if now - seen_uncertain.setdefault(label_id, now) >= LEAD_REACTION_S:
                found = (await printers.ask({"op": "printed", "label_id": label_id}))["printed"]
                events.append(_check_uncertain(label_id, dev_id, now, on_its_part=bool(found)))
        for dev in [d for d in core.state.deviations.open_deviations() if d.state is AlarmState.RTN_UNACK]:
            if now - seen_returned.setdefault(dev.deviation_id, now) >= LEAD_REACTION_S:
                events.append(AcknowledgeAlarm(at=now, user="sim-lead", reason="read", deviation_id=dev.deviation_id))
        await _submit_together(service, events)


async def _submit_together(service: Service, events: list[Event]) -> None:
    """Submit ``events`` in their order, all queued before any is awaited (the sequencing task takes everything
    waiting as one batch, one commit), and wait until the core has handled every one."""
    await asyncio.gather(*(service.submit(event) for event in events))


def _check_uncertain(label_id: str, dev_id: int, at: float, *, on_its_part: bool) -> ResolveDeviation | ReprintLabel:
    """What a lead does with an uncertain label after looking at the part: resolve it when a label with this id is
    on it (the printer did print it before its link dropped), reprint it when there is none."""
    if on_its_part:
        return ResolveDeviation(at=at, user="sim-lead", reason=FOUND_NOTE, deviation_id=dev_id)
    return ReprintLabel(at=at, user="sim-lead", reason=UNCERTAIN_NOTE, label_id=label_id)


async def _watch(
    service: Service,
    opts: DemoOptions,
    hmi: asyncio.subprocess.Process | None,
    task: asyncio.Task[None],
    progress: Progress,
) -> None:
    """Until every vehicle completed (or the HMI window closed, or the time-out), with the progress on a terminal."""
    plant = service.plant
    takt = max(f.takt_s for f in plant.feeds)
    limit = opts.timeout_s or (60 + 3 * (opts.vehicles or 0) * takt / opts.speed)
    deadline = time.monotonic() + limit
    wanted = None if opts.vehicles is None else opts.vehicles * len(plant.feeds)
    progress.phase("running the line", wanted, "vehicles")
    while not task.done():
        raise_if_stop_asked()  # a stop asked while starting, and swallowed on the way, is not lost
        if wanted is not None and _accounted(service) >= wanted:
            await _drain_labels(service)
            await _drain_notices(service)
            return
        if hmi is not None and hmi.returncode is not None:
            return
        if opts.vehicles is not None and time.monotonic() > deadline:
            log.error("demo timed out after %.0f s", limit)
            return
        progress.update(_accounted(service), _status(service))
        await asyncio.sleep(0.1)
    task.result()  # the service died: raise its error


def _status(service: Service) -> str:
    """The line at a glance, for the progress line."""
    state = service.core.state
    feeds = " ".join(f"{f.cfg.id}#{f.last_seq}" for f in state.feeds.values())
    return (
        f"{feeds}  racks {state.racks_completed}  labels {state.labels_printed}  "
        f"open deviations {len(state.deviations.by_id)}"
    )


async def _drain_labels(service: Service, limit_s: float = 15.0) -> None:
    """Let labels still on their way to the printer land, so the summary compares like with like."""
    deadline = time.monotonic() + limit_s
    while service.core.state.unprinted and time.monotonic() < deadline:  # noqa: ASYNC110 (polls the core's state)
        await asyncio.sleep(0.1)


async def _drain_notices(service: Service, limit_s: float = 15.0) -> None:
    """Let the racks labelled last ship and the OEM answer their notices, so the summary counts every notice."""
    deadline = time.monotonic() + limit_s
    state = service.core.state
    while time.monotonic() < deadline:
        if not state.unanswered and not any(r.closed and r.labelled for r in state.watched_racks.values()):
            return
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
        # resends answered "duplicate" at the intake (journaled already) plus those the core counted
        "duplicates": sum(service.intake.duplicates.values()) + sum(f.duplicates for f in core.state.feeds.values()),
        "latency_ms": {"p50": _percentile(lat, 50), "p99": _percentile(lat, 99), "samples": len(lat)},
        # bins lit only when their station freed: received -> lit includes the line's queue at the station
        "queued_ms": {"p50": _percentile(queued, 50), "p99": _percentile(queued, 99), "samples": len(queued)},
        "notices": {
            "sent": core.state.notice_counts["sent"],
            "acknowledged": core.state.notice_counts["acknowledged"],
            "rejected": core.state.notice_counts["rejected"],
            "unanswered": len(core.state.unanswered),
        },
        "faults_injected": _faults_injected(records),
        # each OEM gateway's ACK round trips and retransmission time-outs (hardware_sims.oem_outbox.RetransmitTimer)
        "feed_gateways": _feed_gateways(records),
        "speed": opts.speed,
        "elapsed_s": round(elapsed, 2),
        "workdir": str(work),
    }


def demo_passed(summary: dict[str, Any]) -> bool:
    wanted = summary["vehicles_requested"]
    complete = wanted is None or summary["vehicles_completed"] + summary["vehicles_cancelled"] >= wanted
    notices = summary["notices"]
    answered = notices["rejected"] == 0 and notices["unanswered"] == 0  # every rack shipped was acknowledged
    return bool(complete and answered and summary["out_of_sequence"] == 0 and summary["doubled"] == 0)


# Opens Qt as the screens will (xcb or wayland platform plugin and its system libraries), without a window.
_QT_PROBE = "from PySide6.QtWidgets import QApplication; QApplication([])"
QT_PROBE_TIMEOUT_S = 20.0


def display_available() -> bool:
    """Whether the demo can open its screens: a display, and Qt able to use it. When Qt cannot (a system library
    missing), say so once, naming what to install, and run headless instead of starting screens that fail."""
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        print(
            "jis demo: no screens, running headless: no display (DISPLAY and WAYLAND_DISPLAY unset); "
            "on a desktop, or under `xvfb-run make demo`, the operator panels and the cockpit open",
            file=sys.stderr,
        )
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
