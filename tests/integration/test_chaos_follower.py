"""The fault campaign's journal follower (``app.proof.chaos_lead.JournalFollower``) decides whether an outage was shown
while it lasted: the device must be shown faulty after a journal row committed between the outage's start and
its end. These tests write the journal as the service would and check that judgement, on the run's database."""

from __future__ import annotations

from app.persist.store import Store
from app.proof.chaos_lead import JournalFollower
from sequencer.events import DeviceLinkChanged, Tick
from tests.plants import demo_plant


def test_an_outage_counts_as_shown_only_if_the_fault_was_committed_while_it_lasted(database_url: str) -> None:
    """Shown means annunciated: the device's alarm past its on-delay (3 s) and before its off-delay (5 s) ran out."""
    plant = demo_plant()
    device = plant.stations[0].ptl
    store = Store(database_url)
    follower = JournalFollower(plant, database_url)
    try:
        store.append(Tick(at=1.0))
        began = follower.last_row()  # the outage begins
        store.append(DeviceLinkChanged(at=2.0, device=device, up=False, detail="gateway down"))
        store.append(Tick(at=6.0))  # past the on-delay: the alarm shows
        ended = follower.last_row()  # the outage ends
        store.append(DeviceLinkChanged(at=7.0, device=device, up=True))
        store.append(DeviceLinkChanged(at=8.0, device=device, up=False, detail="a blip"))
        store.append(DeviceLinkChanged(at=8.05, device=device, up=True))
        store.append(Tick(at=14.0))  # past the off-delay, which the blip began again: the alarm returns
        late_began = follower.last_row()  # a second outage, shown only after it ended
        store.append(Tick(at=15.0))
        late_ended = follower.last_row()
        store.append(DeviceLinkChanged(at=16.0, device=device, up=False, detail="too late"))
        store.append(Tick(at=20.0))
        follower.poll()
    finally:
        follower.close()
        store.close()
    assert follower.shown_faulty(device, began, ended)
    assert not follower.shown_faulty(device, late_began, late_ended)
    assert not follower.shown_faulty("no-such-device", began, late_ended)
    assert follower.shown_faulty(device, late_ended + 1, late_ended + 2)  # the late one is shown from its tick on
