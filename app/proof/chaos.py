"""``jis chaos``: the fault campaign. The whole simulated plant runs while everything that can go wrong does.

What it is for: the simulators run in their own process (``jis sim plant``), the service as ``jis serve`` in
another, on a SQLite journal in the work folder; the OEM feed reaches it through a loopback proxy that drops,
delays, duplicates and reorders messages (``app.proof.chaos_proxy``). Meanwhile the campaign, acting as a supervisor,
stops the service at random moments (mostly SIGKILL, some SIGTERM and SIGINT: a supervisor, a person's Ctrl-C)
and restarts it at once; switches devices off and on through the simulators' control channel, one kind after
another; and takes the database's write lock from another connection (``chaos_faults``). A lead and a dock act
through the HMI command channel (``chaos_lead``), now and then sending an operation twice with its request id.
Once the OEM simulator has sent its last vehicle, the campaign imports an emergency file of a few more
(``jis import``, the service killed while it runs) and imports it again: the second import must change nothing.
The verdict comes from the journal and the simulators' own records (``app.proof.verdict``): broadcasts lost, labels
printed, picks confirmed or operations carried out twice, slots out of sequence, whether each outage showed as a
deviation while it lasted (committed to the journal between the rows that were last when it began and when it
ended), and whether the read models and snapshots equal a replay of the journal. The exit code is 0 only if all
of those are clean and every vehicle reached its end. SIGINT or SIGTERM stops a campaign at
any moment: every process it started ends, and the verdict of what happened so far is marked ``partial``.
What it must not do: run the service in-process (a kill must be a real SIGKILL), talk to the service any other way
than a plant's people and devices do, or trust the service's own counters for the verdict.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import random
import secrets
import signal
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from app.config import load_plant, with_free_ports
from app.hmi.accounts import AccountStore
from app.persist.store import Store
from app.progress import Progress
from app.proof.chaos_faults import DbLock, Outage, Plan, SimControlClient, hold_write_lock, outage_kinds, plan
from app.proof.chaos_lead import JournalFollower, Lead, follow
from app.proof.chaos_proxy import FeedProxy, ProxyRates
from app.proof.chaos_report import LEAD_USER, report
from app.signals import StopSignals, spawning
from plc_io.loopback_ports import free_port
from sequencer.plant import PlantConfig

log = logging.getLogger(__name__)

ROUND_S = 0.25  # real seconds between the lead's looks at the line
SHOW_S = 2.5  # real seconds after an outage starts during which no kill lands
START_S = 5.0  # real seconds after a (re)start during which no outage starts: the service must be up to show it
CONTROL_LAST_S = 2.0  # the simulators' state, read once at the end: a simulator stopped by a Ctrl-C never answers


@dataclass(frozen=True, kw_only=True)
class ChaosOptions:
    vehicles: int = 2000
    kills: int = 50
    outages: int = 20
    db_locks: int = 5
    db_unreachable: int = 1
    seed: int = 1
    speed: float = 300.0
    workdir: str | None = None
    config: str | None = None
    proxy: ProxyRates = field(default_factory=ProxyRates)
    graceful_stops: float = 0.3  # share of the stops by SIGTERM or SIGINT (a clean stop) rather than SIGKILL
    retry_rate: float = 0.25  # share of the lead's answered operations sent again with the same request id
    imports: int = 2  # times the emergency file is imported (0: none); the first one meets a SIGKILL
    import_vehicles: int = 5  # vehicles in the emergency file, after the OEM simulator's last
    quiet: bool = False  # no progress on stderr (--json)


@dataclass
class Supervisor:
    """Starts ``jis serve``, kills it, restarts it: what systemd would do, with a log per run appended."""

    config: Path
    log_path: Path
    speed: float
    proc: asyncio.subprocess.Process | None = None
    starts: int = 0
    kills: int = 0
    started_at: float = 0.0  # monotonic time of the last (re)start
    crashes: list[int] = field(default_factory=list)  # exit codes of runs that ended without our kill
    stops: Counter[str] = field(default_factory=Counter)  # our stops by signal

    async def start(self) -> None:
        cmd = [sys.executable, "-m", "app.cli.main", "--log-level", "INFO", "serve", "--config", str(self.config)]
        with self.log_path.open("ab") as out, spawning():
            self.proc = await asyncio.create_subprocess_exec(
                *cmd, "--speed", str(self.speed), stdout=asyncio.subprocess.DEVNULL, stderr=out
            )
        self.starts += 1
        self.started_at = time.monotonic()

    def starting(self) -> bool:
        """Still (re)starting: an outage now would be over before the service could see it."""
        return time.monotonic() - self.started_at < START_S

    async def kill(self, sig: signal.Signals = signal.SIGKILL) -> None:
        """Stop the service with ``sig`` (a clean stop is given 30 s, then SIGKILL) and start it again."""
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.proc.pid, sig)
        try:
            async with asyncio.timeout(30):
                code = await self.proc.wait()
        except TimeoutError:
            self.proc.kill()
            code = await self.proc.wait()
        if sig != signal.SIGKILL and code != 0:
            self.crashes.append(code)  # a clean stop that was not clean
            log.error("service stopped by %s exited with %s", sig.name, code)
        self.kills += 1
        self.stops[sig.name] += 1
        await self.start()

    async def check(self) -> None:
        """A service that died on its own is a crash: counted (the verdict fails on it) and restarted."""
        if self.proc is not None and self.proc.returncode is not None:
            self.crashes.append(self.proc.returncode)
            log.error("service exited by itself with %s; restarting", self.proc.returncode)
            await self.start()

    async def stop(self) -> int | None:
        if self.proc is None or self.proc.returncode is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.terminate()
        try:
            async with asyncio.timeout(30):
                return await self.proc.wait()
        except TimeoutError:
            self.proc.kill()
            return await self.proc.wait()


@dataclass
class Campaign:
    opts: ChaosOptions
    work: Path
    plant: PlantConfig
    url: str
    sims_config: Path
    started: float = 0.0
    outage_log: list[dict[str, Any]] = field(default_factory=list)
    lock_log: list[dict[str, Any]] = field(default_factory=list)
    import_log: list[dict[str, Any]] = field(default_factory=list)  # each import's report
    imported: list[int] = field(default_factory=list)  # sequence numbers of the emergency file's vehicles
    down: set[str] = field(default_factory=set)
    signals: list[signal.Signals] = field(default_factory=list)  # the signal of each planned stop


def _prepare(opts: ChaosOptions) -> tuple[Path, PlantConfig, str]:
    # absolute: jis serve reads the database from plant.json, which reads a relative path against its own folder
    work = Path(opts.workdir or tempfile.mkdtemp(prefix="jis-chaos-")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    db = work / "jis-chaos.db"
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    for name in ("printed.jsonl", "serve.log"):
        (work / name).unlink(missing_ok=True)
    url = f"sqlite:///{db}"
    plant = with_free_ports(load_plant(opts.config), database=url)
    (work / "plant.json").write_text(plant.model_dump_json(indent=2))
    return work, plant, url


def _lead_user(url: str) -> str:
    """The campaign's lead, with a password for this run only (created before the first start: migrations too)."""
    password = secrets.token_urlsafe(18)
    store = Store(url)
    try:
        AccountStore(store.engine).add_user(LEAD_USER, "lead", password)
    finally:
        store.close()
    return password


