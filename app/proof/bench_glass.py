"""``jis bench glass``: glass to glass, with real HMI screens subscribed over the bus, each beside a raw reference.

Two figures, p50 and p99, on a line of ``feeds`` feeds run by ``app.proof.demo.run_demo`` (simulators in their own
process, every hop over its real protocol, the OPC UA line server off as in the other benchmarks):

- broadcast: the broadcast received (the intake's stamp, ``LightLatency``) -> the station's operator panel has
  painted the pick, for picks lit on their broadcast's arrival (a pick that waited for its station measures the
  line's queue, as ``jis bench latency`` reports it apart);
- press: a press at the device (the bench presses the lit bin of the simulated light over the simulators' control
  channel, stamped just before the request goes out) -> the panel has painted the next pick (or none), through the
  driver's confirm poll (20 ms), the journal, the core, the picture and the bus.

The screens are real: one operator panel per station and a cockpit, each in a process of its own
(``app.proof.glass_screen``, offscreen Qt), subscribed to the service's HMI bus like any screen. A panel stamps the
moment its pick card has been painted (see that module); every stamp is ``time.monotonic()``, CLOCK_MONOTONIC,
one clock for every process on Linux, so the service's receive stamps, the bench's press stamps and the panels'
paint stamps are compared directly. The simulators' operators are switched off: the bench is each station's
operator and presses ``REACTION_S`` (seeded) after its panel painted the lit pick and the light showed it, so no
pick is pressed before it was on the glass. The OEM feeds hold back (a takt of a day over the control channel)
until every screen has shown its first picture, and only what happens after that counts.

Where a broadcast's time goes (``broadcast_stages_ms``, p50, p99 and the mean over the slowest 5 % of broadcasts,
the tail): ``core`` received -> the light command left the core (the journal's commit and the core), ``to_bus`` ->
the picture showing it was handed to the bus (the frame's wait and the picture's build), ``bus`` -> the panel's bus
client began to read it (ZeroMQ, and the screen's GUI thread waking), ``apply`` -> the panel had taken it in (decode,
the replica's view, ``apply_line``), ``paint`` -> painted.

The reference, measured in the same run: one raw durable SQLite commit + one raw pymodbus write to the same
simulator (sampled during the run, as ``jis bench latency``) + one raw ZeroMQ publish -> receive over loopback
(sampled alongside, a blocking SUB on its own thread) + one raw paint of the operator panel (``QWidget.repaint``,
sampled by the panels), p50 each. ``*_p50_ratio``: a figure's p50 over the reference.
What it must not do: assert anything (it prints figures), or touch the line other than as its operators do.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import struct
import sys
import threading
import time
from bisect import bisect_right
from collections import deque
from pathlib import Path
from typing import Any

import zmq
import zmq.asyncio

from app.config import load_plant
from app.proof.bench_line import SAMPLE_S, _Watch, plant_with_feeds, q
from app.proof.demo import DemoOptions, run_demo
from app.service.runtime import Service
from sequencer.clone import Delta, Picture
from sequencer.plant import PlantConfig

REACTION_S = (0.06, 0.12)  # real seconds the bench's operator takes to press once the pick is on the glass
READY_TIMEOUT_S = 60.0  # screens (Qt, pyqtgraph) starting on a loaded machine
SETTLE_S = 0.5  # after every screen showed its first picture, before anything counts
REFERENCE_BYTES = 300  # a raw ZeroMQ message the size of a small update
RAW_PAINT_S = 1.0  # a panel's raw paint sample this often (a paint holds its GUI thread: not too often)
STAGES = ("core", "to_bus", "bus", "apply", "paint")  # received -> painted, in order (the module's docstring)
HOLD_TAKT_S = 86_400.0  # the feeds' takt while the screens start (the control channel's longest)


async def held_feeds(plant: PlantConfig, ready: dict[str, Any]) -> ControlLink:
    """The simulators' control link, every feed held back (``HOLD_TAKT_S``) until the bench releases it."""
    control = ControlLink(str(ready["control"]))
    for feed in plant.feeds:
        await control.ask({"op": "feed", "feed": feed.id, "takt_s": HOLD_TAKT_S})
    return control


