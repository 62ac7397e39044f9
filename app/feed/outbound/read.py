"""Ship notices read back: what a DESADV (with the project's EDIFACT parser), a VDA 4913 transmission or an X12 856
(with the project's X12 syntax reader) says.

What the tests check the writers with, and what an OEM simulator checks a notice against its broadcasts with. A
notice that cannot be read raises ``NoticeUnreadable`` with the reason (the OEM rejects it with that reason).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.feed.formats.edifact import Message, read_edifact, tag_of
from app.feed.formats.source import Source, scan
from app.feed.formats.x12 import Segment as X12Segment
from app.feed.formats.x12 import isa_chars
from app.feed.outbound.desadv import BGM_FUNCTION
from app.feed.outbound.vda4913 import FUNCTION, RECORD, fields
from app.feed.outbound.x12_856 import PURPOSE, UNITS

FUNCTION_OF = {code: name for name, code in BGM_FUNCTION.items()}
VDA_FUNCTION_OF = {code: name for name, code in FUNCTION.items()}
X12_FUNCTION_OF = {code: name for name, code in PURPOSE.items()}
X12_UNIT_OF = {x12: ours for ours, x12 in UNITS.items()}


class NoticeUnreadable(ValueError):
    """Not a ship notice we can read; the text says why."""


@dataclass(frozen=True)
class ReadItem:
    seq: int
    vehicle_id: str
    part: str
    qty: int
    unit: str
    label_id: str


@dataclass
class NoticeRead:
    notice_id: str = ""
    version: int = 0
    function: str = ""
    number: int = 0
    supplier: str = ""
    ship_to: str = ""
    unloading_point: str = ""
    rack_label: str = ""
    items: list[ReadItem] = field(default_factory=list)


def read_desadv(raw: bytes) -> NoticeRead:
    messages = [e for e in read_edifact(Source(raw)) if isinstance(e, Message)]
    if len(messages) != 1:
        raise NoticeUnreadable(f"expected one message, found {len(messages)}")
    msg = messages[0]
    if msg.broken:
        raise NoticeUnreadable(msg.broken)
    if msg.type != "DESADV":
        raise NoticeUnreadable(f"not a DESADV: {msg.type!r}")
    out = NoticeRead()
    item: dict[str, str] = {}

    def close_item() -> None:
        if item:
            try:
                out.items.append(
                    ReadItem(
                        seq=int(item["seq"]),
                        vehicle_id=item["vehicle"],
                        part=item["part"],
                        qty=int(item["qty"]),
                        unit=item["unit"],
                        label_id=item["label"],
                    )
                )
            except (KeyError, ValueError) as exc:
                raise NoticeUnreadable(f"item {len(out.items) + 1} incomplete: {exc}") from None
            item.clear()

    level = ""
    for body in msg.bodies:
        tag, values = tag_of(body, msg.chars.element), msg.chars.split(body)

        def value(element: int, component: int = 0, values: list[list[str]] = values) -> str:
            if element >= len(values) or component >= len(values[element]):
                return ""
            return values[element][component]

        if tag == "BGM":
            out.notice_id, version = value(1, 0), value(1, 1)
            out.version = int(version) if version.isdigit() else 0
            out.function = FUNCTION_OF.get(value(2), "")
        elif tag == "RFF" and value(0) == "AAK":
            out.number = int(value(0, 1)) if value(0, 1).isdigit() else 0
        elif tag == "NAD":
            if value(0) == "SE":
                out.supplier = value(1)
            elif value(0) == "ST":
                out.ship_to = value(1)
        elif tag == "LOC" and value(0) == "11":
            out.unloading_point = value(1)
        elif tag == "CPS":
            close_item()
            level = "rack" if value(1) == "1" else "item" if value(1) == "2" else ""
        elif tag == "GIN" and value(0) == "ML":
            if level == "rack":
                out.rack_label = value(1)
            elif level == "item":
                item["label"] = value(1)
        elif tag == "PIA":
            item["part"] = value(1)
        elif tag == "QTY" and value(0) == "12":
            item["qty"], item["unit"] = value(0, 1), value(0, 2)
        elif tag == "RFF" and value(0) == "AAN":
            item["seq"] = value(0, 1)
        elif tag == "GIR":
            item["vehicle"] = value(1)
    close_item()
    if not out.notice_id or not out.function:
        raise NoticeUnreadable("no BGM with a document number and a known function")
    return out


def read_vda4913(raw: bytes) -> NoticeRead:
    try:
        lines = raw.decode("ascii").splitlines()
    except UnicodeDecodeError:
        raise NoticeUnreadable("VDA 4913 is ASCII text") from None
    out = NoticeRead()
    parts: list[dict[str, str]] = []
    labels: list[str] = []
    for n, line in enumerate(lines, start=1):
        if len(line) != RECORD:
            raise NoticeUnreadable(f"record {n} is {len(line)} characters long, not {RECORD}")
        f = fields(line)
        if f["kind"] == "711":
            out.ship_to, out.supplier = f["customer"], f["supplier"]
        elif f["kind"] == "713":
            out.number, out.unloading_point = int(f["delivery_note"]), f["unloading_point"]
            out.function, out.version = VDA_FUNCTION_OF.get(f["function"], ""), int(f["version"])
            out.notice_id = f["document"]
        elif f["kind"] == "714":
            parts.append(f)
        elif f["kind"] == "718":
            if f["label_kind"] == "R":
                out.rack_label = f["label"]
            else:
                labels.append(f["label"])
    if len(labels) != len(parts):
        raise NoticeUnreadable(f"{len(parts)} parts but {len(labels)} part labels")
    out.items = [
        ReadItem(
            seq=int(p["call_off"]),
            vehicle_id=p["vehicle"],
            part=p["supplier_part"],
            qty=int(p["quantity"]) // 1000,
            unit=p["unit"],
            label_id=label,
        )
        for p, label in zip(parts, labels, strict=True)
    ]
    if not out.notice_id or not out.function:
        raise NoticeUnreadable("no 713 record with a document number and a known function")
    return out


def x12_segments(raw: bytes) -> list[list[str]]:
    """The segments of an X12 interchange with the project's X12 syntax reader (the ISA declares the separators)."""
    text = raw.decode("latin-1")
    try:
        chars, end = isa_chars(text, 0)
    except ValueError as exc:
        raise NoticeUnreadable(f"not an X12 interchange: {exc}") from None
    bodies = [text[: end - 1]]
    source, pos = Source(raw), end
    while pos < len(raw):
        region = scan(source, pos, chars.syntax)
        if region.bad:
            raise NoticeUnreadable(f"bad X12 segment at byte {region.starts[min(region.bad)]}")
        bodies += region.bodies
        if region.next <= pos:
            break
        pos = region.next
    return [[s.tag, *s.elements] for s in (X12Segment.read(b, 0, 0, chars.element) for b in bodies)]


