"""The fault schedule of a campaign (``jis chaos``) and the hands that inject it: kills, outages, database locks.

What it is for: ``plan`` draws, from one seed, when the service is SIGKILLed (exponential gaps scaled to spread
over the run), which device goes out, how, and for how long (every kind the simulators can switch, in turn), and
when another process takes the database's write lock. ``SimControlClient`` switches the simulators' faults over
their control channel (docs/sim-control.md); ``hold_write_lock`` is the other process's ``BEGIN EXCLUSIVE``.
What it must not do: touch the service (the campaign does, as a supervisor would), or draw from any random
source but the seeded one (a campaign is repeatable up to the machine's timing).
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from dataclasses import dataclass
from typing import Any

import zmq
import zmq.asyncio

CONTROL_TIMEOUT_S = 5.0
OUTAGE_S = (4.0, 9.0)  # real seconds a device stays out (random, per outage)
LOCK_S = (0.5, 3.0)  # real seconds another process holds the database's write lock
UNREACHABLE_S = (6.0, 8.0)  # longer than the service's busy_timeout (5 s): writes fail while it lasts


@dataclass(frozen=True)
class Outage:
    """One device fault: ``device``'s switch ``name`` (``light``: one light cut off its chain) from ``at`` for
    ``seconds``; ``shows_as`` is the device name the service's deviation carries while it lasts."""

    at: float
    seconds: float
    device: str
    name: str
    shows_as: str
    light: int | None = None

    role: str = "printer"  # gateway, light or printer

    @property
    def kind(self) -> str:
        return f"{self.role}_{self.name}"


@dataclass(frozen=True)
class DbLock:
    at: float
    seconds: float
    unreachable: bool = False


@dataclass(frozen=True)
class Plan:
    kills: list[float]
    outages: list[Outage]
    locks: list[DbLock]


def outage_kinds(state: dict[str, Any]) -> list[tuple[str, str, int | None]]:  # (device, switch, light)
    """Every fault the running simulators can switch, as (device, switch, light): gateways down, one light cut
    off, and each printer's every switch. OPC UA light controllers are left out: campaigns cut Modbus gateways."""
    kinds: list[tuple[str, str, int | None]] = []
    for name, gw in sorted(state.get("gateways", {}).items()):
        if gw.get("kind") == "modbus" and gw.get("lights"):
            kinds.append((name, "down", None))
            kinds.append((name, "exception", int(gw["lights"][0]["light"])))
    for name, printer in sorted(state.get("printers", {}).items()):
        kinds += [(name, switch, None) for switch in printer.get("switches", {})]
    return kinds


def plan(
    rng: random.Random,
    span_s: float,
    kills: int,
    outages: int,
    locks: int,
    unreachable: int,
    kinds: list[tuple[str, str, int | None]],
    gateways: set[str],
) -> Plan:
    """Kills at exponential gaps scaled to end by 95 % of ``span_s``; outages one at a time, each in its own slot
    of the span, every kind in turn; locks spread over the span."""
    gaps = [rng.expovariate(1.0) for _ in range(kills + 1)]
    scale = 0.92 * span_s / sum(gaps)
    kill_at, t = [], 0.03 * span_s
    for gap in gaps[:-1]:
        t += gap * scale
        kill_at.append(t)
    order = list(kinds)
    rng.shuffle(order)
    slot = span_s / max(outages, 1)
    planned = []
    for i in range(outages if kinds else 0):
        device, name, light = order[i % len(order)]
        seconds = min(rng.uniform(*OUTAGE_S), max(slot - 1.0, 1.0))
        start = i * slot + rng.uniform(0, max(slot - seconds - 0.5, 0))
        shows_as = f"{device}/light-{light}" if light is not None else device
        role = "light" if light is not None else "gateway" if device in gateways else "printer"
        planned.append(
            Outage(at=start, seconds=seconds, device=device, name=name, shows_as=shows_as, light=light, role=role)
        )
    lock_list = [DbLock(at=rng.uniform(0.05, 0.9) * span_s, seconds=rng.uniform(*LOCK_S)) for _ in range(locks)]
    lock_list += [
        DbLock(at=rng.uniform(0.1, 0.85) * span_s, seconds=rng.uniform(*UNREACHABLE_S), unreachable=True)
        for _ in range(unreachable)
    ]
    return Plan(kills=kill_at, outages=planned, locks=sorted(lock_list, key=lambda lock: lock.at))


def hold_write_lock(path: str, seconds: float) -> float:
    """Another process's writer: ``BEGIN EXCLUSIVE`` on the database, held for ``seconds``; returns how long the
    lock took to get (the service may be mid-commit)."""
    asked = time.monotonic()
    conn = sqlite3.connect(path, timeout=30.0, isolation_level=None)
    try:
        conn.execute("BEGIN EXCLUSIVE")
        got = time.monotonic()
        time.sleep(seconds)
        conn.execute("COMMIT")
        return got - asked
    finally:
        conn.close()


class SimControlClient:
    """Requests to the simulators' control channel, one at a time (a DEALER: the answer keeps the envelope)."""

    def __init__(self, endpoint: str) -> None:
        self._ctx = zmq.asyncio.Context()
        self._sock = self._ctx.socket(zmq.DEALER)
        self._sock.setsockopt(zmq.LINGER, 0)
        self._sock.setsockopt(zmq.MAXMSGSIZE, 4 * 1024 * 1024)  # the state is the largest answer, tens of KB
        self._sock.connect(endpoint)
        self._ids = 0

    async def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        self._ids += 1
        await self._sock.send(json.dumps({**request, "id": self._ids}).encode())
        deadline = time.monotonic() + CONTROL_TIMEOUT_S
        while (left := deadline - time.monotonic()) > 0:
            if not await self._sock.poll(int(left * 1000) + 1):
                break
            reply = json.loads((await self._sock.recv_multipart())[-1])
            if reply.get("id") == self._ids:
                return dict(reply)
        raise TimeoutError(f"sim control did not answer {request.get('op')}")

    async def switch(self, outage: Outage, on: bool) -> None:
        req: dict[str, Any] = {"op": "fault", "device": outage.device, "name": outage.name, "on": on}
        if outage.light is not None:
            req["light"] = outage.light
        reply = await self.ask(req)
        if not reply.get("ok"):
            raise RuntimeError(f"sim control refused {req}: {reply.get('error')}")

    async def state(self) -> dict[str, Any]:
        return dict((await self.ask({"op": "state", "labels": 0}))["state"])

    def close(self) -> None:
        self._sock.close(linger=0)
        self._ctx.term()
