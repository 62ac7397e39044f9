"""A simulated fixed-mount barcode reader: a TCP server that sends each read as one line, CR LF terminated.

As a reader in "TCP server" data output (docs/scanner-tcp.md): every connected client gets every read. ``read``
is a part passing under the reader (the simulated operator, the engineer, a test). Fault switches, as the
control link sets them (docs/sim-control.md): ``down`` (connections dropped, connects refused), ``noread`` (each
read sent as ``NOREAD``, the reader's no-read string), ``garbled`` (each read's characters scrambled, as a damaged
label reads), ``duplicate`` (each read sent twice), ``slow`` (each read sent ``seconds`` REAL seconds late).
``sent`` keeps every line sent, for tests to check against what the service made of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random

log = logging.getLogger(__name__)

NOREAD = "NOREAD"
FAULTS = ("down", "noread", "garbled", "duplicate", "slow")


class ScannerSim:
    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, name: str = "scanner", seed: int = 0) -> None:
        self.host, self.port, self.name = host, port, name
        self.faults: set[str] = set()
        self.slow_s = 0.5
        self.sent: list[str] = []
        self._rng = random.Random(seed)
        self._server: asyncio.Server | None = None
        self._clients: set[asyncio.StreamWriter] = set()
        self._sending: set[asyncio.Task[None]] = set()

    @property
    def clients(self) -> int:
        return len(self._clients)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._client, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]  # port 0: the one bound

    async def stop(self) -> None:
        for task in list(self._sending):
            task.cancel()
        await self._close()

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._clients):
            writer.close()
        self._clients.clear()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._clients.add(writer)
        try:
            while await reader.read(1024):  # a reader ignores what its data client sends
                pass
        except (OSError, ConnectionError):
            pass
        finally:
            self._clients.discard(writer)
            writer.close()

    async def set_fault(self, name: str, on: bool, seconds: float | None = None) -> None:
        if name not in FAULTS:
            raise ValueError(f"scanner has no fault {name!r}; it has {', '.join(FAULTS)}")
        if name == "slow" and seconds is not None:
            self.slow_s = seconds
        if name == "down":
            if on and self._server is not None:
                await self._close()
            elif not on and self._server is None:
                await self.start()  # on the same port
        (self.faults.add if on else self.faults.discard)(name)

    def read(self, code: str) -> None:
        """A part's code passes under the reader: sent to every client as the faults make it."""
        line = NOREAD if "noread" in self.faults else code
        if "garbled" in self.faults and line != NOREAD:
            chars = list(line)
            self._rng.shuffle(chars)
            line = "".join(chars) + "?"
        lines = [line, line] if "duplicate" in self.faults else [line]
        if "slow" in self.faults:
            task = asyncio.create_task(self._later(lines, self.slow_s))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)
            return
        self._send(lines)

    async def _later(self, lines: list[str], delay: float) -> None:
        await asyncio.sleep(delay)
        self._send(lines)

    def _send(self, lines: list[str]) -> None:
        if "down" in self.faults:
            log.info("%s: down, read %r lost", self.name, lines[0])
            return
        for line in lines:
            self.sent.append(line)
            data = line.encode("latin-1", "replace") + b"\r\n"
            for writer in list(self._clients):
                with contextlib.suppress(OSError, ConnectionError):
                    writer.write(data)
