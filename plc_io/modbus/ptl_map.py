"""The pick-to-light Modbus register map, as a table, with pure encode/decode functions for each block.

Model: a Banner PICK-IQ chain (PTL110 / K50 lights, Modbus RTU slaves) behind a gateway (Banner DXM700) that
speaks Modbus TCP upward; the Modbus UNIT ID SELECTS THE LIGHT (1..247). Every light answers the same map.

Address convention (the commonest integration bug): every address in this module is the 0-based PROTOCOL
address, the number that goes on the wire and into pymodbus calls. Banner doc 209995 lists it as "address
without offset"; the 1-based form ("with offset") is ``one_based(a)`` and the classic holding-register
notation is ``four_x(a)`` (4xxxx: protocol 1000 is 41001).

Word and byte order, pinned by golden tests:
- ASCII strings: two characters per register, the first character in the HIGH byte (big-endian), the first
  characters in the lowest register, NUL padded.
- Identity numbers (model number, configuration number): LOW word first, as Banner 209995 states.
- Our command and confirm blocks: pick tokens are u32 HIGH word first.

Blocks 1000-1053 (identity), 6000-6003 (sensor outputs) and 6100-6103 (comms) follow Banner 209995. Blocks
2000-2021 (command, confirm, failsafe) are this project's: Banner lights take their visual state from per-state
blocks at 6301+, and a DXM script or the PLC in front of the chain exposes this compact block per unit; the
simulator implements it per unit. See docs/ptl-modbus.md.

This module must stay pure: no pymodbus, no sockets, no clock. Both the driver (plc_io.modbus.ptl) and the
simulator (hardware_sims.ptl_gateway) use it so both ends agree on the layout.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from enum import Enum, IntEnum

from plc_io.ports import Colour

U16 = range(0x1_0000)
U32 = range(0x1_0000_0000)
FieldValue = int | str
Values = dict[str, FieldValue]


# -- address forms ----------------------------------------------------------------------------------------
def one_based(address: int) -> int:
    """Banner's "address with offset": the 1-based register number."""
    return address + 1


def four_x(address: int) -> int:
    """The 4xxxx holding-register reference of a 0-based protocol address (1000 -> 41001)."""
    return 40_001 + address


# -- enumerations carried in registers --------------------------------------------------------------------
class Animation(IntEnum):
    """Banner 209995 animation codes (per-state visual blocks); the command block uses the same numbers."""

    OFF = 0
    STEADY = 1
    FLASH = 2
    TWO_COLOUR_FLASH = 3
    ROTATE = 4
    CHASE = 5
    INTENSITY_SWEEP = 6


class SensorOutput(IntEnum):
    """Banner 209995 register 6000/6002: which output a touch or optical sensor drives."""

    DISABLED = 0
    PRIMARY = 1
    SECONDARY = 2


class FailsafeMode(IntEnum):
    """What a light does when its host traffic stops for the watchdog time (like ifm AL1340's failsafe)."""

    LIGHTS_OFF = 0
    HOLD = 1


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


# -- the map ----------------------------------------------------------------------------------------------
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


def _enum(e: type[IntEnum]) -> frozenset[int]:
    return frozenset(int(m) for m in e)


RW = U16  # any u16 value the field allows
IDENTITY = Block(
    "identity",
    (
        Field("model_number", 1000, Kind.U32_LO_FIRST, "model number", U32),
        Field("model_version", 1002, Kind.BCD, "model version", range(10_000)),
        Field("model_name", 1003, Kind.ASCII, "model name", count=16),
        Field("config_number", 1019, Kind.U32_LO_FIRST, "configuration number", U32),
        Field("config_version", 1021, Kind.BCD, "configuration version", range(10_000)),
        Field("date_code", 1022, Kind.ASCII, "serial number / date code", count=16),
        Field("serial_number", 1038, Kind.ASCII, "serial number", count=16),
    ),
)
COMMAND = Block(
    "command",
    (
        Field("colour", 2000, Kind.U16, "colour (plc_io.ports.Colour)", _enum(Colour), _enum(Colour)),
        Field("animation", 2001, Kind.U16, "animation (Animation)", _enum(Animation), _enum(Animation)),
        Field("display", 2002, Kind.U16, "display digits 0-9999", range(10_000), range(10_000)),
        Field("token", 2003, Kind.U32_HI_FIRST, "pick token lit (0: none)", U32, U32),
    ),
)
CONFIRM = Block(
    "confirm",
    (
        Field("latched", 2010, Kind.U16, "1: pressed since last clear; host writes 0", range(2), frozenset({0})),
        Field("counter", 2011, Kind.U16, "presses, u16 wrapping"),
        Field("pressed_token", 2012, Kind.U32_HI_FIRST, "token lit at the latest press", U32),
    ),
)
FAILSAFE = Block(
    "failsafe",
    (
        Field(
            "failsafe", 2020, Kind.U16, "on watchdog: 0 lights off, 1 hold", _enum(FailsafeMode), _enum(FailsafeMode)
        ),
        Field("watchdog_ms", 2021, Kind.U16, "host silence before failsafe (0: disabled)", RW, RW),
    ),
)
SENSOR = Block(
    "sensor",
    (
        Field("touch_output", 6000, Kind.U16, "touch sensor output", _enum(SensorOutput), _enum(SensorOutput)),
        Field("touch_on_delay_ms", 6001, Kind.U16, "touch on-delay (ms)", RW, RW),
        Field("optical_output", 6002, Kind.U16, "optical sensor output", _enum(SensorOutput), _enum(SensorOutput)),
        Field("optical_on_delay_ms", 6003, Kind.U16, "optical on-delay (ms)", RW, RW),
    ),
)
COMMS = Block(  # read-only through the gateway: re-addressing a light over the chain it sits on is commissioning
    "comms",
    (
        Field("device_id", 6100, Kind.U16, "Modbus node id 1-247", range(1, 248)),
        Field("baud", 6101, Kind.U16, "baud / 100 (192: 19200)", frozenset({12, 24, 48, 96, 192, 384})),
        Field("parity", 6102, Kind.U16, "0 none, 1 odd, 2 even", range(3)),
        Field("stop_bits", 6103, Kind.U16, "1: 1, 2: 2, 3: 1.5", range(1, 4)),
    ),
)
BLOCKS: tuple[Block, ...] = (IDENTITY, COMMAND, CONFIRM, FAILSAFE, SENSOR, COMMS)
# Every register is a holding register (Banner 209995 lists holding registers only; the DXM instruction manual
# 190037 defines all its Modbus registers as 16-bit holding registers): read by function 3, written by 6 and 16.
# Any other function code (coils, discrete or input registers, 22 mask write, 23 read/write) answers 01.
READ_FUNCTIONS: tuple[int, ...] = (3,)
WRITE_FUNCTIONS: tuple[int, ...] = (6, 16)
FUNCTION_CODES: tuple[int, ...] = READ_FUNCTIONS + WRITE_FUNCTIONS
FIELDS: tuple[Field, ...] = tuple(f for b in BLOCKS for f in b.fields)
MAP_END = max(b.end for b in BLOCKS)  # first address past the map
LATCH_ADDRESS = CONFIRM.start
CLEAR_LATCH = 0