class ControlLink:
    """The simulators' control channel (docs/sim-control.md), one request at a time: two tasks asking at once on one
    DEALER would each read the other's answer and drop it (the stalls of this bench under load: an operator that
    lost its answer died 5 s later, and its station stood). Each operator has a link of its own, so a press never
    waits behind another station's request."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.ctx = zmq.asyncio.Context()
        self.sock = self.ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.connect(endpoint)
        self._id = 0
        self._one_at_a_time = asyncio.Lock()

    async def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        async with self._one_at_a_time:
            self._id += 1
            await self.sock.send(json.dumps({**request, "id": self._id}).encode())
            while True:
                async with asyncio.timeout(5.0):
                    raw = await self.sock.recv()
                answer = json.loads(raw)
                if answer.get("id") == self._id:
                    if not answer.get("ok"):
                        raise RuntimeError(f"simulators refused {request}: {answer.get('error')}")
                    return dict(answer)

    def close(self) -> None:
        self.sock.close(0)
        self.ctx.term()


class ZmqReference:
    """Raw ZeroMQ publish -> receive over loopback: a PUB on the service's loop, a blocking SUB on a thread."""

    def __init__(self) -> None:
        self.ms: list[float] = []
        self.ctx = zmq.Context()
        self.pub = self.ctx.socket(zmq.PUB)
        port = self.pub.bind_to_random_port("tcp://127.0.0.1")
        self.sub = self.ctx.socket(zmq.SUB)
        self.sub.setsockopt(zmq.SUBSCRIBE, b"")
        self.sub.setsockopt(zmq.RCVTIMEO, 200)
        self.sub.connect(f"tcp://127.0.0.1:{port}")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._receive, name="bench-zmq-reference", daemon=True)
        self._thread.start()

    def _receive(self) -> None:
        while not self._stop.is_set():
            try:
                frame = self.sub.recv()
            except zmq.Again:
                continue
            self.ms.append((time.monotonic() - struct.unpack_from("d", frame)[0]) * 1000)

    async def run(self) -> None:
        await asyncio.sleep(0.3)  # the subscription reaches the PUB (a late joiner misses what went before)
        padding = b"x" * (REFERENCE_BYTES - 8)
        while True:
            self.pub.send(struct.pack("d", time.monotonic()) + padding)
            await asyncio.sleep(SAMPLE_S)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2.0)
        self.sub.close(0)
        self.pub.close(0)
        self.ctx.term()


