"""``jis report --format json|csv|pdf`` (app/persist/joint_review.py, app/cli/report_pdf.py; docs/kpis.md): the joint
review with the OEM, replayed from the journal of the run's database (SQLite, or PostgreSQL in the second pass).

One early shift is journaled: 18 seat vehicles in three racks; rack 1 ships on time by a dock scan and is acknowledged,
then a part in it is exchanged (the corrected notice is never answered); rack 2 ships late and its notice is
rejected; rack 3 ships on time and is acknowledged. Each format is read back with an independent reader (``json``,
``csv``, pypdf) and must carry the same figures.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from app.config import parse_plant
from app.persist.joint_review import RACK_FIELDS, SCHEMA, csv_sections
from app.persist.store import Store
from sequencer.commands import PrintLabel
from sequencer.core import Sequencer
from sequencer.events import (
    BinConfirmed,
    CorrectShippedRack,
    Event,
    LabelPrinted,
    RackLabelScanned,
    RackShipped,
    ShipNoticeAnswered,
    ShipNoticeSending,
    Tick,
)
from sequencer.plant import PlantConfig
from sequencer.testing import SEATS, broadcast, by_hand, lit
from tests.plants import DEMO_PLANT

ZONE = ZoneInfo("Europe/Berlin")  # the demo plant's
T0 = datetime(2026, 3, 2, 6, 30, tzinfo=ZONE).timestamp()  # in the early shift (06-14)
DUE = T0 + 7200  # the demo feed's lead time
TIMEOUT = 300.0
SHIP_NOTICES = f"""
[ship_notices]
supplier = "123456789"
ship_to = "OEMPLANT1"
ack_timeout_s = {TIMEOUT}
over_feed_link = false
"""


@pytest.fixture
def plant_file(tmp_path: Path) -> Path:
    path = tmp_path / "plant.toml"
    path.write_text(DEMO_PLANT.read_text() + SHIP_NOTICES)
    return path


def journal_a_shift(url: str, plant: PlantConfig) -> None:
    """The shift of the module's docstring, each event journaled as the service would (then handed to the core)."""
    store = Store(url)
    core = Sequencer(plant)

    def happen(event: Event) -> list[object]:
        store.append(event)
        return list(core.handle(event))

    try:
        for seq in range(1, 19):
            happen(broadcast(seq, at=T0))
        for n in range(18):
            pick = lit(core, SEATS)
            commands = happen(BinConfirmed(at=T0 + 10 + n, station=SEATS, bin=pick.bin, token=pick.pick_id))
            while labels := [c for c in commands if isinstance(c, PrintLabel)]:
                commands = []
                for c in labels:
                    commands += happen(LabelPrinted(at=T0 + 11 + n, label_id=c.label.label_id))
        happen(RackLabelScanned(at=T0 + 600, label_id="R-L1-seats-1", dock="D04"))
        happen(ShipNoticeSending(at=T0 + 601, notice_id="L1-seats-1", version=1))
        happen(ShipNoticeAnswered(at=T0 + 610, notice_id="L1-seats-1", version=1, accepted=True))
        happen(RackShipped(at=T0 + 700, feed="L1", family="seats", rack_no=3))
        happen(ShipNoticeSending(at=T0 + 701, notice_id="L1-seats-3", version=1))
        happen(ShipNoticeAnswered(at=T0 + 710, notice_id="L1-seats-3", version=1, accepted=True))
        red = "SEAT-SPORT-RED"
        happen(by_hand(CorrectShippedRack, at=T0 + 900, feed="L1", family="seats", rack_no=1, slot=2, part=red))
        happen(Tick(at=T0 + 900 + TIMEOUT + 1))  # the corrected notice: no answer
        happen(Tick(at=DUE + 100))  # rack 2 (and the bumpers, never picked) late
        happen(RackShipped(at=DUE + 600, feed="L1", family="seats", rack_no=2))
        happen(ShipNoticeSending(at=DUE + 601, notice_id="L1-seats-2", version=1))
        happen(ShipNoticeAnswered(at=DUE + 610, notice_id="L1-seats-2", version=1, accepted=False, reason="qty"))
    finally:
        store.close()


Run = Callable[..., tuple[int, str, str]]


def take(found: dict[str, object], *keys: str) -> tuple[object, ...]:
    return tuple(found[k] for k in keys)


