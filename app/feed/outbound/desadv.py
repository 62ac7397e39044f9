"""The ship notice as EDIFACT DESADV D.07A, after the Odette / VDA 4987 JIS profile (docs/ship-notices.md).

One interchange, one message per notice. The header says what and when (BGM 351 with the document number and its
version, the function 9 original / 1 cancel / 5 replace; DTM 137 document date, DTM 11 despatch date), who (NAD SE
supplier, NAD ST ship-to with LOC 11, the unloading point). The packing hierarchy follows the JIS profile: CPS 1
the consignment, CPS 2 the rack (PAC, PCI 17 + GIN ML with the rack label's serial), then under it one CPS per
part in slot order (PAC, PCI 17 + GIN ML with the part label's serial, LIN with the line number, PIA 5 with the
supplier's part number (SA), QTY 12,
RFF AAN with the OEM's sequence number, GIR VV with the vehicle id). With ``[ship_notices] traced``, the part's
scanned serial and batch follow its label: GIN BN and GIN BX (UN/EDIFACT 7405; docs/scanner-tcp.md).
Separators are the ISO 9735 defaults (UNA ``:+.? '``); a value holding one is released with ``?``.

What it must not do: read a clock (the caller passes ``at``) or send anything.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sequencer.commands import NoticeItem, SendShipNotice
from sequencer.plant import ShipNoticeConfig

UNA = "UNA:+.? '"
BGM_FUNCTION = {"original": "9", "cancel": "1", "replace": "5"}  # DESADV BGM 1225
MESSAGE_TYPE = "DESADV:D:07A:UN"


def release(value: str) -> str:
    """A value with the service characters released (ISO 9735: ``?`` before each of ``? + : '``)."""
    out = []
    for ch in value:
        if ch in "?+:'":
            out.append("?")
        out.append(ch)
    return "".join(out)


def _segment(tag: str, *elements: str | tuple[str, ...]) -> str:
    parts = [tag]
    for element in elements:
        parts.append(":".join(release(c) for c in element) if isinstance(element, tuple) else release(element))
    while len(parts) > 1 and parts[-1] == "":
        parts.pop()
    return "+".join(parts) + "'"


def _stamp(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y%m%d%H%M")


def message_segments(notice: SendShipNotice, cfg: ShipNoticeConfig, at: float, reference: str) -> list[str]:
    """UNH .. UNT of the notice."""
    body = [
        _segment("UNH", reference, tuple(MESSAGE_TYPE.split(":"))),
        _segment("BGM", "351", (notice.notice_id, str(notice.version)), BGM_FUNCTION[notice.function]),
        _segment("DTM", ("137", _stamp(at), "203")),
        _segment("DTM", ("11", _stamp(notice.shipped_at), "203")),
        _segment("RFF", ("AAK", str(notice.number))),  # despatch advice number: the delivery note's
        _segment("NAD", "SE", (cfg.supplier, "", "92")),
        _segment("NAD", "ST", (cfg.ship_to, "", "92")),
        _segment("LOC", "11", notice.dock or "-"),
        _segment("CPS", "1"),
        _segment("CPS", "2", "1"),
        _segment("PAC", "1", "", notice.family),
        _segment("PCI", "17"),
        _segment("GIN", "ML", notice.rack_label),
    ]
    for n, item in enumerate(notice.items, start=3):
        body += [
            _segment("CPS", str(n), "2"),
            _segment("PAC", "1"),
            _segment("PCI", "17"),
            _segment("GIN", "ML", item.label_id),
            *_traced(item, cfg),
            _segment("LIN", str(n - 2)),
            _segment("PIA", "5", (item.part, "SA")),
            _segment("QTY", ("12", str(item.qty), item.unit)),
            _segment("RFF", ("AAN", str(item.seq))),
            _segment("GIR", "3", (item.vehicle_id, "VV")),
        ]
    body.append(_segment("UNT", str(len(body) + 1), reference))
    return body


def _traced(item: NoticeItem, cfg: ShipNoticeConfig) -> list[str]:
    """The part's scanned serial (GIN BN) and batch (GIN BX), UN/EDIFACT 7405, when the partner wants them."""
    if not cfg.traced:
        return []
    return [
        _segment("GIN", qualifier, value)
        for qualifier, value in (("BN", item.scanned_serial), ("BX", item.scanned_batch))
        if value
    ]


def write_desadv(notice: SendShipNotice, cfg: ShipNoticeConfig, *, at: float, control: str) -> bytes:
    """The whole interchange: UNA, UNB (syntax UNOC 3), the message, UNZ; ``control`` is the interchange's
    control reference (an..14, unique per sender)."""
    stamp = datetime.fromtimestamp(at, UTC)
    segments = [
        UNA,
        _segment(
            "UNB",
            ("UNOC", "3"),
            (cfg.sender_id, "ZZZ"),
            (cfg.recipient_id, "ZZZ"),
            (stamp.strftime("%y%m%d"), stamp.strftime("%H%M")),
            control,
        ),
        *message_segments(notice, cfg, at, "1"),
        _segment("UNZ", "1", control),
    ]
    return "\n".join(segments).encode("utf-8") + b"\n"
