"""The ship notice as ANSI X12 856 (ship notice / manifest), version 004010, for partners on X12
(docs/ship-notices.md has the mapping segment by segment).

One interchange (ISA/IEA), one group (GS/GE, functional id SH), one transaction set (ST/SE). BSN carries the
purpose (00 original, 01 cancellation, 05 replace) and the document number with its version; the hierarchy is
HL S (shipment: dates, supplier and ship-to, the unloading point), HL T (the rack: its label serial), HL I per
part in slot order (LIN with the supplier's part number, SN1 the quantity, REF LS the label serial, REF JS the
OEM's sequence number, REF VV the vehicle). With ``[ship_notices] traced`` the part's scanned serial and batch
follow the part number in the same LIN as further ID pairs, qualifiers SN (serial number) and LT (lot number) of
X12 element 235 (LIN02-LIN31 are up to fifteen qualifier/ID pairs of one item, AIAG 856 usage), each only when
scanned. Separators: ``*`` elements, ``>`` components, ``~`` segments; a value
holding one of them cannot be written (an error, never cut or altered).

What it must not do: read a clock (the caller passes ``at``) or send anything.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sequencer.commands import NoticeItem, SendShipNotice
from sequencer.plant import ShipNoticeConfig

PURPOSE = {"original": "00", "cancel": "01", "replace": "05"}  # BSN01 transaction set purpose code
UNITS = {"PCE": "EA"}  # our unit -> X12 unit of measure (355)


class NotWritable(ValueError):
    """A value holds an X12 separator."""


def _seg(*elements: str) -> str:
    for e in elements:
        if any(c in e for c in "*>~"):
            raise NotWritable(f"X12 856: {e!r} holds a separator")
    return "*".join(elements) + "~"


def _traced(item: NoticeItem, cfg: ShipNoticeConfig) -> list[str]:
    """LIN04.. : the scanned serial (SN) and batch (LT), X12 element 235, when the partner wants them."""
    if not cfg.traced:
        return []
    out: list[str] = []
    for qualifier, value in (("SN", item.scanned_serial), ("LT", item.scanned_batch)):
        if value:
            out += [qualifier, value]
    return out


def write_x12_856(notice: SendShipNotice, cfg: ShipNoticeConfig, *, at: float, control: int) -> bytes:
    now = datetime.fromtimestamp(at, UTC)
    shipped = datetime.fromtimestamp(notice.shipped_at, UTC)
    ctl = f"{control % 1_000_000_000:09d}"
    body = [
        _seg("ST", "856", "0001"),
        _seg(
            "BSN",
            PURPOSE[notice.function],
            f"{notice.notice_id}-{notice.version}",
            now.strftime("%Y%m%d"),
            now.strftime("%H%M"),
        ),
        _seg("HL", "1", "", "S"),
        _seg("DTM", "011", shipped.strftime("%Y%m%d"), shipped.strftime("%H%M")),
        _seg("REF", "BM", str(notice.number)),  # the delivery note's number (our bill of lading)
        _seg("N1", "SU", "", "92", cfg.supplier),
        _seg("N1", "ST", "", "92", cfg.ship_to),
        _seg("N1", "UP", "", "92", notice.dock or "-"),  # the unloading point
        _seg("HL", "2", "1", "T"),
        _seg("REF", "LS", notice.rack_label),
    ]
    for n, item in enumerate(notice.items, start=3):
        body += [
            _seg("HL", str(n), "2", "I"),
            _seg("LIN", "", "VP", item.part, *_traced(item, cfg)),
            _seg("SN1", "", str(item.qty), UNITS.get(item.unit, item.unit)),
            _seg("REF", "LS", item.label_id),
            _seg("REF", "JS", str(item.seq)),
            _seg("REF", "VV", item.vehicle_id),
        ]
    body.append(_seg("CTT", str(len(notice.items) + 2)))
    body.append(_seg("SE", str(len(body) + 1), "0001"))
    isa = (
        f"ISA*00*{'':10}*00*{'':10}*ZZ*{cfg.sender_id[:15]:15}*ZZ*{cfg.recipient_id[:15]:15}*"
        f"{now:%y%m%d}*{now:%H%M}*U*00401*{ctl}*0*P*>~"
    )
    segments = [
        isa,
        _seg(
            "GS",
            "SH",
            cfg.sender_id,
            cfg.recipient_id,
            now.strftime("%Y%m%d"),
            now.strftime("%H%M"),
            str(control),
            "X",
            "004010",
        ),
        *body,
        _seg("GE", "1", str(control)),
        _seg("IEA", "1", ctl),
    ]
    return "\n".join(segments).encode("ascii") + b"\n"
