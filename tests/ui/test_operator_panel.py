"""The operator HMI over a real ZeroMQ bus: what it shows, how it shows alarms, and how it shows a dead link.

Every test publishes real ``LineView`` pictures from a PUB socket on 127.0.0.1 (random port) and waits, with
bounded ``qtbot.waitUntil`` deadlines, for the screen to show them. No sleeps, no timing asserts, no randomness.
Also writes docs/screenshots/operator-panel.png (busy, live) and operator-panel-comm.png (link lost).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QEvent, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from sequencer.clone import KV
from sequencer.views import (
    BinView,
    Counters,
    DeviationView,
    DeviceView,
    FeedView,
    LineView,
    PickView,
    RackView,
    StationView,
)
from tests.ui.conftest import EPOCH, BusPublisher
from ui.bus_client import BusClient
from ui.main import OperatorWindow, build_operator_window, run_hmi
from ui.operator.panel import OperatorPanel, clock, zone_label
from ui.style import load_stylesheet
from ui.widgets import TOUCH_TARGET_MM, AlarmIndicator, BinTile, mm_to_px

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "docs" / "screenshots"
WAIT_MS = 5000  # generous deadline for loopback delivery on a loaded 2-core machine; not a timing assert
STALE_AFTER_S = 0.5
SUMMER_AT = 1_750_000_000.0  # 2025-06-15 17:06:40 CEST
WINTER_AT = 1_736_000_000.0  # 2025-01-04 15:13:20 CET

# --- realistic pictures of the demo plant (app/plants/demo.toml) ------------------------------------------

SEAT_BINS = {
    "SEAT-01": "SEAT-CLOTH-BLK",
    "SEAT-02": "SEAT-LEATH-BLK",
    "SEAT-03": "SEAT-LEATH-BLK-H",
    "SEAT-04": "SEAT-SPORT-RED",
}
BUMP_BINS = {"BMP-01": "BMP-040", "BMP-02": "BMP-040-PDC", "BMP-03": "BMP-1A2", "BMP-04": "BMP-1A2-PDC"}
# (seq, vehicle, seat bin, bumper bin): wraps 9999 -> 0 like the demo's modulus-10000 feed
VEHICLES = (
    (9996, "WVWZZZ1KZ8P012345", "SEAT-03", "BMP-02"),
    (9997, "WVWZZZ1KZ8P012346", "SEAT-01", "BMP-01"),
    (9998, "WVWZZZ1KZ8P012347", "SEAT-04", "BMP-04"),
    (9999, "WVWZZZ1KZ8P012348", "SEAT-02", "BMP-03"),
    (0, "WVWZZZ1KZ8P012349", "SEAT-03", "BMP-02"),
    (1, "WVWZZZ1KZ8P012350", "SEAT-01", "BMP-01"),
    (2, "WVWZZZ1KZ8P012351", "SEAT-02", "BMP-04"),
)
TAKT_S = 60.0


def _pick(index: int, family: str, bins: dict[str, str], column: int, capacity: int, state: str) -> PickView:
    seq, vin = VEHICLES[index][0], VEHICLES[index][1]
    bin_id = VEHICLES[index][column]
    position = 4996 + index  # the vehicle's position in the feed since the first broadcast
    return PickView(
        pick_id=100 + index * 2 + column,
        feed="L1",
        seq=seq,
        vehicle_id=vin,
        family=family,
        part=bins[bin_id],
        bin=bin_id,
        rack_no=position // capacity + 1,
        slot=position % capacity + 1,
        due_at=SUMMER_AT + 7200 + index * TAKT_S,
        state=state,  # type: ignore[arg-type]
    )


def _station(sid: str, name: str, family: str, bins: dict[str, str], column: int, capacity: int) -> StationView:
    current = _pick(0, family, bins, column, capacity, "lit")
    return StationView(
        id=sid,
        name=name,
        family=family,
        current=current,
        next=tuple(_pick(i, family, bins, column, capacity, "queued") for i in range(1, len(VEHICLES))),
        bins=tuple(BinView(id=b, light=n, part=p, lit=b == current.bin) for n, (b, p) in enumerate(bins.items(), 1)),
        ptl_device="ptl-seat" if family == "seats" else "ptl-bump",
        printer="zebra-1",
    )


DEVIATIONS = (
    DeviationView(id=11, kind="gap", priority=1, at=SUMMER_AT - 300, feed="L1", seq=9994, vehicle_id="",
                  station="", message="Sequence 9994 missing between 9993 and 9995"),
    DeviationView(id=12, kind="late_broadcast", priority=2, at=SUMMER_AT - 200, feed="L1", seq=9996,
                  vehicle_id="WVWZZZ1KZ8P012345", station="", message="Broadcast 9996 arrived 41 min before due"),
    DeviationView(id=13, kind="stale_confirm", priority=3, at=SUMMER_AT - 100, feed="L1", seq=9995,
                  vehicle_id="WVWZZZ1KZ8P012344", station="ST-SEAT", message="Confirm on SEAT-02 with no pick lit"),
    DeviationView(id=14, kind="wrong_pick", priority=1, at=SUMMER_AT - 50, feed="L1", seq=9996,
                  vehicle_id="WVWZZZ1KZ8P012345", station="ST-BUMP", message="BMP-01 confirmed, BMP-02 was lit"),
)  # fmt: skip


def busy_line(rev: int = 1, *, deviations: tuple[DeviationView, ...] = DEVIATIONS) -> LineView:
    return LineView(
        rev=rev,
        at=SUMMER_AT,
        plant="Sequencing Centre Demo",
        timezone="Europe/Berlin",
        feeds=(FeedView(id="L1", name="Assembly line 1 (trim 1)", last_seq=2, last_broadcast_at=SUMMER_AT - 20,
                        broadcasts=5003, gaps=1, duplicates=2),),
        stations=(
            _station("ST-SEAT", "Seat sequencing", "seats", SEAT_BINS, 2, 6),
            _station("ST-BUMP", "Bumper sequencing", "bumper", BUMP_BINS, 3, 8),
        ),
        racks=(RackView(feed="L1", family="seats", rack_no=833, filled=4, capacity=6, low_seq=9992, high_seq=9997),),
        deviations=deviations,
        devices=(
            DeviceView(name="ptl-seat", kind="ptl", up=True, detail=""),
            DeviceView(name="ptl-bump", kind="ptl", up=True, detail=""),
            DeviceView(name="zebra-1", kind="printer", up=True, detail=""),
        ),
        counters=Counters(vehicles_broadcast=5003, vehicles_completed=4995, racks_completed=832, labels_printed=9990),
    )  # fmt: skip


# --- fixtures and helpers -----------------------------------------------------------------------------------


@pytest.fixture
def screen(qtbot: QtBot, publisher: BusPublisher) -> Iterator[tuple[QWidget, BusClient, OperatorPanel]]:
    window, client = build_operator_window(publisher.endpoint, None, STALE_AFTER_S)
    qtbot.addWidget(window)
    window.show()
    panel = window.findChild(OperatorPanel, "operator_panel")
    assert panel is not None
    yield window, client, panel
    client.stop()


def text_of(panel: QWidget, name: str) -> str:
    widget = panel.findChild(QLabel, name)
    assert widget is not None, name
    return widget.text()


def shown(panel: QWidget, name: str) -> bool:
    widget = panel.findChild(QWidget, name)
    assert widget is not None, name
    return widget.isVisibleTo(panel)


def go_live(qtbot: QtBot, publisher: BusPublisher, client: BusClient, view: LineView) -> None:
    publisher.publish(view)
    qtbot.waitUntil(lambda: client.link_up and client.stats.shown > 0, timeout=WAIT_MS)


# --- what the operator sees ---------------------------------------------------------------------------------


def test_starts_stale_until_the_first_picture(screen: tuple[QWidget, BusClient, OperatorPanel]) -> None:
    _, client, panel = screen
    assert not client.link_up
    assert panel.property("comm") == "lost"
    assert shown(panel, "comm_tag")
    assert text_of(panel, "link_state") == "WAITING FOR DATA"


def test_current_pick_is_shown_big(qtbot: QtBot, publisher: BusPublisher, screen: tuple) -> None:
    window, client, panel = screen
    go_live(qtbot, publisher, client, busy_line())
    qtbot.waitUntil(lambda: text_of(panel, "pick_part") == "SEAT-LEATH-BLK-H", timeout=WAIT_MS)
    expected = {"pick_bin": "SEAT-03", "pick_rack": "833", "pick_slot": "5", "pick_vehicle": "WVWZZZ1KZ8P012345",
                "pick_seq": "9996", "pick_due": "19:06"}  # fmt: skip
    assert {name: text_of(panel, name) for name in expected} == expected
    assert text_of(panel, "station_name") == "ST-SEAT · Seat sequencing"
    assert "Sequencing Centre Demo" in window.windowTitle()
    assert panel.findChild(QLabel, "pick_part").font().pixelSize() >= 60  # readable at 2 m, from the stylesheet
    assert not shown(panel, "comm_tag")
    assert panel.findChild(QWidget, "pick_card").property("comm") == "ok"


def test_lit_bin_mirrors_the_light(qtbot: QtBot, publisher: BusPublisher, screen: tuple) -> None:
    _, client, panel = screen
    go_live(qtbot, publisher, client, busy_line())
    qtbot.waitUntil(lambda: panel.bin_tile("SEAT-03") is not None, timeout=WAIT_MS)
    lit = {bin_id: panel.bin_tile(bin_id).property("lit") for bin_id in SEAT_BINS}
    assert lit == {"SEAT-01": False, "SEAT-02": False, "SEAT-03": True, "SEAT-04": False}
    tile = panel.findChild(BinTile, "bin_SEAT-03")
    assert text_of(tile, "bin_SEAT-03_part") == "SEAT-LEATH-BLK-H"
    assert text_of(tile, "bin_SEAT-03_light") == "LIGHT 3"
    assert shown(tile, "bin_SEAT-03_tag")
    assert not shown(panel.bin_tile("SEAT-01"), "bin_SEAT-01_tag")


def test_next_vehicles_are_listed_in_order(qtbot: QtBot, publisher: BusPublisher, screen: tuple) -> None:
    _, client, panel = screen
    go_live(qtbot, publisher, client, busy_line())
    table = panel.next_table
    qtbot.waitUntil(lambda: table.rowCount() == len(VEHICLES) - 1, timeout=WAIT_MS)
    rows = [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]
    assert [row[0] for row in rows] == ["9997", "9998", "9999", "0", "1", "2"]  # across the 9999 -> 0 wrap
    assert rows[0] == ["9997", "WVWZZZ1KZ8P012346", "SEAT-CLOTH-BLK", "1 PCE", "833/6"]


def test_deviations_show_priority_by_colour_shape_and_number(
    qtbot: QtBot, publisher: BusPublisher, screen: tuple
) -> None:
    _, client, panel = screen
    go_live(qtbot, publisher, client, busy_line())
    qtbot.waitUntil(lambda: panel.deviation_row(11) is not None, timeout=WAIT_MS)
    p1 = panel.findChild(AlarmIndicator, "deviation_11_priority")
    assert (p1.priority, p1.shape, p1.number) == (1, "square", "1")
    p2 = panel.findChild(AlarmIndicator, "deviation_12_priority")
    p3 = panel.findChild(AlarmIndicator, "deviation_13_priority")
    assert [(i.shape, i.number) for i in (p2, p3)] == [("triangle", "2"), ("diamond", "3")]
    fills = {i.fillColor.name() for i in (p1, p2, p3)}
    assert len(fills) == 3  # three reserved colours, set by the stylesheet per [priority]
    assert panel.deviation_row(14) is None  # a wrong pick at the bumper station is not this station's business
    assert text_of(panel, "deviation_11_kind") == "GAP"
    assert text_of(panel, "deviations_count") == "3"
    names = [widget.objectName() for widget in panel.findChildren(QWidget)]
    order = [name for name in names if re.fullmatch(r"deviation_\d+", name)]
    assert order == ["deviation_11", "deviation_12", "deviation_13"]


def test_the_station_list_holds_its_own_devices_faults(qtbot: QtBot, publisher: BusPublisher, screen: tuple) -> None:
    """The core raises a device's alarm under the device's name (sequencer/rules/devices.py): the station's printer
    and lights are the station's, another station's lights are not."""
    _, client, panel = screen
    own = (
        DeviationView(id=21, kind="printer_fault", priority=1, at=SUMMER_AT - 40, feed="", seq=None, vehicle_id="",
                      station="zebra-1", message="zebra-1: head_open"),
        DeviationView(id=22, kind="device_offline", priority=2, at=SUMMER_AT - 30, feed="", seq=None, vehicle_id="",
                      station="ptl-seat", message="ptl-seat offline: no answer"),
        DeviationView(id=23, kind="device_offline", priority=1, at=SUMMER_AT - 20, feed="", seq=None, vehicle_id="",
                      station="ptl-bump", message="ptl-bump offline: no answer"),
    )  # fmt: skip
    go_live(qtbot, publisher, client, busy_line(deviations=own))
    qtbot.waitUntil(lambda: panel.deviation_row(21) is not None, timeout=WAIT_MS)
    assert panel.deviation_row(22) is not None
    assert panel.deviation_row(23) is None  # the bumper station's lights
    assert text_of(panel, "deviations_count") == "2"


def test_an_alarm_a_lead_parked_is_not_shown_at_the_line(qtbot: QtBot, publisher: BusPublisher, screen: tuple) -> None:
    """ISA-18.2: shelved, suppressed and out-of-service alarms are not annunciated; the lead's cockpit lists them."""
    _, client, panel = screen
    parked = {11: "suppressed", 12: "out_of_service", 13: "shelved"}
    deviations = tuple(d.model_copy(update={"state": parked.get(d.id, d.state)}) for d in DEVIATIONS)
    go_live(qtbot, publisher, client, busy_line(deviations=deviations))
    qtbot.waitUntil(lambda: panel.findChild(QWidget, "deviations_empty").isVisibleTo(panel), timeout=WAIT_MS)
    assert text_of(panel, "deviations_count") == ""
    assert [panel.deviation_row(i) for i in (11, 12, 13)] == [None, None, None]


