"""The ship notice as VDA 4913 records: fixed length (128 characters), one per line (docs/ship-notices.md has the
table of every field by position).

711 header (customer, supplier, transmission numbers, date), 712 transport (the shipment's reference and date),
713 delivery note (its number, despatch date, unloading point, and the notice's function and version), 714 one per
part in slot order (the customer's sequence number as call-off, the part number, quantity, unit, vehicle id),
715 the rack (its packaging and the number of parts in it), 718 one per label serial (the rack's, then each part's,
in slot order), 719 trailer (the count of each record type). With ``[ship_notices] traced`` each 714 also carries
the serial and batch scanned at the part's pick (positions 95-114 and 115-128, blank when not scanned or not
traced). 718 numbers the packages (their label serials, which it already carries here), and a serial scanned
off the part belongs to its item as the batch does, so both go in 714, in positions this layout leaves free: like
the other JIS fields, ours, to be agreed with the partner (docs/ship-notices.md says what sources were checked).
Alphanumeric fields are left-aligned and blank-padded, numeric ones right-aligned and zero-padded; a value too long
for its field is an error, never cut.

What it must not do: read a clock (the caller passes ``at``) or send anything.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from sequencer.commands import SendShipNotice
from sequencer.plant import ShipNoticeConfig

RECORD = 128
VERSION = "03"
FUNCTION = {"original": "9", "cancel": "1", "replace": "5"}  # as DESADV BGM 1225

# (name, first position 1-based, length, "n" numeric | "an" alphanumeric), per record type; the rest is blank
LAYOUT: dict[str, tuple[tuple[str, int, int, str], ...]] = {
    "711": (
        ("customer", 6, 9, "an"),
        ("supplier", 15, 9, "an"),
        ("transmission_old", 24, 5, "n"),
        ("transmission_new", 29, 5, "n"),
        ("date", 34, 6, "n"),
    ),
    "712": (
        ("shipment", 6, 8, "n"),
        ("supplier_plant", 14, 3, "an"),
        ("date", 17, 6, "n"),
        ("time", 23, 4, "n"),
    ),
    "713": (
        ("delivery_note", 6, 8, "n"),
        ("despatch_date", 14, 6, "n"),
        ("unloading_point", 20, 5, "an"),
        ("function", 25, 1, "n"),
        ("version", 26, 3, "n"),
        ("document", 29, 35, "an"),
    ),
    "714": (
        ("customer_part", 6, 22, "an"),
        ("supplier_part", 28, 22, "an"),
        ("call_off", 50, 8, "n"),
        ("quantity", 58, 9, "n"),
        ("unit", 67, 3, "an"),
        ("slot", 70, 3, "n"),
        ("vehicle", 73, 22, "an"),
        ("serial", 95, 20, "an"),  # the scanned serial, with ``traced``
        ("batch", 115, 14, "an"),  # the scanned batch, with ``traced``
    ),
    "715": (
        ("packaging", 6, 22, "an"),
        ("packages", 28, 7, "n"),
        ("parts", 35, 7, "n"),
    ),
    "718": (
        ("label_kind", 6, 1, "an"),  # R: the rack's label, P: a part's
        ("label", 7, 35, "an"),
    ),
    "719": (
        ("count_711", 6, 7, "n"),
        ("count_712", 13, 7, "n"),
        ("count_713", 20, 7, "n"),
        ("count_714", 27, 7, "n"),
        ("count_715", 34, 7, "n"),
        ("count_718", 41, 7, "n"),
        ("count_719", 48, 7, "n"),
    ),
}


class FieldTooLong(ValueError):
    """A value does not fit its field: the notice cannot be written in VDA 4913 (never cut short)."""


def record(kind: str, **values: str | int) -> str:
    """One record of ``kind`` with its fields placed by ``LAYOUT``."""
    line = [" "] * RECORD
    line[0:5] = list(kind + VERSION)
    for name, start, length, typ in LAYOUT[kind]:
        value = str(values.get(name, "" if typ == "an" else 0))
        if len(value) > length:
            raise FieldTooLong(f"VDA 4913 {kind} {name}: {value!r} is longer than {length}")
        if typ == "n":
            if not value.isdigit():
                raise FieldTooLong(f"VDA 4913 {kind} {name}: {value!r} is not a number")
            value = value.rjust(length, "0")
        line[start - 1 : start - 1 + length] = list(value.ljust(length))
    return "".join(line)


def write_vda4913(notice: SendShipNotice, cfg: ShipNoticeConfig, *, at: float, transmission: int) -> bytes:
    """The records of one notice; ``transmission`` numbers the transmission (711: the previous one and this one)."""
    now = datetime.fromtimestamp(at, UTC)
    shipped = datetime.fromtimestamp(notice.shipped_at, UTC)
    lines = [
        record(
            "711",
            customer=cfg.ship_to,
            supplier=cfg.supplier,
            transmission_old=(transmission - 1) % 100_000,
            transmission_new=transmission % 100_000,
            date=now.strftime("%y%m%d"),
        ),
        record(
            "712",
            shipment=notice.number,
            supplier_plant=notice.plant[:3],
            date=shipped.strftime("%y%m%d"),
            time=shipped.strftime("%H%M"),
        ),
        record(
            "713",
            delivery_note=notice.number,
            despatch_date=shipped.strftime("%y%m%d"),
            unloading_point=notice.dock,
            function=FUNCTION[notice.function],
            version=notice.version,
            document=notice.notice_id,
        ),
    ]
    for item in notice.items:
        lines.append(
            record(
                "714",
                customer_part=item.part,
                supplier_part=item.part,
                call_off=item.seq,
                quantity=item.qty * 1000,  # three decimals
                unit=item.unit,
                slot=item.slot,
                vehicle=item.vehicle_id,
                serial=item.scanned_serial if cfg.traced else "",
                batch=item.scanned_batch if cfg.traced else "",
            )
        )
    lines.append(record("715", packaging=notice.family, packages=1, parts=len(notice.items)))
    lines.append(record("718", label_kind="R", label=notice.rack_label))
    lines += [record("718", label_kind="P", label=item.label_id) for item in notice.items]
    counts = Counter(line[:3] for line in lines)
    counts["719"] = 1
    lines.append(record("719", **{f"count_{k}": counts[k] for k in ("711", "712", "713", "714", "715", "718", "719")}))
    return "\r\n".join(lines).encode("ascii") + b"\r\n"


def fields(line: str) -> dict[str, str]:
    """A record's fields by ``LAYOUT``, stripped (numbers without their leading zeros)."""
    kind = line[:3]
    out = {"kind": kind, "version": line[3:5]}
    for name, start, length, typ in LAYOUT.get(kind, ()):
        value = line[start - 1 : start - 1 + length]
        out[name] = value.lstrip("0") or "0" if typ == "n" else value.rstrip()
    return out
