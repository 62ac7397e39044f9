"""Ship notices end to end (docs/ship-notices.md): the real service with fake devices, the simulated OEM gateway on
a real ZeroMQ socket reading each notice with the project's own parser (``app.feed.outbound.read``), checking it
against what it broadcast and answering; the outbox folder; the journal. Every wait is bounded."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.config import load_plant, with_free_ports
from app.feed.outbound.read import READERS, NoticeRead, read_desadv
from app.hmi.accounts import AccountStore
from hardware_sims.clock import ScaledClock
from hardware_sims.oem_feed import OemFeedSim
from sequencer.events import CorrectShippedRack, RackLabelScanned, ShipNoticeAnswered, ShipNoticeSending
from sequencer.plant import PlantConfig, ShipNoticeConfig
from sequencer.views import NoticeView
from tests.devices import until
from tests.fake_line import FakeLine, running
from tests.integration.test_hmi_commands import CHEAP, PASSWORDS, _ask_real, command_channel

SEAT_RACK = 6
RACK_LABEL = "R-L1-seats-1"
NOTICE_ID = "L1-seats-1"


def project_reader(fmt: str, raw: bytes) -> NoticeRead:
    return READERS[fmt](raw)


def notice_plant(database_url: str, outbox: Path, **settings: object) -> PlantConfig:
    plant = with_free_ports(load_plant(), database=database_url)
    return plant.model_copy(update={"ship_notices": ShipNoticeConfig(outbox=str(outbox), **settings)})


@contextlib.asynccontextmanager
async def oem(plant: PlantConfig) -> AsyncIterator[OemFeedSim]:
    """The OEM gateway (6 vehicles at a 10 ms takt), reading notices with the project's parser."""
    sim = OemFeedSim.from_plant(
        plant, clock=ScaledClock(speed=6000.0), rng=random.Random(3), vehicles=SEAT_RACK, notice_reader=project_reader
    )
    task = asyncio.create_task(sim.run(), name="oem")
    try:
        yield sim
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@contextlib.asynccontextmanager
async def line_and_oem(plant: PlantConfig) -> AsyncIterator[tuple[FakeLine, OemFeedSim]]:
    """The service and the OEM gateway with an operator at the line, once the first seat rack is labelled."""
    async with oem(plant) as sim, running(plant) as line, line.operator():
        printer = line.printers["zebra-1"]
        await until(lambda: RACK_LABEL in {x.label_id for x in printer.printed}, "the seat rack labelled")
        yield line, sim


def journal(line: FakeLine) -> list[object]:
    return [event for _, event in line.service.store.journal()]


@pytest.mark.parametrize("fmt", ["desadv", "vda4913", "x12_856"])
async def test_a_rack_scanned_at_the_dock_is_announced_and_the_oem_acknowledges(
    database_url: str, tmp_path: Path, fmt: str
) -> None:
    plant = notice_plant(database_url, tmp_path / "outbox", format=fmt)
    async with line_and_oem(plant) as (line, sim):
        await line.service.submit_checked(RackLabelScanned(at=line.service.clock(), label_id=RACK_LABEL))
        notices = line.service.core.state.notices
        await until(lambda: notices[NOTICE_ID].state == "acknowledged", "the OEM acknowledged the notice")
        assert (sim.notices.received, sim.notices.accepted, sim.notices.rejected) == (1, 1, 0)
    events = journal(line)
    [sending] = [e for e in events if isinstance(e, ShipNoticeSending)]
    [answer] = [e for e in events if isinstance(e, ShipNoticeAnswered)]
    assert events.index(sending) < events.index(answer) and answer.accepted
    ext = {"desadv": "edi", "vda4913": "txt", "x12_856": "x12"}[fmt]
    files = sorted(p.name for p in (tmp_path / "outbox").iterdir())
    assert files == [f"{NOTICE_ID}-v1.{ext}"]  # no .tmp left behind
    written = (tmp_path / "outbox" / files[0]).read_bytes()
    read = READERS[fmt](written)
    rack = next(x for x in line.printers["zebra-1"].printed if x.label_id == RACK_LABEL)
    assert rack.serial.startswith("471100")  # the GTL serial on the rack label, which goods receipt scans
    assert (read.notice_id, read.function, read.rack_label) == (NOTICE_ID, "original", rack.serial)
    assert [i.seq for i in read.items] == [(9990 + n) % 10000 for n in range(SEAT_RACK)]  # the sim's start_seq
    raws = {line.service.store.raw_of(i) for i, e in line.service.store.journal() if isinstance(e, ShipNoticeSending)}
    assert raws == {written}, "the bytes journaled are the bytes that left"


