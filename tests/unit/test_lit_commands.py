"""``Sequencer.lit_commands``: what a restart shows on the lights again, the lit picks, red where blocked."""

from __future__ import annotations

from sequencer.core import Sequencer
from sequencer.events import BinConfirmed, BroadcastReceived
from tests.plants import demo_plant


def test_a_restart_shows_each_lit_pick_again_and_a_blocked_one_flashing_red() -> None:
    plant = demo_plant()
    core = Sequencer(plant)
    feed = plant.feeds[0]
    core.handle(
        BroadcastReceived(
            at=1.0, feed=feed.id, seq=1, vehicle_id="V1", function="original", firm=True, options=("S1",), sent_at=1.0
        )
    )
    lit = core.lit_commands()
    assert lit and not any(cmd.alarm for cmd in lit)
    assert {cmd.pick_id for cmd in lit} == {st.lit for st in core.state.stations.values() if st.lit is not None}
    first = lit[0]
    station = core.state.stations[first.station]
    wrong = next(b for b in station.light_of_bin if b != first.bin)
    core.handle(BinConfirmed(at=2.0, station=first.station, bin=wrong))
    again = {cmd.station: cmd for cmd in core.lit_commands()}
    assert again[first.station].alarm and again[first.station].pick_id == first.pick_id
    assert not any(cmd.alarm for name, cmd in again.items() if name != first.station)
