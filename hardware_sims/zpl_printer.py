"""A Zebra ZT600/ZE500 print engine on 127.0.0.1: ZPL II over raw TCP (print port) plus the JSON status port.

What it does: ``ZebraModel`` is the printer's behaviour, pure and clock-free (time is an argument): one ZPL
interpreter that collects ``^XA ... ^XZ`` formats from any connection, executes ``~`` control commands the
moment they arrive (even inside a format, like the real interpreter: that is why field data must be escaped),
prints one label per format after ``print_time_s``, and answers ``~HS`` / ``~HQES`` with ``plc_io.zpl.status``'s
codecs, on the connection that asked (the raw port is bidirectional). While media out, ribbon out or head open it
stops printing AND stops answering ``~HS``; ``~HQES`` still answers (ZPL II Programming Guide, ``~HS``: "When a
~HS command is sent the printer will not send a response to the host if the printer is in one of these
conditions: MEDIA OUT, RIBBON OUT, HEAD OPEN, REWINDER FULL, HEAD OVER-TEMPERATURE").
``ZplPrinterSim`` is the thin asyncio server around it with an injected clock.

The status port is what port 9200 is on a real Link-OS Zebra, the JSON settings channel, and takes JSON only
(Zebra Programming Guide, "JSON": "If you connect to port 9200, the printer ONLY accepts JSON commands. CPCL, SGD,
ZPL, and other command languages are not supported."): ``~HS``, ``~HQES`` and formats sent there are dropped
unanswered (``JsonStatusChannel``). Two getvars are answered there: ``device.host_status`` (the ``~HS`` strings
without STX/ETX, with ``~HS``'s silence: SGD ``device.host_status``) and ``zpl.system_error`` (always; "equivalent
to the error recording of ~HQES": SGD ``zpl.system_error``).
What it must not do: read the wall clock, or be imported by production code.

Simplifications (documented in docs/printer-zpl.md): ``^PQ`` is taken as 1; a ``^XA`` inside an unfinished
format discards the unfinished part (recorded in ``errors``); commands are matched upper-case; a getvar other
than those two is recorded in ``errors`` and not answered.
"""

from __future__ import annotations

import asyncio
import codecs
import json
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from types import TracebackType

from hardware_sims.clock import Clock
from hardware_sims.scan import Scan
from plc_io.zpl.status import (
    HOST_STATUS_SGD,
    SYSTEM_ERROR_SGD,
    HostStatus,
    format_error_status,
    format_host_status,
    format_host_status_sgd,
    format_system_error,
)
from plc_io.zpl_labels.fields import uncode128_data, undatamatrix_data, unfh_text
from plc_io.zpl_labels.layouts import parse_label_comment

# The commands plc_io.zpl_labels.layouts emits; anything else in a format is recorded as unknown.
KNOWN_COMMANDS = frozenset({"XA", "XZ", "FX", "CI", "PW", "LL", "LH", "FO", "A0", "FH", "FD", "FS", "BY", "BC",
                            "BX", "GB", "PQ"})  # fmt: skip
CONTROL_ARG_CHARS = {"HS": 0, "HQ": 2, "JA": 0}  # ~HQ takes a two-letter query type (ES: error status)


# -- the printer's view of a format ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class Field:
    kind: str  # "text", "code128" or "datamatrix"
    data: str  # what a reader sees: decoded text or the scanned barcode content


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedFormat:
    zpl: str
    commands: tuple[str, ...]
    fields: tuple[Field, ...]
    label_id: str | None
    reprint: int
    unknown: tuple[str, ...]  # commands the renderer never emits: a sign of injected data


def lex(zpl: str) -> list[tuple[str, str, str]]:
    """(prefix, two-letter name, arguments) for every command; a command runs to the next ``^`` or ``~``."""
    return [(m.group(1), m.group(2)[:2].upper(), m.group(2)[2:]) for m in re.finditer(r"([\^~])([^\^~]*)", zpl)]


@dataclass(frozen=True, slots=True)
class _FieldState:
    kind: str = "text"
    hex_on: bool = False


_FIELD_DECODERS: dict[str, Callable[[str, bool], str]] = {
    "text": lambda data, hex_on: unfh_text(data) if hex_on else data,
    "code128": lambda data, _hex_on: uncode128_data(data),
    "datamatrix": lambda data, _hex_on: undatamatrix_data(data),
}
_FIELD_COMMANDS: dict[str, Callable[[_FieldState], _FieldState]] = {  # the state each command leaves behind
    "FH": lambda st: replace(st, hex_on=True),
    "BC": lambda st: replace(st, kind="code128"),
    "BX": lambda st: replace(st, kind="datamatrix"),
    "FS": lambda _st: _FieldState(),
}


