"""Modbus TCP by hand, for the tests that hold the simulators to the standard: MBAP header + PDU built with struct.

An implementation independent of pymodbus (the simulators' transport) and of ``hardware_sims.modbus_pdu`` (their
parser), written from the two specifications: Modbus Messaging on TCP/IP Implementation Guide V1.0b, 3.1.3 (the
MBAP header: transaction id, protocol 0, length, unit id) and Modbus Application Protocol V1.1b3 (section 6, the
request of each function code; section 7, the exception response: function code + 0x80, then the code).
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Sequence

ILLEGAL_FUNCTION, ILLEGAL_DATA_ADDRESS, ILLEGAL_DATA_VALUE = 0x01, 0x02, 0x03
GATEWAY_PATH_UNAVAILABLE, GATEWAY_TARGET_FAILED = 0x0A, 0x0B

# Modbus Application Protocol V1.1b3, section 6: the quantity range of each function that has one is 1..this.
SPEC_MAX_QUANTITY = {1: 0x07D0, 2: 0x07D0, 3: 0x007D, 4: 0x007D, 15: 0x07B0, 16: 0x007B}
# Section 5.1 (public function codes), plus two from the user-defined ranges 65-72 and 100-110.
PUBLIC_FUNCTIONS = (1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 15, 16, 17, 20, 21, 22, 23, 24, 43)
USER_DEFINED_FUNCTIONS = (65, 100)
DEADLINE_S = 5.0


# -- request PDUs (section 6) --------------------------------------------------------------------------------------
def read(code: int, address: int, count: int) -> bytes:
    return struct.pack(">BHH", code, address, count)


def write_single(code: int, address: int, value: int) -> bytes:
    return struct.pack(">BHH", code, address, value)


def write_registers(address: int, values: Sequence[int], *, byte_count: int | None = None) -> bytes:
    data = struct.pack(f">{len(values)}H", *values)
    return struct.pack(">BHHB", 16, address, len(values), len(data) if byte_count is None else byte_count) + data


def write_coils(address: int, bits: Sequence[int], *, count: int | None = None) -> bytes:
    data = bytearray((len(bits) + 7) // 8)
    for i, bit in enumerate(bits):
        data[i // 8] |= (1 if bit else 0) << (i % 8)
    return struct.pack(">BHHB", 15, address, len(bits) if count is None else count, len(data)) + bytes(data)


def well_formed(code: int, address: int) -> bytes:
    """A well-formed request of function ``code`` touching ``address`` (for the 01 sweeps)."""
    bodies = {
        5: lambda: write_single(5, address, 0xFF00),
        6: lambda: write_single(6, address, 0),
        15: lambda: write_coils(address, [1]),
        16: lambda: write_registers(address, [0]),
        8: lambda: bytes([8]) + struct.pack(">HH", 0, 0x1234),  # diagnostics 00: return query data
        20: lambda: bytes([20, 7, 6]) + struct.pack(">HHH", 1, address, 1),  # read file record
        21: lambda: bytes([21, 9, 6]) + struct.pack(">HHHH", 1, address, 1, 0),  # write file record
        22: lambda: bytes([22]) + struct.pack(">HHH", address, 0xFFFF, 0),  # mask write register
        23: lambda: bytes([23]) + struct.pack(">HHHHBH", address, 1, address, 1, 2, 0),  # read/write registers
        24: lambda: bytes([24]) + struct.pack(">H", address),  # read FIFO queue
        43: lambda: bytes([43, 0x0E, 0x01, 0x00]),  # read device identification
    }
    if code in (1, 2, 3, 4):
        return read(code, address, 1)
    return bodies.get(code, lambda: bytes([code]))()


# -- answers (sections 6 and 7) ------------------------------------------------------------------------------------
def exception_code(code: int, reply: bytes) -> int | None:
    """The exception code of ``reply`` to function ``code``, or None for a normal answer."""
    if reply[0] == code | 0x80:
        assert len(reply) == 2, reply.hex()
        return reply[1]
    assert reply[0] == code, f"answer {reply.hex()} to function {code}"
    return None


def registers(reply: bytes) -> list[int]:
    assert reply[0] in (3, 4) and reply[1] == len(reply) - 2, reply.hex()
    return list(struct.unpack(f">{reply[1] // 2}H", reply[2:]))


def bits(reply: bytes, count: int) -> list[int]:
    assert reply[0] in (1, 2) and reply[1] == (count + 7) // 8 == len(reply) - 2, reply.hex()
    return [(reply[2 + i // 8] >> (i % 8)) & 1 for i in range(count)]


class RawClient:
    """One TCP connection; one request at a time, each answer checked against its request's MBAP header."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader, self._writer = reader, writer
        self._tid = 0

    @classmethod
    async def open(cls, host: str, port: int) -> RawClient:
        return cls(*await asyncio.open_connection(host, port))

    async def ask(self, unit: int, pdu: bytes) -> bytes:
        self._tid = self._tid % 0xFFFF + 1
        self._writer.write(struct.pack(">HHHB", self._tid, 0, len(pdu) + 1, unit) + pdu)
        async with asyncio.timeout(DEADLINE_S):
            tid, protocol, length, answered_unit = struct.unpack(">HHHB", await self._reader.readexactly(7))
            reply = await self._reader.readexactly(length - 1)
        assert (tid, protocol, answered_unit) == (self._tid, 0, unit)
        return reply

    async def refused(self, unit: int, pdu: bytes) -> int | None:
        """The exception code the device answers to ``pdu``, None if it accepts it."""
        return exception_code(pdu[0], await self.ask(unit, pdu))

    async def close(self) -> None:
        self._writer.close()
        await self._writer.wait_closed()
