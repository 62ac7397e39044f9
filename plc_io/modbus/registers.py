"""Modbus register maps as tables: fields, blocks, address forms and the pure codecs every map here is written in.

What it is for: the language of ``plc_io.modbus.ptl_map`` (the PICK-IQ lights) and ``plc_io.modbus.printer_map``
(the print-and-apply PLC), so both maps, both drivers and both simulators encode a u32, a string or a block the
same way, and the golden tests pin word and byte order once.
Address convention (the commonest integration bug): every address is the 0-based PROTOCOL address, the number on
the wire and in pymodbus calls; ``one_based(a)`` is the 1-based register number ("address with offset" in Banner
doc 209995) and ``four_x(a)`` the classic holding-register reference (4xxxx: protocol 1000 is 41001).
Word and byte order: ASCII two characters per register, the first in the HIGH byte, NUL padded; u32 either word
first, as each field's ``Kind`` says.
What it must not do: know a device's map, import pymodbus, open sockets or read a clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

U16 = range(0x1_0000)
U32 = range(0x1_0000_0000)
UNIT_IDS = range(1, 248)  # Modbus serial line addresses (Modbus over Serial Line V1.02, 2.2): a light or a PLC
COUNTER_MODULUS = len(U16)  # device counters kept in one register wrap at this
FieldValue = int | str
Values = dict[str, FieldValue]


# -- address forms ----------------------------------------------------------------------------------------
def one_based(address: int) -> int:
    """Banner's "address with offset": the 1-based register number."""
    return address + 1


def four_x(address: int) -> int:
    """The 4xxxx holding-register reference of a 0-based protocol address (1000 -> 41001)."""
    return 40_001 + address


# -- register codecs per field kind -----------------------------------------------------------------------
class Kind(Enum):
    U16 = "u16"
    U32_HI_FIRST = "u32, high word first"
    U32_LO_FIRST = "u32, low word first"
    ASCII = "ASCII, 2 chars/register, big-endian"
    BCD = "BCD"


def u32_to_registers(value: int, *, high_first: bool) -> list[int]:
    if value not in U32:
        raise ValueError(f"{value} does not fit in 32 bits")
    words = [value >> 16, value & 0xFFFF]
    return words if high_first else words[::-1]


def registers_to_u32(registers: Sequence[int], *, high_first: bool) -> int:
    hi, lo = registers if high_first else reversed(registers)
    return (hi << 16) | lo


def ascii_to_registers(text: str, count: int) -> list[int]:
    """Two characters per register, first character in the high byte, NUL padded to ``count`` registers."""
    raw = text.encode("ascii")
    if len(raw) > 2 * count:
        raise ValueError(f"{text!r} is longer than {2 * count} characters")
    raw = raw.ljust(2 * count, b"\0")
    return [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]


def registers_to_ascii(registers: Sequence[int]) -> str:
    raw = b"".join(r.to_bytes(2, "big") for r in registers)
    return raw.rstrip(b"\0").decode("ascii", errors="replace")


def bcd_to_register(value: int) -> int:
    """Decimal 0..9999 to packed BCD (102 -> 0x0102), as Banner stores model and configuration versions."""
    if value not in range(10_000):
        raise ValueError(f"{value} has more than four BCD digits")
    return int(str(value), 16)


def register_to_bcd(register: int) -> int:
    digits = f"{register:x}"
    if not digits.isdecimal():
        raise ValueError(f"0x{register:04x} is not BCD")
    return int(digits)


ENCODERS: dict[Kind, Callable[[FieldValue, int], list[int]]] = {
    Kind.U16: lambda value, _: [int(value)],
    Kind.U32_HI_FIRST: lambda value, _: u32_to_registers(int(value), high_first=True),
    Kind.U32_LO_FIRST: lambda value, _: u32_to_registers(int(value), high_first=False),
    Kind.ASCII: lambda value, count: ascii_to_registers(str(value), count),
    Kind.BCD: lambda value, _: [bcd_to_register(int(value))],
}
DECODERS: dict[Kind, Callable[[Sequence[int]], FieldValue]] = {
    Kind.U16: lambda regs: regs[0],
    Kind.U32_HI_FIRST: lambda regs: registers_to_u32(regs, high_first=True),
    Kind.U32_LO_FIRST: lambda regs: registers_to_u32(regs, high_first=False),
    Kind.ASCII: registers_to_ascii,
    Kind.BCD: lambda regs: register_to_bcd(regs[0]),
}
WIDTH: dict[Kind, int] = {Kind.U16: 1, Kind.U32_HI_FIRST: 2, Kind.U32_LO_FIRST: 2, Kind.BCD: 1}


# -- fields and blocks ------------------------------------------------------------------------------------
Allowed = range | frozenset[int]
READ_ONLY: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Field:
    """One value in the map. ``writes`` is what the host may write (empty: read-only); ASCII has no range."""

    name: str
    address: int
    kind: Kind
    meaning: str
    allowed: Allowed = U16
    writes: Allowed = READ_ONLY
    count: int = 0  # registers; derived from ``kind`` except for ASCII

    @property
    def size(self) -> int:
        return self.count or WIDTH[self.kind]

    @property
    def writable(self) -> bool:
        return len(self.writes) > 0


@dataclass(frozen=True, slots=True)
class Block:
    """Contiguous fields read or written together in one Modbus call."""

    name: str
    fields: tuple[Field, ...]

    @property
    def start(self) -> int:
        return self.fields[0].address

    @property
    def count(self) -> int:
        return sum(f.size for f in self.fields)

    @property
    def end(self) -> int:
        return self.start + self.count


# -- generic block codec ----------------------------------------------------------------------------------
def _check(field: Field, value: FieldValue) -> None:
    if field.kind is not Kind.ASCII and int(value) not in field.allowed:
        raise ValueError(f"{field.name}={value} is out of range")


def encode_block(block: Block, values: Mapping[str, FieldValue]) -> list[int]:
    """Registers of ``block`` from field values; raises ValueError on a value the map does not allow."""
    registers: list[int] = []
    for f in block.fields:
        _check(f, values[f.name])
        registers += ENCODERS[f.kind](values[f.name], f.size)
    return registers


def decode_block(block: Block, registers: Sequence[int]) -> Values:
    """Field values of ``block``; raises ValueError on a wrong length or a value the map does not allow."""
    if len(registers) != block.count:
        raise ValueError(f"{block.name} needs {block.count} registers, got {len(registers)}")
    values: Values = {}
    for f in block.fields:
        offset = f.address - block.start
        values[f.name] = DECODERS[f.kind](registers[offset : offset + f.size])
        _check(f, values[f.name])
    return values