@dataclass
class _Hands:
    """What a campaign has started and holds so far: what its end, or a stop at any moment, must end."""

    sup: Supervisor
    proxy: FeedProxy
    proxy_task: asyncio.Task[None]
    sims: asyncio.subprocess.Process | None = None
    control: SimControlClient | None = None
    follower: JournalFollower | None = None
    lead: Lead | None = None


async def run_chaos(opts: ChaosOptions) -> dict[str, Any]:
    """The campaign and its verdict. SIGINT or SIGTERM at any moment stops it: the service, the simulators and the
    proxy end (each wait bounded), and the verdict of what happened so far is marked ``partial``."""
    progress = Progress("jis chaos", quiet=opts.quiet)
    with StopSignals() as stop:
        progress.phase("preparing the work folder and the database")
        work, plant, url = _prepare(opts)
        password = await asyncio.to_thread(_lead_user, url)
        rng = random.Random(opts.seed)
        proxy = FeedProxy(plant.service.feed_endpoint, random.Random(rng.random()), opts.proxy)
        front = proxy.bind()
        sims_plant = plant.model_copy(update={"service": plant.service.model_copy(update={"feed_endpoint": front})})
        sims_config = work / "sims.json"
        sims_config.write_text(sims_plant.model_dump_json(indent=2))
        camp = Campaign(opts=opts, work=work, plant=plant, url=url, sims_config=sims_config)
        records = work / "printed.jsonl"
        sup = Supervisor(work / "plant.json", work / "serve.log", opts.speed)
        hands = _Hands(sup=sup, proxy=proxy, proxy_task=asyncio.create_task(proxy.run(), name="feed-proxy"))
        body = asyncio.create_task(_start_and_drive(camp, hands, rng, password, records, progress), name="campaign")
        stop.on_stop(body.cancel)
        final: dict[str, Any] = {}
        try:
            await asyncio.wait({body})
        finally:
            if not body.done():
                body.cancel()
                await asyncio.gather(body, return_exceptions=True)
            progress.phase("stopping the service and the simulators")
            service_exit = await _end(hands, final)
        finished = False if body.cancelled() else body.result()
        progress.phase("reading the verdict from the journal and the records")
        elapsed = time.monotonic() - camp.started if camp.started else 0.0
        verdict = await asyncio.to_thread(
            report,
            plant=plant,
            url=url,
            records=records,
            opts=asdict(opts),
            finished=finished,
            elapsed_s=elapsed,
            supervisor={
                "starts": sup.starts,
                "kills": sup.kills,
                "stops": dict(sup.stops),
                "crashes": sup.crashes,
                "last_exit": service_exit,
            },
            outages=camp.outage_log,
            locks=camp.lock_log,
            imports={"reports": camp.import_log, "seqs": camp.imported},
            proxy=asdict(proxy.counters),
            lead=asdict(hands.lead.counters) if hands.lead else {},
            raised_live=dict(hands.follower.raised) if hands.follower else {},
            sim_state=final.get("sim_state", {}),
            work=work,
        )
        progress.done()
    if stop.received is not None:
        verdict |= {"partial": True, "stopped_by": stop.received.name}
    return verdict


