"""The shift lead's cockpit over a real ZeroMQ bus: overview, deviations, trends and KPIs, quarantine, export, view.

Every picture travels from a real PUB socket on 127.0.0.1 (random port) through ``BusClient`` to the window;
tests wait with bounded ``qtbot.waitUntil`` deadlines, never sleep, never assert timings. The command channel
here is a ROUTER that never answers (operations are tested in test_cockpit_ops.py against the real command
server). Writes docs/screenshots/cockpit-overview.png, -deviations, -trends, -quarantine, -notices and -comm.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import zmq
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QFontMetrics, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QWidget
from pytestqt.qtbot import QtBot

from sequencer.core import Sequencer
from sequencer.plant import CalendarConfig
from sequencer.projection import line_view
from sequencer.views import DeviationView, DeviceView, KpiView, LineView, NoticeView
from tests.plants import demo_plant
from tests.ui.conftest import BusPublisher
from tests.ui.test_operator_panel import DEVIATIONS, SUMMER_AT, busy_line
from ui.cockpit import notices
from ui.cockpit.shift import DeviationLog, shift_of
from ui.cockpit.trends import REDRAW_MS, Ring
from ui.cockpit.widgets import BLINK_ROLE, PRIORITY_ROLE, cell, scaled_stylesheet, table_rows
from ui.cockpit.window import DOCKS, CockpitWindow, build_lead_window
from ui.command_client import default_command_endpoint
from ui.main import ROLE_WINDOWS, run_hmi
from ui.style import load_stylesheet
from ui.widgets import clock

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WAIT_MS = 5000  # a deadline for loopback delivery on a loaded 2-core machine, not a timing assert
STALE_AFTER_S = 0.5
BERLIN = ZoneInfo("Europe/Berlin")

MORE_DEVIATIONS = (
    DeviationView(id=15, kind="printer_fault", priority=1, at=SUMMER_AT - 400, feed="", seq=None, vehicle_id="",
                  station="zebra-1", message="zebra-1: head open", state="active_acknowledged"),
    DeviationView(id=16, kind="malformed", priority=2, at=SUMMER_AT - 900, feed="L1", seq=None, vehicle_id="",
                  station="", message="quarantined #3: DELJIT UNT segment count 41, counted 40",
                  state="returned_unacknowledged", active=False),
    DeviationView(id=17, kind="hold", priority=3, at=SUMMER_AT - 1200, feed="L1", seq=9999,
                  vehicle_id="WVWZZZ1KZ8P012348", station="", message="L1 9999 held by lena: paint repair",
                  state="shelved"),
)  # fmt: skip
# 13 acknowledged, the rest of the operator panel's four as they come: active, unacknowledged
LEAD_DEVIATIONS = (*DEVIATIONS[:2], DEVIATIONS[2].model_copy(update={"state": "active_acknowledged"}), DEVIATIONS[3])
OPEN = (*LEAD_DEVIATIONS, *MORE_DEVIATIONS)
BUSY_KPIS = KpiView(sequence_error_ppm=312.5, on_time_rate=0.982, picks_per_hour=104, takt_picks_per_hour=120.0,
                    pick_accuracy=0.9991, open_deviations=7, mean_time_to_resolve_s=420.0, broadcasts_per_hour=58,
                    seconds_since_last_broadcast=20.0, buffer_minutes=112.0, vehicles_completed=4995,
                    racks_shipped=830)  # fmt: skip


def cockpit_line(rev: int = 1, *, at: float = SUMMER_AT, deviations: tuple[DeviationView, ...] | None = None,
                 kpis: KpiView = BUSY_KPIS) -> LineView:  # fmt: skip
    """The operator panel's busy picture plus what a lead sees: KPIs, a printer down, quarantine, a shelved hold."""
    line = busy_line(rev, deviations=OPEN if deviations is None else deviations)
    devices = (*line.devices[:2], DeviceView(name="zebra-1", kind="printer", up=False, detail="head open"))
    counters = line.counters.model_copy(update={"quarantined": 2})
    return line.model_copy(update={"at": at, "kpis": kpis, "devices": devices, "counters": counters})


@pytest.fixture
def silent_service() -> Iterator[str]:
    """A command endpoint that accepts connections and never answers (no operation is sent in these tests)."""
    sock = zmq.Context.instance().socket(zmq.ROUTER)
    sock.setsockopt(zmq.LINGER, 0)
    port = sock.bind_to_random_port("tcp://127.0.0.1")
    yield f"tcp://127.0.0.1:{port}"
    sock.close(linger=0)


def lead_settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "hmi-lead.ini"), QSettings.Format.IniFormat)  # never the user's own


@pytest.fixture
def cockpit(qtbot: QtBot, publisher: BusPublisher, silent_service: str, tmp_path: Path) -> Iterator[CockpitWindow]:
    window, bus = build_lead_window(publisher.endpoint, None, STALE_AFTER_S, commands=silent_service,
                                    settings=lead_settings(tmp_path))  # fmt: skip
    assert isinstance(window, CockpitWindow)
    qtbot.addWidget(window)
    window.show()
    yield window
    bus.stop()
    window.commands.stop()


