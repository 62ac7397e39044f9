"""The pick-to-light Modbus register map, as a table, with pure encode/decode functions for each block.

Model: a Banner PICK-IQ chain (PTL110 / K50 lights, Modbus RTU slaves) behind a gateway (Banner DXM700) that
speaks Modbus TCP upward; the Modbus UNIT ID SELECTS THE LIGHT (1..247). Every light answers the same map.

Address convention (the commonest integration bug): every address in this module is the 0-based PROTOCOL
address, the number that goes on the wire and into pymodbus calls. Banner doc 209995 lists it as "address
without offset"; the 1-based form ("with offset") is ``registers.one_based(a)`` and the classic
holding-register notation is ``registers.four_x(a)`` (4xxxx: protocol 1000 is 41001).

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
simulator (hardware_sims.ptl_gateway) use it so both ends agree on the layout. The codecs it is written in
(``Field``, ``Block``, ``Kind``) are ``plc_io.modbus.registers``, shared with the printer PLC's map.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from enum import IntEnum

from plc_io.counters import counted_since
from plc_io.modbus.registers import COUNTER_MODULUS, U16, U32, UNIT_IDS, Block, Field, Kind, decode_block, encode_block
from plc_io.ports import Colour


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


# -- the map ----------------------------------------------------------------------------------------------
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
        Field("device_id", 6100, Kind.U16, "Modbus node id 1-247", UNIT_IDS),
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


def presses_since(baseline: int | None, confirm: Confirm) -> int:
    """New presses the confirm block shows since the counter value ``baseline`` (None: never read).

    The counter, not the latch, is the truth: a press between the host's read and its clear leaves the latch
    cleared but the counter moved, and a retried read or clear sees the same counter and reports nothing.
    A first read reports one press if latched (the count before it is unknown); a counter that went
    backwards (a light that restarted behind the gateway) reports the presses since its restart.
    """
    if baseline is None:
        return int(confirm.latched)
    return counted_since(baseline, confirm.counter, COUNTER_MODULUS)