async def test_a_corrected_rack_is_replaced_and_acknowledged_again(database_url: str, tmp_path: Path) -> None:
    plant = notice_plant(database_url, tmp_path / "outbox")
    async with line_and_oem(plant) as (line, _):
        await line.service.submit_checked(RackLabelScanned(at=line.service.clock(), label_id=RACK_LABEL))
        notices = line.service.core.state.notices
        await until(lambda: notices[NOTICE_ID].state == "acknowledged", "v1 acknowledged")
        shipped = notices[NOTICE_ID].items[1].part
        other = next(p.number for p in plant.parts if p.family == "seats" and p.number != shipped)
        op = CorrectShippedRack(
            at=line.service.clock(), user="lead1", reason="runner swapped it", feed="L1", family="seats",
            rack_no=1, slot=notices[NOTICE_ID].items[1].slot, part=other,
        )  # fmt: skip
        await line.service.submit_checked(op)
        await until(lambda: (notices[NOTICE_ID].version, notices[NOTICE_ID].state) == (2, "acknowledged"), "v2")
    replaced = read_desadv((tmp_path / "outbox" / f"{NOTICE_ID}-v2.edi").read_bytes())
    assert (replaced.function, replaced.version, replaced.items[1].part) == ("replace", 2, other)


async def test_a_rejected_notice_is_a_deviation(database_url: str, tmp_path: Path) -> None:
    plant = notice_plant(database_url, tmp_path / "outbox")
    async with line_and_oem(plant) as (line, sim):
        sim.notices.mode = "reject"
        await line.service.submit_checked(RackLabelScanned(at=line.service.clock(), label_id=RACK_LABEL))
        state = line.service.core.state
        await until(lambda: state.notices[NOTICE_ID].state == "rejected", "the OEM rejected the notice")
        [dev] = [d for d in state.deviations.by_id.values() if d.kind == "notice_rejected"]
        assert "fault switch" in dev.message and dev.active
        bus = line.service.hmi.bus
        assert bus is not None

        def on_the_bus() -> NoticeView | None:
            raw = bus.store.entries.get(f"notice/{NOTICE_ID}")
            return NoticeView.model_validate_json(raw) if raw else None

        await until(lambda: (n := on_the_bus()) is not None and n.state == "rejected", "the screens see it rejected")
        shown = on_the_bus()
        assert shown is not None and (shown.alarm, shown.reason) == (dev.deviation_id, state.notices[NOTICE_ID].reason)


async def test_a_notice_the_oem_never_answers_is_a_deviation_after_the_time_out(
    database_url: str, tmp_path: Path
) -> None:
    plant = notice_plant(database_url, tmp_path / "outbox", ack_timeout_s=1.0)
    async with line_and_oem(plant) as (line, sim):
        sim.notices.mode = "ignore"
        await line.service.submit_checked(RackLabelScanned(at=line.service.clock(), label_id=RACK_LABEL))
        state = line.service.core.state
        await until(lambda: sim.notices.received == 1, "the OEM got the notice")
        await until(lambda: state.deviations.counts["notice_unanswered"] == 1, "the time-out raised", within_s=10)
        assert state.notices[NOTICE_ID].state == "sent"


async def test_a_notice_unanswered_at_a_restart_goes_again_byte_for_byte(database_url: str, tmp_path: Path) -> None:
    """The OEM's gateway keeps running while the service restarts: the notice it never answered comes again, the
    same bytes, and this time it is acknowledged (once)."""
    plant = notice_plant(database_url, tmp_path / "outbox")
    async with oem(plant) as sim:
        sim.notices.mode = "ignore"
        async with running(plant) as line, line.operator():
            printer = line.printers["zebra-1"]
            await until(lambda: RACK_LABEL in {x.label_id for x in printer.printed}, "the seat rack labelled")
            await line.service.submit_checked(RackLabelScanned(at=line.service.clock(), label_id=RACK_LABEL))
            await until(lambda: sim.notices.received == 1, "the OEM got the notice (and said nothing)")
        first = (tmp_path / "outbox" / f"{NOTICE_ID}-v1.edi").read_bytes()
        sim.notices.mode = "answer"
        async with running(plant) as again:
            notices = again.service.core.state.notices
            await until(lambda: notices[NOTICE_ID].state == "acknowledged", "acknowledged after the restart")
        assert (sim.notices.received, sim.notices.accepted) == (2, 1)
    assert (tmp_path / "outbox" / f"{NOTICE_ID}-v1.edi").read_bytes() == first
    raws = {again.service.store.raw_of(i) for i, e in again.service.store.journal() if isinstance(e, ShipNoticeSending)}
    assert raws == {first}, "journaled twice, the same bytes both times"


