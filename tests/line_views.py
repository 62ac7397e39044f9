"""A small, fixed line picture for the tests of what reads ``LineView`` (the OPC UA line server and its model)."""

from __future__ import annotations

from sequencer.views import Counters, DeviationView, FeedView, LineView, PickView, RackView, StationView


def picture(rev: int, *, fill: int = 1, vehicle: str = "V0001", alarms: tuple[DeviationView, ...] = ()) -> LineView:
    pick = PickView(
        pick_id=rev,
        feed="L1",
        seq=rev,
        vehicle_id=vehicle,
        family="seats",
        part="P-SEAT",
        bin="B1",
        rack_no=1,
        slot=fill,
        due_at=1.7e9,
        state="lit",
    )
    station = StationView(
        id="ST-SEAT", name="Seats", family="seats", current=pick, next=(), bins=(), ptl_device="p", printer="z"
    )
    feed = FeedView(id="L1", name="Line 1", last_seq=rev, last_broadcast_at=1.7e9, broadcasts=rev, gaps=0, duplicates=0)
    rack = RackView(feed="L1", family="seats", rack_no=1, filled=fill, capacity=6, low_seq=1, high_seq=6)
    return LineView(
        rev=rev,
        at=1.7e9,
        plant="Test plant",
        timezone="UTC",
        feeds=(feed,),
        stations=(station,),
        racks=(rack,),
        deviations=alarms,
        devices=(),
        counters=Counters(),
    )
