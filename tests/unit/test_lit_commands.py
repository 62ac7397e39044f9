"""``Sequencer.lit_commands``: what a restart shows on the lights again, the lit picks, red where blocked."""

from __future__ import annotations

from sequencer.events import BinConfirmed
from sequencer.testing import broadcast, fed, view
from tests.plants import demo_plant


def test_a_restart_shows_each_lit_pick_again_and_a_blocked_one_flashing_red() -> None:
    core = fed(demo_plant(), broadcast(1, at=1.0, options=("S1",)))
    lit = core.lit_commands()
    assert lit and not any(cmd.alarm for cmd in lit)
    assert {cmd.pick_id for cmd in lit} == {st.current.pick_id for st in view(core).stations if st.current}
    first = lit[0]
    station = next(st for st in view(core).stations if st.id == first.station)
    wrong = next(b.id for b in station.bins if b.id != first.bin)
    core.handle(BinConfirmed(at=2.0, station=first.station, bin=wrong))
    again = {cmd.station: cmd for cmd in core.lit_commands()}
    assert again[first.station].alarm and again[first.station].pick_id == first.pick_id
    assert not any(cmd.alarm for name, cmd in again.items() if name != first.station)
