"""Issue 16 item 4, the core: a broadcast line's quantity is kept per pick, lit on the bin's display and printed on
the part label; the OEM's required time is the due time (the feed's lead time the fallback). The time comes from
the event: the core reads no clock."""

from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.feed.formats import parse_bytes
from app.feed.protocol import DIGEST_HEX, BadBroadcast, broadcast_identity, decode_broadcast
from app.service.intake import broadcast_event
from sequencer.commands import LightBin, PrintLabel
from sequencer.core import Sequencer
from sequencer.events import BroadcastReceived
from sequencer.labels import PartLabel
from sequencer.testing import BUMPERS, SEATS, broadcast, lit, of, press_lit
from tests.plants import demo_plant

PLANT = demo_plant()
LEAD = PLANT.feeds[0].lead_time_s
NAMED = (("bumper", "BMP-040"), ("seats", "SEAT-CLOTH-BLK"))


def named(seq: int, at: float = 0.0, **extra: object) -> BroadcastReceived:
    """A broadcast naming its parts (as EDI files do), with quantities and a required time when given."""
    event = broadcast(seq, at, options=(), parts=NAMED)
    return BroadcastReceived(**{**{f: getattr(event, f) for f in event.__slots__}, **extra})  # type: ignore[arg-type]


def test_a_quantity_is_kept_per_pick_lit_on_the_display_and_printed_on_the_label() -> None:
    core = Sequencer(PLANT)
    commands = core.handle(named(1, quantities=(("seats", 4),)))
    displays = {c.bin: c.display for c in of(LightBin, commands)}
    assert sorted(displays.values()) == [1, 4]  # the seat's bin shows 4, the bumper's 1
    picks = {p.family: p for p in core.state.picks.values()}
    assert (picks["seats"].qty, picks["bumper"].qty) == (4, 1)
    assert displays == {picks["seats"].bin: 4, picks["bumper"].bin: 1}
    assert lit(core, SEATS).pick_id == picks["seats"].pick_id and lit(core, BUMPERS).pick_id == picks["bumper"].pick_id
    labels = [c.label for c in of(PrintLabel, press_lit(core, SEATS, 1.0)) if isinstance(c.label, PartLabel)]
    assert [label.qty for label in labels] == [4]


def test_a_change_of_quantity_alone_is_a_change_that_picks_again() -> None:
    core = Sequencer(PLANT)
    core.handle(named(1, quantities=(("seats", 2),)))
    resend = core.handle(named(1, 1.0, quantities=(("seats", 2),)))
    assert not of(LightBin, resend)  # the same quantity again: an identical resend
    changed = core.handle(named(1, 2.0, function="change", quantities=(("seats", 3),)))
    assert [c.display for c in of(LightBin, changed)] == [3]
    live = [p for p in core.state.picks.values() if p.family == "seats" and p.status != "cancelled"]
    assert [p.qty for p in live] == [3] and lit(core, SEATS).pick_id == live[0].pick_id


def test_the_required_time_is_the_due_time_and_the_lead_time_the_fallback() -> None:
    core = Sequencer(PLANT)
    core.handle(named(1, 100.0, required_at=5_000.0))
    core.handle(named(2, 200.0))
    due = {v.seq: v.due_at for v in core.state.feeds["L1"].vehicles.values()}
    assert due == {1: 5_000.0, 2: 200.0 + LEAD}
    assert {p.seq: p.due_at for p in core.state.picks.values()} == due


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=9999),
            st.integers(min_value=1, max_value=9999),
            st.none() | st.floats(min_value=1.0, max_value=1e10),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_every_pick_takes_its_lines_quantity_and_every_vehicle_its_due_time(
    lines: list[tuple[int, int, float | None]],
) -> None:
    core = Sequencer(PLANT)
    for seq, (seat_qty, bumper_qty, required) in enumerate(lines, start=1):
        quantities = tuple((f, n) for f, n in (("bumper", bumper_qty), ("seats", seat_qty)) if n != 1)
        core.handle(named(seq, float(seq), quantities=quantities, required_at=required))
    vehicles = core.state.feeds["L1"].vehicles
    for seq, (seat_qty, bumper_qty, required) in enumerate(lines, start=1):
        vehicle = next(v for v in vehicles.values() if v.seq == seq)
        assert vehicle.due_at == (required if required is not None else seq + LEAD)
        picks = {core.state.picks[p].family: core.state.picks[p] for p in vehicle.picks}
        assert (picks["seats"].qty, picks["bumper"].qty) == (seat_qty, bumper_qty)
        assert all(p.due_at == vehicle.due_at for p in picks.values())