async def _start_and_drive(
    camp: Campaign, hands: _Hands, rng: random.Random, password: str, records: Path, progress: Progress
) -> bool:
    """Start the simulators and the service, then run the campaign's schedule: True if the line finished."""
    opts, plant = camp.opts, camp.plant
    progress.phase("starting the simulators and the service")
    sim_cmd = [sys.executable, "-m", "hardware_sims", "plant", "--config", str(camp.sims_config)]
    sim_cmd += ["--speed", str(opts.speed), "--records", str(records), "--vehicles", str(opts.vehicles)]
    sim_cmd += ["--seed", str(opts.seed), "--control", f"tcp://127.0.0.1:{free_port()}"]
    with spawning():
        hands.sims = sims = await asyncio.create_subprocess_exec(*sim_cmd, stdout=asyncio.subprocess.PIPE)
    assert sims.stdout is not None
    async with asyncio.timeout(60):
        line = await sims.stdout.readline()
    ready = json.loads(line)
    hands.control = control = SimControlClient(str(ready["control"]))
    state = await control.state()
    gateways = {n for n, g in state.get("gateways", {}).items() if g.get("kind") == "modbus"}
    takt = max(f.takt_s for f in plant.feeds)
    span = opts.vehicles * takt / opts.speed
    kinds = outage_kinds(state)
    schedule = plan(rng, span, opts.kills, opts.outages, opts.db_locks, opts.db_unreachable, kinds, gateways)
    camp.signals = [_stop_signal(rng, opts.graceful_stops) for _ in schedule.kills]
    await hands.sup.start()
    hands.follower = follower = JournalFollower(plant, camp.url)
    hands.lead = lead = Lead(
        follower,
        plant.service.hmi_command_endpoint,
        LEAD_USER,
        password,
        rng=random.Random(rng.random()),
        retry_rate=opts.retry_rate,
        device_counters=lambda: _device_counters(control),
    )
    camp.started = time.monotonic()
    finished, _ = await _drive(camp, schedule, hands.sup, control, follower, lead, span, progress)
    return finished


async def _end(hands: _Hands, final: dict[str, Any]) -> int | None:
    """End what the campaign started; the service's last exit code. The simulators' state is read first (into
    ``final``) while they still answer."""
    service_exit = await hands.sup.stop()
    if hands.control is not None:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(CONTROL_LAST_S):
                final["sim_state"] = await hands.control.state()
        hands.control.close()
    sims = hands.sims
    if sims is not None and sims.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            sims.terminate()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(30):
                await sims.wait()
        if sims.returncode is None:
            sims.kill()
            await sims.wait()
    hands.proxy_task.cancel()
    await asyncio.gather(hands.proxy_task, return_exceptions=True)
    if hands.lead is not None:
        hands.lead.close()
    if hands.follower is not None:
        hands.follower.close()
    return service_exit


