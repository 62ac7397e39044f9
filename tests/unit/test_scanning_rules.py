"""The scanning rules (``sequencer.rules.scanning``): a scan confirms, records or refuses, per family's ``confirm``.

The demo plant with its seats confirmed by ``both`` (light and scan, serials on the label) and its bumpers by
``scan`` alone (batches on the label).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from sequencer.commands import PartTraced, PrintLabel
from sequencer.core import Sequencer
from sequencer.events import BinConfirmed, PartScanned
from sequencer.plant import FamilyConfig, PlantConfig
from sequencer.rules.scanning import SCAN_OUTCOMES, classify, read_code
from sequencer.testing import BUMPERS, SEATS, broadcast, fed, kinds, lit, of, press_lit, with_family
from tests.plants import demo_plant

SEAT_PATTERNS = (r"P(?P<part>SEAT-[A-Z-]+)\+S(?P<serial>[0-9]{6,12})",)
BUMP_PATTERNS = (r"P(?P<part>BMP-[0-9A-Z-]+)\+H(?P<batch>[0-9A-Z]{4,10})", r"(?P<part>BMP-[0-9A-Z-]+)")


def scan_plant() -> PlantConfig:
    plant = with_family(demo_plant(), "seats", confirm="both", scan_patterns=SEAT_PATTERNS)
    return with_family(plant, "bumper", confirm="scan", scan_patterns=BUMP_PATTERNS)


def scan(core: Sequencer, code: str, station: str = SEATS, at: float = 1.0) -> list[object]:
    return list(core.handle(PartScanned(at=at, station=station, code=code, raw=code.encode().hex(), source="test")))


def test_both_needs_the_press_and_the_scan_in_either_order() -> None:
    core = fed(scan_plant(), broadcast(1), broadcast(2))
    first = lit(core)
    assert first.part == "SEAT-CLOTH-BLK"
    assert not of(PrintLabel, press_lit(core))  # pressed: not picked yet
    out = scan(core, "PSEAT-CLOTH-BLK+S00012345")
    (traced,) = of(PartTraced, out)
    assert (traced.vehicle_id, traced.serial, traced.slot) == ("VIN00001", "00012345", first.slot)
    assert of(PrintLabel, out)  # both done: picked, its label asked for
    second = lit(core)
    assert second.pick_id != first.pick_id
    assert not of(PrintLabel, scan(core, "PSEAT-CLOTH-BLK+S00012346", at=2))  # scanned first this time
    assert of(PrintLabel, press_lit(core, at=3))


def test_scan_only_confirms_with_the_scan_and_a_press_is_not_a_confirm() -> None:
    core = fed(scan_plant(), broadcast(1))
    assert kinds(press_lit(core, BUMPERS)) == ["scan_needed"]
    out = scan(core, "PBMP-040+HB2024X", BUMPERS)
    (traced,) = of(PartTraced, out)
    assert (traced.batch, traced.serial, traced.part) == ("B2024X", "", "BMP-040")
    assert of(PrintLabel, out)


def test_a_scan_of_another_part_is_a_wrong_pick_that_blocks_the_slot() -> None:
    core = fed(scan_plant(), broadcast(1), broadcast(2))
    out = scan(core, "PBMP-1A2+HB2024X", BUMPERS)
    assert kinds(out) == ["wrong_pick"]
    assert not of(PartTraced, out)
    assert scan(core, "PBMP-040+HB2024X", BUMPERS) == []  # blocked: only a correction moves it on


def test_a_part_code_of_another_family_is_a_wrong_pick() -> None:
    core = fed(scan_plant(), broadcast(1))
    assert kinds(scan(core, "BMP-040")) == ["wrong_pick"]


@pytest.mark.parametrize("code", ["NOREAD", "PSEAT-CLOTH-BLK+S12", "", "P\x00SEAT"])
def test_no_part_code_at_all_asks_for_a_scan_again_and_blocks_nothing(code: str) -> None:
    core = fed(scan_plant(), broadcast(1))
    assert kinds(scan(core, code)) == ["scan_unreadable"]
    press_lit(core)
    assert of(PrintLabel, scan(core, "PSEAT-CLOTH-BLK+S00012345"))


def test_a_duplicate_read_is_one_read_and_a_serial_is_scanned_for_one_part_only() -> None:
    core = fed(scan_plant(), broadcast(1), broadcast(2))
    assert of(PartTraced, scan(core, "PSEAT-CLOTH-BLK+S00012345"))
    assert scan(core, "PSEAT-CLOTH-BLK+S00012345") == []  # the reader read it twice: nothing new
    press_lit(core)  # picked
    out = scan(core, "PSEAT-CLOTH-BLK+S00012345", at=3)  # the same serial for the next vehicle
    assert kinds(out) == ["serial_repeated"]
    assert not of(PrintLabel, press_lit(core, at=4))  # not picked: the scan did not match


def test_a_scan_with_nothing_lit_is_stale() -> None:
    core = Sequencer(scan_plant())
    assert kinds(scan(core, "PSEAT-CLOTH-BLK+S00012345")) == ["stale_confirm"]


def test_a_light_family_records_a_matching_scan_and_still_needs_its_press() -> None:
    plant = with_family(demo_plant(), "seats", scan_patterns=SEAT_PATTERNS)
    core = fed(plant, broadcast(1))
    out = scan(core, "PSEAT-CLOTH-BLK+S00000001")
    assert of(PartTraced, out) and not of(PrintLabel, out)
    assert of(PrintLabel, press_lit(core))


def test_every_outcome_has_a_rule() -> None:
    assert set(SCAN_OUTCOMES) == {"blocked", "no_pick_lit", "unreadable", "wrong_part", "repeated",
                                  "serial_repeated", "matched"}  # fmt: skip


def test_plant_patterns_are_checked() -> None:
    with pytest.raises(ValidationError, match="named group"):
        FamilyConfig(id="x", station="S", rack_capacity=1, scan_patterns=("(?P<serial>\\d+)",))
    with pytest.raises(ValidationError, match="part, serial and batch only"):
        FamilyConfig(id="x", station="S", rack_capacity=1, scan_patterns=("(?P<part>\\w+)(?P<lot>\\d)",))
    with pytest.raises(ValidationError, match="needs at least one"):
        FamilyConfig(id="x", station="S", rack_capacity=1, confirm="scan")
    with pytest.raises(ValidationError, match="not a regular expression"):
        FamilyConfig(id="x", station="S", rack_capacity=1, scan_patterns=("(?P<part>",))


@settings(max_examples=200, deadline=None)
@given(serial=st.from_regex(r"[0-9]{6,12}", fullmatch=True), junk=st.text(max_size=30))
def test_a_code_matches_in_full_or_not_at_all(serial: str, junk: str) -> None:
    core = Sequencer(scan_plant())
    reading = read_code(core.state, f"PSEAT-SPORT-RED+S{serial}", first="seats")
    assert reading is not None and (reading.part, reading.serial) == ("SEAT-SPORT-RED", serial)
    noisy = read_code(core.state, f"{junk}PSEAT-SPORT-RED+S{serial}x", first="seats")
    assert noisy is None or noisy.family == "bumper"  # never the seat part with a wrong serial


@settings(max_examples=100, deadline=None)
@given(codes=st.lists(st.text(max_size=40), max_size=8))
def test_any_reads_leave_the_core_consistent_and_replayable(codes: list[str]) -> None:
    """Whatever a reader sends, the core answers (never raises), and a replay gives the same state."""
    events = [broadcast(1), broadcast(2)]
    events += [PartScanned(at=1 + i, station=SEATS, code=c) for i, c in enumerate(codes)]
    events += [BinConfirmed(at=20, station=SEATS, bin="SEAT-01")]
    a, b = fed(scan_plant(), *events), fed(scan_plant(), *events)
    assert a.fingerprint() == b.fingerprint()
    station = a.state.stations[SEATS]
    assert classify(a.state, station, "NOREAD")[0] in SCAN_OUTCOMES


def test_the_ship_notice_carries_each_parts_scanned_serial() -> None:
    """A shipped rack's notice items carry the serial (and batch) scanned for each part's pick."""
    from sequencer.commands import SendShipNotice
    from sequencer.events import LabelPrinted, RackShipped
    from sequencer.plant import ShipNoticeConfig
    from sequencer.testing import SEAT_RACK

    plant = with_family(scan_plant(), "seats", confirm="scan").model_copy(
        update={"ship_notices": ShipNoticeConfig(traced=True)}
    )
    core = fed(plant, *(broadcast(seq) for seq in range(1, SEAT_RACK + 1)))
    for n in range(1, SEAT_RACK + 1):
        out = scan(core, f"PSEAT-CLOTH-BLK+S{n:08d}", at=float(n))
        for label in of(PrintLabel, out):
            core.handle(LabelPrinted(at=n + 0.5, label_id=label.label.label_id))
    (notice,) = of(SendShipNotice, core.handle(RackShipped(at=20, feed="L1", family="seats", rack_no=1)))
    assert [(i.seq, i.scanned_serial, i.scanned_batch) for i in notice.items] == [
        (n, f"{n:08d}", "") for n in range(1, 7)
    ]


@pytest.mark.parametrize("traced", [True, False], ids=["traced", "plain"])
def test_the_rack_label_waits_for_its_scans_and_lists_them_when_the_template_asks(traced: bool) -> None:
    """A scan-only seat's pick is picked only once scanned (a press is not enough), so its rack closes, and its
    label is asked for, only after every slot's scan; with ``[labels] traced`` each slot carries the serial scanned
    at its pick, without it none."""
    from sequencer.events import LabelPrinted
    from sequencer.labels import RackLabel
    from sequencer.testing import SEAT_RACK

    plant = with_family(scan_plant(), "seats", confirm="scan")
    plant = plant.model_copy(update={"labels": plant.labels.model_copy(update={"traced": traced})})
    core = fed(plant, *(broadcast(seq) for seq in range(1, SEAT_RACK + 1)))

    def racks_asked(commands: list[object]) -> list[RackLabel]:
        return [c.label for c in of(PrintLabel, commands) if isinstance(c.label, RackLabel)]

    for n in range(1, SEAT_RACK + 1):
        assert kinds(press_lit(core, at=float(n))) == ["scan_needed"]  # the press does not pick it
        out = scan(core, f"PSEAT-CLOTH-BLK+S{n:08d}", at=n + 0.2)
        assert not racks_asked(out)  # the part label first
        (part,) = of(PrintLabel, out)
        out = core.handle(LabelPrinted(at=n + 0.5, label_id=part.label.label_id))
        assert bool(racks_asked(out)) == (n == SEAT_RACK), n  # only once the last slot's scan is in
    (rack,) = racks_asked(out)
    assert [(s.seq, s.scanned_serial, s.scanned_batch) for s in rack.contents] == [
        (n, f"{n:08d}" if traced else "", "") for n in range(1, SEAT_RACK + 1)
    ]


def test_the_screens_see_what_a_lit_pick_still_needs() -> None:
    """The PICK NOW card's words come from the view: a both family needs its scan and its press, each once."""
    core = fed(scan_plant(), broadcast(1))
    assert (lit(core).waiting_for, lit(core, BUMPERS).waiting_for) == ("scan and press", "scan")
    press_lit(core)
    assert lit(core).waiting_for == "scan"
    light = fed(with_family(demo_plant(), "seats", scan_patterns=SEAT_PATTERNS), broadcast(1))
    assert lit(light).waiting_for == ""
