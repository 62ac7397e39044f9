"""``jis import`` against a running service on 127.0.0.1: broadcasts journaled like the live feed, a second
import only duplicates, what the file could not give quarantined by the service, a silent service reported.

The service runs in this process (``app.service.runtime.Service`` on free ports with the run's database); its devices
are the in-memory fakes (``tests/fake_line.py``): the feed does not need them. The importer runs on a worker thread,
as a separate gateway would.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.cli.import_ import EXIT_NO_SERVICE, EXIT_OK, EXIT_PROBLEMS
from app.service.runtime import Service
from plc_io.loopback_ports import free_port
from tests.devices import until
from tests.fake_line import fake_line

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
WAIT_S = 30.0


@asynccontextmanager
async def running_service(database_url: str) -> AsyncIterator[Service]:
    async with fake_line(database_url) as line:
        yield line.service


Importer = Callable[..., Awaitable[tuple[int, dict[str, object]]]]


@pytest.fixture
def jis_import(capsys: pytest.CaptureFixture[str], jis: Callable[..., int]) -> Importer:
    """``jis import ARG... --json`` on a worker thread: (exit code, the report)."""

    async def run(*argv: str) -> tuple[int, dict[str, object]]:
        code = await asyncio.wait_for(asyncio.to_thread(jis, "import", *argv, "--json"), WAIT_S)
        return code, json.loads(capsys.readouterr().out.strip().splitlines()[-1])

    return run


def journal_broadcasts(service: Service) -> list[tuple[str, int, bytes | None]]:
    rows = []
    for journal_id, event in service.store.journal():
        if type(event).__name__ == "BroadcastReceived":
            rows.append((event.feed, event.seq, service.store.raw_of(journal_id)))  # type: ignore[union-attr]
    return rows


def journaled_but_ticks(service: Service) -> list[tuple[int, str]]:
    """The journal without the service's ticks (one a second: they go on while a test imports)."""
    return [(row_id, type(e).__name__) for row_id, e in service.store.journal() if type(e).__name__ != "Tick"]


def line_vehicles(service: Service) -> dict[tuple[str, int], tuple[str, object]]:
    return {
        (f, pos): (v.status, v.content)
        for f, feed in service.core.state.feeds.items()
        for pos, v in feed.vehicles.items()
    }


def originals(tmp_path: Path, seqs: range) -> Path:
    """A JSON broadcast file of the kind an OEM sends in emergency mode: one original order per vehicle."""
    path = tmp_path / "emergency.json"
    order = {"feed": "L1", "function": "original", "firm": True, "options": ["S1", "P040"]}
    rows = [{**order, "seq": s, "vehicle_id": f"WVWZZZ1KZRW{s:06d}"} for s in seqs]
    path.write_text(json.dumps(rows))
    return path


async def test_an_imported_file_is_journaled_like_the_feed_with_its_bytes(
    database_url: str, jis_import: Importer
) -> None:
    async with running_service(database_url) as service:
        endpoint = service.plant.service.feed_endpoint
        code, report = await jis_import(str(SAMPLES / "broadcasts_feed.jsonl"), "--connect", endpoint)
        assert code == EXIT_OK and report["accepted"] == 3 and report["quarantined"] == 0
        feed = service.core.state.feeds["L1"]
        assert (feed.broadcasts, feed.last_seq) == (2, 0)  # 9999 and 0; the third is the cancel of 9999
        rows = journal_broadcasts(service)
        assert [(f, s) for f, s, _ in rows] == [("L1", 9999), ("L1", 0), ("L1", 9999)]
        assert all(raw and json.loads(raw)["feed"] == "L1" for _, _, raw in rows), "the bytes as received"