async def _drive(
    camp: Campaign,
    schedule: Plan,
    sup: Supervisor,
    control: SimControlClient,
    follower: JournalFollower,
    lead: Lead,
    span: float,
    progress: Progress,
) -> tuple[bool, dict[str, Any]]:
    """The campaign's loop: inject what is due, let the lead act, stop when the line has finished everything."""
    opts, plant = camp.opts, camp.plant
    wanted = opts.vehicles * len(plant.feeds)
    progress.phase("running the campaign", wanted, "vehicles")
    kills, outages, locks = list(schedule.kills), list(schedule.outages), list(schedule.locks)
    active: list[tuple[Outage, dict[str, Any]]] = []
    lock_tasks: list[asyncio.Task[None]] = []
    importing: asyncio.Task[None] | None = None
    limit = 240 + 3 * span + 6 * opts.kills
    sim_done_at = 0.0
    last_round = 0.0
    while (now := time.monotonic() - camp.started) < limit:
        await sup.check()
        # a kill waits until a fresh outage had its chance to show: a dead service shows nothing at all
        if kills and now >= kills[0] and all(now - e["at_s"] >= SHOW_S for _, e in active):
            kills.pop(0)
            await sup.kill(camp.signals.pop(0))
        if importing is not None and importing.done():
            importing.result()  # an import that could not run at all fails the campaign loudly
        while outages and now >= outages[0].at and not sup.starting():
            outage = outages.pop(0)
            first_row = await asyncio.to_thread(follower.last_row)  # the journal as the outage starts
            await control.switch(outage, True)
            camp.down.add(outage.shows_as)
            entry: dict[str, Any] = {"kind": outage.kind, "device": outage.shows_as, "at_s": round(now, 2)}
            entry |= {"seconds": 0.0, "visible": False, "rows": [first_row, None]}
            active.append((outage, entry))
        for outage, entry in list(active):
            if now >= entry["at_s"] + outage.seconds and entry["seconds"] == 0.0:
                await control.switch(outage, False)
                entry["rows"][1] = await asyncio.to_thread(follower.last_row)  # committed while it lasted
                camp.down.discard(outage.shows_as)
                entry["seconds"] = round(now - entry["at_s"], 2)
            first_row, last_row = entry["rows"]
            if last_row is not None and follower.state.last_id >= last_row:  # the follower has read that far
                entry["visible"] = follower.shown_faulty(outage.shows_as, first_row, last_row)
                active.remove((outage, entry))
                camp.outage_log.append(entry)
        while locks and now >= locks[0].at:
            lock_tasks.append(asyncio.create_task(_lock(camp, locks.pop(0))))
        if now - last_round >= ROUND_S:
            last_round = now
            await follow(follower)
            await lead.round(camp.down)
            progress.update(_ended(follower), _faults_left(kills, outages, locks, sup))
            if importing is None and opts.imports and now >= span and await _oem_done(control, opts.vehicles):
                importing = asyncio.create_task(_import_twice(camp, sup), name="imports")
            imports_done = not opts.imports or (importing is not None and importing.done())
            if not (kills or outages or active or locks) and all(t.done() for t in lock_tasks) and imports_done:
                wanted = opts.vehicles * len(plant.feeds) + len(camp.imported)
                if await _line_finished(control, follower, wanted):
                    sim_done_at = sim_done_at or now
                    if now - sim_done_at >= 1.0:  # settled: nothing arrived since
                        return True, {}
                else:
                    sim_done_at = 0.0
        await asyncio.sleep(0.05)
    log.error("chaos: the line did not finish within %.0f s", limit)
    await asyncio.gather(*lock_tasks, return_exceptions=True)
    if importing is not None:
        importing.cancel()
        await asyncio.gather(importing, return_exceptions=True)
    return False, {}


def _stop_signal(rng: random.Random, graceful: float) -> signal.Signals:
    """How the service is stopped: SIGKILL, or now and then a clean stop (a supervisor's SIGTERM, a Ctrl-C)."""
    if rng.random() >= graceful:
        return signal.SIGKILL
    return rng.choice((signal.SIGTERM, signal.SIGINT))


