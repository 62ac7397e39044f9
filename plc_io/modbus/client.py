"""One Modbus TCP connection as both Modbus drivers make and use it: connected and asked in bounded time, every
library error one ``DeviceError``.

What it is for: the pymodbus calls the PICK-IQ gateway driver and the print-and-apply PLC driver make the same way,
in one place (pymodbus moves its API between minor releases: /work/shared/design/devices.md).
What it must not do: retry a request or reconnect on its own (the driver's owning task owns reconnects:
``plc_io.link``), know a register map, or decide what an exception answer means for a device.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from pymodbus.client import AsyncModbusTcpClient
from pymodbus.exceptions import ModbusException
from pymodbus.pdu import ModbusPDU

from plc_io.link import raise_if_cancelled
from plc_io.ports import DeviceError

HARD_TIMEOUT_FACTOR = 2.0  # our cap on a call: the client's own timeout plus a margin for a stuck transport
EXCEPTION_NAMES = {  # Modbus Application Protocol V1.1b3, 7: exception codes
    0x01: "illegal function",
    0x02: "illegal data address",
    0x03: "illegal data value",
    0x04: "device failure",
    0x06: "device busy",
    0x0A: "gateway path unavailable",
    0x0B: "gateway target failed to respond",
}
LIBRARY_ERRORS = (ModbusException, OSError, TimeoutError)


def new_client(
    name: str, host: str, port: int, timeout_s: float, *, on_lost: Callable[[], None] | None = None
) -> AsyncModbusTcpClient:
    """A client that never retries (a timed-out request ends the connection, so a late answer is never taken for
    the next request's) and never reconnects by itself; ``on_lost`` is called the moment the connection drops."""
    trace = None if on_lost is None else (lambda up: None if up else on_lost())
    return AsyncModbusTcpClient(
        host, port=port, name=name, timeout=timeout_s, retries=0, reconnect_delay=0, trace_connect=trace
    )


async def connect(client: AsyncModbusTcpClient, device: str, host: str, port: int, timeout_s: float) -> None:
    """Connect, or ``DeviceError`` (pymodbus does not retry a failed first connect: the link loop does)."""
    try:
        async with asyncio.timeout(timeout_s * HARD_TIMEOUT_FACTOR):
            connected = await client.connect()
            raise_if_cancelled()
    except LIBRARY_ERRORS as exc:
        raise DeviceError(f"{device}: connect to {host}:{port}: {exc!r}") from exc
    if not connected:
        raise DeviceError(f"{device}: cannot connect to {host}:{port}")


async def ask(request: Callable[[], Awaitable[ModbusPDU]], what: str, timeout_s: float) -> ModbusPDU:
    """The answer to one request, which may be an exception answer (``exception_text``); no answer in time, a lost
    connection or a transport error is ``DeviceError(what: ...)``: the link is gone."""
    try:
        async with asyncio.timeout(timeout_s * HARD_TIMEOUT_FACTOR):
            response = await request()
            raise_if_cancelled()
    except LIBRARY_ERRORS as exc:
        raise DeviceError(f"{what}: {exc!r}") from exc
    return response


def exception_text(code: int) -> str:
    return f"Modbus exception 0x{code:02X} ({EXCEPTION_NAMES.get(code, 'unknown')})"
