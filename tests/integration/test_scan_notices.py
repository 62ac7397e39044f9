"""A serial scanned at the pick reaches the partner's VDA 4913 and X12 856 ship notice, end to end: the demo-scan plant
(seats confirmed by light and a scan of the seat's serial) with ``[ship_notices] traced``, the simulated plant (its
operator scans through the TCP reader simulator, its OEM gateway reads every notice and answers) and the real
service on loopback. The dock scans the first seat rack's label; the notice in the outbox is read by position (VDA
4913) and by pyx12 (X12 856) and each part's serial compared with the one the journal traced to its vehicle
(docs/ship-notices.md, docs/scanner-tcp.md). Every wait is bounded."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
import pyx12.rawx12file as pyx12_raw
import pyx12.segment as pyx12_segment

from app.config import load_plant, with_free_ports
from app.feed.outbound.read import READERS
from app.feed.outbound.vda4913 import fields
from app.service.runtime import Service, scaled_clock
from app.service.trace import traces
from hardware_sims.plant import SimulatedPlant
from sequencer.events import RackLabelScanned
from sequencer.plant import ShipNoticeConfig
from sequencer.state import LineState
from tests.databases import fresh_database
from tests.devices import until
from tests.integration.test_scan_line import SCAN_PLANT

SEAT_RACK = 6  # the demo-scan plant's seat rack_capacity
SPEED = 50.0
NOTICE_ID = "L1-seats-1"


def scanned_in_notice(fmt: str, raw: bytes) -> list[tuple[int, str]]:
    """(sequence no., scanned serial) per part, read independently of ``app.feed.outbound.read``'s item reader."""
    if fmt == "vda4913":
        items = [fields(line) for line in raw.decode("ascii").splitlines() if line.startswith("714")]
        return [(int(f["call_off"]), f["serial"]) for f in items]
    reader = pyx12_raw.RawX12File(io.StringIO(raw.decode("ascii")))
    seg_term, ele_term, sub_term = reader.get_term()[:3]
    out: list[tuple[int, str]] = []
    serial = ""
    for text in reader:
        seg = pyx12_segment.Segment(text, seg_term, ele_term, sub_term)
        values = [seg.get_value(f"{seg.get_seg_id()}{i:02d}") or "" for i in range(1, len(seg) + 1)]
        if seg.get_seg_id() == "LIN":
            pairs = dict(zip(values[1::2], values[2::2], strict=False))
            serial = pairs.get("SN", "")
        elif seg.get_seg_id() == "REF" and values[0] == "JS":
            out.append((int(values[1]), serial))
    return out


@pytest.mark.parametrize("fmt", ["vda4913", "x12_856"])
async def test_a_scanned_serial_reaches_the_vda4913_and_x12_856_notice(tmp_path: Path, fmt: str) -> None:
    with fresh_database(tmp_path, "scan-notice.db") as database:
        plant = with_free_ports(load_plant(SCAN_PLANT), database=database)
        outbox = tmp_path / "outbox"
        plant = plant.model_copy(update={"ship_notices": ShipNoticeConfig(format=fmt, traced=True, outbox=str(outbox))})
        sim = SimulatedPlant(plant, speed=SPEED, vehicles=SEAT_RACK)
        await sim.start()
        service = Service(plant, clock=scaled_clock(SPEED))
        task = asyncio.create_task(service.run())
        try:

            def line() -> LineState:
                return service.sequencing.core.state  # the service's state once it started (not the one before)

            def labelled() -> bool:
                rack = line().racks.get(("L1", "seats", 1))
                return rack is not None and rack.closed and rack.labelled

            await until(labelled, "the first seat rack closed and labelled", within_s=60)
            rack = line().racks[("L1", "seats", 1)]
            await service.submit_checked(RackLabelScanned(at=service.clock(), label_id=rack.label_id, dock="D04"))
            await until(
                lambda: NOTICE_ID in line().notices and line().notices[NOTICE_ID].state == "acknowledged",
                "the OEM acknowledged the notice",
                within_s=60,
            )
            found = await asyncio.to_thread(traces, service.store, plant)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await sim.stop()
        [written] = list(outbox.iterdir())
        raw = written.read_bytes()
        serials = scanned_in_notice(fmt, raw)
        assert len(serials) == SEAT_RACK
        traced = {(t.seq, t.vehicle_id): t.serial for t in found if t.family == "seats"}
        by_seq = {seq: serial for (seq, _vin), serial in traced.items()}
        assert all(serial for _, serial in serials), serials
        assert serials == [(seq, by_seq[seq]) for seq, _ in serials], "each serial is the one scanned at its pick"
        vins = {seq: vin for seq, vin in traced}
        assert [(i.seq, i.vehicle_id) for i in READERS[fmt](raw).items] == [(seq, vins[seq]) for seq, _ in serials]
