"""The fault campaign's journal follower (``app.proof.chaos_lead.JournalFollower``) decides whether an outage was shown
while it lasted: the device must be shown faulty after a journal row committed between the outage's start and
its end. These tests write the journal as the service would and check that judgement, on the run's database."""

from __future__ import annotations

from app.persist.store import Store
from app.proof.chaos_lead import JournalFollower
from sequencer.events import DeviceLinkChanged, Tick
from tests.plants import demo_plant


def test_an_outage_counts_as_shown_only_if_the_fault_was_committed_while_it_lasted(database_url: str) -> None:
    plant = demo_plant()
    device = plant.stations[0].ptl
    store = Store(database_url)
    follower = JournalFollower(plant, database_url)
    try:
        store.append(Tick(at=1.0))
        began = follower.last_row()  # the outage begins
        store.append(DeviceLinkChanged(at=2.0, device=device, up=False, detail="gateway down"))
        store.append(Tick(at=3.0))
        ended = follower.last_row()  # the outage ends
        store.append(DeviceLinkChanged(at=4.0, device=device, up=True))
        late_began = follower.last_row()  # a second outage, shown only after it ended
        store.append(Tick(at=5.0))
        late_ended = follower.last_row()
        store.append(DeviceLinkChanged(at=6.0, device=device, up=False, detail="too late"))
        follower.poll()
    finally:
        follower.close()
        store.close()
    assert follower.shown_faulty(device, began, ended)
    assert not follower.shown_faulty(device, late_began, late_ended)
    assert not follower.shown_faulty("no-such-device", began, late_ended)
    assert follower.shown_faulty(device, late_ended, late_ended + 1)  # the late one is shown from its row on