def show(qtbot: QtBot, publisher: BusPublisher, window: CockpitWindow, line: LineView) -> None:
    publisher.publish(line)
    qtbot.waitUntil(lambda: window.line is not None and window.line.rev == line.rev and window.bus.link_up,
                    timeout=WAIT_MS)  # fmt: skip


def text(window: QWidget, name: str) -> str:
    found = window.findChild(QLabel, name)
    assert found is not None, name
    return found.text()


def shoot(window: CockpitWindow, name: str) -> None:
    window._blinker.stop()  # a tick while the events below are processed would dim the picture's indicators
    window.overview.set_blink(True)  # the picture shows the blink's "on" phase
    window.deviations.set_blink(True)
    window.overview.redraw_now()
    window.trends.redraw_now()
    QApplication.sendPostedEvents()  # pending layout requests: the picture shows the window as it settles
    QApplication.processEvents()
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(SHOTS / f"cockpit-{name}.png"))
    window._blinker.start()


# --- the window -----------------------------------------------------------------------------------------------


def test_the_lead_role_opens_the_cockpit(qtbot: QtBot, publisher: BusPublisher, tmp_path: Path) -> None:
    assert ROLE_WINDOWS["lead"] is build_lead_window
    assert default_command_endpoint("tcp://127.0.0.1:5556") == "tcp://127.0.0.1:5557"  # demo.toml's pair
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))  # not ~/.config
    publisher.publish(cockpit_line())
    titles: list[str] = []
    ticks = iter(range(200))  # watchdog: at most 200 x 50 ms, then close regardless

    def close_when_live() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, CockpitWindow) and w.isVisible()]
        titles.extend(w.windowTitle() for w in windows if "Demo" in w.windowTitle())
        if titles or next(ticks, None) is None:
            for window in windows:
                window.close()

    watchdog = QTimer()
    watchdog.timeout.connect(close_when_live)
    watchdog.start(50)
    assert run_hmi(publisher.endpoint, role="lead") == 0
    watchdog.stop()
    assert titles[:1] == ["JIS shift lead — Sequencing Centre Demo"]
    assert list(tmp_path.rglob("hmi-lead*"))  # the layout was remembered


def test_starts_stale_until_the_first_picture(cockpit: CockpitWindow) -> None:
    assert text(cockpit, "header_link") == "WAITING FOR DATA"
    assert cockpit.property("comm") == "lost"
    assert cockpit.findChild(QLabel, "header_comm").isVisibleTo(cockpit)
    assert text(cockpit, "header_who") == "not logged in"


def test_header_shows_plant_shift_zone_and_alarm_summary(qtbot: QtBot, publisher: BusPublisher,
                                                         cockpit: CockpitWindow) -> None:  # fmt: skip
    show(qtbot, publisher, cockpit, cockpit_line(rev=7))
    assert cockpit.windowTitle() == "JIS shift lead — Sequencing Centre Demo"
    assert text(cockpit, "header_plant") == "Sequencing Centre Demo"
    assert text(cockpit, "header_shift") == "Late shift 2025-06-15 14:00–22:00"
    assert (text(cockpit, "header_clock"), text(cockpit, "header_zone")) == ("17:06:40", "CEST (Europe/Berlin)")
    counts = [text(cockpit, f"header_p{p}_count") for p in (1, 2, 3)]
    assert counts == ["3", "2", "1"]  # the shelved hold is listed, not annunciated
    assert text(cockpit, "header_unack") == "4 UNACK"  # 11 and 14 active, 12 and 16 returned, not acknowledged
    assert text(cockpit, "header_link") == "LIVE · rev 7"
    assert not cockpit.findChild(QLabel, "header_comm").isVisibleTo(cockpit)


def test_shifts_follow_the_plant_clock_across_midnight_and_daylight_saving() -> None:
    """A picture without a shift (a service older than the screen): the default calendar's shifts."""
    night = shift_of(cockpit_line(at=1_750_030_000.0), BERLIN)  # 2025-06-16 01:26:40 CEST
    assert night.label(BERLIN) == "Night shift 2025-06-15 22:00–06:00"
    spring = shift_of(cockpit_line(at=1_743_294_600.0), BERLIN)  # 2025-03-30 04:30 CEST, the night clocks go forward
    assert spring.label(BERLIN) == "Night shift 2025-03-29 22:00–06:00"
    assert spring.end - spring.start == 7 * 3600  # that night shift is an hour short
    assert shift_of(cockpit_line(), BERLIN).slug(BERLIN) == "2025-06-15-late"


def test_the_shift_comes_from_the_service_s_calendar() -> None:
    """The plant's calendar decides (``LineView.shift``, from ``[calendar]``): a shift of its own, or none."""
    calendar = CalendarConfig.model_validate(
        {
            "shifts": [
                {"name": "day", "start": "07:00", "end": "15:30"},
                {"name": "swing", "start": "15:30", "end": "23:00"},
            ]
        }
    )
    core = Sequencer(demo_plant().model_copy(update={"calendar": calendar}))
    late = shift_of(line_view(core, rev=1, at=SUMMER_AT), BERLIN)  # 2025-06-15 17:06 CEST
    assert late.label(BERLIN) == "Swing shift 2025-06-15 15:30–23:00"
    between = shift_of(line_view(core, rev=1, at=SUMMER_AT + 8 * 3600), BERLIN)  # 01:06 the next day
    assert between.label(BERLIN) == "Between shifts 2025-06-16 01:06"


