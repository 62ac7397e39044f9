"""The service side of the HMI bus: a ZeroMQ PUB socket carrying the line's state to any number of screens.

Wire format: single frames ``b"line " + LineView JSON`` (see ``sequencer.views``). Published on change, at most
``max_rate_hz`` times a second, and at least every ``heartbeat_s`` so a screen can tell a quiet line from a dead
link. A late-joining screen converges with the next publication.
"""

from __future__ import annotations

import zmq
import zmq.asyncio

from sequencer.views import LineView

TOPIC = b"line "


class HmiPublisher:
    def __init__(self, ctx: zmq.asyncio.Context, endpoint: str) -> None:
        self.socket = ctx.socket(zmq.PUB)
        self.socket.setsockopt(zmq.LINGER, 0)
        # A screen that falls behind must lose old pictures, not stall the service: each message is complete.
        self.socket.setsockopt(zmq.SNDHWM, 100)
        self.socket.bind(endpoint)
        self.published = 0

    async def publish(self, view: LineView) -> None:
        await self.socket.send(TOPIC + view.model_dump_json().encode())
        self.published += 1

    def close(self) -> None:
        self.socket.close(0)