async def _device_counters(control: SimControlClient | None) -> dict[tuple[str, str], int]:
    """(station, bin) -> its light's press counter, as the light controller simulators have it."""
    assert control is not None
    counters: dict[tuple[str, str], int] = {}
    for gateway in (await control.state()).get("gateways", {}).values():
        for light in gateway.get("lights", []):
            if light.get("station") and light.get("counter") is not None:
                counters[(str(light["station"]), str(light["bin"]))] = int(light["counter"])
    return counters


async def _oem_done(control: SimControlClient, vehicles: int) -> bool:
    """The OEM simulator has created every one of its vehicles."""
    feeds = (await control.state()).get("feeds", {}).values()
    return bool(feeds) and all(int(f.get("counters", {}).get("generated", 0)) >= vehicles for f in feeds)


def _emergency_file(camp: Campaign) -> Path:
    """A few more vehicles for the first feed, in sequence after the OEM simulator's last, as JSON lines."""
    feed, opts = camp.plant.feeds[0], camp.opts
    first = camp.plant.simulation.start_seq + opts.vehicles
    camp.imported = [(first + i) % feed.modulus for i in range(opts.import_vehicles)]
    order = {"feed": feed.id, "function": "original", "firm": True, "options": ["S1", "P040"], "sent_at": 1.7e9}
    rows = [{**order, "seq": seq, "vehicle_id": f"CHAOSIMPORT{seq:06d}"} for seq in camp.imported]
    path = camp.work / "emergency.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


async def _import_twice(camp: Campaign, sup: Supervisor) -> None:
    """``jis import`` of the emergency file, the service SIGKILLed while the first one runs, until one import got
    through; then again, ``imports - 1`` times: each of those must answer every message duplicate."""
    path = _emergency_file(camp)
    for n in range(camp.opts.imports):
        for attempt in range(5):
            running = asyncio.create_task(_jis_import(camp, path))
            if n == 0 and attempt == 0 and camp.opts.kills:
                await asyncio.sleep(0.3)
                await sup.kill(signal.SIGKILL)
            report = await running
            camp.import_log.append({"round": n + 1, "attempt": attempt + 1, **report})
            if not report.get("unsent") and not report.get("stopped"):
                break
            await asyncio.sleep(1.0)


async def _jis_import(camp: Campaign, path: Path) -> dict[str, Any]:
    """One ``jis import`` run, as the person at the console would start it; its JSON report."""
    cmd = [sys.executable, "-m", "app.cli.main", "import", str(path), "--config", str(camp.work / "plant.json")]
    with spawning():
        proc = await asyncio.create_subprocess_exec(
            *cmd, "--json", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
    out, err = await proc.communicate()
    lines = [ln for ln in out.decode(errors="replace").splitlines() if ln.startswith("{")]
    if not lines:
        raise RuntimeError(f"jis import gave no report (exit {proc.returncode}): {err.decode(errors='replace')[-500:]}")
    found = json.loads(lines[-1])
    keep = ("accepted", "duplicate", "quarantined", "unsent", "stopped", "sha256")
    return {"exit": proc.returncode, **{k: found.get(k) for k in keep}}


def _ended(follower: JournalFollower) -> int:
    """Vehicles completed or cancelled, as the journal has it so far."""
    statuses = follower.state.core.vehicle_statuses()
    return statuses["completed"] + statuses["cancelled"]


def _faults_left(kills: list[float], outages: list[Outage], locks: list[DbLock], sup: Supervisor) -> str:
    return f"kills {sup.kills} ({len(kills)} to come), outages to come {len(outages)}, locks to come {len(locks)}"


async def _line_finished(control: SimControlClient, follower: JournalFollower, vehicles: int) -> bool:
    core = follower.state.core
    statuses = core.vehicle_statuses()
    if statuses["completed"] + statuses["cancelled"] < vehicles or core.state.unprinted or core.state.uncertain:
        return False
    state = await control.state()
    feeds = state.get("feeds", {}).values()
    return all(f["unacked"] == 0 for f in feeds)


async def _lock(camp: Campaign, lock: DbLock) -> None:
    db = camp.url.removeprefix("sqlite:///")
    waited = await asyncio.to_thread(hold_write_lock, db, lock.seconds)
    kind = "unreachable" if lock.unreachable else "locked"
    camp.lock_log.append({"kind": kind, "seconds": round(lock.seconds, 2), "waited_s": round(waited, 2)})
