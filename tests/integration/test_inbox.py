"""Issue 16 item 5: the watched inbox of ``jis serve`` (``[service.inbox]``, ``app.service.inbox``), on the real
service with its real intake and database (devices: the in-memory fakes, ``tests/fake_line.py``).

A finished file is journaled through the same importer path as ``jis import`` and moved to ``done/``, or to
``quarantine/`` with a reason file; a file still being written (a ``.tmp`` name, or a size that still changes) is
not taken; a crash between journal and move (the state simulated: the file journaled, still in the inbox) loses
nothing and doubles nothing when the service starts again.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from app.config import load_plant, with_free_ports
from app.feed.importer import file_messages
from app.service.inbox import DONE, QUARANTINE, Inbox, route_of, unfinished
from sequencer.plant import InboxConfig, InboxRoute, PartnerConfig, PlantConfig
from tests.devices import until
from tests.fake_line import running

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
CHANGES = (SAMPLES / "deljit_change_cancel_hold.edi").read_bytes()  # 4 messages, 5 vehicles (seq 42..46)
BROKEN = CHANGES.replace(b"BGM+30+JC250305-0101+5'", b"bgm+30+JC250305-0101+5'", 1)  # message 1 broken
TEST_INTERCHANGE = CHANGES.replace(b"+00000043'", b"+00000043++++++1'", 1)  # UNB 0035 test indicator = 1
POLL_S = 0.05
WAIT_S = 30.0


def plant_with_inbox(database_url: str, folder: Path, routes: tuple[InboxRoute, ...] = ()) -> PlantConfig:
    plant = with_free_ports(load_plant(), database=database_url)
    inbox = InboxConfig(folder=str(folder), poll_interval_s=POLL_S, routes=routes)
    return plant.model_copy(update={"service": plant.service.model_copy(update={"inbox": inbox})})


def journal_kinds(service: object) -> list[tuple[int, str]]:
    """The journal's broadcasts and rejections (what a file can add to it; the devices' links and ticks come and
    go with every start)."""
    store = service.store  # type: ignore[attr-defined]
    kinds = ("BroadcastReceived", "BroadcastRejected")
    return [(row, type(e).__name__) for row, e in store.journal() if type(e).__name__ in kinds]


def inbox_of(service: object) -> Inbox:
    inbox = service.inbox  # type: ignore[attr-defined]
    assert inbox is not None
    return inbox


async def test_a_dropped_file_is_journaled_then_moved_to_done(tmp_path: Path, database_url: str) -> None:
    folder = tmp_path / "inbox"
    async with running(plant_with_inbox(database_url, folder)) as line:
        inbox = inbox_of(line.service)
        (folder / "calloff-0043.edi").write_bytes(CHANGES)
        await until(lambda: inbox.taken == 1, "the file taken", within_s=WAIT_S)
        (result,) = inbox.results
        assert result.moved_to == folder / DONE / "calloff-0043.edi" and not result.quarantined
        assert result.moved_to.read_bytes() == CHANGES and not (folder / "calloff-0043.edi").exists()
        assert result.statuses == {"accepted": 5} and result.reasons == []
        assert {v.seq for v in line.service.core.state.feeds["L1"].vehicles.values()} >= {42, 43, 44, 46}
        # The same file again (a gateway's resend): journaled once, so only duplicates; the name is free again.
        before = journal_kinds(line.service)
        (folder / "calloff-0043.edi").write_bytes(CHANGES)
        await until(lambda: inbox.taken == 2, "the resend taken", within_s=WAIT_S)
        assert inbox.results[-1].statuses == {"duplicate": 5}
        assert inbox.results[-1].moved_to == folder / DONE / "calloff-0043.edi.2"
        assert journal_kinds(line.service) == before, "nothing journaled again"


async def test_a_file_with_a_broken_message_goes_to_quarantine_with_its_reasons(
    tmp_path: Path, database_url: str
) -> None:
    folder = tmp_path / "inbox"
    async with running(plant_with_inbox(database_url, folder)) as line:
        inbox = inbox_of(line.service)
        (folder / "broken.edi").write_bytes(BROKEN)
        (folder / "notes.txt").write_bytes(b"not a partner file at all\n")
        await until(lambda: inbox.taken == 2, "both files taken", within_s=WAIT_S)
        by_name = {r.name: r for r in inbox.results}
        broken = by_name["broken.edi"]
        assert broken.moved_to == folder / QUARANTINE / "broken.edi" and broken.statuses == {
            "accepted": 4,
            "quarantined": 1,
        }, "the good messages beside the broken one are taken"
        reason = (folder / QUARANTINE / "broken.edi.reason").read_text()
        assert "bad segment tag 'bgm'" in reason and reason.count("\n") == 1
        notes = (folder / QUARANTINE / "notes.txt.reason").read_text()
        assert "unknown format" in notes and by_name["notes.txt"].statuses == {"quarantined": 1}
        assert line.service.intake.quarantined >= 2


async def test_a_file_still_being_written_is_not_taken(tmp_path: Path, database_url: str) -> None:
    folder = tmp_path / "inbox"
    async with running(plant_with_inbox(database_url, folder)) as line:
        inbox = inbox_of(line.service)
        inbox.prepare()
        temporary = folder / "calloff.edi.tmp"
        temporary.write_bytes(CHANGES[:100])  # a gateway writing under a temporary name
        growing = folder / "growing.edi"
        growing.write_bytes(CHANGES[:50])
        # Looks by hand, between the service's own: a file whose size changes between two looks is not taken.
        inbox.finished()
        growing.write_bytes(CHANGES[:80])
        assert growing not in inbox.finished()
        assert temporary not in inbox.finished() and temporary not in inbox.finished()
        temporary.write_bytes(CHANGES)
        temporary.rename(folder / "calloff.edi")  # finished: renamed to its real name
        growing.write_bytes(CHANGES)
        await until(lambda: inbox.taken == 2, "both finished files taken", within_s=WAIT_S)
        assert {r.name: r.statuses for r in inbox.results} == {
            "calloff.edi": {"accepted": 5},
            "growing.edi": {"duplicate": 5},
        } or {r.name: r.statuses for r in inbox.results} == {
            "calloff.edi": {"duplicate": 5},
            "growing.edi": {"accepted": 5},
        }
        assert sorted(p.name for p in (folder / DONE).iterdir()) == ["calloff.edi", "growing.edi"]
        assert [p.name for p in folder.iterdir() if p.is_file()] == []


async def test_a_crash_between_journal_and_move_loses_nothing_and_doubles_nothing(
    tmp_path: Path, database_url: str
) -> None:
    """The state a kill between journal and move leaves: every message journaled, the file still in the inbox
    (simulated: the messages journaled through the same importer path and intake, the file not moved). The
    restarted service takes the file again: only duplicates, nothing journaled twice, the file moved once."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "good.edi").write_bytes(CHANGES)
    (folder / "broken.edi").write_bytes(BROKEN)
    plant = plant_with_inbox(database_url, folder)
    no_inbox = plant.model_copy(update={"service": plant.service.model_copy(update={"inbox": None})})
    async with running(no_inbox) as line:
        for name in ("good.edi", "broken.edi"):
            with file_messages(folder / name, plant) as (_, work):
                for out in work:
                    await asyncio.wait_for(line.service.intake.accept(out.body), WAIT_S)
        journaled = journal_kinds(line.service)
        vehicles = {k: (v.status, v.content) for k, v in line.service.core.state.feeds["L1"].vehicles.items()}
        quarantined = line.service.intake.quarantined
    async with running(plant) as line:
        inbox = inbox_of(line.service)
        await until(lambda: inbox.taken == 2, "both files taken after the restart", within_s=WAIT_S)
        assert journal_kinds(line.service) == journaled, "nothing journaled twice"
        after = {k: (v.status, v.content) for k, v in line.service.core.state.feeds["L1"].vehicles.items()}
        assert after == vehicles and line.service.intake.quarantined == quarantined
        by_name = {r.name: r for r in inbox.results}
        assert by_name["good.edi"].statuses == {"duplicate": 5} and not by_name["good.edi"].quarantined
        assert by_name["broken.edi"].statuses == {"duplicate": 5} and by_name["broken.edi"].quarantined
        assert "quarantined before" in (folder / QUARANTINE / "broken.edi.reason").read_text()
        assert sorted(p.name for p in folder.iterdir() if p.is_file()) == []
        assert (folder / DONE / "good.edi").read_bytes() == CHANGES