def cpu_s(pid: int) -> float | None:
    """A live process's CPU seconds so far (user + system, from /proc on Linux); None where it cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 2)


class GlassRun:
    """The screens, the bench's operators and the stamps of one run."""

    def __init__(self, folder: Path, plant: PlantConfig, speed: float, seed: int) -> None:
        self.folder = folder
        self.plant = plant
        self.speed = speed
        self.rng = random.Random(seed)
        self.control: ControlLink | None = None
        self.links: list[ControlLink] = []  # the operators' own
        self.service: Service | None = None
        self.zmq: ZmqReference | None = None
        self.screens: list[asyncio.subprocess.Process] = []
        self.ready: dict[str, float] = {}  # screen -> when it first painted
        self.live_at: float | None = None  # from here on things count
        self.live = asyncio.Event()
        self.paints: dict[str, list[tuple[float, int | None]]] = {}  # station -> (painted at, pick shown)
        self.painted: dict[str, int | None] = {}  # station -> the pick its panel shows now
        self.repainted: dict[str, asyncio.Event] = {}
        self.paint_ms: list[float] = []
        self.to_bus: dict[int, float] = {}  # pick -> when the first picture with it lit was handed to the bus
        self.client_at: dict[int, tuple[float, float]] = {}  # pick -> (its panel began to read it, took it in)
        self.presses: list[tuple[str, int, float]] = []  # (station, pick pressed, when)
        self.errors: list[str] = []
        self.screen_cpu_s: list[float | None] = []  # each screen's CPU seconds over its life, in spawn order
        self._tasks: list[asyncio.Task[None]] = []

    # -- the run's hooks (run_demo) --------------------------------------------------------------------------------
    async def take_sims(self, ready: dict[str, Any]) -> None:
        """The simulators are up: the feeds hold back until the screens are up."""
        self.control = await held_feeds(self.plant, ready)

    def start(self, service: Service) -> None:
        """The service is up: screens, operators and the ZeroMQ reference."""
        self.service = service
        service.latency.lit_log = deque(maxlen=1_000_000)
        self._stamp_pictures(service)
        self.zmq = ZmqReference()
        stations = list(service.core.state.stations)
        for station in stations:
            self.paints[station], self.painted[station] = [], None
            self.repainted[station] = asyncio.Event()
        self._tasks.append(asyncio.create_task(self.zmq.run(), name="bench-zmq-reference"))
        self._tasks.append(asyncio.create_task(self._screens(service, stations), name="bench-screens"))
        for station in stations:
            operator = asyncio.create_task(self._operator(station), name=f"bench-operator-{station}")
            operator.add_done_callback(self._operator_ended)
            self._tasks.append(operator)

    def _stamp_pictures(self, service: Service) -> None:
        """Stamp each pick lit in the core when a picture is handed to the bus (the picture is built from the core
        just before, on the same pass of the loop)."""
        bus = service.hmi.bus
        assert bus is not None
        publish_picture, stations = bus.publish_picture, service.core.state.stations

        def stamped(picture: Picture) -> Delta | None:
            now = time.monotonic()
            for st in stations.values():
                if st.lit is not None:
                    self.to_bus.setdefault(st.lit, now)
            return publish_picture(picture)

        bus.publish_picture = stamped  # type: ignore[method-assign]

    def _operator_ended(self, task: asyncio.Task[None]) -> None:
        """An operator ends only when the run stops; one that failed left its station standing: say so."""
        if not task.cancelled() and task.exception() is not None:
            self.errors.append(f"{task.get_name()} failed: {task.exception()!r}")

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self.screen_cpu_s = [cpu_s(screen.pid) for screen in self.screens]
        for screen in self.screens:
            if screen.returncode is None:
                screen.terminate()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(10):
                        await screen.wait()
            if screen.returncode is None:
                screen.kill()
                await screen.wait()
        if self.zmq is not None:
            self.zmq.close()
        for link in [*self.links, *([self.control] if self.control is not None else [])]:
            link.close()

    # -- the screens -------------------------------------------------------------------------------------------
    async def _screens(self, service: Service, stations: list[str]) -> None:
        assert self.control is not None
        for station in stations:  # the simulated operators stop: the bench presses
            await self.control.ask({"op": "operator", "station": station, "auto": False})
        svc = service.plant.service
        base = {
            "connect": svc.hmi_endpoint,
            "snapshot": svc.hmi_snapshot_endpoint,
            "commands": svc.hmi_command_endpoint,
        }
        specs = [{**base, "role": "operator", "station": s, "name": s, "paint_every_s": RAW_PAINT_S} for s in stations]
        specs.append({**base, "role": "lead", "name": "cockpit", "settings": str(self.folder / "cockpit.ini")})
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYQTGRAPH_QT_LIB": "PySide6"}
        readers = []
        for spec in specs:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "app.proof.glass_screen", stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE, env=env,
            )  # fmt: skip
            assert proc.stdin is not None
            proc.stdin.write(json.dumps(spec).encode() + b"\n")
            await proc.stdin.drain()
            self.screens.append(proc)
            readers.append(self._read(proc, str(spec["name"]), len(specs)))
        await asyncio.gather(*readers)

    async def _read(self, proc: asyncio.subprocess.Process, name: str, screens: int) -> None:
        assert proc.stdout is not None
        async for line in proc.stdout:
            said = json.loads(line)
            if "pick" in said:
                station = str(said["station"])
                self.paints[station].append((float(said["t"]), said["pick"]))
                if said["pick"] is not None:
                    self.client_at.setdefault(said["pick"], (float(said["received"]), float(said["applied"])))
                self.painted[station] = said["pick"]
                self.repainted[station].set()
            elif "paint_ms" in said:
                if name != "cockpit":
                    self.paint_ms.append(float(said["paint_ms"]))
            elif said.get("ready"):
                self.ready[name] = float(said["t"])
                if len(self.ready) == screens:
                    self.live_at = max(self.ready.values()) + SETTLE_S
                    self._tasks.append(asyncio.create_task(self._go_live(), name="bench-live"))
        if proc.returncode not in (None, 0, -15):
            self.errors.append(f"screen {name} ended with {proc.returncode}")

    async def _go_live(self) -> None:
        """Every screen is up: the operators start, and the feeds broadcast at their takt again, spread over one
        takt as the simulators start them (OEM lines are not in lock-step)."""
        assert self.control is not None and self.live_at is not None
        await asyncio.sleep(max(0.0, self.live_at - time.monotonic()))
        self.live.set()
        feeds = self.plant.feeds
        for feed in feeds:
            await self.control.ask({"op": "feed", "feed": feed.id, "takt_s": feed.takt_s})
            await asyncio.sleep(feed.takt_s / self.speed / len(feeds))

    # -- the operators -----------------------------------------------------------------------------------------
    async def _operator(self, station: str) -> None:
        """Press the lit bin once the panel shows it and the light does, a reaction time later; once per pick."""
        await self.live.wait()
        assert self.service is not None and self.control is not None
        control = ControlLink(self.control.endpoint)
        self.links.append(control)
        while True:
            pick = await self._on_the_glass(station)
            await asyncio.sleep(self.rng.uniform(*REACTION_S))
            st = self.service.core.state.stations[station]
            if st.lit != pick or st.blocked_by is not None:
                continue
            light = st.light_of_bin[self.service.core.state.picks[pick].bin]
            pressed = time.monotonic()
            await control.ask({"op": "press", "device": st.cfg.ptl, "light": light})
            self.presses.append((station, pick, pressed))
            while st.lit == pick and time.monotonic() < pressed + 2.0:  # noqa: ASYNC110 (the core's state)
                await asyncio.sleep(0.005)

    async def _on_the_glass(self, station: str) -> int:
        """The pick lit at ``station`` once its panel has painted it and its light shows it."""
        assert self.service is not None
        while True:
            st = self.service.core.state.stations[station]
            lit = st.lit
            shown = lit is not None and lit not in self.service.latency.lit_since  # the device acknowledged it
            if shown and self.painted[station] == lit and st.blocked_by is None:
                assert lit is not None
                return lit
            self.repainted[station].clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(0.02):
                    await self.repainted[station].wait()

    # -- the figures -------------------------------------------------------------------------------------------
    def _first_paints(self) -> dict[int, float]:
        """Each pick's first paint on any panel (monotonic seconds)."""
        first: dict[int, float] = {}
        for paints in self.paints.values():
            for at, pick in paints:
                if pick is not None:
                    first.setdefault(pick, at)
        return first

    def broadcast_ms(self) -> tuple[list[float], int]:
        """Received -> painted for picks lit on arrival after the screens were live; and how many were never
        painted (withdrawn before, or the run ended)."""
        assert self.service is not None and self.service.latency.lit_log is not None and self.live_at is not None
        first = self._first_paints()
        lit = [(pick, received) for pick, received, arrival, _ in self.service.latency.lit_log if arrival]
        counted = [(pick, received) for pick, received in lit if received >= self.live_at]
        ms = [(first[pick] - received) * 1000 for pick, received in counted if pick in first]
        return ms, len(counted) - len(ms)

    def broadcast_stages(self) -> dict[str, dict[str, float | None]]:
        """Each stage of received -> painted (see the module): p50, p99 and its mean over the slowest 5 % of the
        broadcasts (``tail``), for the broadcasts ``broadcast_ms`` counts."""
        assert self.service is not None and self.service.latency.lit_log is not None and self.live_at is not None
        first = self._first_paints()
        rows: list[tuple[float, dict[str, float]]] = []
        for pick, received, arrival, lit_at in self.service.latency.lit_log:
            if not arrival or received < self.live_at or pick not in first:
                continue
            if pick not in self.to_bus or pick not in self.client_at:
                continue
            drained, applied = self.client_at[pick]
            marks = (received, lit_at, self.to_bus[pick], drained, applied, first[pick])
            stages = {name: (b - a) * 1000 for name, a, b in zip(STAGES, marks, marks[1:], strict=False)}
            rows.append((first[pick] - received, stages))
        rows.sort(key=lambda row: row[0])
        tail = rows[-max(1, len(rows) // 20) :] if rows else []
        out: dict[str, dict[str, float | None]] = {}
        for name in STAGES:
            ms = [stages[name] for _, stages in rows]
            worst = [stages[name] for _, stages in tail]
            tail_ms = round(sum(worst) / len(worst), 3) if worst else None
            out[name] = {"p50": q(ms, 50), "p99": q(ms, 99), "tail": tail_ms}
        return out

    def press_ms(self) -> list[float]:
        """Pressed -> the panel painted something else than the pick pressed (the next pick, or none)."""
        assert self.live_at is not None
        ms = []
        for station, pick, pressed in self.presses:
            paints = self.paints[station]
            times = [at for at, _ in paints]
            for at, shown in paints[bisect_right(times, pressed) :]:
                if shown != pick:
                    ms.append((at - pressed) * 1000)
                    break
        return ms


async def glass(
    folder: Path, *, feeds: int = 4, vehicles: int = 50, speed: float = 50.0, seed: int = 1
) -> dict[str, Any]:
    """Glass to glass on ``feeds`` feeds x ``vehicles`` at ``speed``, against the raw reference of the same run."""
    plant = plant_with_feeds(load_plant(), feeds)
    config = folder / f"plant-glass{feeds}.json"
    config.write_text(plant.model_dump_json())
    watch = _Watch(folder)
    run = GlassRun(folder, plant, speed, seed)

    def on_service(service: Service) -> None:
        watch.sample_references(service)
        run.start(service)

    opts = DemoOptions(
        config=str(config),
        vehicles=vehicles,
        speed=speed,
        workdir=str(folder / "glass"),
        as_json=True,
        line_server=False,  # the screens' path on its own, as the other benchmarks
    )
    try:
        summary = await run_demo(opts, on_service=on_service, on_sims=run.take_sims)
    finally:
        await run.stop()
        await watch.stop()
    if run.live_at is None:
        return {"error": f"the screens never all showed a picture: {sorted(run.ready)}; {run.errors}"}
    broadcast, missed = run.broadcast_ms()
    press = run.press_ms()
    reference = {
        "commit_p50_ms": q(watch.commit_ms, 50),
        "write_p50_ms": q(watch.write_ms, 50),
        "zmq_p50_ms": q(run.zmq.ms if run.zmq else [], 50),
        "paint_p50_ms": q(run.paint_ms, 50),
    }
    reference_ms = round(sum(v or 0.0 for v in reference.values()), 3)
    b50, p50 = q(broadcast, 50), q(press, 50)
    return {
        "feeds": feeds,
        "screens": len(run.screens),
        "vehicles_completed": summary["vehicles_completed"],
        "broadcast_p50_ms": b50,
        "broadcast_p99_ms": q(broadcast, 99),
        "broadcast_samples": len(broadcast),
        "broadcast_never_painted": missed,
        "broadcast_stages_ms": run.broadcast_stages(),
        "press_p50_ms": p50,
        "press_p99_ms": q(press, 99),
        "press_samples": len(press),
        "reference_ms": reference_ms,
        "reference": reference,
        "reference_samples": {"commit": len(watch.commit_ms), "zmq": len(run.zmq.ms) if run.zmq else 0},
        "broadcast_p50_ratio": round(b50 / reference_ms, 2) if b50 and reference_ms else None,
        "press_p50_ratio": round(p50 / reference_ms, 2) if p50 and reference_ms else None,
        "confirm_poll_ms": round(plant.service.poll_interval_s * 1000, 1),
        "reaction_ms": [round(r * 1000) for r in REACTION_S],
        "screen_cpu_s": dict(zip([*run.paints, "cockpit"], run.screen_cpu_s, strict=False)),
        "errors": run.errors,
    }