# --- overview ---------------------------------------------------------------------------------------------------


def test_overview_shows_every_feed_station_rack_and_device(qtbot: QtBot, publisher: BusPublisher,
                                                           cockpit: CockpitWindow) -> None:  # fmt: skip
    show(qtbot, publisher, cockpit, cockpit_line())
    o = cockpit.overview
    assert table_rows(o.feeds) == [["", "L1", "Assembly line 1 (trim 1)", "2", "17:06:20", "20 s", "5003", "1", "2"]]
    seat, bump = table_rows(o.stations)
    assert seat == [
        "",
        "ST-SEAT",
        "PICKING",
        "9996",
        "WVWZZZ1KZ8P012345",
        "SEAT-LEATH-BLK-H",
        "7",
        "120 min",
        "PRINTER OFFLINE",
        "—",
    ]  # fmt: skip (no stock kept at this station: no forecast)
    assert bump[1] == "ST-BUMP"
    assert table_rows(o.racks) == [["L1", "seats", "833", "4/6  ▮▮▮▮▯▯", "9992–9997"]]
    assert table_rows(o.devices)[2] == ["", "zebra-1", "PRINTER", "OFFLINE", "head open"]
    # each row is led by its worst open alarm: ST-SEAT has a P3, ST-BUMP a P1 wrong pick, zebra-1 a P1 fault
    worst = [o.stations.item(r, 0).data(PRIORITY_ROLE) for r in range(2)]
    assert worst == [3, 1]
    assert o.stations.item(1, 0).data(BLINK_ROLE) is True  # the wrong pick is unacknowledged: it blinks
    assert o.devices.item(2, 0).data(PRIORITY_ROLE) == 1
    assert o.devices.item(2, 0).data(BLINK_ROLE) is False  # acknowledged: steady
    assert o.feeds.item(0, 0).data(PRIORITY_ROLE) == 1  # the gap
    o.redraw_now()
    # one buffer figure, shown one way: the tile's number, the chart's line at the same place, no second figure
    assert text(cockpit, "buffer_summary") == "buffer: earliest open vehicle's due time · target ≥ 30 min"
    assert o._buffer_line.isVisible() and o._buffer_line.value() == 112.0
    assert not o._empty_text.isVisible()
    shoot(cockpit, "overview")


def test_a_right_click_on_a_station_proposes_an_operation_without_sending_it(
    qtbot: QtBot, publisher: BusPublisher, cockpit: CockpitWindow
) -> None:
    show(qtbot, publisher, cockpit, cockpit_line())
    menu = cockpit.overview.station_menu(cockpit.line.stations[0])
    hold = next(a for a in menu.actions() if a.text().startswith("Hold vehicle 9996"))
    hold.trigger()
    form = cockpit.operations.forms["HoldVehicle"]
    assert form.isVisibleTo(cockpit)
    assert form.values() == {"feed": "L1", "seq": 9996}
    assert cockpit.desk.records == {}  # proposing is not sending


# --- deviations -------------------------------------------------------------------------------------------------


def test_deviation_list_filters_by_priority_state_kind_place_and_text(
    qtbot: QtBot, publisher: BusPublisher, cockpit: CockpitWindow
) -> None:
    show(qtbot, publisher, cockpit, cockpit_line())
    d = cockpit.deviations
    assert d.shown_ids() == [14, 11, 15, 12, 16, 13, 17]  # P1 first, newest first within a priority
    d.priority_buttons[1].setChecked(False)
    assert d.shown_ids() == [12, 16, 13, 17]
    d.priority_buttons[1].setChecked(True)
    d.state_filter.setCurrentText("Unacknowledged")
    assert d.shown_ids() == [14, 11, 12, 16]
    d.state_filter.setCurrentText("Shelved")
    assert d.shown_ids() == [17]
    d.state_filter.setCurrentText("Open")
    d.kind_filter.setCurrentIndex(d.kind_filter.findData("malformed"))
    assert d.shown_ids() == [16]
    d.kind_filter.setCurrentIndex(0)
    d.place_filter.setCurrentIndex(d.place_filter.findData("ST-BUMP"))
    assert d.shown_ids() == [14]
    d.place_filter.setCurrentIndex(0)
    d.search.setText("WVWZZZ1KZ8P012348")
    assert d.shown_ids() == [17]
    assert text(cockpit, "deviations_shown") == "1 shown of 7 this shift"