async def test_routes_choose_partner_feed_and_format_by_file_name(tmp_path: Path, database_url: str) -> None:
    folder = tmp_path / "inbox"
    routes = (InboxRoute(pattern="*.x12", format="x12"), InboxRoute(pattern="ford_*", format="x12", feed="L1"))
    cfg = InboxConfig(folder=str(folder), routes=routes)
    assert route_of(cfg, "ford_0042.edi") == routes[1] and route_of(cfg, "a.x12") == routes[0]
    assert route_of(cfg, "vw.edi") is None
    assert all(unfinished(n) for n in (".hidden", "a.tmp", "a.part", "a.partial", "a.edi.reason"))
    async with running(plant_with_inbox(database_url, folder, routes)) as line:
        inbox = inbox_of(line.service)
        (folder / "ford_0042.edi").write_bytes(CHANGES)  # EDIFACT where the route wants X12: refused whole
        await until(lambda: inbox.taken == 1, "the file taken", within_s=WAIT_S)
        (result,) = inbox.results
        assert result.quarantined and result.statuses == {"quarantined": 1}
        assert (
            "expected x12 (the partner's or the inbox route's format), this file is edifact"
            in (folder / QUARANTINE / "ford_0042.edi.reason").read_text()
        )


def plant_with_partner(database_url: str, folder: Path) -> PlantConfig:
    """The demo plant with a test feed and a partner ``vw`` that routes its test interchanges there; the inbox
    reads ``vw_*`` files with that partner."""
    plant = plant_with_inbox(database_url, folder, (InboxRoute(pattern="vw_*", partner="vw"),))
    test_feed = plant.feeds[0].model_copy(update={"id": "L1-TEST", "name": "partner test files", "line": "T1"})
    partner = PartnerConfig(format="edifact", test_indicator="route", test_feed="L1-TEST")
    return PlantConfig.model_validate(
        plant.model_dump()
        | {"feeds": [*plant.model_dump()["feeds"], test_feed.model_dump()], "partners": {"vw": partner}}
    )


