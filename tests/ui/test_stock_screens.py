"""Bin stock and the starvation forecast on the screens: the operator panel's bin tiles and forecast, and the
cockpit's STARVES column, from a real core's picture (docs/stock.md) over a real ZeroMQ bus on 127.0.0.1.
Also writes docs/screenshots/operator-panel-stock.png (a low bin, the station starving)."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from sequencer.core import Sequencer
from sequencer.events import StockSet
from sequencer.projection import line_view
from sequencer.testing import broadcast, fed, press_lit, with_stock
from sequencer.views import LineView
from tests.plants import demo_plant
from tests.ui.conftest import BusPublisher
from tests.ui.test_cockpit import cockpit, lead_settings, show, silent_service  # noqa: F401 (fixtures)
from tests.ui.test_languages import english_left, german_window  # noqa: F401 (fixture)
from tests.ui.test_operator_panel import SCREENSHOTS, WAIT_MS, go_live, screen, text_of  # noqa: F401 (fixture)
from ui.cockpit.widgets import table_rows
from ui.cockpit.window import CockpitWindow
from ui.main import OperatorWindow
from ui.widgets import clock, plant_zone

AT = 1_750_000_000.0  # 2025-06-15 17:06:40 CEST


def starving_core() -> Sequencer:
    """Three cloth seats in SEAT-01, four cloth vehicles open at a 60 s takt: the fourth finds it empty 3 takts
    from now, within the station's 300 s: the alarm is raised, the forecast shown."""
    core = fed(with_stock(demo_plant(), capacity=10, low=3, initial=4, alarm_s=300), broadcast(1, at=AT))
    press_lit(core, at=AT + 1)  # 4 -> 3: low
    for n in range(2, 6):
        core.handle(broadcast(n, at=AT + n))
    return core


def picture(core: Sequencer, rev: int) -> LineView:
    return line_view(core, rev=rev, at=core.state.last_at)


def test_the_panel_shows_each_bins_stock_and_the_stations_forecast(
    qtbot: QtBot,
    publisher: BusPublisher,
    screen: tuple,  # noqa: F811 (the operator panel's fixture)
) -> None:
    _, client, panel = screen
    core = starving_core()
    line = picture(core, 1)
    seat = next(s for s in line.stations if s.id == "ST-SEAT")
    assert seat.starving and seat.starves_bin == "SEAT-01"
    go_live(qtbot, publisher, client, line)
    when = clock(seat.starves_at or 0.0, plant_zone(line.timezone), "%H:%M")
    wanted = f"Starves at {when} · bin SEAT-01"
    qtbot.waitUntil(lambda: text_of(panel, "starvation_forecast") == wanted, timeout=WAIT_MS)
    assert panel.findChild(type(panel.starvation), "starvation_forecast").property("starving") is True
    tile = panel.bin_tile("SEAT-01")
    assert tile is not None and tile.stock.text() == "LOW 3 / 10" and tile.property("low") is True
    other = panel.bin_tile("SEAT-02")
    assert other is not None and other.stock.text() == "4 / 10 left" and other.property("low") is False
    window = panel.window()
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: window.width() == 1280 and tile.isVisible() and tile.stock.isVisible()
                    and tile.height() > 100 and panel.deviation_row(1) is not None, timeout=WAIT_MS)  # fmt: skip
    QApplication.sendPostedEvents()  # the layout the new words asked for, before the picture is taken
    assert window.grab().save(str(SCREENSHOTS / "operator-panel-stock.png"))
    # the replenisher fills the bin: the forecast moves past the open vehicles, the tile is no longer low
    core.handle(StockSet(at=AT + 30, bin="SEAT-01", qty=10, source="replenisher"))
    publisher.publish(picture(core, 2))
    qtbot.waitUntil(lambda: text_of(panel, "bin_SEAT-01_stock") == "10 / 10 left", timeout=WAIT_MS)
    assert not text_of(panel, "starvation_forecast").startswith("Starves at " + when)


def test_the_cockpit_shows_the_forecast_per_station(
    qtbot: QtBot,
    publisher: BusPublisher,
    cockpit: CockpitWindow,  # noqa: F811
) -> None:
    core = starving_core()
    line = picture(core, 1)
    show(qtbot, publisher, cockpit, line)
    seat = next(s for s in line.stations if s.id == "ST-SEAT")
    when = clock(seat.starves_at or 0.0, plant_zone(line.timezone), "%H:%M")
    rows = {row[1]: row for row in table_rows(cockpit.overview.stations)}
    assert rows["ST-SEAT"][-1] == f"{when} (3 min) SEAT-01"
    assert rows["ST-BUMP"][-1] == "—"  # no stock kept there
    # the alarm is in the cockpit's list with the stations' other alarms
    assert any(d.kind == "starvation" and d.station == "ST-SEAT" for d in line.deviations)


def test_the_buffer_is_one_figure_shown_one_way(
    qtbot: QtBot,
    publisher: BusPublisher,
    cockpit: CockpitWindow,  # noqa: F811
) -> None:
    """Issue 18: the buffer was a dash on its tile, a figure in the chart's header and an empty chart at once. Now the
    one figure (the KPI's) is the tile's number, the trend's newest dot and reading, and the overview's buffer line;
    with no open vehicle it is a dash everywhere and the overview says so instead of an empty chart."""
    core = starving_core()
    line = picture(core, 1)
    figure = line.kpis.buffer_minutes
    assert figure is not None
    show(qtbot, publisher, cockpit, line)
    cockpit.overview.redraw_now()
    cockpit.trends.redraw_now()
    assert cockpit.trends.tiles["buffer_minutes"].value.text() == f"{figure:.0f}"
    trend = cockpit.trends.plots["buffer_minutes"]
    assert trend.reading.text().startswith(f"{figure:.0f} min")
    _, ys = trend.newest.getData()
    assert list(ys) == [figure]  # one sample: a dot, not an empty chart
    assert cockpit.overview._buffer_line.isVisible() and cockpit.overview._buffer_line.value() == figure
    assert "min of build ahead" not in cockpit.overview.buffer_summary.text()  # no second figure in the header
    no_vehicle = line.kpis.model_copy(update={"buffer_minutes": None})
    empty = line.model_copy(update={"rev": 2, "kpis": no_vehicle})  # the same minute: no new trend sample
    show(qtbot, publisher, cockpit, empty)
    cockpit.overview.redraw_now()
    cockpit.trends.redraw_now()
    assert cockpit.trends.tiles["buffer_minutes"].value.text() == "—"
    assert trend.reading.text().startswith("— min")
    assert not cockpit.overview._buffer_line.isVisible() and cockpit.overview._empty_text.isVisible()


def test_the_stock_words_are_german_on_a_german_panel(
    qtbot: QtBot,
    publisher: BusPublisher,
    german_window: OperatorWindow,  # noqa: F811
) -> None:
    """The tile's stock and the forecast are marked texts: a German panel shows them in German, no English left."""
    from ui.i18n import set_language

    set_language("de")
    try:
        line = picture(starving_core(), 1)
        assert german_window.client is not None
        go_live(qtbot, publisher, german_window.client, line)
        panel = german_window.panel
        qtbot.waitUntil(lambda: text_of(panel, "starvation_forecast").startswith("Abriss um"), timeout=WAIT_MS)
        assert text_of(panel, "bin_SEAT-01_stock") == "NIEDRIG 3 / 10"
        assert text_of(panel, "bin_SEAT-02_stock") == "noch 4 / 10"
        assert english_left(german_window, "de", line) == []
    finally:
        set_language("en")
