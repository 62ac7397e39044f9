"""From the core's ``SendShipNotice`` to the bytes the partner reads, by the format the plant file names.

What it must not do: send or store anything (``app.service.notices`` journals, then sends).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.feed.outbound.desadv import write_desadv
from app.feed.outbound.vda4913 import write_vda4913
from app.feed.outbound.x12_856 import write_x12_856
from sequencer.commands import SendShipNotice
from sequencer.plant import ShipNoticeConfig

EXTENSION = {"desadv": "edi", "vda4913": "txt", "x12_856": "x12"}


@dataclass(frozen=True)
class BuiltNotice:
    format: str
    body: bytes
    file_name: str  # in the EDI gateway's outbox


def format_of(cfg: ShipNoticeConfig, feed: str) -> str:
    return cfg.feed_formats.get(feed, cfg.format)


def build_notice(notice: SendShipNotice, cfg: ShipNoticeConfig) -> BuiltNotice:
    """The notice in its feed's format, dated when the core asked for this version: the same version always builds
    the same bytes (sent again after a restart). The interchange control reference / transmission number is the
    delivery note's number and version."""
    at = notice.issued_at
    fmt = format_of(cfg, notice.feed)
    control = f"{notice.number}{notice.version:02d}"
    if fmt == "vda4913":
        body = write_vda4913(notice, cfg, at=at, transmission=int(control))
    elif fmt == "x12_856":
        body = write_x12_856(notice, cfg, at=at, control=int(control))
    else:
        body = write_desadv(notice, cfg, at=at, control=control)
    name = f"{notice.notice_id}-v{notice.version}.{EXTENSION[fmt]}"
    return BuiltNotice(format=fmt, body=body, file_name=name)
