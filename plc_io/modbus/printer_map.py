"""The Modbus map of a print-and-apply PLC, as tables, with pure encode/decode functions.

Model: a PLC in front of a Zebra print engine (ZT600 / ZE500 / PAX) wired to its DB-15 applicator interface.
The PLC exposes the applicator signals as bits and the label data as registers (docs/printer-modbus.md):
- COILS (host writes): the engine's applicator INPUTS, START PRINT, FEED, PAUSE, REPRINT (DB-15 pins 3-6);
- DISCRETE INPUTS (read-only): the engine's OUTPUTS, DATA READY, END PRINT, SERVICE REQUIRED, MEDIA OUT,
  RIBBON OUT, RIBBON LOW (pins 14, 11, 10, 12, 13, 9);
- HOLDING REGISTERS: one job, the label's fields as fixed-length ASCII and numbers plus the JOB ID, written
  by the host in ONE write (function 16, all 123 registers it can carry) so id and data change together;
- INPUT REGISTERS: the PLC's job counters. END PRINT is a 20 ms pulse per label on a real engine (Zebra
  applicator mode 3): a poll misses it, so the PLC counts it, and latches LAST PRINTED JOB ID.

The job handshake: the host writes the job block with JOB ID = last accepted + 1 (``next_job_id``), then sets
START PRINT. At its next scan the PLC takes the job only if that id is the next one and the engine holds no
label; it clears START either way and latches LAST ACCEPTED JOB ID, then LAST PRINTED JOB ID at END PRINT.
A retried write or START with the same id is ignored (``StartResult.DUPLICATE``), so a retry cannot double a
label.

Address convention (the commonest integration bug): every address here is the 0-based PROTOCOL address, the
number on the wire and in pymodbus calls. ``registers.one_based(a)`` is the 1-based register number and
``reference(table, a)`` the classic 0xxxx/1xxxx/3xxxx/4xxxx form (holding register 0 is 40001).
Word and byte order, pinned by golden tests: u32 HIGH word first; ASCII two characters per register, first
character in the HIGH byte, NUL padded. Bits: bit address n is bit n of the Modbus bit string (LSB of the
first data byte is the lowest address, Modbus Application Protocol V1.1b3, 6.1/6.2).

This module must stay pure: no pymodbus, no sockets, no clock. The driver (plc_io.modbus.printer) and the
simulator (hardware_sims.printer_plc) both use it, so both ends agree on the layout. The register codecs
(``Field``, ``Block``, ``Kind``) are ``plc_io.modbus.registers``, shared with the pick-to-light map.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from enum import Enum, IntEnum

from plc_io.modbus.registers import (
    U16,
    U32,
    Block,
    Field,
    FieldValue,
    Kind,
    Values,
    decode_block,
    encode_block,
    registers_to_u32,
)
from sequencer.labels import Label, PartLabel, RackLabel

FC16_MAX_REGISTERS = 123  # Modbus Application Protocol V1.1b3, 6.12: Write Multiple Registers carries 1-123
JOB_ID_MODULUS = 0x1_0000_0000


# -- the four Modbus tables and their address forms ---------------------------------------------------------
class Table(Enum):
    COIL = "coil"
    DISCRETE_INPUT = "discrete input"
    INPUT_REGISTER = "input register"
    HOLDING_REGISTER = "holding register"


REFERENCE_BASE: dict[Table, int] = {
    Table.COIL: 1,  # 00001
    Table.DISCRETE_INPUT: 10_001,
    Table.INPUT_REGISTER: 30_001,
    Table.HOLDING_REGISTER: 40_001,
}
FUNCTION_CODES: dict[Table, tuple[int, ...]] = {  # read first, then writes
    Table.COIL: (1, 5, 15),
    Table.DISCRETE_INPUT: (2,),
    Table.INPUT_REGISTER: (4,),
    Table.HOLDING_REGISTER: (3, 6, 16),
}
TABLE_OF_FUNCTION: dict[int, Table] = {code: table for table, codes in FUNCTION_CODES.items() for code in codes}
WRITE_FUNCTIONS = frozenset({5, 6, 15, 16})


def reference(table: Table, address: int) -> int:
    """The classic reference number: coil 0 is 00001, discrete input 0 is 10001, holding register 0 is 40001."""
    return REFERENCE_BASE[table] + address


def reference_text(table: Table, address: int) -> str:
    return f"{reference(table, address):05d}"


# -- bits: the DB-15 applicator signals ---------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Bit:
    name: str
    address: int
    pin: int  # Zebra DB-15 applicator connector pin (ZT600 applicator kit P1086089, PAX4 user guides)
    meaning: str


COILS: tuple[Bit, ...] = (
    Bit("start_print", 0, 3, "host sets: print the job in the job block; the PLC clears it when it scans it"),
    Bit("feed", 1, 4, "host sets: feed one blank label; the PLC clears it"),
    Bit("pause", 2, 5, "level: the engine pauses after the current label while set"),
    Bit("reprint", 3, 6, "host sets: reprint the last label (never used by the service); the PLC clears it"),
)
DISCRETE_INPUTS: tuple[Bit, ...] = (
    Bit("data_ready", 0, 14, "the engine holds a label not yet printed (the accepted job or a reprint)"),
    Bit("end_print", 1, 11, "20 ms pulse per completed label (mode 3); polls miss it: use end_print_count"),
    Bit("service_required", 2, 10, "head open, media or ribbon out, paused, or an operational fault"),
    Bit("media_out", 3, 12, "no media"),
    Bit("ribbon_out", 4, 13, "no ribbon"),
    Bit("ribbon_low", 5, 9, "ribbon below the supplies-warning threshold: a warning, printing goes on"),
)
BIT_TABLE_SIZE = 16  # coils and discrete inputs 0-15 exist (one PLC word each); the reserved ones read 0
COIL_ADDRESS: dict[str, int] = {bit.name: bit.address for bit in COILS}
START_PRINT = COIL_ADDRESS["start_print"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Coils:
    """The applicator inputs as the PLC holds them."""

    start_print: bool = False
    feed: bool = False
    pause: bool = False
    reprint: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Signals:
    """The engine's applicator outputs."""

    data_ready: bool = False
    end_print: bool = False
    service_required: bool = False
    media_out: bool = False
    ribbon_out: bool = False
    ribbon_low: bool = False