def test_alarm_rows_show_priority_by_colour_shape_number_and_state_in_words(
    qtbot: QtBot, publisher: BusPublisher, cockpit: CockpitWindow
) -> None:
    show(qtbot, publisher, cockpit, cockpit_line())
    model, d = cockpit.deviations.model, cockpit.deviations
    rows = {e.id: [model.index(r, c).data() for c in range(4)] for r, e in enumerate(model.rows)}
    assert rows[14] == ["", "17:05:50", "UNACK", "WRONG PICK"]
    assert rows[15][2] == "ACKED"
    assert rows[12][2] == "UNACK"
    assert rows[16][2] == "RTN UNACK"
    assert rows[17][2] == "SHELVED"
    blink = {e.id: model.index(r, 0).data(BLINK_ROLE) for r, e in enumerate(model.rows)}
    assert blink == {14: True, 11: True, 15: False, 12: True, 16: True, 13: False, 17: False}
    cells = [d.delegate.indicator(p) for p in (1, 2, 3)]
    assert [(i.shape, i.number) for i in cells] == [("square", "1"), ("triangle", "2"), ("diamond", "3")]
    assert len({i.fillColor.name() for i in cells}) == 3  # the stylesheet's three reserved alarm colours
    d.select_ids({14})
    assert d.ack_button.isEnabled() and d.shelve_button.isEnabled() and d.resolve_button.isEnabled()
    assert text(cockpit, "deviation_detail") == "#14 WRONG PICK: BMP-01 confirmed, BMP-02 was lit"
    d.select_ids({15})
    assert not d.ack_button.isEnabled()  # already acknowledged
    assert d.more_button.isEnabled() and d.more_actions["out_of_service"].isEnabled()
    assert not d.more_actions["unsuppress"].isEnabled() and not d.more_actions["in_service"].isEnabled()
    d.select_ids({14, 11})
    d.state_filter.setCurrentText("All this shift")
    cockpit.resizeDocks([cockpit.docks["deviations_dock"]], [560], Qt.Orientation.Vertical)  # the list, large
    shoot(cockpit, "deviations")


def parked_line(rev: int = 2) -> LineView:
    """The busy picture with the printer's fault out of service (15) and the wrong pick suppressed (14)."""
    states = {14: "suppressed", 15: "out_of_service"}
    return cockpit_line(rev, deviations=tuple(d.model_copy(update={"state": states[d.id]}) if d.id in states else d
                                              for d in OPEN))  # fmt: skip


def test_suppressed_and_out_of_service_alarms_are_listed_in_their_own_views_and_never_annunciated(
    qtbot: QtBot, publisher: BusPublisher, cockpit: CockpitWindow
) -> None:
    show(qtbot, publisher, cockpit, parked_line())
    d, model = cockpit.deviations, cockpit.deviations.model
    assert d.shown_ids() == [11, 12, 16, 13, 17]  # "Open" leaves them to their own views
    d.state_filter.setCurrentText("Suppressed")
    assert d.shown_ids() == [14]
    d.state_filter.setCurrentText("Out of service")
    assert d.shown_ids() == [15]
    d.state_filter.setCurrentText("All this shift")
    assert d.shown_ids() == [14, 11, 15, 12, 16, 13, 17]
    rows = {e.id: r for r, e in enumerate(model.rows)}
    assert (model.index(rows[14], 2).data(), model.index(rows[15], 2).data()) == ("SUPPRESSED", "OUT OF SERVICE")
    assert model.index(rows[14], 0).data(BLINK_ROLE) is False  # unacknowledged before, and it no longer blinks
    assert model.index(rows[14], 3).data(Qt.ItemDataRole.FontRole).italic()
    counts = [text(cockpit, f"header_p{p}_count") for p in (1, 2, 3)]
    assert counts == ["1", "2", "1"]  # the gap; not the suppressed wrong pick or the printer out of service
    assert text(cockpit, "header_unack") == "3 UNACK"
    o = cockpit.overview
    assert o.devices.item(2, 0).data(PRIORITY_ROLE) == 0  # zebra-1's alarm is out of service: no mark
    assert (o.stations.item(1, 0).data(PRIORITY_ROLE), o.stations.item(1, 0).data(BLINK_ROLE)) == (0, False)


def test_the_shift_log_keeps_deviations_that_closed(qtbot: QtBot, publisher: BusPublisher,
                                                    cockpit: CockpitWindow) -> None:  # fmt: skip
    show(qtbot, publisher, cockpit, cockpit_line(rev=1))
    later = cockpit_line(rev=2, at=SUMMER_AT + 300, deviations=OPEN[1:])  # the gap is gone
    show(qtbot, publisher, cockpit, later)
    d = cockpit.deviations
    assert 11 not in d.shown_ids()
    d.state_filter.setCurrentText("Closed this shift")
    assert d.shown_ids() == [11]
    assert d.model.index(d.proxy.mapToSource(d.proxy.index(0, 0)).row(), 2).data() == "CLOSED 17:11"


def test_the_log_drops_the_oldest_closed_entries_past_its_limit() -> None:
    log = DeviationLog(limit=3)
    for n in range(6):
        log.update(cockpit_line(rev=n + 1, at=SUMMER_AT + n, deviations=(DEVIATIONS[0].model_copy(update={"id": n}),)))
    assert [e.id for e in log.entries()] == [5, 4, 3]
    assert log.get(5).closed_at is None and log.get(4).closed_at == SUMMER_AT + 5


# --- trends and KPIs --------------------------------------------------------------------------------------------


