"""Many lightweight HMI screens for ``jis bench scale``, in one process of their own, each a real bus subscriber.

What it is for: the 50 screens of the scale benchmark (``app.proof.bench_scale``) without 50 Qt processes on a
2-core machine. Each screen is what ``ui.bus_client.BusClient`` is on the wire, minus the drawing: a SUB on the
service's HMI bus and a DEALER on its snapshot ROUTER, a ``sequencer.clone.Replica`` that takes one snapshot
(``ICANHAZ?``) and then decodes and validates every picture's entries (``parse_entry``), asking again on a gap. So the
service serves each screen as it serves a real one: its own subscription, its own snapshot, every picture fanned
out to it. Run as ``python -m app.proof.scale_screens`` with its spec, one JSON object, on stdin::

    {"connect": "tcp://127.0.0.1:PORT", "snapshot": "tcp://127.0.0.1:PORT", "screens": 50}

It writes JSON lines on stdout: ``{"ready": true}`` once every screen holds a snapshot, and on SIGTERM (or when
``RUN_LIMIT_S`` has passed) ``{"screens": N, "pictures": [...], "entries": [...], "gaps": [...], "bad": [...]}``
(per screen: pictures applied, entries decoded, gaps repaired by a snapshot, bad messages), then ends.
What it must not do: touch the line (it never sends a command), take arguments anywhere but its stdin (the command
line parses arguments, ``app.cli``), or run unbounded (``RUN_LIMIT_S``).
"""

from __future__ import annotations

import json
import signal
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import zmq

from sequencer.clone import (
    HUGZ,
    ICANHAZ,
    KTHXBAI,
    KV,
    KVS,
    MAX_FRAME_BYTES,
    Change,
    Replica,
    Step,
    WireError,
    read_hugz,
    read_kthxbai,
    read_kv,
)

RUN_LIMIT_S = 1800.0  # a screens process the bench forgot ends by itself
POLL_MS = 100
SNAPSHOT_RETRY_S = 2.0


@dataclass
class Screen:
    """One screen: its two sockets, its replica and its counts."""

    sub: zmq.Socket[bytes]
    dealer: zmq.Socket[bytes]
    replica: Replica = field(default_factory=Replica)
    request: int = 0
    asked_at: float = 0.0
    items: list[Change] = field(default_factory=list)
    pictures: int = 0
    entries: int = 0
    gaps: int = 0
    bad: int = 0

    def ask(self) -> None:
        """A snapshot request, as ``BusClient`` sends it."""
        self.request += 1
        self.items = []
        self.asked_at = time.monotonic()
        self.dealer.send_multipart([ICANHAZ, str(self.request).encode()], zmq.NOBLOCK)

    def take_bus(self, frames: list[bytes]) -> None:
        try:
            if frames[0] == KV:
                epoch, delta = read_kv(frames)
                step = self.replica.on_delta(epoch, delta)
                if step is Step.APPLIED:
                    self.pictures += 1
                    self.entries += len(delta.changes)
            elif frames[0] == HUGZ:
                epoch, seq, _ = read_hugz(frames)
                step = self.replica.on_hugz(epoch, seq)
            else:
                raise WireError(f"not a bus message: {frames[0][:20]!r}")
        except WireError:
            self.bad += 1
            self.replica.lose_sync()
            step = Step.GAP
        if step is Step.GAP:
            self.gaps += 1
            self.ask()

    def take_snapshot(self, frames: list[bytes]) -> None:
        try:
            if frames[0] == KVS and len(frames) == 4 and frames[1] == str(self.request).encode():
                self.items.append((frames[2].decode(), frames[3]))
            elif frames[0] == KTHXBAI:
                request, epoch, seq = read_kthxbai(frames)
                if request == str(self.request).encode():
                    if self.replica.on_snapshot(epoch, seq, self.items) is Step.GAP:
                        self.gaps += 1
                        self.ask()
                    self.items = []
        except (WireError, UnicodeDecodeError):
            self.bad += 1
            self.ask()


def open_screen(ctx: zmq.Context[zmq.Socket[bytes]], connect: str, snapshot: str) -> Screen:
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.RCVHWM, 1000)  # as a real screen (ui.bus_client.SUB_OPTIONS)
    sub.setsockopt(zmq.MAXMSGSIZE, MAX_FRAME_BYTES)
    sub.setsockopt(zmq.LINGER, 0)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.connect(connect)
    dealer = ctx.socket(zmq.DEALER)
    dealer.setsockopt(zmq.LINGER, 0)
    dealer.connect(snapshot)
    return Screen(sub, dealer)


def run(spec: dict[str, Any]) -> dict[str, Any]:
    """Open the screens, say when all hold a snapshot, decode every picture until SIGTERM; their counts."""
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
    screens = [open_screen(ctx, str(spec["connect"]), str(spec["snapshot"])) for _ in range(int(spec["screens"]))]
    poller = zmq.Poller()
    by_socket: dict[zmq.Socket[bytes], tuple[Screen, bool]] = {}
    for screen in screens:
        poller.register(screen.sub, zmq.POLLIN)
        poller.register(screen.dealer, zmq.POLLIN)
        by_socket[screen.sub], by_socket[screen.dealer] = (screen, True), (screen, False)
    time.sleep(0.2)  # the subscriptions reach the PUB before the snapshots are taken (Clone: subscribe first)
    for screen in screens:
        screen.ask()
    ready, deadline = False, time.monotonic() + RUN_LIMIT_S
    try:
        while not stop["now"] and time.monotonic() < deadline:
            for sock, _ in poller.poll(POLL_MS):
                screen, is_bus = by_socket[sock]
                for _ in range(100):
                    try:
                        frames = sock.recv_multipart(zmq.NOBLOCK)
                    except zmq.Again:
                        break
                    (screen.take_bus if is_bus else screen.take_snapshot)(frames)
            now = time.monotonic()
            for screen in screens:
                if not screen.replica.synced and now - screen.asked_at > SNAPSHOT_RETRY_S:
                    screen.ask()
            if not ready and all(s.replica.synced for s in screens):
                ready = True
                print(json.dumps({"ready": True}), flush=True)
    finally:
        for screen in screens:
            screen.sub.close(0)
            screen.dealer.close(0)
        ctx.term()
    return {
        "screens": len(screens),
        "pictures": [s.pictures for s in screens],
        "entries": [s.entries for s in screens],
        "gaps": [s.gaps for s in screens],
        "bad": [s.bad for s in screens],
    }


if __name__ == "__main__":
    print(json.dumps(run(json.loads(sys.stdin.readline()))), flush=True)