def _encode_bits(table: tuple[Bit, ...], values: Mapping[str, bool]) -> list[bool]:
    return [bool(values[bit.name]) for bit in sorted(table, key=lambda b: b.address)]


def _decode_bits(table: tuple[Bit, ...], bits: Sequence[bool]) -> dict[str, bool]:
    """By address; ``bits`` may be longer (a Modbus reply pads the bit string to whole bytes)."""
    if len(bits) < len(table):
        raise ValueError(f"need {len(table)} bits, got {len(bits)}")
    return {bit.name: bool(bits[bit.address]) for bit in table}


def encode_coils(coils: Coils) -> list[bool]:
    return _encode_bits(COILS, asdict(coils))


def decode_coils(bits: Sequence[bool]) -> Coils:
    return Coils(**_decode_bits(COILS, bits))


def encode_signals(signals: Signals) -> list[bool]:
    return _encode_bits(DISCRETE_INPUTS, asdict(signals))


def decode_signals(bits: Sequence[bool]) -> Signals:
    return Signals(**_decode_bits(DISCRETE_INPUTS, bits))


# What stops printing, by name, in report order; RIBBON LOW is a warning (the engine keeps printing).
FAULT_SIGNALS: tuple[tuple[str, str], ...] = (
    ("media_out", "media out"),
    ("ribbon_out", "ribbon out"),
    ("service_required", "service required"),
)
PAUSED = "paused"


def fault_names(signals: Signals, coils: Coils) -> tuple[str, ...]:
    """The asserted faults, plus "paused" while the PAUSE input is held (the engine then asserts SERVICE REQUIRED)."""
    names = tuple(name for attr, name in FAULT_SIGNALS if getattr(signals, attr))
    return (*names, PAUSED) if coils.pause else names


# -- input registers: the PLC's job counters ----------------------------------------------------------------
class StartResult(IntEnum):
    """What the PLC did with the latest START PRINT (input register 6)."""

    NONE = 0  # no START since the PLC started
    ACCEPTED = 1
    DUPLICATE = 2  # JOB ID equals LAST ACCEPTED JOB ID: a retry, ignored
    BUSY = 3  # the engine still holds a label (DATA READY): ignored, the host sends again later
    OUT_OF_SEQUENCE = 4  # JOB ID is not LAST ACCEPTED + 1: another host, or a stale host counter
    BAD_DATA = 5  # the job block does not decode (label kind, text)