def test_kpi_tiles_show_the_shift_and_say_what_is_off_target(qtbot: QtBot, publisher: BusPublisher,
                                                             cockpit: CockpitWindow) -> None:  # fmt: skip
    show(qtbot, publisher, cockpit, cockpit_line())
    tiles = cockpit.trends.tiles
    values = {k: tiles[k].value.text() for k in ("on_time_rate", "picks_per_hour", "buffer_minutes",
                                                 "pick_accuracy", "mean_time_to_resolve", "quarantined")}  # fmt: skip
    assert values == {"on_time_rate": "98.2", "picks_per_hour": "104", "buffer_minutes": "112",
                      "pick_accuracy": "99.91", "mean_time_to_resolve": "7.0", "quarantined": "2"}  # fmt: skip
    off = sorted(k for k, t in tiles.items() if t.property("state") == "off")
    assert off == ["on_time_rate", "pick_accuracy", "picks_per_hour", "quarantined", "sequence_error_ppm"]
    assert tiles["on_time_rate"].tag.isVisibleTo(cockpit.trends) and tiles["on_time_rate"].tag.text() == "OFF TARGET"
    assert not tiles["buffer_minutes"].tag.isVisibleTo(cockpit.trends)
    # what it counts: wrong picks caught at the bin, which a JIS reader would not take for parts out of sequence
    assert tiles["sequence_error_ppm"].caption.text() == "WRONG PICKS CAUGHT"
    assert not any("SEQUENCE ERROR" in t.caption.text() for t in tiles.values())


def test_the_figures_shared_with_the_oem_say_what_they_count(qtbot: QtBot, publisher: BusPublisher,
                                                             cockpit: CockpitWindow) -> None:  # fmt: skip
    """Over the ship notices: on time in full, parts that LEFT out of sequence (not the wrong picks caught, which keep
    their own tile), and the ship notices' answers (docs/kpis.md)."""
    shared = BUSY_KPIS.model_copy(update={"shift_racks_shipped": 4, "otif_rate": 0.75, "shift_parts_shipped": 18,
                                          "out_of_sequence_shipped_ppm": 55555.6, "notices_acknowledged_rate": 0.5,
                                          "notices_rejected": 1, "notices_unanswered": 0})  # fmt: skip
    show(qtbot, publisher, cockpit, cockpit_line(kpis=shared))
    caught = cockpit.trends.tiles["sequence_error_ppm"]
    assert (caught.caption.text(), caught.value.text()) == ("WRONG PICKS CAUGHT", "312")
    assert cockpit.notices.shared.text() == (
        "This shift, as the OEM counts it: 4 racks shipped, on time in full 75.0 % · out of sequence shipped 55556 ppm"
        " of 18 parts · notices acknowledged 50.0 %, rejected 1, unanswered 0"
    )


def trend_kpis(i: int) -> KpiView:
    """A deterministic shift: picking dips below takt mid-way, the buffer drains and refills."""
    return BUSY_KPIS.model_copy(update={
        "picks_per_hour": 118 - (30 if 15 <= i < 25 else 0) + (i * 7) % 5,
        "broadcasts_per_hour": 58 + (i * 3) % 4,
        "buffer_minutes": 112.0 - (4.0 * (i - 15) if 15 <= i < 25 else 0) - (40.0 - 4.0 * (i - 25) if 25 <= i < 35
                                                                             else 0),
        "on_time_rate": 0.999 - (0.004 if i >= 20 else 0),
    })  # fmt: skip


def test_trends_fill_ring_buffers_from_the_bus_and_redraw_at_a_fixed_rate(
    qtbot: QtBot, publisher: BusPublisher, cockpit: CockpitWindow
) -> None:
    start = SUMMER_AT - 40 * 60
    for i in range(40):  # one picture a plant minute, each through the real bus
        show(qtbot, publisher, cockpit, cockpit_line(rev=i + 1, at=start + i * 60, kpis=trend_kpis(i)))
    plots = cockpit.trends.plots
    assert {k: len(p.ring) for k, p in plots.items()} == dict.fromkeys(plots, 40)
    picks = plots["picks_per_hour"]
    assert picks.ring.arrays()[1][:3].tolist() == [118, 120, 122]
    assert cockpit.trends._timer.interval() * len(plots) == REDRAW_MS  # each plot in turn, each once a period
    cockpit.trends.redraw_now()
    assert len(picks.curve.getData()[0]) == 40
    assert picks.limit_line.value() == 120.0  # takt, as a thin line
    assert plots["buffer_minutes"].limit_line.value() == 30.0
    assert text(cockpit, "trend_picks_per_hour_value") == "121 /h · takt 120"
    cockpit.show_screen("trends_dock")
    cockpit.resizeDocks([cockpit.docks["trends_dock"]], [900], Qt.Orientation.Horizontal)  # the trends, large
    shoot(cockpit, "trends")


