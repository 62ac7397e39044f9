"""Modbus request PDUs as the Modbus Application Protocol Specification V1.1b3 defines them: parse, check, answer.

What it is for: a simulated device must refuse a request exactly as the standard says a server does, and in the
standard's order (section 6, the state diagram of each function code; section 7, the exception codes):
1. a function code the device does not implement: 01 ILLEGAL FUNCTION;
2. a quantity outside the function's range (reads of registers 1-125, of bits 1-2000; writes of registers 1-123,
   of coils 1-1968), a byte count that does not match the quantity, a PDU whose length is not the one its own
   fields imply, a Write Single Coil value other than 0x0000 / 0xFF00: 03 ILLEGAL DATA VALUE;
3. then the device itself, through its model: addresses outside its map 02, values it refuses 03
   (``ModbusFault`` raised by the model).
The device's answer is encoded here too: registers big-endian (section 4.2), bits packed least significant bit
first, the lowest address in the first byte (sections 6.1, 6.2).

Only the function codes in ``FUNCTIONS`` can be implemented by a device; every other one (7, 8, 11, 12, 17, 20-24,
43, the user-defined ranges) is always 01, as it is on a device that does not have it.

Must not: know any device's map, do I/O, read a clock, or use pymodbus (whose own server answers 01 where
section 6 says 03, and serves function codes a device lacks); ``hardware_sims.modbus_server`` carries these PDUs.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from enum import Enum, IntEnum


class ExceptionCode(IntEnum):
    """Modbus Application Protocol V1.1b3, section 7 (MODBUS Exception Codes)."""

    ILLEGAL_FUNCTION = 0x01
    ILLEGAL_DATA_ADDRESS = 0x02
    ILLEGAL_DATA_VALUE = 0x03
    SERVER_DEVICE_FAILURE = 0x04
    GATEWAY_PATH_UNAVAILABLE = 0x0A
    GATEWAY_TARGET_FAILED_TO_RESPOND = 0x0B


class ModbusFault(Exception):
    """What a device answers instead of data: a Modbus exception code."""

    def __init__(self, code: int, detail: str) -> None:
        super().__init__(f"exception 0x{code:02X}: {detail}")
        self.code = code


class Shape(Enum):
    """The request layouts of section 6."""

    READ = "starting address, quantity"
    WRITE_SINGLE = "address, value"
    WRITE_MULTIPLE = "starting address, quantity, byte count, values"


@dataclass(frozen=True, slots=True)
class Function:
    code: int
    name: str
    section: str  # the clause of Modbus Application Protocol V1.1b3 that defines it
    shape: Shape
    bits: bool  # coils or discrete inputs, not registers
    max_quantity: int  # the quantity range is 1..max_quantity


FUNCTIONS: dict[int, Function] = {
    f.code: f
    for f in (
        Function(1, "Read Coils", "6.1", Shape.READ, True, 0x07D0),
        Function(2, "Read Discrete Inputs", "6.2", Shape.READ, True, 0x07D0),
        Function(3, "Read Holding Registers", "6.3", Shape.READ, False, 0x007D),
        Function(4, "Read Input Registers", "6.4", Shape.READ, False, 0x007D),
        Function(5, "Write Single Coil", "6.5", Shape.WRITE_SINGLE, True, 1),
        Function(6, "Write Single Register", "6.6", Shape.WRITE_SINGLE, False, 1),
        Function(15, "Write Multiple Coils", "6.11", Shape.WRITE_MULTIPLE, True, 0x07B0),
        Function(16, "Write Multiple Registers", "6.12", Shape.WRITE_MULTIPLE, False, 0x007B),
    )
}
COIL_ON, COIL_OFF = 0xFF00, 0x0000  # section 6.5: the only values Write Single Coil takes


@dataclass(frozen=True, slots=True, kw_only=True)
class Request:
    """One checked request. ``values``: what a write writes (coils as 0 / 1); None for a read."""

    unit: int
    function: Function
    address: int
    count: int
    values: tuple[int, ...] | None = None

    @property
    def function_code(self) -> int:
        return self.function.code


# -- requests in ---------------------------------------------------------------------------------------------------
def parse_request(unit: int, pdu: bytes, implemented: Collection[int]) -> Request:
    """The request in ``pdu`` (function code first) for a device implementing ``implemented``; else ModbusFault."""
    function = FUNCTIONS.get(pdu[0]) if pdu else None
    if function is None or function.code not in implemented:
        raise ModbusFault(ExceptionCode.ILLEGAL_FUNCTION, f"function code {pdu[:1].hex()} is not implemented")
    return _PARSERS[function.shape](unit, function, pdu[1:])


def _refuse(function: Function, why: str) -> ModbusFault:
    return ModbusFault(ExceptionCode.ILLEGAL_DATA_VALUE, f"{function.name} (section {function.section}): {why}")


def _fixed(function: Function, data: bytes) -> tuple[int, int]:
    if len(data) != 4:  # section 7, code 03: "the implied length is incorrect"
        raise _refuse(function, f"{len(data)} data bytes where the request has 4")
    first, second = struct.unpack(">HH", data)
    return first, second


def _check_quantity(function: Function, count: int) -> None:
    if not 1 <= count <= function.max_quantity:
        raise _refuse(function, f"quantity {count} is outside 1..{function.max_quantity}")


def _parse_read(unit: int, function: Function, data: bytes) -> Request:
    address, count = _fixed(function, data)
    _check_quantity(function, count)
    return Request(unit=unit, function=function, address=address, count=count)


def _parse_write_single(unit: int, function: Function, data: bytes) -> Request:
    address, value = _fixed(function, data)
    if function.bits:
        if value not in (COIL_ON, COIL_OFF):
            raise _refuse(function, f"coil value 0x{value:04X} is neither 0xFF00 nor 0x0000")
        value = int(value == COIL_ON)
    return Request(unit=unit, function=function, address=address, count=1, values=(value,))


def _parse_write_multiple(unit: int, function: Function, data: bytes) -> Request:
    if len(data) < 5:
        raise _refuse(function, f"{len(data)} data bytes: no room for address, quantity and byte count")
    address, count, byte_count = struct.unpack(">HHB", data[:5])
    payload = data[5:]
    _check_quantity(function, count)
    needed = (count + 7) // 8 if function.bits else 2 * count
    if byte_count != needed or len(payload) != byte_count:
        raise _refuse(function, f"byte count {byte_count} with {len(payload)} bytes for quantity {count}")
    values = unpack_bits(payload, count) if function.bits else struct.unpack(f">{count}H", payload)
    return Request(unit=unit, function=function, address=address, count=count, values=tuple(values))


_PARSERS: dict[Shape, Callable[[int, Function, bytes], Request]] = {
    Shape.READ: _parse_read,
    Shape.WRITE_SINGLE: _parse_write_single,
    Shape.WRITE_MULTIPLE: _parse_write_multiple,
}


# -- answers out ---------------------------------------------------------------------------------------------------
def encode_reply(request: Request, values: Sequence[int] | None) -> bytes:
    """The normal response PDU: the read ``values``, or the echo section 6 defines for a write."""
    function, head = request.function, bytes([request.function_code])
    if function.shape is Shape.READ:
        if values is None or len(values) != request.count:
            raise ValueError(f"a read of {request.count} needs {request.count} values, got {values!r}")
        data = pack_bits(values) if function.bits else struct.pack(f">{len(values)}H", *values)
        return head + bytes([len(data)]) + data
    if function.shape is Shape.WRITE_SINGLE:
        assert request.values is not None
        value = (COIL_ON if request.values[0] else COIL_OFF) if function.bits else request.values[0]
        return head + struct.pack(">HH", request.address, value)
    return head + struct.pack(">HH", request.address, request.count)


def exception_reply(function_code: int, code: int) -> bytes:
    """Section 7: the function code with its high bit set, then the exception code."""
    return bytes([function_code | 0x80, code])


def pack_bits(bits: Sequence[int]) -> bytes:
    """Sections 6.1 / 6.2: the lowest address is the least significant bit of the first byte; zero padded."""
    out = bytearray((len(bits) + 7) // 8)
    for i, bit in enumerate(bits):
        if bit:
            out[i // 8] |= 1 << (i % 8)
    return bytes(out)


def unpack_bits(data: bytes, count: int) -> list[int]:
    return [(data[i // 8] >> (i % 8)) & 1 for i in range(count)]