def parse_format(zpl: str) -> ParsedFormat:
    """What a Zebra would make of one format: its commands, decoded field data and the ``^FX`` label id."""
    state, fields_, unknown, ident = _FieldState(), [], [], None
    commands = lex(zpl)
    for prefix, name, args in commands:
        if prefix == "~" or name not in KNOWN_COMMANDS:
            unknown.append(prefix + name)
        elif name == "FD":
            fields_.append(Field(kind=state.kind, data=_FIELD_DECODERS[state.kind](args, state.hex_on)))
        elif name == "FX":
            ident = ident or parse_label_comment(args)
        elif name in _FIELD_COMMANDS:
            state = _FIELD_COMMANDS[name](state)
    return ParsedFormat(
        zpl=zpl,
        commands=tuple(prefix + name for prefix, name, _ in commands),
        fields=tuple(fields_),
        label_id=ident[0] if ident else None,
        reprint=ident[1] if ident else 0,
        unknown=tuple(unknown),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class PrintedLabel:
    zpl: str
    label_id: str | None
    reprint: int
    fields: tuple[str, ...]  # every ^FD as a reader sees it, in format order
    barcodes: tuple[tuple[str, str], ...]  # (symbology, scanned content)
    time: float  # simulated time the label left the printer


# -- the byte stream: control commands out, format text through ---------------------------------------------
class StreamSplitter:
    """Per connection: UTF-8 decoding and ``~`` commands split across TCP reads, as ("^", text)/("~", cmd)."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""

    def feed(self, data: bytes) -> list[tuple[str, str]]:
        buf = self._pending + self._decoder.decode(data)
        items: list[tuple[str, str]] = []
        while (tilde := buf.find("~")) >= 0:
            name = buf[tilde + 1 : tilde + 3].upper()
            end = tilde + 3 + CONTROL_ARG_CHARS.get(name, 0)
            if len(name) < 2 or len(buf) < end:
                break  # the rest of the command is still on the wire
            items += [("^", buf[:tilde]), ("~", name + buf[tilde + 3 : end].upper())]
            buf = buf[end:]
        else:
            tilde = len(buf)
        items.append(("^", buf[:tilde]))
        self._pending = buf[tilde:]
        return [item for item in items if item[1]]


class JsonStatusChannel:
    """Per connection on a JSON-only status port: the getvars (``{}{"name":null}``) in the byte stream, in order;
    anything else (ZPL, ``~`` commands, SGD) is dropped unanswered, as the printer does there."""

    GETVAR = re.compile(r"\{\}\s*(\{[^{}]*\})")

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._text = ""

    def feed(self, data: bytes) -> list[str]:
        text, names = self._text + self._decoder.decode(data), []
        while match := self.GETVAR.search(text):
            try:
                asked = json.loads(match.group(1))
            except ValueError:
                asked = {}
            names += [name for name, value in asked.items() if value is None] if isinstance(asked, dict) else []
            text = text[match.end() :]
        self._text = text[text.rfind("{") :] if "{" in text else ""  # only a "{" can start a command to come
        return names


# -- the printer --------------------------------------------------------------------------------------------
@dataclass
class ZebraModel:
    """The print engine's state and rules; every method takes the simulated time ``now``."""

    print_time_s: float = 0.5
    label_length_dots: int = 1218
    paper_out: bool = False
    ribbon_out: bool = False
    head_open: bool = False
    paused: bool = False
    queue: deque[ParsedFormat] = field(default_factory=deque)
    current: ParsedFormat | None = None
    started_at: float | None = None
    printed: list[PrintedLabel] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    status_answers: int = 0
    busy_answers: int = 0  # ~HS answers given while holding a format: the driver's receipt and confirm polls
    silent_polls: int = 0  # ~HS (or device.host_status) asked and not answered: media out, ribbon out, head open
    _format_text: str = ""  # one interpreter for every port: a half-received format stays "in progress"

    def __post_init__(self) -> None:
        if self.print_time_s <= 0:
            raise ValueError("print_time_s must be positive: a real label takes time to print")

    @property
    def silent(self) -> bool:
        """Zebras do not answer ~HS while media out, ribbon out or head open."""
        return self.paper_out or self.ribbon_out or self.head_open

    @property
    def blocked(self) -> bool:
        return self.silent or self.paused

    def handle(self, item: tuple[str, str], now: float) -> bytes:
        """One item from ``StreamSplitter``; returns the bytes the printer sends back."""
        kind, payload = item
        if kind == "^":
            self._take_text(payload)
            self.advance(now)  # a format starts printing when it arrives, if the printer is ready
            return b""
        handler = self._controls().get(payload[:2])
        if handler is None:
            self.errors.append(f"unknown control command ~{payload}")
            return b""
        return handler(payload[2:], now)

    def getvar(self, name: str, now: float) -> bytes:
        """The JSON answer to a getvar of ``name`` on the status port. ``device.host_status`` answers the ``~HS``
        strings without STX/ETX, lines 1 and 2 ending CR/LF, and is silent when ``~HS`` is (Zebra Programming
        Guide, SGD ``device.host_status``); ``zpl.system_error`` answers the ``~HQES`` error flags, always (SGD
        ``zpl.system_error``)."""
        if name == HOST_STATUS_SGD:
            if not self._host_status("", now):
                return b""  # silent, and counted as such, like ~HS
            value = format_host_status_sgd(self.status())
        elif name == SYSTEM_ERROR_SGD:
            value = format_system_error(self.error_mask(), paused=self.paused)
        else:
            self.errors.append(f"unsupported getvar {name!r}")
            return b""
        return json.dumps({name: value}).encode()

    def set_fault(self, now: float, **flags: bool | None) -> None:
        self.advance(now)  # labels finished before the fault still count
        for name, value in flags.items():
            if value is not None:
                setattr(self, name, value)
        self.advance(now)

    def status(self) -> HostStatus:
        return HostStatus(
            paper_out=self.paper_out,
            paused=self.paused,
            label_length_dots=self.label_length_dots,
            formats_in_buffer=len(self.queue),
            partial_format=self._format_text.startswith("^XA"),
            head_up=self.head_open,
            ribbon_out=self.ribbon_out,
            thermal_transfer=True,
            labels_remaining=1 if self.current is not None else 0,
        )

    def error_mask(self) -> int:
        return (1 if self.paper_out else 0) | (2 if self.ribbon_out else 0) | (4 if self.head_open else 0)

    def advance(self, now: float) -> None:
        """Print what is due by ``now``; a label interrupted by a fault starts over when it clears."""
        start = now
        while not self.blocked:
            if self.current is None:
                if not self.queue:
                    return
                self.current, self.started_at = self.queue.popleft(), start
            if self.started_at is None:
                self.started_at = now
            done = self.started_at + self.print_time_s
            if done > now:
                return
            self._finish(self.current, done)
            self.current, self.started_at, start = None, None, done
        self.started_at = None

    def next_due(self) -> float | None:
        if self.blocked or self.current is None or self.started_at is None:
            return None
        return self.started_at + self.print_time_s

    # -- internals ---------------------------------------------------------------------------------------
    def _controls(self) -> dict[str, Callable[[str, float], bytes]]:
        return {"HS": self._host_status, "HQ": self._host_query, "JA": self._cancel_all}

    def _host_status(self, _args: str, now: float) -> bytes:
        self.advance(now)
        if self.silent:
            self.silent_polls += 1
            return b""
        status = self.status()
        self.status_answers += 1
        self.busy_answers += status.holds_job
        return format_host_status(status)

    def _host_query(self, args: str, _now: float) -> bytes:
        if args != "ES":
            self.errors.append(f"unsupported ~HQ{args}")
            return b""
        return format_error_status(self.error_mask())

    def _cancel_all(self, _args: str, _now: float) -> bytes:
        """~JA: cancel every format in the buffer, the one printing and the one half received."""
        self.queue.clear()
        self.current, self.started_at, self._format_text = None, None, ""
        return b""

    def _take_text(self, text: str) -> None:
        buf = self._format_text + text
        while True:
            begin = buf.find("^XA")
            if begin < 0:
                self._format_text = buf[-2:] if buf.endswith(("^", "^X")) else ""
                return
            end, restart = buf.find("^XZ", begin + 3), buf.find("^XA", begin + 3)
            if restart >= 0 and (end < 0 or restart < end):
                self.errors.append("format restarted before ^XZ: unfinished part discarded")
                buf = buf[restart:]
                continue
            if end < 0:
                self._format_text = buf[begin:]
                return
            self.queue.append(parse_format(buf[begin : end + 3]))
            buf = buf[end + 3 :]

    def _finish(self, fmt: ParsedFormat, done: float) -> None:
        self.printed.append(
            PrintedLabel(
                zpl=fmt.zpl,
                label_id=fmt.label_id,
                reprint=fmt.reprint,
                fields=tuple(f.data for f in fmt.fields),
                barcodes=tuple((f.kind, f.data) for f in fmt.fields if f.kind != "text"),
                time=done,
            )
        )


# -- the network face --------------------------------------------------------------------------------------------
class ZplPrinterSim:
    """``ZebraModel`` behind two TCP servers: the raw print port (9100 in the plant: ZPL, ``~HS`` and ``~HQES``
    answered on the connection that asked) and the JSON status port (9200: JSON getvars only)."""

    def __init__(
        self,
        *,
        clock: Clock,
        host: str = "127.0.0.1",
        port: int = 0,
        status_port: int = 0,
        print_time_s: float = 0.5,
    ) -> None:
        self.model = ZebraModel(print_time_s=print_time_s)
        self._clock = clock
        self._host = host
        self._ports = [port, status_port]
        self._servers: list[asyncio.Server] = []
        self._sessions: dict[asyncio.StreamWriter, asyncio.Task[object]] = {}
        self._scan = Scan(clock, self._print, name="zpl-sim-printer")

    @property
    def printed(self) -> list[PrintedLabel]:
        return self.model.printed

    @property
    def print_port(self) -> int:
        return self._ports[0]

    @property
    def status_port(self) -> int:
        return self._ports[1]

    async def start(self) -> None:
        await self._listen()
        self._scan.start()

    async def stop(self) -> None:
        await self._scan.stop()
        await self._close_network()

    async def __aenter__(self) -> ZplPrinterSim:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    def set_fault(
        self,
        *,
        paper_out: bool | None = None,
        ribbon_out: bool | None = None,
        head_open: bool | None = None,
        paused: bool | None = None,
    ) -> None:
        """Change fault switches while running; None leaves a switch as it is."""
        flags = {"paper_out": paper_out, "ribbon_out": ribbon_out, "head_open": head_open, "paused": paused}
        self.model.set_fault(self._clock.now(), **flags)
        self._scan.poke()

    async def set_offline(self, offline: bool) -> None:
        """Offline: close every connection and refuse new ones (the ports stay reserved for coming back)."""
        if offline:
            await self._close_network()
        elif not self._servers:
            await self._listen()

    async def wait_printed(self, count: int, timeout_s: float) -> None:
        """Wait (real time, bounded) until at least ``count`` labels have printed."""
        await self.wait_until(lambda model: len(model.printed) >= count, timeout_s)

    async def wait_until(self, predicate: Callable[[ZebraModel], bool], timeout_s: float) -> None:
        """Wait (real time, bounded) until ``predicate(model)`` holds; checked after every change."""
        await self._scan.wait_until(lambda: predicate(self.model), timeout_s)

    async def _listen(self) -> None:
        for i, port in enumerate(self._ports):
            serve = self._serve_json if i == 1 else self._serve
            server = await asyncio.start_server(serve, self._host, port)
            self._ports[i] = server.sockets[0].getsockname()[1]
            self._servers.append(server)

    async def _close_network(self) -> None:
        servers, self._servers = self._servers, []
        for server in servers:
            server.close()
        sessions = list(self._sessions.values())
        for writer in list(self._sessions):
            writer.close()  # the session sees end-of-file and ends by itself
        if sessions:
            await asyncio.wait(sessions, timeout=5.0)
        for server in servers:
            await server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self._servers:  # accepted just before going offline: an offline printer answers nobody
            writer.close()
            return
        splitter = StreamSplitter()
        session = asyncio.current_task()
        assert session is not None
        self._sessions[writer] = session
        try:
            while data := await reader.read(4096):
                now = self._clock.now()  # one read is handled at one instant, like one pass of the interpreter
                reply = b"".join(self.model.handle(item, now) for item in splitter.feed(data))
                self._scan.poke()
                if reply:
                    writer.write(reply)
                    await writer.drain()
        except OSError:
            pass  # the client went away: a printer just drops the connection
        finally:
            self._sessions.pop(writer, None)
            writer.close()

    async def _serve_json(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """A JSON-only status port: getvars answered, everything else dropped (see ``JsonStatusChannel``)."""
        if not self._servers:
            writer.close()
            return
        channel = JsonStatusChannel()
        session = asyncio.current_task()
        assert session is not None
        self._sessions[writer] = session
        try:
            while data := await reader.read(4096):
                now = self._clock.now()
                reply = b"".join(self.model.getvar(name, now) for name in channel.feed(data))
                self._scan.poke()
                if reply:
                    writer.write(reply)
                    await writer.drain()
        except OSError:
            pass
        finally:
            self._sessions.pop(writer, None)
            writer.close()

    async def _print(self, now: float) -> float | None:
        self.model.advance(now)
        return self.model.next_due()