@pytest.fixture
def report(capsys: pytest.CaptureFixture[str], jis: Callable[..., int], plant_file: Path, database_url: str) -> Run:
    journal_a_shift(database_url, parse_plant(plant_file.read_text(), str(plant_file)))

    def run(*options: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = jis("report", "--config", str(plant_file), "--database", database_url, *options)
        out, err = capsys.readouterr()
        return code, out, err

    return run


EARLY = ("--shift", "early", "--date", "2026-03-02")


def test_the_json_review_has_the_header_the_kpis_every_rack_and_the_deviations(report: Run) -> None:
    code, out, err = report(*EARLY, "--format", "json")
    assert (code, err) == (0, "")
    review = json.loads(out)
    assert review["schema"] == SCHEMA
    head = review["header"]
    assert take(head, "supplier", "partner", "supplier_plant") == (
        "123456789",
        "OEMPLANT1",
        "SC01 Sequencing Centre Demo",
    )
    assert take(head, "from", "to", "period") == (
        "2026-03-02T06:00:00+01:00",
        "2026-03-02T14:00:00+01:00",
        "early shift 2026-03-02",
    )
    k = review["kpis"]
    assert take(k, "racks_shipped", "racks_on_time", "racks_in_full", "racks_in_sequence", "racks_otif") == (
        3,
        2,
        3,
        2,
        1,
    )
    assert take(k, "parts_shipped", "parts_out_of_sequence") == (18, 1)
    assert k["sequence_ppm"] == pytest.approx(1e6 / 18)
    assert take(k, "notices", "notices_acknowledged", "notices_rejected", "notices_unanswered") == (3, 1, 1, 1)
    racks = {r["rack_no"]: r for r in review["racks"]}
    assert list(review["racks"][0]) == list(RACK_FIELDS)
    assert take(racks[1], "on_time", "in_sequence", "notice_state", "notice_version") == (
        True,
        False,
        "unanswered",
        2,
    )
    assert take(racks[2], "on_time", "otif", "notice_state", "notice_reason") == (
        False,
        False,
        "rejected",
        "qty",
    )
    assert take(racks[3], "otif", "notice_state", "seq_from", "seq_to") == (
        True,
        "acknowledged",
        13,
        18,
    )
    assert racks[1]["needed_at"] == "2026-03-02T08:30:00+01:00" and racks[1]["rack_label"] == "R-L1-seats-1"
    kinds = {d["kind"] for d in review["deviations"]}
    assert {"notice_unanswered", "notice_rejected", "late", "late_warning"} <= kinds
    assert "wrong_pick" not in kinds  # the supplier's own: not in the review


def test_the_csv_review_reads_back_with_the_same_figures(report: Run) -> None:
    code, out, _ = report(*EARLY, "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["header", "value"]
    sections = csv_sections(out)
    assert set(sections) == {"header", "kpi", "feed", "raised_at"}
    header = dict(sections["header"][1:])
    assert take(header, "supplier", "partner", "period") == (
        "123456789",
        "OEMPLANT1",
        "early shift 2026-03-02",
    )
    kpis = {r[0]: r[1:] for r in sections["kpi"][1:]}
    assert kpis["on_time_in_full"] == ["33.33", "%", "1", "3"]
    assert kpis["out_of_sequence_shipped"] == ["55555.6", "ppm", "1", "18"]
    assert kpis["notices_acknowledged"] == ["33.33", "%", "1", "3"]
    assert kpis["notices_rejected"][2:] == ["1", "3"] and kpis["notices_unanswered"][2:] == ["1", "3"]
    racks = [dict(zip(sections["feed"][0], r, strict=True)) for r in sections["feed"][1:]]
    assert [take(r, "rack_no", "otif", "notice_state") for r in racks] == [
        ("1", "no", "unanswered"),
        ("3", "yes", "acknowledged"),
        ("2", "no", "rejected"),
    ]  # in the order they shipped


def test_the_pdf_review_read_back_by_pypdf_carries_the_figures(report: Run, tmp_path: Path) -> None:
    out_file = tmp_path / "review.pdf"
    code, out, err = report(*EARLY, "--format", "pdf", "--output", str(out_file))
    assert (code, err) == (0, "")
    assert "pdf written to" in out and "3 racks" in out
    reader = PdfReader(out_file)
    text = " ".join(page.extract_text() for page in reader.pages)
    words = " ".join(text.split())
    for expected in ("JIS delivery performance", "123456789", "OEMPLANT1", "early shift 2026-03-02", "on_time_in_full",
                     "33.33", "55555.6", "unanswered", "rejected", "acknowledged", "notice_rejected"):  # fmt: skip
        assert expected in words, expected
    assert reader.metadata is not None and "SC01" in str(reader.metadata.title)


def test_a_shift_without_shipments_says_so_with_no_rates(report: Run) -> None:
    code, out, _ = report("--shift", "late", "--date", "2026-03-02", "--format", "json")
    review = json.loads(out)
    assert code == 0 and review["racks"] == [] and review["kpis"]["otif_rate"] is None
    assert review["kpis"]["notices_acknowledged_rate"] is None and review["kpis"]["sequence_ppm"] == 0.0


def test_the_day_holds_the_shift(report: Run) -> None:
    code, out, _ = report("--date", "2026-03-02", "--format", "json")
    assert code == 0 and json.loads(out)["kpis"]["racks_shipped"] == 3


def test_mistakes_are_refused_with_the_reason(report: Run) -> None:
    assert report(*EARLY, "--json", "--format", "csv")[0] == 2
    code, _, err = report(*EARLY, "--output", "x.pdf")
    assert code == 2 and "--output goes with --format" in err
    code, _, err = report("--shift", "current", "--date", "2026-03-02", "--format", "csv")
    assert code == 2 and "without --date" in err
