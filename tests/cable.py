"""A TCP proxy on 127.0.0.1 whose cable a test can pull: the device vanishes without closing anything.

What it is for: the case no simulator switch gives on loopback, a network path that goes dead with no FIN and no
RST (a cable pulled at a switch, a printer whose network stack hangs). While pulled, connections stay open and new
ones are accepted, but no byte goes either way; what was sent meanwhile is held and delivered when the cable is
back (as TCP retransmission would). ``pull_after`` pulls the cable right behind the first chunk that contains a
marker (a ZPL format's ``^XA``): the device gets that chunk, the client never hears back.
What it must not do: read or change the bytes it carries, or be used by production code.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools


class Cable:
    """One cable to a device with several ports: a proxy per port of ``upstream_ports``, all pulled together;
    ``ports`` (same order) are where clients connect."""

    def __init__(self, *upstream_ports: int) -> None:
        self._upstream = upstream_ports
        self._plugged = asyncio.Event()
        self._plugged.set()
        self._marker: bytes | None = None
        self._servers: list[asyncio.Server] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self.pulled_at: float | None = None  # loop time of the last pull

    @property
    def ports(self) -> list[int]:
        return [int(server.sockets[0].getsockname()[1]) for server in self._servers]

    async def start(self) -> Cable:
        for upstream in self._upstream:
            serve = functools.partial(self._serve, upstream)
            self._servers.append(await asyncio.start_server(serve, "127.0.0.1", 0))
        return self

    async def stop(self) -> None:
        for server in self._servers:
            server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks))
        for server in self._servers:
            await server.wait_closed()

    async def __aenter__(self) -> Cable:
        return await self.start()

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    def pull(self) -> None:
        """From now on no byte passes either way; connections stay open."""
        if self._plugged.is_set():
            self.pulled_at = asyncio.get_running_loop().time()
        self._plugged.clear()

    def plug(self) -> None:
        """Bytes pass again, what was held first."""
        self._plugged.set()

    def pull_after(self, marker: bytes) -> None:
        """Pull the cable right behind the first client chunk that contains ``marker``."""
        self._marker = marker

    async def _serve(self, upstream: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self._plugged.wait()  # a connection made while pulled reaches the device only once plugged
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", upstream)
        except (OSError, asyncio.CancelledError):
            writer.close()
            self._tasks.discard(task)
            return
        try:
            await asyncio.gather(self._pipe(reader, up_writer, watch=True), self._pipe(up_reader, writer))
        except asyncio.CancelledError:
            pass
        finally:
            up_writer.close()
            writer.close()
            self._tasks.discard(task)

    async def _pipe(self, src: asyncio.StreamReader, dst: asyncio.StreamWriter, *, watch: bool = False) -> None:
        with contextlib.suppress(OSError):
            while data := await src.read(65536):
                await self._plugged.wait()
                dst.write(data)
                await dst.drain()
                if watch and self._marker is not None and self._marker in data:
                    self._marker = None
                    self.pull()
        dst.close()
