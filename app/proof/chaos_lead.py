"""The people of a fault campaign (``jis chaos``): a shift lead and a dock who act through the service's door.

What it is for: ``JournalFollower`` replays the journal into a core of its own as the service writes it (read
only, beside the running service: SQLite WAL readers never block the writer), so the campaign knows what the
line knows without asking the service, which may be dead at that moment. ``Lead`` acts on it the way a person
does after a crash or an outage, only through the HMI command channel (docs/hmi-commands.md), logged in as a
lead: it reprints each uncertain label explicitly (never a silent second label), confirms by hand a pick whose
press died with a killed service (not one whose press the light counted and the service has yet to journal: a
person sees the operator pressed), and ships every closed, labelled rack (the dock). Each operation goes with a
request id of its own (docs/hmi-commands.md, "Request ids"); one that got no answer (the service died) is asked
again with the same id, and now and then one that was answered is sent again at once with the same id (its
reply lost on the way back): the second answer must be the first's (``retried_differently`` counts any other).
What it must not do: write to the database, guess (every action waits until the state has said the same thing
for a while), or retry an action the journal already shows done under a new request id.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import zmq
import zmq.asyncio

from app.persist.store import Store
from app.service.replay import Rebuilt
from sequencer.commands import RaiseDeviation
from sequencer.plant import PlantConfig

log = logging.getLogger(__name__)

CONFIRM_AFTER_S = 3.0  # real seconds a pick time-out must last (its gateway up) before the lead confirms by hand
ASK_AGAIN_S = 6.0  # real seconds before the same action is asked again (the first went to a dying service)
REPLY_TIMEOUT_S = 3.0


class JournalFollower:
    """A core kept up with the journal, row by row; ``raised`` counts deviations by kind as the service raised
    them, and ``faulty`` when each device was shown faulty, in journal rows. ``poll`` and ``last_row`` are
    blocking I/O: call them off the event loop."""

    def __init__(self, plant: PlantConfig, url: str) -> None:
        self.state = Rebuilt.fresh(plant)
        self.store = Store(url, migrate=False)
        self.raised: Counter[str] = Counter()
        self.faulty: dict[str, list[tuple[int, int | None]]] = {}  # device -> (first row faulty, first row not)
        self._faulty_now: frozenset[str] = frozenset()

    def poll(self) -> int:
        """Apply the rows written since the last poll; returns how many."""
        n = 0
        for row_id, event in self.store.journal(self.state.last_id):
            for cmd in self.state.apply(row_id, event):
                if isinstance(cmd, RaiseDeviation):
                    self.raised[cmd.kind] += 1
            self._note_faults(row_id)
            n += 1
        return n

    def last_row(self) -> int:
        """The journal's newest row now (what the service has committed so far)."""
        return self.store.last_id()

    def shown_faulty(self, device: str, first_row: int, last_row: int) -> bool:
        """Was ``device`` shown faulty after any row from ``first_row`` to ``last_row``?"""
        spans = self.faulty.get(device, [])
        return any(start <= last_row and (end is None or end > first_row) for start, end in spans)

    def _note_faults(self, row_id: int) -> None:
        points = self.state.core.state.alarm_points  # an alarm annunciated and active: past its on-delay
        now = frozenset(points.alarmed("device_offline")) | frozenset(points.alarmed("printer_fault"))
        if now == self._faulty_now:
            return
        for device in now - self._faulty_now:
            self.faulty.setdefault(device, []).append((row_id, None))
        for device in self._faulty_now - now:
            self.faulty[device][-1] = (self.faulty[device][-1][0], row_id)
        self._faulty_now = now

    def close(self) -> None:
        self.store.close()


@dataclass
class LeadCounters:
    reprints: int = 0
    confirms_by_hand: int = 0
    racks_shipped: int = 0
    refused: int = 0
    unanswered: int = 0
    logins: int = 0
    retries: int = 0  # answered operations sent again at once with their request id
    retried_differently: int = 0  # ... whose second answer was not the first's
    asked: list[str] = field(default_factory=list)  # label ids the lead asked to reprint (and the service did)
    request_ids: list[str] = field(default_factory=list)  # every operation's request id, once each


