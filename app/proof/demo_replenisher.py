"""The demo's replenisher: the person (a tugger driver) who answers a replenishment call and fills the bin.

What it is for: ``jis demo`` points the plant's ``[stock] webhooks`` at this stand-in's webhook, a plain HTTP server
on 127.0.0.1 (port 0), so every call goes over the service's real replenishment path (``app.service.replenish``:
a JSON POST, retried with back-off). A call is taken at once (204); ``REPLENISH_DELAY_S`` plant seconds later the
bin is full again and the replenisher's scan says so, through the service's door like the demo's dock and lead
(``StockSet(bin, capacity, source="sim-replenisher")``, journaled). The delay is a tugger round: long enough that
a station's starvation alarm fires first (the demo plant's ``starvation_alarm_s``), short enough that the bin
never runs out. A rehearsal (``jis rehearse``, a ``late_refill``) gives it ``round_s``: the round of each call,
``(bin, plant time the call was seen) -> plant seconds``, to answer the calls it names late.
What it must not do: decide anything about the line (it only fills what is called for), block the event loop (the
server has its own thread; ``due`` is read from the loop), or hold unbounded calls (at most ``MAX_CALLS`` wait).
"""

from __future__ import annotations

import json
import logging
import threading
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sequencer.events import StockSet

log = logging.getLogger(__name__)

REPLENISH_DELAY_S = 600.0  # plant seconds from the call to the bin full again (a tugger round)
MAX_CALLS = 1_000  # calls waiting at most; a further one is answered 503 (the service retries it)
MAX_BODY = 64 * 1024
SOURCE = "sim-replenisher"


class ReplenisherStandIn:
    """Takes calls on ``url``; ``due(now)`` gives the counts of the bins whose delay has passed, each once."""

    def __init__(
        self, delay_s: float = REPLENISH_DELAY_S, round_s: Callable[[str, float], float] | None = None
    ) -> None:
        self.delay_s = delay_s
        self.round_s = round_s  # a call's round (bin, plant time seen) -> plant seconds; default: delay_s
        self._received: deque[tuple[str, int]] = deque()  # (bin, capacity), in arrival order, from the HTTP thread
        self._lock = threading.Lock()
        self._waiting: dict[str, tuple[float, int]] = {}  # bin -> (plant time it is filled, capacity)
        self.calls = 0
        self.filled = 0
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    if not 0 < length <= MAX_BODY:
                        raise ValueError(f"body of {length} bytes")
                    body = json.loads(self.rfile.read(length))
                    call = (str(body["bin"]), int(body["capacity"]))
                except (ValueError, KeyError, TypeError) as exc:
                    log.warning("replenisher: refused a call: %s", exc)
                    self.send_response(400)
                    self.end_headers()
                    return
                self.send_response(stand_in._take(call))
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/replenish"
        self._thread = threading.Thread(target=self._server.serve_forever, name="demo-replenisher", daemon=True)
        self._thread.start()

    def _take(self, call: tuple[str, int]) -> int:
        with self._lock:
            if len(self._received) >= MAX_CALLS:
                return 503
            self._received.append(call)
            self.calls += 1
        return 204

    def due(self, now: float) -> list[StockSet]:
        """The counts of the bins filled by ``now`` (plant time); a call is timed from when the loop first saw it."""
        with self._lock:
            received, self._received = list(self._received), deque()
        for bin_id, capacity in received:
            if bin_id in self._waiting:  # one round per bin at a time
                continue
            round_s = self.delay_s if self.round_s is None else self.round_s(bin_id, now)
            self._waiting[bin_id] = (now + round_s, capacity)
        ready = sorted(b for b, (at, _) in self._waiting.items() if at <= now)
        counts = [StockSet(at=now, bin=b, qty=self._waiting.pop(b)[1], source=SOURCE) for b in ready]
        self.filled += len(counts)
        return counts

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