def test_device_down_and_blocked_pick_are_words_not_just_colour(
    qtbot: QtBot, publisher: BusPublisher, screen: tuple
) -> None:
    _, client, panel = screen
    line = busy_line()
    seat = line.stations[0]
    blocked = seat.model_copy(update={"current": seat.current.model_copy(update={"state": "blocked"})})
    printer_down = DeviceView(name="zebra-1", kind="printer", up=False, detail="head open")
    line = line.model_copy(
        update={"stations": (blocked, line.stations[1]), "devices": (*line.devices[:2], printer_down)}
    )
    go_live(qtbot, publisher, client, line)
    qtbot.waitUntil(lambda: text_of(panel, "pick_state") == "BLOCKED", timeout=WAIT_MS)
    assert panel.findChild(QLabel, "pick_state").property("state") == "blocked"
    printer = panel.findChild(QLabel, "device_printer")
    assert (printer.text(), printer.property("state")) == ("PRINTER zebra-1  OFFLINE", "down")
    assert panel.findChild(QLabel, "device_ptl").text() == "LIGHTS ptl-seat  ONLINE"


def test_link_loss_shows_comm_and_keeps_the_last_values(qtbot: QtBot, publisher: BusPublisher, screen: tuple) -> None:
    _, client, panel = screen
    with qtbot.waitSignal(client.link_changed, timeout=WAIT_MS, check_params_cb=lambda up: up):
        publisher.publish(busy_line())
    publisher.stop()
    with qtbot.waitSignal(client.link_changed, timeout=WAIT_MS, check_params_cb=lambda up: not up):
        pass  # stale_after_s (0.5 s) of silence
    assert shown(panel, "comm_tag")
    assert shown(panel, "pick_card_comm")
    assert panel.findChild(QWidget, "pick_card").property("comm") == "lost"
    assert panel.findChild(QLabel, "pick_part").property("comm") == "lost"
    assert text_of(panel, "pick_part") == "SEAT-LEATH-BLK-H"  # stale, greyed, but still there
    assert text_of(panel, "link_state").startswith("STALE")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    panel.window().resize(1280, 800)
    assert panel.window().grab().save(str(SCREENSHOTS / "operator-panel-comm.png"))
    publisher.publish(busy_line(rev=2))  # the network comes back
    qtbot.waitUntil(lambda: client.link_up and not shown(panel, "comm_tag"), timeout=WAIT_MS)