def block_at(address: int) -> Block | None:
    return next((b for b in BLOCKS if b.start <= address < b.end), None)


def field_at(address: int) -> Field | None:
    return next((f for f in FIELDS if f.address <= address < f.address + f.size), None)


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


# -- typed records, one per block -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class LightCommand:
    colour: Colour
    animation: Animation
    display: int
    token: int


CLEAR = LightCommand(colour=Colour.OFF, animation=Animation.OFF, display=0, token=0)


@dataclass(frozen=True, slots=True, kw_only=True)
class Confirm:
    latched: bool
    counter: int
    pressed_token: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Failsafe:
    failsafe: FailsafeMode
    watchdog_ms: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Identity:
    model_number: int
    model_version: int
    model_name: str
    config_number: int
    config_version: int
    date_code: str
    serial_number: str


def encode_command(command: LightCommand) -> list[int]:
    return encode_block(COMMAND, asdict(command))


def decode_command(registers: Sequence[int]) -> LightCommand:
    v = decode_block(COMMAND, registers)
    return LightCommand(
        colour=Colour(int(v["colour"])),
        animation=Animation(int(v["animation"])),
        display=int(v["display"]),
        token=int(v["token"]),
    )


def encode_confirm(confirm: Confirm) -> list[int]:
    return encode_block(CONFIRM, {**asdict(confirm), "latched": int(confirm.latched)})


def decode_confirm(registers: Sequence[int]) -> Confirm:
    v = decode_block(CONFIRM, registers)
    return Confirm(latched=bool(v["latched"]), counter=int(v["counter"]), pressed_token=int(v["pressed_token"]))


def encode_failsafe(failsafe: Failsafe) -> list[int]:
    return encode_block(FAILSAFE, asdict(failsafe))


def decode_failsafe(registers: Sequence[int]) -> Failsafe:
    v = decode_block(FAILSAFE, registers)
    return Failsafe(failsafe=FailsafeMode(int(v["failsafe"])), watchdog_ms=int(v["watchdog_ms"]))


def encode_identity(identity: Identity) -> list[int]:
    return encode_block(IDENTITY, asdict(identity))


def decode_identity(registers: Sequence[int]) -> Identity:
    v = decode_block(IDENTITY, registers)
    return Identity(
        model_number=int(v["model_number"]),
        model_version=int(v["model_version"]),
        model_name=str(v["model_name"]),
        config_number=int(v["config_number"]),
        config_version=int(v["config_version"]),
        date_code=str(v["date_code"]),
        serial_number=str(v["serial_number"]),
    )


# -- the confirm protocol ---------------------------------------------------------------------------------
COUNTER_MODULUS = 0x1_0000
COUNTER_JUMP_LIMIT = 1024  # more presses than this in one poll gap is not a person: the light restarted


def presses_since(baseline: int | None, confirm: Confirm) -> int:
    """New presses the confirm block shows since the counter value ``baseline`` (None: never read).

    The counter, not the latch, is the truth: a press between the host's read and its clear leaves the latch
    cleared but the counter moved, and a retried read or clear sees the same counter and reports nothing.
    A first read reports one press if latched (the count before it is unknown); a counter that went
    backwards (a light that restarted behind the gateway) reports the presses since its restart.
    """
    if baseline is None:
        return int(confirm.latched)
    delta = (confirm.counter - baseline) % COUNTER_MODULUS
    return delta if delta <= COUNTER_JUMP_LIMIT else confirm.counter
