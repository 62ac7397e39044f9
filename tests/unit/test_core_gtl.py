"""What the core puts on a label beyond its part (Odette GTL): the serial from the reserved block, supplier no.,
the OEM's part no., ship-to and unloading point, date; the rack label's slot list; the ship notice quoting the
same serials; and the dock scan of a rack label's serial."""

from __future__ import annotations

from plc_io.zpl_labels.layouts import label_date
from sequencer.commands import PrintLabel, SendShipNotice
from sequencer.core import Sequencer
from sequencer.events import LabelSerialsReserved, RackLabelScanned
from sequencer.labels import PartLabel, RackLabel
from sequencer.plant import PlantConfig, ShipNoticeConfig, parse_plant
from sequencer.testing import SEAT_RACK, SEATS, broadcast, of, pick_and_print
from tests.plants import DEMO_PLANT

T0 = 1_796_626_800.0  # 2026-12-07 08:00 in Berlin


def gtl_plant() -> PlantConfig:
    text = DEMO_PLANT.read_text()  # [labels] supplier 471100, ship_to OEMPLANT1
    text = text.replace('number = "SEAT-CLOTH-BLK"\n', 'number = "SEAT-CLOTH-BLK"\ncustomer_number = "5G0881105AB"\n')
    assert "customer_number" in text
    return parse_plant(text, "plant.toml").model_copy(update={"ship_notices": ShipNoticeConfig()})


def seat_rack(core: Sequencer) -> list[PrintLabel]:
    for seq in range(1, SEAT_RACK + 1):
        core.handle(broadcast(seq, at=T0, options=("S1", "P040")))
    return [c for _ in range(SEAT_RACK) for c in of(PrintLabel, pick_and_print(core, SEATS, at=T0 + 60))]


def test_labels_carry_the_gtl_fields_and_serials_from_the_reserved_block() -> None:
    core = Sequencer(gtl_plant())
    core.handle(LabelSerialsReserved(at=T0, first=1_000, last=1_999))
    asked = seat_rack(core)
    parts = [c.label for c in asked if isinstance(c.label, PartLabel)]
    (rack,) = [c.label for c in asked if isinstance(c.label, RackLabel)]
    assert [p.serial for p in parts] == [f"471100{n:010d}" for n in range(1_000, 1_000 + SEAT_RACK)]
    assert rack.serial == f"471100{1_000 + SEAT_RACK:010d}"  # the rack's after its parts'
    first = parts[0]
    assert (first.supplier, first.customer_part, first.part) == ("471100", "5G0881105AB", "SEAT-CLOTH-BLK")
    assert (first.ship_to, first.unloading_point, label_date(first)) == ("OEMPLANT1", "D04", "261207")
    assert (rack.supplier, rack.ship_to, label_date(rack), rack.qty) == ("471100", "OEMPLANT1", "261207", SEAT_RACK)
    assert [(s.slot, s.seq, s.serial) for s in rack.contents] == [(p.slot, p.seq, p.serial) for p in parts]


def test_the_ship_notice_quotes_the_serials_and_a_scan_of_the_rack_serial_ships_it() -> None:
    core = Sequencer(gtl_plant())
    core.handle(LabelSerialsReserved(at=T0, first=1, last=99))
    asked = seat_rack(core)
    serials = [c.label.serial for c in asked if isinstance(c.label, PartLabel)]
    (rack,) = [c.label for c in asked if isinstance(c.label, RackLabel)]
    (notice,) = of(SendShipNotice, core.handle(RackLabelScanned(at=T0 + 600, label_id="5J" + rack.serial, dock="D04")))
    assert notice.rack_label == rack.serial
    assert sorted(item.label_id for item in notice.items) == sorted(serials)


def test_a_reprint_keeps_its_serial() -> None:
    from sequencer.events import ReprintLabel

    core = Sequencer(gtl_plant())
    core.handle(LabelSerialsReserved(at=T0, first=1, last=99))
    first = seat_rack(core)[0].label
    (again,) = of(
        PrintLabel, core.handle(ReprintLabel(at=T0 + 100, user="lars", reason="torn", label_id=first.label_id))
    )
    assert (again.label.serial, again.label.reprint) == (first.serial, 1)
