"""An outbox: what the service sends out to webhooks and mail relays (alarm notifications, replenishment calls),
queued on the event loop without blocking it and delivered in order by one worker task, each blocking try on the
outbox's own thread (``app.service.notify``, ``app.service.replenish``).

| part | what it does |
|---|---|
| ``Outbox.put`` | on the loop, never blocking; full: the oldest waiting item dropped and counted (``DROP_OLDEST``) |
| ``Outbox.run`` | until cancelled: each item in order to the owner's ``deliver`` |
| ``Outbox.blocking`` | a delivery's blocking call (urllib, smtplib) on the outbox's one thread, awaited on the loop |
| ``Outbox.drain`` | waits until every queued item was tried (tests, an orderly stop) |
| ``Failing`` | a failing target logged once when it starts failing and once when it works again, not per item |

What it must not do: touch the core or the database, or let a slow target hold up the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, ParamSpec, TypeVar

OVERFLOW_POLICY = "DROP_OLDEST"

T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")


class Outbox(Generic[T]):
    """A bounded queue of ``T`` (``DROP_OLDEST``) and the thread its deliveries' blocking calls run on."""

    def __init__(self, size: int, thread: str, dropped: Callable[[int], None]) -> None:
        self._queue: asyncio.Queue[T] = asyncio.Queue(size)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=thread)
        self._on_drop = dropped  # told the count after each drop (the owner's log line)
        self.dropped = 0

    def put(self, item: T) -> None:
        if self._queue.full():
            self._queue.get_nowait()
            self._queue.task_done()
            self.dropped += 1
            self._on_drop(self.dropped)
        self._queue.put_nowait(item)

    def qsize(self) -> int:
        return self._queue.qsize()

    async def run(self, deliver: Callable[[T], Awaitable[None]]) -> None:
        """Hand every item to ``deliver`` in order until cancelled; the thread goes with it."""
        try:
            while True:
                item = await self._queue.get()
                try:
                    await deliver(item)
                finally:
                    self._queue.task_done()
        finally:
            self._pool.shutdown(wait=False, cancel_futures=True)

    async def blocking(self, call: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """``call(*args)`` on the outbox's thread (urllib, smtplib), awaited on the loop."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, lambda: call(*args, **kwargs))

    async def drain(self) -> None:
        await self._queue.join()


class Failing:
    """Targets failing now: a target's failure is logged when it starts, its recovery when it works again."""

    def __init__(self, log: logging.Logger) -> None:
        self._log = log
        self._now: set[Hashable] = set()

    def failed(self, key: Hashable, message: str, *args: object) -> None:
        if key not in self._now:
            self._now.add(key)
            self._log.error(message, *args)

    def worked(self, key: Hashable, message: str, *args: object) -> None:
        if key in self._now:
            self._now.discard(key)
            self._log.warning(message, *args)
