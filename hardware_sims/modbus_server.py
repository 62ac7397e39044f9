"""The Modbus TCP server every Modbus simulator stands behind: pymodbus carries the frames, a device decides.

What it is for: pymodbus 3.16's own server, fed a ``SimDevice``, is kinder than real devices. It answers function
codes a device's map does not have (4, 22 and 23 from the same memory as 3; 1 and 2 from the same memory as the
coils; 8 and 43 from its own tables), and a request whose quantity is out of range fails in its decoder, which it
answers with 01 ILLEGAL FUNCTION where the standard says 03 ILLEGAL DATA VALUE. So here pymodbus only does the
MBAP framing and the TCP transport; every PDU goes to ``answer``, which checks it with ``hardware_sims.modbus_pdu``
(the standard's rules and order) and asks the device, a ``Device``:
- ``reach(unit)``: is anything answering at this unit id (a gateway answers 0x0B for a light that does not
  respond); a slow or silent device waits here;
- ``serve(request)``: the device model answers a checked request, or refuses it with ``ModbusFault``.

Must not: know any device's map or behaviour, read a clock, or be imported by production code.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import cast

from pymodbus.datastore import ModbusServerContext
from pymodbus.pdu import DecodePDU, ModbusPDU
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from hardware_sims.modbus_pdu import ModbusFault, Request, encode_reply, exception_reply, parse_request


@dataclass(frozen=True, slots=True)
class Device:
    """What a simulator puts behind the server."""

    functions: frozenset[int]  # the function codes its map implements; every other one answers 01
    reach: Callable[[int], Awaitable[None]]  # raises ModbusFault when nothing answers at that unit id
    serve: Callable[[Request], Awaitable[Sequence[int] | None]]  # read values, None for a write; or ModbusFault


async def answer(device: Device, unit: int, pdu: bytes) -> bytes:
    """The response PDU to ``pdu`` at ``unit``: the unit first (a gateway forwards before it parses), then the
    standard's checks, then the device."""
    try:
        await device.reach(unit)
        request = parse_request(unit, pdu, device.functions)
        return encode_reply(request, await device.serve(request))
    except ModbusFault as fault:
        return exception_reply(pdu[0], fault.code)


class ModbusSimServer:
    """One listening Modbus TCP server on ``host``:``port`` (0: any free port) for one ``Device``."""

    def __init__(self, device: Device, *, host: str, port: int) -> None:
        self._device = device
        self.host, self.port = host, port
        self._server: ModbusTcpServer | None = None

    @property
    def listening(self) -> bool:
        return self._server is not None

    async def start(self) -> int:
        """Listen and return the bound port (the same one again after ``stop``)."""
        server = ModbusTcpServer([_UNUSED_DATASTORE], address=(self.host, self.port))
        server.decoder = _Decoder(self._device)  # read by every connection's framer as it is made
        await server.serve_forever(background=True)
        self._server = server
        self.port = cast(asyncio.Server, server.transport).sockets[0].getsockname()[1]
        return self.port

    def stop(self) -> None:
        """Close the listener and every open connection (connects are refused until ``start``)."""
        if self._server is not None:
            self._server.close()
            self._server = None

    def drop_connections(self) -> None:
        """Cut every open connection; the listener stays."""
        if self._server is not None:
            for connection in list(self._server.active_connections.values()):
                connection.close()


# pymodbus wants a datastore even though no request ever reaches it: every PDU is answered by ``answer``.
_UNUSED_DATASTORE = SimDevice(id=0, simdata=[SimData(address=0, count=1, datatype=DataType.REGISTERS)])


class _Decoder(DecodePDU):
    """Every incoming PDU, whatever its function code, becomes a ``_Request`` (pymodbus' table would refuse some
    with 01 before a device could see them, and parse others that the device does not implement)."""

    def __init__(self, device: Device) -> None:
        super().__init__(True)
        self._device = device

    def decode(self, frame: bytes) -> ModbusPDU | None:
        return _Request(frame, self._device) if frame else None


class _Request(ModbusPDU):
    def __init__(self, pdu: bytes, device: Device) -> None:
        super().__init__()
        self.function_code = pdu[0]
        self._pdu, self._device = pdu, device

    async def datastore_update(self, context: ModbusServerContext, device_id: int) -> ModbusPDU:
        return _Reply(await answer(self._device, device_id, self._pdu))


class _Reply(ModbusPDU):
    def __init__(self, pdu: bytes) -> None:
        super().__init__()
        self.function_code, self._data = pdu[0], pdu[1:]

    def encode(self) -> bytes:
        return self._data
