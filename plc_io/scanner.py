"""The fixed-mount barcode reader over plain TCP: one read a line, CR and/or LF terminated (docs/scanner-tcp.md).

What it is for: a reader at a station (Cognex DataMan, Keyence SR, Datalogic Matrix in their "TCP server" data
output) is the server; this driver connects to it, reads lines and reports each as ``CodeRead``. Its link is the
one every driver keeps (``plc_io.link.DeviceLink``): up once connected, down with the reason when the connection
ends, a connect again after a back-off. A reader says nothing until it reads, so a silent reader is not a lost one;
TCP keep-alive finds a peer that vanished without closing.

The read as reported: the bytes between two terminators, empty lines skipped. A line longer than ``MAX_LINE``
bytes is reported cut at ``MAX_LINE`` (the core then finds no part code in it) and the rest up to the next
terminator is skipped. The same code again within ``same_code_s`` is the reader's duplicate read of one part,
counted in ``duplicates`` and logged, not reported (readers have the same guard, e.g. Cognex's "same code delay").
Counters for the metrics: ``reads``, ``duplicates``, ``cut``, ``connects``.
What it must not do: interpret a code (the core's ``sequencer.rules.scanning`` does), or drop a read silently.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import socket
from typing import NoReturn

from plc_io.link import PRINT_ENGINE_CEILING_S, DeviceLink
from plc_io.ports import CodeRead, DeviceError, Report

log = logging.getLogger(__name__)

MAX_LINE = 512  # bytes in one read; GS1 DataMatrix codes hold at most about 2,300, supplier labels far fewer
CHUNK = 4096
_TERMINATOR = re.compile(rb"[\r\n]")


class TcpScanner:
    """One reader (``name``) at ``host``:``port``."""

    def __init__(self, name: str, host: str, port: int, *, timeout_s: float = 2.0, same_code_s: float = 1.0) -> None:
        self.name = name
        self._address = (host, port)
        self._timeout_s, self._same_code_s = timeout_s, same_code_s
        self._link = DeviceLink(name, "scanner", log, ceiling_s=PRINT_ENGINE_CEILING_S)
        self._report: Report | None = None
        self._last: tuple[bytes, float] | None = None  # the last code reported and the loop time it came
        self.reads = self.duplicates = self.cut = self.connects = 0

    async def run(self, report: Report) -> None:
        """The owning task: connect, read, reconnect after a back-off. Runs until cancelled."""
        self._report = report
        await self._link.run(report, self._connection)

    async def _connection(self) -> NoReturn:
        try:
            async with asyncio.timeout(self._timeout_s):
                reader, writer = await asyncio.open_connection(*self._address)
        except (OSError, TimeoutError) as exc:
            raise DeviceError(f"connect to {self._address[0]}:{self._address[1]}: {exc or 'timed out'}") from exc
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        self.connects += 1
        self._link.up(f"{self._address[0]}:{self._address[1]}")
        try:
            await self._serve(reader)
        finally:
            writer.close()
            with contextlib.suppress(OSError, ConnectionError):
                await writer.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader) -> NoReturn:
        pending = b""
        skipping = False  # inside a line already reported cut: the rest up to its terminator is not a read
        while True:
            try:
                chunk = await reader.read(CHUNK)
            except (OSError, ConnectionError) as exc:
                raise DeviceError(f"read: {exc}") from exc
            if not chunk:
                raise DeviceError("the reader closed the connection")
            pending += chunk
            *lines, pending = _TERMINATOR.split(pending)
            for line in lines:
                if skipping:
                    skipping = False
                    continue
                self._line(line)
            if len(pending) > MAX_LINE and not skipping:
                self._line(pending)
                skipping = True
            if skipping:
                pending = b""

    def _line(self, code: bytes) -> None:
        if not code:
            return
        if len(code) > MAX_LINE:
            self.cut += 1
            log.warning("%s: a read longer than %d bytes, cut", self.name, MAX_LINE)
            code = code[:MAX_LINE]
        now = asyncio.get_running_loop().time()
        if self._last is not None and self._last[0] == code and now - self._last[1] <= self._same_code_s:
            self.duplicates += 1
            log.info("%s: %r read again within %.1f s: one read", self.name, code[:60], self._same_code_s)
            return
        self._last = (code, now)
        self.reads += 1
        assert self._report is not None
        self._report(CodeRead(device=self.name, code=code))