def _kv(key: bytes, value: bytes) -> Callable[[int], list[bytes]]:
    """An update numbered next after ``seq`` (so the screen reads it) with one entry."""
    return lambda seq: [KV, EPOCH, str(seq + 1).encode(), key, value]


@pytest.mark.parametrize(
    "frames",
    [
        _kv(b"feed/L1", b"{not json"),
        _kv(b"head", b'{"rev": "seven", "at": 0, "plant": "", "timezone": "UTC"}'),
        _kv(b"head", b'{"rev": 9, "at": 0, "plant": "", "timezone": "UTC", "extra": 1}'),
        _kv(b"\xff\xfe", b"{}"),
        lambda seq: [KV, EPOCH],
    ],
    ids=["broken-json", "wrong-schema", "extra-field", "not-utf8", "truncated"],
)
def test_malformed_message_is_reported_and_the_last_good_state_kept(
    qtbot: QtBot, publisher: BusPublisher, screen: tuple, frames: Callable[[int], list[bytes]]
) -> None:
    _, client, panel = screen
    go_live(qtbot, publisher, client, busy_line(rev=3))
    qtbot.waitUntil(lambda: text_of(panel, "pick_part") == "SEAT-LEATH-BLK-H", timeout=WAIT_MS)
    with qtbot.waitSignal(client.bad_message, timeout=WAIT_MS) as blocker:
        publisher.publish_raw(frames(publisher.store.seq))
    assert blocker.args[0]
    qtbot.waitUntil(lambda: client.stats.bad >= 3, timeout=WAIT_MS)  # several bad messages, several GUI ticks
    assert text_of(panel, "pick_part") == "SEAT-LEATH-BLK-H"
    assert "rev 3" in text_of(panel, "link_state")