def test_trends_redraw_one_plot_per_tick_so_no_frame_draws_them_all(
    qtbot: QtBot, publisher: BusPublisher, cockpit: CockpitWindow
) -> None:
    cockpit.trends._timer.stop()  # the test turns the ticks itself
    start = SUMMER_AT - 10 * 60
    for i in range(10):
        show(qtbot, publisher, cockpit, cockpit_line(rev=i + 1, at=start + i * 60, kpis=trend_kpis(i)))
    plots = cockpit.trends.plots

    def drawn() -> int:
        return sum(len(p.curve.getData()[0] if p.curve.getData()[0] is not None else []) > 0 for p in plots.values())

    assert drawn() == 0
    counts = []
    for _ in range(len(plots) + 1):
        cockpit.trends._redraw_next()
        counts.append(drawn())
    assert counts == [*range(1, len(plots) + 1), len(plots)]  # one more per tick; a clean plot is not redrawn


def test_ring_buffer_keeps_the_newest_samples_in_order() -> None:
    ring = Ring(4)
    for t in range(6):
        ring.append(float(t), None if t == 4 else t * 10.0)
    times, values = ring.arrays()
    assert times.tolist() == [2.0, 3.0, 4.0, 5.0]
    assert values[:2].tolist() == [20.0, 30.0] and values[3] == 50.0
    assert ring.last() == 50.0 and len(ring) == 4


# --- quarantine -------------------------------------------------------------------------------------------------


def test_quarantine_lists_the_messages_the_service_refused(qtbot: QtBot, publisher: BusPublisher,
                                                           cockpit: CockpitWindow) -> None:  # fmt: skip
    show(qtbot, publisher, cockpit, cockpit_line())
    q = cockpit.quarantine
    assert table_rows(q.table) == [["3", "16:51:40", "L1", "—", "DELJIT UNT segment count 41, counted 40",
                                    "RTN UNACK"]]  # fmt: skip
    assert text(cockpit, "quarantine_total") == "2 held by the service"
    assert not q.reprocess_button.isEnabled()
    q.table.selectRow(0)
    assert q.reprocess_button.isEnabled() and q.discard_button.isEnabled()
    cockpit.show_screen("quarantine_dock")
    shoot(cockpit, "quarantine")


# --- ship notices -----------------------------------------------------------------------------------------------


def notice(number: int, rack_no: int, **fields: object) -> NoticeView:
    base: dict[str, object] = dict(notice_id=f"L1-seats-{rack_no}", number=number, feed="L1", family="seats",
                                   rack_no=rack_no, version=1, function="original", state="acknowledged", reason="",
                                   overdue=False, alarm=None, shipped_at=SUMMER_AT - 3600 + 60 * (number - 830),
                                   issued_at=SUMMER_AT - 3600 + 60 * (number - 830))  # fmt: skip
    return NoticeView.model_validate(base | fields)


NOTICE_ALARMS = (
    DeviationView(id=20, kind="notice_rejected", priority=1, at=SUMMER_AT - 600, feed="L1", seq=None, vehicle_id="",
                  station="", message="ship notice L1-seats-833 v2 rejected by the OEM: seq 4711 not called off"),
    DeviationView(id=21, kind="notice_unanswered", priority=2, at=SUMMER_AT - 300, feed="L1", seq=None,
                  vehicle_id="", station="", message="ship notice L1-seats-835 v1: no answer from the OEM in 600 s",
                  state="active_acknowledged"),
)  # fmt: skip
NOTICES = (
    notice(831, 831),
    notice(832, 832, version=2, function="replace"),
    notice(833, 833, version=2, function="replace", state="rejected", reason="seq 4711 not called off", alarm=20),
    notice(834, 834, version=3, function="cancel", state="sent"),
    notice(835, 835, state="sent", overdue=True, alarm=21),
    notice(836, 836, state="due"),
)