async def test_the_routes_partner_reads_the_file_and_sends_its_test_interchange_to_the_test_feed(
    tmp_path: Path, database_url: str
) -> None:
    folder = tmp_path / "inbox"
    async with running(plant_with_partner(database_url, folder)) as line:
        inbox = inbox_of(line.service)
        (folder / "vw_test.edi").write_bytes(TEST_INTERCHANGE)  # the partner's test file: to the test feed
        (folder / "other_test.edi").write_bytes(TEST_INTERCHANGE)  # no route: the plant's feeds name no partner
        await until(lambda: inbox.taken == 2, "both files taken", within_s=WAIT_S)
        by_name = {r.name: r for r in inbox.results}
        assert by_name["vw_test.edi"].statuses == {"accepted": 5} and not by_name["vw_test.edi"].quarantined
        feeds = line.service.core.state.feeds
        assert {v.seq for v in feeds["L1-TEST"].vehicles.values()} >= {42, 43, 44, 46}
        assert feeds["L1"].vehicles == {}, "no test order on the production feed"
        other = by_name["other_test.edi"]
        assert other.quarantined and other.statuses == {"quarantined": 4}  # the shipped profile refuses tests
        assert "test interchange refused" in (folder / QUARANTINE / "other_test.edi.reason").read_text()


async def test_jis_import_reads_with_the_partner_it_is_given(
    tmp_path: Path, database_url: str, jis: Callable[..., int], capsys: pytest.CaptureFixture[str]
) -> None:
    plant = plant_with_partner(database_url, tmp_path / "inbox")
    config = tmp_path / "plant.json"
    config.write_text(plant.model_dump_json())
    path = tmp_path / "test.edi"
    path.write_bytes(TEST_INTERCHANGE)
    async with running(plant) as line:
        endpoint = plant.service.feed_endpoint
        argv = ("import", str(path), "--config", str(config), "--connect", endpoint, "--json")
        assert await asyncio.wait_for(asyncio.to_thread(jis, *argv, "--partner", "vw"), WAIT_S) == 0
        report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert report["accepted"] == 5 and line.service.core.state.feeds["L1"].vehicles == {}
        assert {v.seq for v in line.service.core.state.feeds["L1-TEST"].vehicles.values()} >= {42, 43, 44, 46}