def test_burst_shows_only_the_newest_picture(qtbot: QtBot, publisher: BusPublisher, screen: tuple) -> None:
    _, client, panel = screen
    go_live(qtbot, publisher, client, busy_line(rev=1))
    publisher.stop()
    for rev in range(2, 202):
        publisher.publish_once(busy_line(rev=rev))
    qtbot.waitUntil(lambda: "rev 201" in text_of(panel, "link_state"), timeout=WAIT_MS)
    assert client.stats.shown < 200  # bursts are coalesced: the GUI draws the newest, not every update
    assert client.stats.bad == 0
    assert client.stats.gaps == 0  # every update arrived, in order: no snapshot needed


def test_station_selector_switches_station(qtbot: QtBot, publisher: BusPublisher, screen: tuple) -> None:
    _, client, panel = screen
    go_live(qtbot, publisher, client, busy_line())
    combo = panel.station_selector
    qtbot.waitUntil(lambda: combo.count() == 2, timeout=WAIT_MS)
    assert combo.isVisibleTo(panel)
    assert combo.height() >= mm_to_px(combo, TOUCH_TARGET_MM)
    combo.setCurrentIndex(1)
    assert text_of(panel, "station_name") == "ST-BUMP · Bumper sequencing"
    assert text_of(panel, "pick_part") == "BMP-040-PDC"
    assert panel.bin_tile("BMP-02").property("lit") is True
    assert panel.bin_tile("SEAT-03") is None
    assert panel.deviation_row(14) is not None
    assert panel.deviation_row(13) is None
    publisher.publish(busy_line(rev=2))  # the choice survives the next picture
    qtbot.waitUntil(lambda: "rev 2" in text_of(panel, "link_state"), timeout=WAIT_MS)
    assert text_of(panel, "station_name").startswith("ST-BUMP")