def test_ship_notices_show_each_shipped_rack_s_notice_state_and_mark_only_the_abnormal(
    qtbot: QtBot, publisher: BusPublisher, cockpit: CockpitWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rejected and unanswered notices come first, bold, led by their alarm's indicator (P1 blinking while
    unacknowledged, P2); the others are quiet; a replacement acknowledged later clears the row's marks."""
    line = cockpit_line(deviations=(*OPEN, *NOTICE_ALARMS)).model_copy(update={"notices": NOTICES})
    show(qtbot, publisher, cockpit, line)
    pane = cockpit.notices
    rows = table_rows(pane.table)
    assert [r[1:6] for r in rows] == [
        ["L1/seats/835", "835", "v1 original", "NO ANSWER: past time-out", "—"],
        ["L1/seats/833", "833", "v2 replaced", "REJECTED", "seq 4711 not called off"],
        ["L1/seats/836", "836", "v1 original", "sending", "—"],
        ["L1/seats/834", "834", "v3 cancelled", "sent, awaiting answer", "—"],
        ["L1/seats/832", "832", "v2 replaced", "acknowledged", "—"],
        ["L1/seats/831", "831", "v1 original", "acknowledged", "—"],
    ]
    first = [cell(pane.table, r, 0) for r in range(len(rows))]
    assert [(c.data(PRIORITY_ROLE), bool(c.data(BLINK_ROLE))) for c in first] == [
        (2, False), (1, True), (0, False), (0, False), (0, False), (0, False)
    ]  # fmt: skip
    fonts = [cell(pane.table, r, 4).data(Qt.ItemDataRole.FontRole) for r in range(len(rows))]
    assert [f is not None and f.bold() for f in fonts] == [True, True] + [False] * 4
    assert "seq 4711" in first[1].toolTip()
    assert [table_rows(pane.table)[r][6] for r in (0, 5)] == ["16:11:40", "16:07:40"]  # the plant's clock
    for r in (0, 1):  # bold text is not cut: its column grew to fit it
        item = cell(pane.table, r, 4)
        assert QFontMetrics(fonts[r]).horizontalAdvance(item.text()) < pane.table.columnWidth(4)
    assert text(cockpit, "notices_summary") == (
        "6 kept · 2 acknowledged · 2 awaiting an answer · 1 rejected · 1 past the time-out"
    )
    cockpit.show_screen("notices_dock")
    assert cockpit.docks["notices_dock"].isVisible()
    shoot(cockpit, "notices")

    answered = notice(833, 833, version=3, function="replace")  # replaced again, and the OEM took it
    later = line.model_copy(update={"rev": 2, "notices": (*NOTICES[:2], answered, *NOTICES[3:]),
                                    "deviations": (*OPEN, NOTICE_ALARMS[1])})  # fmt: skip
    show(qtbot, publisher, cockpit, later)
    row = next(r for r, n in enumerate(pane.shown) if n.rack_no == 833)
    assert table_rows(pane.table)[row][3:5] == ["v3 replaced", "acknowledged"]
    assert cell(pane.table, row, 0).data(PRIORITY_ROLE) == 0
    assert cell(pane.table, row, 4).data(Qt.ItemDataRole.FontRole) is None

    formatted: list[float] = []  # each time a notice's time is written out again
    monkeypatch.setattr(notices, "clock", lambda epoch, zone: formatted.append(epoch) or clock(epoch, zone))
    show(qtbot, publisher, cockpit, later.model_copy(update={"rev": 3, "at": later.at + 1}))
    assert formatted == []  # the notices did not change: their rows are not made again (issue 19: the CPU)
    assert table_rows(pane.table)[row][3:5] == ["v3 replaced", "acknowledged"]


# --- export -----------------------------------------------------------------------------------------------------


def test_export_writes_kpis_and_deviations_as_csv_and_a_pdf_to_the_chosen_folder(
    qtbot: QtBot, publisher: BusPublisher, cockpit: CockpitWindow, tmp_path: Path
) -> None:
    show(qtbot, publisher, cockpit, cockpit_line(rev=1))
    show(qtbot, publisher, cockpit, cockpit_line(rev=2, at=SUMMER_AT + 60, deviations=OPEN[1:]))
    folder = tmp_path / "reports"
    dialog = cockpit.choose_export_folder()
    assert isinstance(dialog, QFileDialog) and dialog.isVisible()  # opened with open(): the GUI never waits
    with qtbot.waitSignal(cockpit.export_written, timeout=WAIT_MS) as written:
        folder.mkdir()
        dialog.fileSelected.emit(str(folder))
    kpis, deviations, pdf = written.args[0]
    stem = "shift-report-sequencing-centre-demo-2025-06-15-late"
    assert [p.name for p in (kpis, deviations, pdf)] == [f"{stem}-kpis.csv", f"{stem}-deviations.csv", f"{stem}.pdf"]
    rows = list(csv.reader(kpis.open(encoding="utf-8", newline="")))
    assert rows[0] == ["kpi", "caption", "value", "unit", "off_target"]
    assert ["on_time_rate", "On time", "98.2", "%", "yes"] in rows
    devs = {r["id"]: r for r in csv.DictReader(deviations.open(encoding="utf-8", newline=""))}
    assert sorted(devs, key=int) == ["11", "12", "13", "14", "15", "16", "17"]
    assert (devs["11"]["state"], devs["11"]["closed"]) == ("closed", "2025-06-15T17:07:40+02:00")
    assert devs["14"]["raised"] == "2025-06-15T17:05:50+02:00" and devs["14"]["priority"] == "1"
    assert pdf.read_bytes().startswith(b"%PDF-") and b"/Type /Page" in pdf.read_bytes()
    assert str(QSettings(str(tmp_path / "hmi-lead.ini"), QSettings.Format.IniFormat).value("export_folder")) == str(
        folder
    )
    assert text(cockpit, "header_message") == f"Report written: {stem}.pdf"


def test_an_export_that_cannot_be_written_is_reported(qtbot: QtBot, publisher: BusPublisher,
                                                      cockpit: CockpitWindow, tmp_path: Path) -> None:  # fmt: skip
    show(qtbot, publisher, cockpit, cockpit_line())
    blocker_file = tmp_path / "not-a-folder"
    blocker_file.write_text("x")
    with qtbot.waitSignal(cockpit.export_failed, timeout=WAIT_MS):
        cockpit.export_to(blocker_file / "reports")
    assert text(cockpit, "header_message").startswith("Export failed: ")
    assert "not-a-folder" in text(cockpit, "header_message")


# --- view: link, shortcuts, font scale, layout ----------------------------------------------------------------


