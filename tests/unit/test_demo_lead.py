"""The demo's simulated shift lead: what a staffed line does about what the service cannot decide alone.

Alarms that returned to normal are acknowledged, each once, and what one look at the line calls for goes in together
(queued before any is awaited: one journal commit, not one each; a shift's lone acknowledgements were 266 of its
2,168 commits).

A label whose printer dropped the link mid-job may or may not be on its part; the service raises it and waits for a
person (never a silent second label). Unattended, the every-fault demo then held one vehicle for ever (a CI run
ended 79 of 80 accounted). The lead checks the part, once, after its reaction time: it resolves the deviation when
the label is on it and reprints explicitly when it is not (a reprint of a label that had printed put two on one part:
a demo printed 92 labels for 91, CI).
"""

from __future__ import annotations

import asyncio
import contextlib
from types import SimpleNamespace
from typing import Any

from app.proof.demo import LEAD_REACTION_S, _staff
from sequencer.alarms import AlarmState
from sequencer.events import AcknowledgeAlarm, ReprintLabel, ResolveDeviation


class FakeService:
    """Only what ``_dock_and_lead`` reads and calls: the core's state, the plant clock, the door."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.submitted: list[Any] = []
        self.asked = asyncio.Event()
        state = SimpleNamespace(
            watched_racks={}, uncertain={"P71": 15}, deviations=SimpleNamespace(open_deviations=lambda: [])
        )
        self.core = SimpleNamespace(state=state)

    def clock(self) -> float:
        self.now += LEAD_REACTION_S / 4  # each look at the line is a quarter of the lead's reaction later
        return self.now

    async def submit(self, event: Any) -> None:
        self.submitted.append(event)
        self.asked.set()
        if isinstance(event, ReprintLabel):
            self.core.state.uncertain.pop(event.label_id, None)  # as the core does: the person chose to reprint
        if isinstance(event, ResolveDeviation):  # as the core does: the person found the label on its part
            self.core.state.uncertain = {k: d for k, d in self.core.state.uncertain.items() if d != event.deviation_id}


class FakePrinters:
    """The simulators' control channel as the lead asks it: which labels with an id printed."""

    def __init__(self, printed: dict[str, list[dict[str, Any]]]) -> None:
        self.printed = printed
        self.asked: list[dict[str, Any]] = []

    async def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        self.asked.append(request)
        return {"ok": True, "printed": self.printed.get(request["label_id"], [])}


async def _lead_once(service: FakeService, printers: FakePrinters) -> None:
    lead = asyncio.create_task(_staff(service, printers))  # type: ignore[arg-type]
    try:
        async with asyncio.timeout(10):
            await service.asked.wait()
        await asyncio.sleep(1.0)  # a few more rounds: nothing more is sent
    finally:
        lead.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await lead


async def test_an_uncertain_label_not_on_its_part_is_reprinted_once_after_the_leads_reaction_time() -> None:
    service = FakeService()
    printers = FakePrinters({"P70": [{"printer": "zebra-1", "reprint": 0, "time": 1.0}]})  # another label printed
    await _lead_once(service, printers)
    assert printers.asked == [{"op": "printed", "label_id": "P71"}]
    [reprint] = service.submitted
    assert isinstance(reprint, ReprintLabel) and reprint.label_id == "P71" and reprint.user == "sim-lead"
    assert reprint.at - 1_000.0 >= LEAD_REACTION_S


async def test_an_uncertain_label_found_on_its_part_is_resolved_not_reprinted() -> None:
    service = FakeService()
    await _lead_once(service, FakePrinters({"P71": [{"printer": "zebra-1", "reprint": 0, "time": 1.0}]}))
    [resolve] = service.submitted
    assert isinstance(resolve, ResolveDeviation) and resolve.deviation_id == 15 and resolve.user == "sim-lead"
    assert resolve.at - 1_000.0 >= LEAD_REACTION_S


class BatchingService(FakeService):
    """Deviations returned to normal, and a door that holds each submit until every submit of the look is queued,
    as the sequencing task holds what waits for its next commit: ``together`` records how many were queued then."""

    def __init__(self, returned: list[int]) -> None:
        super().__init__()
        self.core.state.uncertain = {}
        self.returned = {d: SimpleNamespace(deviation_id=d, kind="pick_timeout", active=False) for d in returned}
        for dev in self.returned.values():
            dev.state = AlarmState.RTN_UNACK
        self.core.state.deviations = SimpleNamespace(open_deviations=lambda: list(self.returned.values()))
        self.queued: list[Any] = []
        self.together: list[int] = []

    async def submit(self, event: Any) -> None:
        self.queued.append(event)
        await asyncio.sleep(0)  # the sequencing task's turn: it takes everything queued by then as one batch
        if self.queued:
            self.together.append(len(self.queued))
            self.queued.clear()
        self.submitted.append(event)
        if isinstance(event, AcknowledgeAlarm):  # as the core does: acknowledged, it is no longer open
            self.returned.pop(event.deviation_id, None)
        self.asked.set()


async def test_returned_alarms_are_acknowledged_together_each_once() -> None:
    service = BatchingService([21, 22, 23])
    await _lead_once(service, FakePrinters({}))
    acked = [e.deviation_id for e in service.submitted if isinstance(e, AcknowledgeAlarm)]
    assert acked == [21, 22, 23]  # each once, in order, after the lead's reaction time
    assert service.together == [3]  # all three queued before the first was taken: one commit
    assert all(e.user == "sim-lead" and e.at - 1_000.0 >= LEAD_REACTION_S for e in service.submitted)