def test_times_are_in_the_plant_zone_with_the_zone_shown() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    assert (clock(SUMMER_AT, berlin), zone_label(SUMMER_AT, berlin)) == ("17:06:40", "CEST (Europe/Berlin)")
    assert (clock(WINTER_AT, berlin), zone_label(WINTER_AT, berlin)) == ("15:13:20", "CET (Europe/Berlin)")


def test_updated_time_shows_the_zone(qtbot: QtBot, publisher: BusPublisher, screen: tuple) -> None:
    _, client, panel = screen
    go_live(qtbot, publisher, client, busy_line())
    qtbot.waitUntil(lambda: text_of(panel, "updated_at") != "", timeout=WAIT_MS)
    assert text_of(panel, "updated_at") == "17:06:40 CEST (Europe/Berlin)"


def test_a_picture_that_leaves_the_station_as_it_was_redraws_only_the_header(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A picture of another station's change or of the clock costs the header, not the station's cards (the bins'
    restyle is the panel's dearest work); one that changes the station, the station shown or the language redraws
    them."""
    panel = OperatorPanel("ST-SEAT")
    qtbot.addWidget(panel)
    drawn: list[str | None] = []
    render_pick = panel._render_pick
    monkeypatch.setattr(
        panel, "_render_pick", lambda pick: (drawn.append(pick.bin if pick else None), render_pick(pick))
    )
    line = busy_line()
    panel.apply_line(line)
    seat, bump = line.stations
    moved_bump = bump.model_copy(update={"current": bump.next[0], "next": bump.next[1:]})
    panel.apply_line(line.model_copy(update={"rev": 2, "at": SUMMER_AT + 1, "stations": (seat, moved_bump)}))
    assert drawn == ["SEAT-03"]
    assert text_of(panel, "updated_at") == "17:06:41 CEST (Europe/Berlin)"
    moved_seat = seat.model_copy(update={"current": seat.next[0], "next": seat.next[1:]})
    panel.apply_line(line.model_copy(update={"rev": 3, "stations": (moved_seat, moved_bump)}))
    assert drawn == ["SEAT-03", "SEAT-01"] and text_of(panel, "pick_part") == "SEAT-CLOTH-BLK"
    panel.show_station("ST-BUMP")
    assert drawn[-1] == "BMP-01"
    QApplication.sendEvent(panel, QEvent(QEvent.Type.LanguageChange))
    assert len(drawn) == 4


def test_none_survives_many_qt_calls_returning_none(qtbot: QtBot) -> None:
    """PySide6 6.12.0 drops a reference to None per such call on CPython 3.11 and aborts the process
    ("none_dealloc") within a minute of a busy screen; 6.11.3 is pinned for that. This pins the pin."""
    lab = QLabel()
    qtbot.addWidget(lab)
    before = sys.getrefcount(None)
    for i in range(50_000):  # ~ 15 min of a busy screen at 10 Hz
        lab.setText(str(i % 7))
    assert abs(sys.getrefcount(None) - before) < 1_000


def test_run_hmi_runs_until_the_window_closes(qtbot: QtBot, publisher: BusPublisher, tmp_path: Path) -> None:
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))  # not ~/.config
    publisher.publish(busy_line())
    titles: list[str] = []
    ticks = iter(range(200))  # watchdog: at most 200 x 50 ms, then close regardless

    def close_when_live() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, OperatorWindow) and w.isVisible()]
        live = [w for w in windows if "Sequencing Centre Demo" in w.windowTitle()]
        titles.extend(w.windowTitle() for w in live)
        if live or next(ticks, None) is None:
            for window in windows:
                window.close()

    watchdog = QTimer()
    watchdog.timeout.connect(close_when_live)
    watchdog.start(50)
    code = run_hmi(publisher.endpoint, station="ST-BUMP")
    watchdog.stop()
    assert code == 0
    assert titles == ["JIS operator — Sequencing Centre Demo — ST-BUMP"]
    assert list(tmp_path.rglob("hmi-operator*"))  # the window geometry was remembered


def test_run_hmi_kiosk_locks_the_panel_to_its_station(qtbot: QtBot, publisher: BusPublisher, tmp_path: Path) -> None:
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))  # not ~/.config
    publisher.publish(busy_line())
    seen: list[tuple[bool, str | None]] = []
    ticks = iter(range(200))  # watchdog: at most 200 x 50 ms, then close regardless

    def close_when_live() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, OperatorWindow) and w.isVisible()]
        live = [w for w in windows if "Sequencing Centre Demo" in w.windowTitle()]
        seen.extend((w.panel.station_selector.locked, w.panel.station_id) for w in live)
        if live or next(ticks, None) is None:
            for window in windows:
                window.close()

    watchdog = QTimer()
    watchdog.timeout.connect(close_when_live)
    watchdog.start(50)
    code = run_hmi(publisher.endpoint, station="ST-BUMP", kiosk=True)
    watchdog.stop()
    assert code == 0
    assert seen == [(True, "ST-BUMP")]


def test_unknown_role_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown HMI role"):
        run_hmi("tcp://127.0.0.1:1", role="janitor")


def test_no_colour_is_hard_coded_in_python() -> None:
    sources = {p.name: p.read_text() for p in (REPO / "ui").glob("*.py")}
    colour = re.compile(r"#[0-9a-fA-F]{3,8}\b|QColor\(\s*['\"\d]|GlobalColor|rgb\(")
    assert {name: colour.findall(text) for name, text in sources.items() if colour.search(text)} == {}
    qss = load_stylesheet()
    assert '[priority="1"]' in qss
    assert '[comm="lost"]' in qss


def test_screenshot_of_a_busy_panel(qtbot: QtBot, publisher: BusPublisher, screen: tuple) -> None:
    window, client, panel = screen
    window.resize(1280, 800)
    go_live(qtbot, publisher, client, busy_line(rev=4812))
    qtbot.waitUntil(lambda: panel.deviation_row(13) is not None and "rev 4812" in text_of(panel, "link_state"),
                    timeout=WAIT_MS)  # fmt: skip
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    QApplication.sendPostedEvents()  # the layouts the new picture asked for, before the picture is taken
    image = window.grab()
    assert (image.width(), image.height()) == (1280, 800)
    assert image.save(str(SCREENSHOTS / "operator-panel.png"))