def test_link_loss_dashes_every_section_and_keeps_the_last_values(
    qtbot: QtBot, publisher: BusPublisher, cockpit: CockpitWindow
) -> None:
    show(qtbot, publisher, cockpit, cockpit_line())
    publisher.stop()
    qtbot.waitUntil(lambda: not cockpit.bus.link_up, timeout=WAIT_MS)
    assert text(cockpit, "header_link") == "STALE · last data"
    for name in ("feeds_section", "stations_section", "deviations_section", "kpi_section"):
        section = cockpit.findChild(QWidget, name)
        assert section.property("comm") == "lost", name
        assert cockpit.findChild(QLabel, f"{name}_comm").isVisibleTo(cockpit), name
    assert table_rows(cockpit.overview.stations)[0][4] == "WVWZZZ1KZ8P012345"  # stale, greyed, still there
    shoot(cockpit, "comm")
    publisher.publish(cockpit_line(rev=2))
    qtbot.waitUntil(lambda: cockpit.bus.link_up and cockpit.property("comm") == "ok", timeout=WAIT_MS)


def test_keyboard_shortcuts_raise_each_screen(qtbot: QtBot, cockpit: CockpitWindow) -> None:
    for name, _, key, _ in DOCKS:
        qtbot.keySequence(cockpit, QKeySequence(key))
        dock = cockpit.docks[name]
        qtbot.waitUntil(lambda d=dock: d.isVisible() and not d.visibleRegion().isEmpty(), timeout=WAIT_MS)


def test_font_scale_scales_the_cockpit_and_leaves_the_operator_panel_alone(qtbot: QtBot,
                                                                           cockpit: CockpitWindow) -> None:  # fmt: skip
    title = cockpit.findChild(QLabel, "header_plant")
    assert title.font().pixelSize() == 18
    qtbot.keySequence(cockpit, QKeySequence(QKeySequence.StandardKey.ZoomIn))
    assert cockpit.scale == 1.15
    assert title.font().pixelSize() == 21
    qtbot.keySequence(cockpit, QKeySequence("Ctrl+0"))
    assert title.font().pixelSize() == 18
    qss = load_stylesheet()
    scaled = scaled_stylesheet(qss, 1.5)
    operator_part = qss.split("/* === cockpit === */")[0]
    assert scaled.startswith(operator_part)
    assert '#cockpit QLabel[role="kpi-value"] { font-size: 30px' in scaled


def test_the_window_remembers_its_layout_and_font_scale(qtbot: QtBot, publisher: BusPublisher,
                                                        silent_service: str, tmp_path: Path) -> None:  # fmt: skip
    first, _ = build_lead_window(publisher.endpoint, commands=silent_service, settings=lead_settings(tmp_path))
    qtbot.addWidget(first)
    first.show()
    room = first.screen().availableGeometry()
    first.resize(first.minimumSizeHint().width(), room.height() - 60)  # restoreGeometry keeps it on its screen
    size = (first.width(), first.height())
    for tab in ("quarantine_dock", "notices_dock", "trace_dock"):  # the deviations alone below: no tab bar
        first.docks[tab].close()
    first.apply_scale(1.3)
    first.close()
    again, bus_again = build_lead_window(publisher.endpoint, commands=silent_service, settings=lead_settings(tmp_path))
    qtbot.addWidget(again)
    again.show()
    assert again.height() == size[1]
    assert again.width() == max(size[0], again.minimumSizeHint().width())  # larger text needs a wider window
    assert not again.docks["quarantine_dock"].isVisible() and not again.docks["notices_dock"].isVisible()
    assert again.docks["deviations_dock"].isVisible()
    assert again.scale == 1.3
    again.reset_layout()
    assert again.docks["quarantine_dock"].isVisible() and again.docks["notices_dock"].isVisible()
    bus_again.stop()
    again.commands.stop()


def test_closing_the_window_stops_both_clients(qtbot: QtBot, cockpit: CockpitWindow) -> None:
    assert cockpit.bus.running
    cockpit.close()
    assert not cockpit.bus.running
    assert not cockpit.commands.logged_in_now


def test_colours_live_only_in_the_stylesheet_cockpit_section() -> None:
    qss = load_stylesheet()
    section = qss.split("/* === cockpit === */")[1].split("/* === end cockpit === */")[0]
    assert "qproperty-traceColor" in section and '#cockpit QFrame[section="true"][comm="lost"]' in section
    selectors = [ln for ln in section.splitlines() if ln.strip().endswith(("{", ",")) or "{ " in ln]
    assert selectors and all(ln.startswith("#cockpit") for ln in selectors)  # never restyles the operator panel


def test_the_overview_says_when_the_oem_line_stands(qtbot: QtBot, publisher: BusPublisher,
                                                    cockpit: CockpitWindow) -> None:  # fmt: skip
    line = cockpit_line()
    stopped = tuple(f.model_copy(update={"line_stopped_since": SUMMER_AT - 600}) for f in line.feeds)
    show(qtbot, publisher, cockpit, line.model_copy(update={"feeds": stopped}))
    assert table_rows(cockpit.overview.feeds)[0][2] == "Assembly line 1 (trim 1) · OEM line STOPPED since 16:56"
