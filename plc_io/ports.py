"""The two device ports the service drives, and the reports devices send back.

A port is a small Protocol: commands are queued with non-blocking calls into one bounded outbox per
connection, and one owning task (``run``) does all the I/O and hands reports to a callback. Nothing here
imports a device library.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import Protocol

from sequencer.labels import Label


class DeviceError(Exception):
    """Every library or protocol failure of a device, mapped to one type (Home Assistant's pattern)."""


class OutboxFull(DeviceError):
    """The device's bounded outbox is full; the command was refused, not dropped silently."""


class Colour(IntEnum):
    """Light colours as the PTL register map encodes them (see docs/devices.md)."""

    OFF = 0
    GREEN = 1
    RED = 2
    YELLOW = 3
    BLUE = 4
    WHITE = 5


# -- reports from devices to the service ---------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class LinkChanged:
    device: str
    up: bool
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class BinPressed:
    """A confirm latched at a light. ``token`` is the pick token that was lit when it was pressed (0: none)."""

    device: str
    light: int
    token: int
    count: int
    counter: int | None = None  # the light's press counter after these presses (None: the device has none)


@dataclass(frozen=True, slots=True, kw_only=True)
class LightShown:
    """The device acknowledged a light command (the write completed)."""

    device: str
    light: int
    token: int


@dataclass(frozen=True, slots=True, kw_only=True)
class LabelDone:
    """The printer took the job and reported it printed (or, for ZPL, accepted with a healthy status). A printer
    job is named by the label id and its reprint number (``Label.reprint``): the service takes a report of a job
    it no longer waits for (printed already, or an older reprint) as a duplicate (docs/persistence.md)."""

    device: str
    label_id: str
    reprint: int | None = None  # the job's reprint number (None: a driver that does not say)


@dataclass(frozen=True, slots=True, kw_only=True)
class PrinterFault:
    """The printer is up but cannot print (paper out, ribbon out, head open, or silent on its status port)."""

    device: str
    faults: tuple[str, ...]


# A ``PrinterFault`` reason every printer driver gives, + the label id: the job may or may not have printed and
# is not sent again (a second label in a JIS rack is a mis-sequence); the service raises a deviation for it.
UNCERTAIN = "job uncertain: "


@dataclass(frozen=True, slots=True, kw_only=True)
class CodeRead:
    """A barcode reader sent one read (``code``: the bytes of its line, without the terminator)."""

    device: str
    code: bytes


DeviceReport = LinkChanged | BinPressed | LightShown | LabelDone | PrinterFault | CodeRead
Report = Callable[[DeviceReport], None]


class PickToLight(Protocol):
    """A chain of lights behind one controller; ``light`` numbers them (Modbus unit id / OPC UA bin)."""

    name: str

    def show(self, light: int, *, colour: Colour, flash: bool, display: int, token: int) -> None:
        """Queue: light this bin with a pick token (idempotent: re-sending the same token changes nothing)."""

    def clear(self, light: int) -> None:
        """Queue: switch this bin off."""

    def restore_counters(self, counters: dict[int, int]) -> None:
        """Before ``run``: each light's press counter as last journaled, so presses are counted from there (a
        press taken off the light but not journaled before a crash is reported again, a journaled one is not)."""

    async def run(self, report: Report) -> None:
        """The owning task: connect, drain the outbox, poll confirms, reconnect with backoff. Runs until cancelled."""


# The service's write-ahead for labels: (label id, reprint) -> True: journaled, send it; False: the service no
# longer wants it, drop it; None: could not journal now, keep it at the head of the outbox and ask again later.
Sending = Callable[[str, int], Awaitable[bool | None]]


class LabelPrinter(Protocol):
    name: str

    def before_sending(self, hook: Sending) -> None:
        """Before ``run``: the service's write-ahead, awaited before each label leaves for the printer
        (``plc_io.label_gate``)."""

    def print_label(self, label: Label) -> None:
        """Queue one label; a label id is printed at most once (a reprint carries a new reprint number)."""

    async def run(self, report: Report) -> None:
        """The owning task: check status, send jobs, report done or faults. Runs until cancelled."""