class Lead:
    """A lead at the cockpit, logged in over the HMI command channel; ``round()`` looks at the line once."""

    def __init__(
        self,
        follower: JournalFollower,
        endpoint: str,
        user: str,
        password: str,
        *,
        rng: random.Random | None = None,
        retry_rate: float = 0.0,
        device_counters: Callable[[], Awaitable[dict[tuple[str, str], int]]] | None = None,
    ) -> None:
        self.follower = follower
        self.endpoint, self.user, self.password = endpoint, user, password
        self.counters = LeadCounters()
        self.rng, self.retry_rate = rng or random.Random(0), retry_rate
        self.device_counters = device_counters  # (station, bin) -> the light's press counter, as the device has it
        self._unanswered: dict[tuple[str, Any], str] = {}  # (action, target) -> the request id still unanswered
        self._ctx = zmq.asyncio.Context()
        self._sock: zmq.asyncio.Socket | None = None
        self._token = ""
        self._ids = 0
        self._asked: dict[tuple[str, Any], float] = {}  # (action, target) -> when last asked (monotonic)
        self._timing: dict[tuple[str, int], float] = {}  # (station, pick) timed out since (monotonic)

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close(linger=0)
            self._sock = None
        self._ctx.term()

    async def round(self, down: set[str]) -> None:
        """One look at the line (the follower's core) and the actions it calls for; ``down``: devices the
        campaign has switched off (the lead does not confirm by hand at a station whose lights are away)."""
        core, now = self.follower.state.core, time.monotonic()
        for label_id in sorted(core.state.uncertain):  # checked the part: reprint, the label says REPRINT n
            if await self._once("ReprintLabel", label_id, {"label_id": label_id}, "uncertain after a restart", now):
                self.counters.reprints += 1
                self.counters.asked.append(label_id)
        timing: dict[tuple[str, int], float] = {}
        for station_id, st in core.state.stations.items():
            if st.lit is None or st.timeout_dev is None or st.blocked_by is not None:
                continue
            if any(d.startswith(st.cfg.ptl) for d in down) or st.cfg.ptl in core.state.devices_down:
                continue
            since = timing[(station_id, st.lit)] = self._timing.get((station_id, st.lit), now)
            if now - since >= CONFIRM_AFTER_S and not await self._press_on_its_way(core, station_id, st.lit):
                reason = "picked before the restart, the press was lost"
                if await self._once("ConfirmByHand", (station_id, st.lit), {"station": station_id}, reason, now):
                    self.counters.confirms_by_hand += 1
        self._timing = timing
        for rack in [r for r in core.state.watched_racks.values() if r.closed and r.labelled and not r.shipped]:
            fields = {"feed": rack.feed, "family": rack.family, "rack_no": rack.rack_no}
            key = (rack.feed, rack.family, rack.rack_no)
            if await self._once("ShipRackByHand", key, fields, "dock: rack loaded", now):
                self.counters.racks_shipped += 1

    async def _once(self, action: str, target: Any, fields: dict[str, Any], reason: str, now: float) -> bool:
        """Ask for ``action`` unless it was asked recently; True if the service carried it out."""
        if now - self._asked.get((action, target), -ASK_AGAIN_S) < ASK_AGAIN_S:
            return False
        self._asked[(action, target)] = now
        once = self._unanswered.pop((action, target), None) or self._new_request_id()
        reply = await self._intent(action, fields, reason, once)
        if reply is None:
            self._unanswered[(action, target)] = once  # asked again with the same id: done once, whatever happened
            return False
        if self.rng.random() < self.retry_rate:  # the reply was lost on its way back: the same request again
            again = await self._intent(action, fields, reason, once)
            if again is not None:
                self.counters.retries += 1
                if _answer(again) != _answer(reply):
                    self.counters.retried_differently += 1
                    log.error("lead: %s %s again got %s, first %s", action, target, again, reply)
        if not reply.get("ok"):
            self.counters.refused += 1
            log.info("lead: %s %s refused: %s", action, target, reply.get("error"))
            return False
        return True

    async def _press_on_its_way(self, core: Any, station_id: str, pick_id: int) -> bool:
        """The lit bin's light counted a press the journal has not seen yet (a service that is still starting, or
        slow, has it queued): a lead who sees the operator pressed waits for it rather than confirming by hand."""
        if self.device_counters is None:
            return False
        bin_id = core.state.picks[pick_id].bin
        at_device = (await self.device_counters()).get((station_id, bin_id))
        return at_device is not None and at_device != core.state.confirm_counters.get((station_id, bin_id))

    def _new_request_id(self) -> str:
        once = f"chaos-{len(self.counters.request_ids):06d}-{self.rng.getrandbits(32):08x}"
        self.counters.request_ids.append(once)
        return once

    # -- the HMI command channel ------------------------------------------------------------------------------
    async def _intent(self, action: str, fields: dict[str, Any], reason: str, request_id: str) -> dict[str, Any] | None:
        if not self._token and not await self._login():
            return None
        request = {"op": "intent", "token": self._token, "type": action, "fields": fields, "reason": reason}
        reply = await self._ask({**request, "request_id": request_id})
        if reply is not None and reply.get("code") == "bad_token":
            self._token = ""
        return reply

    async def _login(self) -> bool:
        reply = await self._ask({"op": "login", "user": self.user, "password": self.password})
        if reply is None or not reply.get("ok"):
            return False
        self._token = str(reply["token"])
        self.counters.logins += 1
        return True

    async def _ask(self, request: dict[str, Any]) -> dict[str, Any] | None:
        """One request, one reply; None if the service did not answer in time (it may be dead)."""
        sock = self._socket()
        self._ids += 1
        request_id = self._ids
        try:
            await sock.send(json.dumps({**request, "id": request_id}).encode(), flags=zmq.NOBLOCK)
        except zmq.Again:  # IMMEDIATE: nobody to send to, nothing was sent
            return None
        deadline = time.monotonic() + REPLY_TIMEOUT_S
        while (left := deadline - time.monotonic()) > 0:
            if not await sock.poll(int(left * 1000) + 1):
                break
            reply = json.loads(await sock.recv())
            if reply.get("id") == request_id:
                return dict(reply)
        self.counters.unanswered += 1
        self._drop_socket()  # a late answer must not be taken for the next request's
        return None

    def _socket(self) -> zmq.asyncio.Socket:
        if self._sock is None:
            sock = self._ctx.socket(zmq.DEALER)
            sock.setsockopt(zmq.IMMEDIATE, 1)
            sock.setsockopt(zmq.LINGER, 0)
            sock.setsockopt(zmq.RECONNECT_IVL, 50)
            sock.setsockopt(zmq.MAXMSGSIZE, 64 * 1024)  # a command's reply is a few hundred bytes
            sock.connect(self.endpoint)
            self._sock = sock
        return self._sock

    def _drop_socket(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(zmq.ZMQError):
                self._sock.close(linger=0)
            self._sock = None


def _answer(reply: dict[str, Any]) -> dict[str, Any]:
    """A reply without the DEALER's own ``id`` (which differs for every send)."""
    return {k: v for k, v in reply.items() if k != "id"}


async def follow(follower: JournalFollower) -> int:
    """One poll of the journal, off the event loop."""
    return await asyncio.to_thread(follower.poll)
