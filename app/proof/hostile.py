"""``jis chaos --hostile``: the hostile campaign. The simulated plant runs while peers on the network attack it.

What it is for: the simulators run in their own process (``jis sim plant``, the OEM gateway holding its CURVE key),
the service as ``jis serve`` in another (the plant profile, CURVE on the feed: each feed names its gateway), on a
SQLite journal in the work folder (``--profile dev``: no CURVE anywhere, held to what that profile promises). The
line runs quiet and hostile stretches in turn, twice (``STRETCHES``; broadcast -> bin lit measured over each from
the service's ``/metrics`` histogram); the first hostile one has everything below at once, the second the garbage
floods again (``app.proof.hostile_attacks``, their sockets in ``app.proof.hostile_peers``):
- a rogue OEM gateway, four ways: with no CURVE keys, with keys of its own, with the allowed key of another gateway
  (changes and cancels of real vehicles, a broadcast far ahead, replays of vehicles that shipped), and with the
  feed's own gateway key (a compromised gateway: far ahead, replays);
- frames over the limit (feed and commands), deeply nested JSON, garbage floods (bounded in count and time);
- a password spray on the HMI login from a host of its own while the lead logs in at their usual screen.
Then the storage faults (``app.proof.hostile_storage``): the data folder, a small tmpfs of its own where mount is
permitted, fills under the disk watch's thresholds (P3, then P2); every file write of the service's process fails
(``RLIMIT_FSIZE`` lowered to 0 with ``prlimit``, EFBIG: as a full disk, stricter), and succeeds again; the fill
goes. On PostgreSQL (``--database``) the database then turns read-only under the service, and back. The line then
finishes. The verdict comes from
the OEM simulator's own record and the journal (``app.proof.hostile_report``): every vehicle the line built was
broadcast by the real OEM (lost 0, doubled 0, phantom 0, nothing of the rogue applied), the service never exited,
what each peer got, and p99 during the floods against the quiet p99 of the same run.
What it must not do: run the service in-process, reach the service any other way than a peer on the network
does (plus ``prlimit``, the operating system's), send without a bound, or take the service's word for the verdict
where a record can say it (the latency histogram is the exception: only the service sees a broadcast arrive).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import sqlite3
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from app.config import load_plant, with_free_ports
from app.hmi.accounts import AccountStore
from app.net.curve_keys import write_keypair
from app.persist.store import Store
from app.progress import Progress
from app.proof.chaos import Supervisor, _line_finished
from app.proof.chaos_faults import SimControlClient
from app.proof.chaos_lead import JournalFollower, follow
from app.proof.hostile_attacks import (
    LEAD,
    OPERATOR,
    Findings,
    Hands,
    HostileOptions,
    Keys,
    command_floods,
    feed_floods,
    rogue_gateways,
    spray,
)
from app.proof.hostile_peers import CommandPeer
from app.proof.hostile_report import report, scrape
from app.proof.hostile_storage import DISK, disk_fills, mount_data, read_only, unmount_data
from app.signals import StopSignals, spawning
from plc_io.loopback_ports import free_port
from sequencer.plant import FeedCurveConfig, PlantConfig

log = logging.getLogger(__name__)

# the measured stretches, by share of the OEM's vehicles broadcast: quiet and hostile in turn, so that the machine's
# other load, which drifts over minutes, weighs on both alike
STRETCHES = (("quiet", 0.10, 0.25), ("flood", 0.25, 0.40), ("quiet", 0.40, 0.55), ("flood", 0.55, 0.70))


def prepare(opts: HostileOptions) -> tuple[Path, PlantConfig, str, Keys, dict[str, str], bool]:
    """The work folder, its data folder (``data``: on a tmpfs of its own where mount is permitted: ``mounted``), its
    plant file (CURVE on the feed, metrics on, the disk watch's thresholds for that tmpfs), the keys and the two
    users. The journal is SQLite in the data folder, or ``opts.database`` (an empty PostgreSQL database)."""
    work = Path(opts.workdir or tempfile.mkdtemp(prefix="jis-hostile-")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    data = work / "data"
    mounted = mount_data(data)
    try:
        plant, url, keys, passwords = _prepare_in(opts, work, data, mounted)
    except BaseException:
        unmount_data(data)
        raise
    return work, plant, url, keys, passwords, mounted


def _prepare_in(
    opts: HostileOptions, work: Path, data: Path, mounted: bool
) -> tuple[PlantConfig, str, Keys, dict[str, str]]:
    db = data / "jis-hostile.db"
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    for name in ("printed.jsonl", "serve.log", "jis-hostile.db"):
        (work / name).unlink(missing_ok=True)
    folder, allowed = data / "keys", data / "keys" / "gateways"
    allowed.mkdir(parents=True, exist_ok=True)
    for name in ("service", "oem-gateway", "rogue-gateway", "intruder"):
        write_keypair(folder, name, force=True)
    for name in ("oem-gateway", "rogue-gateway"):  # the rogue's is allowed, but names no feed
        (allowed / f"{name}.key").write_bytes((folder / f"{name}.key").read_bytes())
    url = opts.database or f"sqlite:///{db}"
    plant = with_free_ports(load_plant(opts.config), database=url)
    curve = FeedCurveConfig(secret_key=str(folder / "service.key_secret"), allowed_keys=str(allowed))
    # the quarantine's window is in plant seconds: sped up, it would let 300x more rows in a real minute than the
    # plant does; the attackers' rate is real, so the window is a real one here, as on the plant (speed 1)
    bounds = plant.service.quarantine
    bounds = bounds.model_copy(update={"window_s": bounds.window_s * opts.speed})
    dev = opts.profile == "dev"
    service = plant.service.model_copy(
        update={
            "feed_curve": None if dev else curve,
            "zmq_security": opts.profile,
            "metrics_port": free_port(),
            "data_dir": str(data),
            "quarantine": bounds,
            "disk": DISK if mounted else plant.service.disk,
        }
    )
    feeds = tuple(f.model_copy(update={"gateway_keys": () if dev else ("oem-gateway",)}) for f in plant.feeds)
    plant = plant.model_copy(update={"service": service, "feeds": feeds})
    (work / "plant.json").write_text(plant.model_dump_json(indent=2))
    passwords = {LEAD: secrets.token_urlsafe(18), OPERATOR: secrets.token_urlsafe(18)}
    store = Store(url)
    try:
        accounts = AccountStore(store.engine)
        accounts.add_user(LEAD, "lead", passwords[LEAD])
        accounts.add_user(OPERATOR, "operator", passwords[OPERATOR])
    finally:
        store.close()
    return plant, url, Keys(folder, folder / "service.key"), passwords


async def run_hostile(opts: HostileOptions) -> dict[str, Any]:
    """The campaign and its verdict; SIGINT or SIGTERM stops it at any moment (the verdict is then partial)."""
    progress = Progress("jis chaos --hostile", quiet=opts.quiet)
    with StopSignals() as stop:
        progress.phase("preparing the work folder, the keys and the database")
        work, plant, url, keys, passwords, mounted = await asyncio.to_thread(prepare, opts)
        hands = Hands(sup=Supervisor(work / "plant.json", work / "serve.log", opts.speed))
        found = Findings()
        started = time.monotonic()
        tmpfs = work / "data" if mounted else None
        body = asyncio.create_task(_campaign(opts, plant, url, keys, passwords, (work, tmpfs), hands, found, progress))
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
        finished = False if body.cancelled() else bool(body.result()) if body.exception() is None else False
        error = None if body.cancelled() or body.exception() is None else repr(body.exception())
        progress.phase("reading the verdict from the journal and the records")
        try:
            verdict = await asyncio.to_thread(
                report,
                plant=plant,
                url=url,
                records=work / "printed.jsonl",
                opts=asdict(opts),
                finished=finished,
                error=error,
                elapsed_s=time.monotonic() - started,
                crashes=hands.sup.crashes,
                last_exit=service_exit,
                found=asdict(found),
                sim_state=final.get("sim_state", {}),
                work=work,
            )
        finally:
            await asyncio.to_thread(_keep_and_unmount, work, url, mounted)
        progress.done()
    if stop.received is not None:
        verdict |= {"partial": True, "stopped_by": stop.received.name, "passed": False}
    return verdict


async def _campaign(
    opts: HostileOptions,
    plant: PlantConfig,
    url: str,
    keys: Keys,
    passwords: dict[str, str],
    folders: tuple[Path, Path | None],
    hands: Hands,
    found: Findings,
    progress: Progress,
) -> bool:
    """Start the plant, run the phases; True if the line finished. ``folders``: the work folder, and the data
    folder if it is a tmpfs of its own."""
    work, tmpfs = folders
    progress.phase("starting the simulators and the service")
    records = work / "printed.jsonl"
    cmd = [sys.executable, "-m", "hardware_sims", "plant", "--config", str(work / "plant.json")]
    cmd += ["--speed", str(opts.speed), "--records", str(records), "--vehicles", str(opts.vehicles)]
    cmd += ["--seed", str(opts.seed), "--control", f"tcp://127.0.0.1:{free_port()}"]
    if opts.profile != "dev":
        cmd += ["--feed-key", str(keys.folder / "oem-gateway.key_secret")]
        cmd += ["--feed-server-key", str(keys.service_public)]
    with spawning():
        hands.sims = sims = await asyncio.create_subprocess_exec(*cmd, stdout=asyncio.subprocess.PIPE)
    assert sims.stdout is not None
    async with asyncio.timeout(60):
        ready = json.loads(await sims.stdout.readline())
    hands.control = control = SimControlClient(str(ready["control"]))
    await hands.sup.start()
    span = opts.vehicles * max(f.takt_s for f in plant.feeds) / opts.speed  # real seconds the OEM broadcasts
    limit = time.monotonic() + 240 + 4 * span
    metrics = plant.service.metrics_port
    assert metrics is not None
    progress.phase("quiet, then hostile, twice: measured", opts.vehicles, "vehicles broadcast")
    await _until_generated(hands, opts.vehicles * STRETCHES[0][1], limit, progress)
    lead = CommandPeer(hands.ctx, plant.service.hmi_command_endpoint, source="")  # the lead's usual screen
    hands.peers.append(lead)
    found.logins["lead_before"] = await _login_until_answered(lead, LEAD, passwords[LEAD], limit)
    found.rss_mb["quiet"] = _rss_mb(hands.sup)
    once: list[asyncio.Task[None]] = []  # the rogue gateways and the spray: in the first hostile stretch
    floods = sum(1 for kind, _, _ in STRETCHES if kind == "flood")
    cpu: dict[str, list[float]] = {}
    for n, (kind, _, end) in enumerate(STRETCHES):
        before, mark = await scrape(metrics), _cpu_mark(hands, found, f"{kind}{n}")
        if kind == "quiet":
            await _until_generated(hands, opts.vehicles * end, limit, progress)
        else:
            window, first = asyncio.Event(), not once
            if first:
                once += [
                    asyncio.create_task(rogue_gateways(opts, plant, url, keys, hands, found)),
                    asyncio.create_task(spray(opts, plant, passwords, lead, hands, found)),
                ]
            tasks = [
                asyncio.create_task(feed_floods(opts, plant, keys, hands, found, window, n, floods)),
                asyncio.create_task(command_floods(opts, plant, hands, found, window, n, floods)),
                asyncio.create_task(_sample_rss(hands.sup, found, window)),
            ]
            try:
                await _until_generated(hands, opts.vehicles * end, limit, progress, stop_if=[*tasks, *once])
            finally:
                window.set()
        found.stretches.append({"kind": kind, "from": before, "to": await scrape(metrics)})
        after = _cpu_mark(hands, found, f"{kind}{n}_end")
        sums = cpu.setdefault(kind, [0.0, 0.0, 0.0, 0.0])
        for i in range(4):
            sums[i] += after[i] - mark[i]
        if kind == "flood":
            found.rss_mb[f"flood{n}_end"] = _rss_mb(hands.sup)
            async with asyncio.timeout(120):
                await asyncio.gather(*tasks, *once)
    for kind, (wall, *used) in cpu.items():
        for who, seconds in zip(("service", "simulators", "campaign"), used, strict=True):
            found.cpu[f"{who}_{kind}"] = round(seconds / max(wall, 1e-9), 3)
    progress.phase("the disk fills and empties")
    found.disk = await disk_fills(opts.disk_full_s, hands.sup, metrics, tmpfs)
    found.rss_mb["after_disk"] = _rss_mb(hands.sup)
    if make_url(url).get_backend_name() == "postgresql":
        progress.phase("the database turns read-only and back")
        found.read_only = await read_only(opts.read_only_s, url, hands.sup, metrics, control)
    progress.phase("the line finishes", opts.vehicles, "vehicles done")
    hands.follower = follower = JournalFollower(plant, url)
    wanted = opts.vehicles * len(plant.feeds)
    settled = 0.0
    while time.monotonic() < limit:
        await hands.sup.check()
        await follow(follower)
        statuses = follower.state.core.vehicle_statuses()
        progress.update(statuses["completed"] + statuses["cancelled"])
        if await _line_finished(control, follower, wanted):
            settled = settled or time.monotonic()
            if time.monotonic() - settled >= 1.0:
                found.rss_mb["finished"] = _rss_mb(hands.sup)
                return True
        else:
            settled = 0.0
        await asyncio.sleep(0.25)
    log.error("hostile: the line did not finish in time")
    return False


def _keep_and_unmount(work: Path, url: str, mounted: bool) -> None:
    """The data folder's tmpfs unmounted, the SQLite journal copied to the work folder first (for a look after)."""
    if not mounted:
        return
    try:
        source = make_url(url).database
        if make_url(url).get_backend_name() == "sqlite" and source:
            with contextlib.suppress(OSError, sqlite3.Error):
                src, dst = sqlite3.connect(source), sqlite3.connect(work / "jis-hostile.db")
                try:
                    src.backup(dst)
                finally:
                    src.close()
                    dst.close()
    finally:
        unmount_data(work / "data")


async def _end(hands: Hands, final: dict[str, Any]) -> int | None:
    service_exit = await hands.sup.stop()
    if hands.control is not None:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(2.0):
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
    for peer in hands.peers:
        peer.close()
    hands.ctx.destroy(linger=0)
    if hands.follower is not None:
        hands.follower.close()
    return service_exit


async def _generated(control: SimControlClient) -> int:
    feeds = (await control.state()).get("feeds", {}).values()
    return min((int(f.get("counters", {}).get("generated", 0)) for f in feeds), default=0)


async def _until_generated(
    hands: Hands,
    wanted: float,
    limit: float,
    progress: Progress,
    stop_if: list[asyncio.Task[None]] | None = None,
) -> None:
    """Wait until the OEM simulator has broadcast ``wanted`` vehicles (a crashed service is counted, restarted)."""
    assert hands.control is not None
    while time.monotonic() < limit:
        await hands.sup.check()
        made = await _generated(hands.control)
        progress.update(made)
        if made >= wanted:
            return
        for task in stop_if or []:
            if task.done() and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
        await asyncio.sleep(0.1)
    raise TimeoutError(f"the OEM simulator did not reach {wanted:.0f} vehicles")


async def _login_until_answered(peer: CommandPeer, user: str, password: str, limit: float) -> str:
    """The first login of the run: the service may still be starting, so a silence is asked again."""
    while time.monotonic() < limit:
        answer = await peer.login(user, password)
        if answer != "(no answer)":
            peer.answers.pop("(no answer)", None)
            return answer
    return "(no answer)"


def _cpu_mark(hands: Hands, found: Findings, name: str) -> tuple[float, float, float, float]:
    """(now, CPU seconds so far of the service, the simulators and the campaign itself: user + system, every
    thread), and the host's load: the attackers share the machine, so their CPU is the service's neighbour."""
    found.load[name] = round(os.getloadavg()[0], 2)
    service, sims = (p.pid if p is not None else None for p in (hands.sup.proc, hands.sims))
    return time.monotonic(), _cpu_s(service), _cpu_s(sims), time.process_time()


def _cpu_s(pid: int | None) -> float:
    if pid is not None:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return 0.0


def _rss_mb(sup: Supervisor) -> float:
    """The service process's resident memory (Linux ``/proc``), MB; 0 if it cannot be read."""
    if sup.proc is None:
        return 0.0
    try:
        for line in Path(f"/proc/{sup.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


async def _sample_rss(sup: Supervisor, found: Findings, window: asyncio.Event) -> None:
    peak = found.rss_mb.get("flood_peak", 0.0)
    while not window.is_set():
        peak = max(peak, _rss_mb(sup))
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(0.2):
                await window.wait()
    found.rss_mb["flood_peak"] = peak