async def test_importing_the_same_file_twice_only_counts_duplicates(
    tmp_path: Path, database_url: str, jis_import: Importer
) -> None:
    path = originals(tmp_path, range(41, 45))
    async with running_service(database_url) as service:
        endpoint = service.plant.service.feed_endpoint
        code, first = await jis_import(str(path), "--connect", endpoint)
        assert code == EXIT_OK and first["accepted"] == 4
        once = journaled_but_ticks(service)
        code, again = await jis_import(str(path), "--connect", endpoint)
        assert code == EXIT_OK and again["duplicate"] == 4 and again["accepted"] == 0
        assert again["sha256"] == first["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        feed = service.core.state.feeds["L1"]
        assert (feed.broadcasts, feed.last_seq) == (4, 44)
        assert service.intake.duplicates["L1"] == 4, "counted at the intake, never handed to the core again"
        assert service.hmi.view().feeds[0].duplicates == 4, "and shown as the feed's duplicates"
        assert journaled_but_ticks(service) == once, "nothing journaled again"
        assert len(service.core.state.picks) == 8, "one seat and one bumper per vehicle, never picked twice"


async def test_a_file_with_a_change_and_a_cancel_imported_again_changes_nothing(
    database_url: str, jis_import: Importer
) -> None:
    """An original and then its change, an original and then its cancel: a second import used to apply the
    original again, then the change again (the vehicle changed back, then forward), and the cancel again."""
    path = SAMPLES / "deljit_change_cancel_hold.edi"
    async with running_service(database_url) as service:
        endpoint = service.plant.service.feed_endpoint
        await jis_import(str(path), "--connect", endpoint)
        once, vehicles = journaled_but_ticks(service), line_vehicles(service)
        _, again = await jis_import(str(path), "--connect", endpoint)
        assert again["accepted"] == 0 and again["quarantined"] == 0 and again["duplicate"] >= 4, again
        assert journaled_but_ticks(service) == once, "nothing journaled again: the core saw only time pass"
        assert line_vehicles(service) == vehicles


async def test_what_a_file_cannot_give_is_quarantined_by_the_service(database_url: str, jis_import: Importer) -> None:
    async with running_service(database_url) as service:
        endpoint = service.plant.service.feed_endpoint
        code, report = await jis_import(str(SAMPLES / "deljit_missing_seq.edi"), "--connect", endpoint)
        assert code == EXIT_PROBLEMS and report["quarantined"] == 1
        held = service.store.quarantined()
        assert len(held) == 1 and service.intake.quarantined == 1
        kept = json.loads(held[0].raw)
        assert "has no SEQ group" in kept["import_problem"] and kept["file"] == "deljit_missing_seq.edi"
        assert "UNH" in kept["raw"], "the original message travels with the reason"
        assert [d.kind for d in service.core.state.deviations.open_deviations()].count("malformed") == 1


async def test_a_silent_service_stops_the_import_and_says_how_much_was_not_sent(
    jis_import: Importer,
) -> None:
    nobody = f"tcp://127.0.0.1:{free_port()}"
    argv = [str(SAMPLES / "broadcasts_feed.jsonl"), "--connect", nobody, "--timeout", "0.05", "--retries", "1"]
    code, report = await jis_import(*argv)
    assert code == EXIT_NO_SERVICE and report["unsent"] == 3 and "no ACK" in str(report["stopped"])


async def test_an_emergency_file_repeating_what_the_feed_brought_is_a_repeat(
    database_url: str, jis_import: Importer
) -> None:
    """A message without an envelope is named by the feed's own sequence number and content, however it came:
    the file a partner sends when its feed went down may repeat what the feed brought first."""
    path = SAMPLES / "broadcasts_feed.jsonl"
    async with running_service(database_url) as service:
        for line in path.read_bytes().splitlines():
            assert (await service.intake.accept(line)).status == "accepted"  # over the live feed
        once = journaled_but_ticks(service)
        code, report = await jis_import(str(path), "--connect", service.plant.service.feed_endpoint)
        assert code == EXIT_OK and report["duplicate"] == 3 and report["accepted"] == 0, report
        assert journaled_but_ticks(service) == once


async def test_a_quantity_and_the_required_time_travel_from_the_file_to_the_light_the_label_and_the_due_time(
    tmp_path: Path, database_url: str, jis_import: Importer
) -> None:
    """Issue 16 item 4 through the real feed: a DELJIT line of 3 seats, imported over the feed socket, is one
    pick of 3, lit with 3 on the bin's display and printed with 3 on its part label; the vehicle is due at the
    DTM+2 required time, not at arrival plus the lead time."""
    raw = (SAMPLES / "deljit_syncro_wrap.edi").read_bytes().replace(b"QTY+1:1:PCE'", b"QTY+1:3:PCE'", 1)
    path = tmp_path / "three_seats.edi"
    path.write_bytes(raw)
    required = datetime(2025, 3, 5, 9, 15, tzinfo=UTC).timestamp()  # DTM+2:202503051015:203, Berlin
    async with fake_line(database_url) as line:
        service = line.service
        _, report = await jis_import(str(path), "--connect", service.plant.service.feed_endpoint)
        assert report["accepted"] == 4 and report["quarantined"] == 0, report
        vehicle = next(v for v in service.core.state.feeds["L1"].vehicles.values() if v.seq == 9998)
        assert vehicle.due_at == required
        seat = next(service.core.state.picks[p] for p in vehicle.picks if service.core.state.picks[p].family == "seats")
        assert (seat.part, seat.qty) == ("SEAT-LEATH-BLK-H", 3)
        light = next(b.light for s in service.plant.stations for b in s.bins if b.id == seat.bin)
        ptl = line.ptls[next(s.ptl for s in service.plant.stations if s.id == seat.station)]
        await until(lambda: ptl.lit().get(light) is not None and ptl.lit()[light].token == seat.pick_id, "seat lit")
        assert ptl.lit()[light].display == 3
        printer = line.printers[next(s.printer for s in service.plant.stations if s.id == seat.station)]
        async with line.operator():
            await until(
                lambda: any(getattr(lb, "label_id", "") == f"P{seat.pick_id}" for lb in printer.printed), "label"
            )
        (label,) = [lb for lb in printer.printed if lb.label_id == f"P{seat.pick_id}"]
        assert label.qty == 3  # type: ignore[union-attr]