def _enum(e: type[IntEnum]) -> frozenset[int]:
    return frozenset(int(m) for m in e)


STATUS = Block(
    "status",
    (
        Field("accepted_job_id", 0, Kind.U32_HI_FIRST, "LAST ACCEPTED JOB ID, latched when a START takes a job", U32),
        Field("printed_job_id", 2, Kind.U32_HI_FIRST, "LAST PRINTED JOB ID, latched at that job's END PRINT", U32),
        Field("start_job_id", 4, Kind.U32_HI_FIRST, "JOB ID the latest START saw", U32),
        Field("start_result", 6, Kind.U16, "StartResult of the latest START", _enum(StartResult)),
        Field("starts_ignored", 7, Kind.U16, "STARTs not taken, u16 wrapping"),
        Field("end_print_count", 8, Kind.U16, "END PRINT pulses (labels completed, reprints too), u16 wrapping"),
        Field("plc_session", 9, Kind.U32_HI_FIRST, "PLC cold-start stamp (ms of its clock): new after a reset", U32),
    ),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Status:
    accepted_job_id: int = 0
    printed_job_id: int = 0
    start_job_id: int = 0
    start_result: StartResult = StartResult.NONE
    starts_ignored: int = 0
    end_print_count: int = 0
    plc_session: int = 0


def encode_status(status: Status) -> list[int]:
    return encode_block(STATUS, asdict(status))


def decode_status(registers: Sequence[int]) -> Status:
    v = decode_block(STATUS, registers)
    return Status(
        accepted_job_id=int(v["accepted_job_id"]),
        printed_job_id=int(v["printed_job_id"]),
        start_job_id=int(v["start_job_id"]),
        start_result=StartResult(int(v["start_result"])),
        starts_ignored=int(v["starts_ignored"]),
        end_print_count=int(v["end_print_count"]),
        plc_session=int(v["plc_session"]),
    )


def next_job_id(last: int) -> int:
    """The id after ``last``: 1, 2, ... 2**32-1, then 1 again (0 means "no job")."""
    return last % (JOB_ID_MODULUS - 1) + 1


# -- holding registers: the job block -----------------------------------------------------------------------
class LabelKind(IntEnum):
    PART = 1
    RACK = 2


ANY = U16
JOB = Block(
    "job",
    (
        # header: every label
        Field("job_id", 0, Kind.U32_HI_FIRST, "JOB ID: last accepted + 1", U32, U32),
        Field("label_kind", 2, Kind.U16, "1 part label, 2 rack label", range(3), range(3)),
        Field("reprint", 3, Kind.U16, "reprint number (0: original)", ANY, ANY),
        Field("label_id", 4, Kind.ASCII, "label id", count=16, writes=ANY),
        Field("feed", 20, Kind.ASCII, "feed", count=8, writes=ANY),
        Field("family", 28, Kind.ASCII, "part family", count=8, writes=ANY),
        Field("plant", 36, Kind.ASCII, "plant", count=8, writes=ANY),
        Field("rack_no", 44, Kind.U32_HI_FIRST, "rack no.", U32, U32),
        # part label
        Field("seq", 46, Kind.U32_HI_FIRST, "sequence no.", U32, U32),
        Field("slot", 48, Kind.U16, "slot in the rack", ANY, ANY),
        Field("vehicle_id", 49, Kind.ASCII, "vehicle id (VIN)", count=15, writes=ANY),
        Field("part", 64, Kind.ASCII, "supplier part no.", count=15, writes=ANY),
        Field("description", 79, Kind.ASCII, "part description (folded to ASCII, cut)", count=22, writes=ANY),
        # rack label
        Field("low_seq", 101, Kind.U32_HI_FIRST, "first sequence no. in the rack", U32, U32),
        Field("high_seq", 103, Kind.U32_HI_FIRST, "last sequence no. in the rack", U32, U32),
        Field("slots", 105, Kind.U16, "slots (quantity)", ANY, ANY),
        Field("line", 106, Kind.ASCII, "assembly line", count=8, writes=ANY),
        Field("dock", 114, Kind.ASCII, "dock", count=8, writes=ANY),
        # part label, added with quantities (issue 16): the last register a single FC 16 can carry
        Field("qty", 122, Kind.U16, "quantity of the part (0 on a rack label)", ANY, ANY),
    ),
)
JOB_FIELDS: dict[str, Field] = {f.name: f for f in JOB.fields}
# The Global Transport Label's fields (``sequencer.labels``) do not fit the one FC16 write of the job block (123
# registers, all used): the PLC's own format prints without them (docs/printer-modbus.md).
NOT_CARRIED = frozenset(
    {
        "serial",
        "supplier",
        "customer_part",
        "ship_to",
        "unloading_point",
        "labelled_at",
        "timezone",
        "contents",
        "template",
    }
)
LABEL_TYPE: dict[LabelKind, type[PartLabel] | type[RackLabel]] = {LabelKind.PART: PartLabel, LabelKind.RACK: RackLabel}
KIND_OF: dict[type[PartLabel] | type[RackLabel], LabelKind] = {cls: kind for kind, cls in LABEL_TYPE.items()}
LABEL_FIELDS: dict[LabelKind, tuple[str, ...]] = {
    kind: tuple(f.name for f in fields(cls) if f.name not in NOT_CARRIED) for kind, cls in LABEL_TYPE.items()
}
FOLDED_TEXT = frozenset({"description"})  # free text only a person reads: folded to ASCII and cut, not refused
PRINTABLE = range(0x20, 0x7F)


@dataclass(frozen=True, slots=True, kw_only=True)
class Job:
    job_id: int
    label: Label


def job_id_of(registers: Sequence[int]) -> int:
    """The JOB ID in a job block (what the PLC checks before it decodes the rest)."""
    first = JOB_FIELDS["job_id"].address
    return registers_to_u32(registers[first : first + 2], high_first=True)


def fold_ascii(text: str, width: int) -> str:
    """Free text for a person: accents dropped (NFKD), anything else non-printable as ``?``, cut to ``width``."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch if ord(ch) in PRINTABLE else "?" for ch in kept)[:width]


def _text(field: Field, value: str) -> str:
    width = 2 * field.size
    if field.name in FOLDED_TEXT:
        return fold_ascii(value, width)
    if any(ord(ch) not in PRINTABLE for ch in value):
        raise ValueError(f"{field.name}={value!r} is not printable ASCII")
    if len(value) > width:
        raise ValueError(f"{field.name}={value!r} is longer than {width} characters")
    return value


def _blank(field: Field) -> FieldValue:
    return "" if field.kind is Kind.ASCII else 0


def job_values(job_id: int, label: Label) -> Values:
    """The job block's field values; fields of the other label kind are blank (0 / empty)."""
    kind = KIND_OF[type(label)]
    values: Values = {f.name: _blank(f) for f in JOB.fields}
    values |= {"job_id": job_id, "label_kind": int(kind)}
    for name, value in asdict(label).items():
        if name in NOT_CARRIED:
            continue
        field = JOB_FIELDS[name]
        values[name] = _text(field, value) if field.kind is Kind.ASCII else int(value)
    return values


def encode_job(job_id: int, label: Label) -> list[int]:
    """The whole job block; raises ValueError for data the map cannot carry (the label is refused, not cut)."""
    return encode_block(JOB, job_values(job_id, label))


def decode_job(registers: Sequence[int]) -> Job:
    """The job in a job block; raises ValueError for an unknown label kind or text that is not printable ASCII."""
    values = decode_block(JOB, registers)
    try:
        kind = LabelKind(int(values["label_kind"]))
    except ValueError as exc:
        raise ValueError(f"label_kind {values['label_kind']} is not a label kind") from exc
    for name in LABEL_FIELDS[kind]:
        if JOB_FIELDS[name].kind is Kind.ASCII:
            _text(JOB_FIELDS[name], str(values[name]))
    label = LABEL_TYPE[kind](**{name: values[name] for name in LABEL_FIELDS[kind]})  # type: ignore[arg-type]
    return Job(job_id=int(values["job_id"]), label=label)


# -- the whole map, for docs and checks ---------------------------------------------------------------------
REGISTER_BLOCKS: dict[Table, Block] = {Table.INPUT_REGISTER: STATUS, Table.HOLDING_REGISTER: JOB}
BIT_TABLES: dict[Table, tuple[Bit, ...]] = {Table.COIL: COILS, Table.DISCRETE_INPUT: DISCRETE_INPUTS}