# -- the feed body -------------------------------------------------------------------------------------------------
ORDER = {
    "feed": "L1", "seq": 42, "vehicle_id": "WVWZZZ1KZRW000042", "function": "original", "firm": True,
    "options": [], "parts": {"seats": "SEAT-CLOTH-BLK"}, "sent_at": 1741166100.25, "reporting_point": "", "line": "A1",
}  # fmt: skip


def body(**changes: object) -> bytes:
    return json.dumps({**ORDER, **changes}).encode()


def test_the_feed_carries_a_quantity_per_named_part_and_a_required_time() -> None:
    message = decode_broadcast(body(qty={"seats": 3}, required_at=1741170000.0))
    assert (message.quantity("seats"), message.required_at) == (3, 1741170000.0)
    event = broadcast_event(message, 1741166101.0)
    assert (event.quantities, event.required_at) == ((("seats", 3),), 1741170000.0)
    assert broadcast_event(decode_broadcast(body(qty={"seats": 1})), 1.0).quantities == ()  # 1 is the default


def test_an_older_gateways_body_keeps_its_identity_and_a_quantity_makes_another() -> None:
    plain = decode_broadcast(body())
    old = json.dumps(
        plain.model_dump(mode="json", exclude={"qty", "required_at"}), sort_keys=True, separators=(",", ":")
    )
    assert broadcast_identity(plain).endswith(hashlib.sha256(old.encode()).hexdigest()[:DIGEST_HEX])
    assert plain.encode() == body().replace(b", ", b",").replace(b": ", b":")  # nothing added to its body
    assert broadcast_identity(decode_broadcast(body(qty={"seats": 2}))) != broadcast_identity(plain)
    assert broadcast_identity(decode_broadcast(body(required_at=5.0))) != broadcast_identity(plain)


@pytest.mark.parametrize(
    ("qty", "why"),
    [
        ({"bumper": 2}, "quantity for family 'bumper', which names no part in parts"),
        ({"seats": 0}, "quantity 0 of family 'seats' is outside 1..9999"),
        ({"seats": 10_000}, "quantity 10000 of family 'seats' is outside 1..9999"),
        ({"seats": "2"}, "qty"),
        ({"seats": True}, "qty"),
    ],
)
def test_a_bad_quantity_is_refused_naming_it(qty: object, why: str) -> None:
    with pytest.raises(BadBroadcast, match=why):
        decode_broadcast(body(qty=qty))


def test_a_json_file_in_the_feed_shape_carries_its_quantities() -> None:
    families = {"SEAT-CLOTH-BLK": "seats"}
    result = parse_bytes(body(qty={"seats": 2}, required_at=1741170000.0), family_of_part=families)
    assert result.ok and [(p.part, p.qty) for p in result.broadcasts[0].parts] == [("SEAT-CLOTH-BLK", 2)]
    assert result.broadcasts[0].required_at == 1741170000.0
    (problem,) = parse_bytes(body(qty={"bumper": 2}), family_of_part=families).problems
    assert "qty names a family that parts does not" in problem.reason


def test_a_change_with_a_new_required_time_moves_the_due_time_of_the_vehicle_and_its_picks() -> None:
    core = Sequencer(PLANT)
    core.handle(named(1, 100.0, required_at=9_000.0))
    core.handle(named(1, 200.0, function="change", required_at=6_000.0))
    (vehicle,) = core.state.feeds["L1"].vehicles.values()
    live = [p for p in core.state.picks.values() if p.status != "cancelled"]
    assert vehicle.due_at == 6_000.0 and live and all(p.due_at == 6_000.0 for p in live)
    assert all(r.due_at <= 6_000.0 for r in core.state.racks.values())
    core.handle(named(1, 300.0, function="change"))  # a change without one keeps it
    assert vehicle.due_at == 6_000.0