def read_x12_856(raw: bytes) -> NoticeRead:
    out = NoticeRead()
    level = ""
    item: dict[str, str] = {}
    rows: list[dict[str, str]] = []
    for e in x12_segments(raw):
        e += [""] * (6 - len(e))
        tag = e[0]
        if tag == "ST" and e[1] != "856":
            raise NoticeUnreadable(f"not an 856: {e[1]!r}")
        if tag == "BSN":
            out.function = X12_FUNCTION_OF.get(e[1], "")
            document, _, version = e[2].rpartition("-")
            out.notice_id, out.version = document, int(version) if version.isdigit() else 0
        elif tag == "REF" and e[1] == "BM":
            out.number = int(e[2]) if e[2].isdigit() else 0
        elif tag == "N1":
            if e[1] == "SU":
                out.supplier = e[4]
            elif e[1] == "ST":
                out.ship_to = e[4]
            elif e[1] == "UP":
                out.unloading_point = e[4]
        elif tag == "HL":
            level = e[3]
            if level == "I":
                item = {}
                rows.append(item)
        elif tag == "REF" and level == "T" and e[1] == "LS":
            out.rack_label = e[2]
        elif level == "I" and tag == "LIN":
            item["part"] = e[3]
        elif level == "I" and tag == "SN1":
            item["qty"], item["unit"] = e[2], e[3]
        elif level == "I" and tag == "REF":
            item[e[1]] = e[2]
    try:
        out.items = [
            ReadItem(int(r["JS"]), r["VV"], r["part"], int(r["qty"]), X12_UNIT_OF.get(r["unit"], r["unit"]), r["LS"])
            for r in rows
        ]
    except (KeyError, ValueError) as exc:
        raise NoticeUnreadable(f"an item is incomplete: {exc}") from None
    if not out.notice_id or not out.function:
        raise NoticeUnreadable("no BSN with a document number and a known purpose")
    return out


READERS = {"desadv": read_desadv, "vda4913": read_vda4913, "x12_856": read_x12_856}