async def test_an_answer_that_does_not_decode_is_quarantined_and_moves_nothing(
    database_url: str, tmp_path: Path
) -> None:
    """docs/feed-protocol.md, "Ship notices": a bad NOTICE_ANS is quarantined like any bad frame."""
    plant = notice_plant(database_url, tmp_path / "outbox")
    async with line_and_oem(plant) as (line, sim):
        sim.notices.mode = "ignore"
        await line.service.submit_checked(RackLabelScanned(at=line.service.clock(), label_id=RACK_LABEL))
        await until(lambda: sim.notices.received == 1, "the OEM got the notice")
        sim.send_raw([b"NOTICE_ANS", b'{"feed": "L1", "notice_id": "L1-seats-1", "version": "one"}'])
        await until(lambda: line.service.intake.quarantined == 1, "the bad answer quarantined")
        [held] = line.service.store.quarantined()
        assert held.raw.startswith(b"NOTICE_ANS") and "notice answer" in held.reason
        assert line.service.core.state.notices[NOTICE_ID].state == "sent"


async def test_a_notice_lost_on_the_way_goes_again_until_answered(database_url: str, tmp_path: Path) -> None:
    """The OEM's gateway lost the first NOTICE (here: it said nothing): after ``resend_after_s`` the same body goes
    over the link again and its answer is taken once."""
    plant = notice_plant(database_url, tmp_path / "outbox", resend_after_s=1.0)
    async with line_and_oem(plant) as (line, sim):
        sim.notices.mode = "ignore"
        await line.service.submit_checked(RackLabelScanned(at=line.service.clock(), label_id=RACK_LABEL))
        await until(lambda: sim.notices.received == 1, "the first NOTICE arrived (and was lost)")
        sim.notices.mode = "answer"
        notices = line.service.core.state.notices
        await until(lambda: notices[NOTICE_ID].state == "acknowledged", "acknowledged on a resend", within_s=10)
        assert line.service.notices.resent >= 1 and line.service.notices.sent == 1
    answers = [e for e in journal(line) if isinstance(e, ShipNoticeAnswered)]
    assert len(answers) == 1, "answered once, however often the OEM answered"


async def test_a_lead_sends_a_rejected_notice_again_once_per_request_id_and_it_is_audited(
    database_url: str, tmp_path: Path
) -> None:
    """docs/ship-notices.md, "Send again": the OEM rejects; the cause fixed, a lead logged in on the command channel
    sends the notice again (``ResendShipNotice``): a new version the OEM acknowledges. The same request again (a lost
    reply) is answered as the first and done once; an operator may not; each attempt is one audit line."""
    accounts = AccountStore.open(database_url, hasher=CHEAP)
    accounts.add_user("lars", "lead", PASSWORDS["lars"])
    accounts.add_user("olga", "operator", PASSWORDS["olga"])
    plant = notice_plant(database_url, tmp_path / "outbox")
    request = {"op": "intent", "type": "ResendShipNotice", "fields": {"feed": "L1", "family": "seats", "rack_no": 1}}
    request |= {"reason": "OEM fixed its ASN master data", "request_id": "resend-L1-seats-1-a"}
    try:
        async with line_and_oem(plant) as (line, sim):
            sim.notices.mode = "reject"
            await line.service.submit_checked(RackLabelScanned(at=line.service.clock(), label_id=RACK_LABEL))
            notices = line.service.core.state.notices
            await until(lambda: notices[NOTICE_ID].state == "rejected", "the OEM rejected v1")
            sim.notices.mode = "answer"
            async with command_channel(line) as sock:
                login = {"op": "login", "password": PASSWORDS["olga"], "user": "olga"}
                operator = (await _ask_real(sock, login))["token"]
                forbidden = await _ask_real(sock, {**request, "token": operator, "request_id": "resend-by-olga"})
                login = {"op": "login", "password": PASSWORDS["lars"], "user": "lars"}
                lead = (await _ask_real(sock, login))["token"]
                first = await _ask_real(sock, {**request, "token": lead})
                retried = await _ask_real(sock, {**request, "token": lead})
                await until(lambda: (notices[NOTICE_ID].version, notices[NOTICE_ID].state) == (2, "acknowledged"), "v2")
                too_late = await _ask_real(sock, {**request, "token": lead, "request_id": "resend-L1-seats-1-b"})
        assert forbidden["code"] == "forbidden"
        assert first["ok"] is True and retried == first, "the same request again: the first's answer, done once"
        assert too_late["code"] == "refused" and "is acknowledged" in too_late["error"]
        assert line.service.core.state.notices[NOTICE_ID].version == 2  # sent again once, not once per request
        audit = [(e.user, e.action, e.result) for e in accounts.audit_query() if e.action == "ResendShipNotice"]
        assert audit[0] == ("olga", "ResendShipNotice", "forbidden") and ("lars", "ResendShipNotice", "done") in audit
    finally:
        accounts.close()
    assert sorted(p.name for p in (tmp_path / "outbox").iterdir()) == [f"{NOTICE_ID}-v1.edi", f"{NOTICE_ID}-v2.edi"]
    again = read_desadv((tmp_path / "outbox" / f"{NOTICE_ID}-v2.edi").read_bytes())
    assert (again.function, again.version) == ("original", 2)
