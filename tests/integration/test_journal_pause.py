"""A journal that cannot be written pauses the line and never stops the service (issue 15 item 5; docs/security.md).

The real service (fake devices) with its OEM feed on a ZeroMQ socket and a gateway speaking the wire protocol, over
the run's database (SQLite, or PostgreSQL in the second pass). The database really refuses the writes: every
connection the service's engine hands out is switched read-only while the fault lasts (SQLite's ``PRAGMA
query_only``: "attempt to write a readonly database"; PostgreSQL's ``default_transaction_read_only``: "cannot
execute INSERT in a read-only transaction"), as a database turned read-only by an operator or a full disk would;
reads go on. While it lasts: the service runs, nothing is acknowledged (the broadcast and the gateway's resend),
nothing new is lit, a P1 ``journal_failed`` alarm is open, a press at a lit bin waits; once the fault clears the
line resumes by itself: the broadcast is acknowledged, the press confirmed, the alarm returned, and the journal holds
every broadcast once, the pause's two rows in front of what waited, and replays to the live core's fingerprint.
The disk-space watch, on the same service: a folder with less free space than the plant file's ``low_mb`` (set
above the test folder's real free space) is a P3 alarm and a metric, well before anything pauses. Waits are bounded.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import zmq
import zmq.asyncio
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.config import load_plant, with_free_ports
from app.feed.protocol import ACK, BCAST
from app.persist.store import JournalPaused, Store
from app.service.disk_watch import MB
from plc_io.loopback_ports import free_port
from sequencer.core import Sequencer
from sequencer.events import BinConfirmed, BroadcastReceived, HoldVehicle, JournalWriteChanged
from sequencer.plant import DiskWatchConfig
from tests.fake_line import FakeLine, running
from tests.integration.test_feed_security import deviations, gateways, order, until
from tests.integration.test_service_metrics import scrape

FAULT_S = 1.5  # how long the gateway hears nothing while the journal refuses writes


@contextmanager
def read_only_switch(engine: Engine) -> Iterator[dict[str, bool]]:
    """While ``switch["on"]``, every connection the engine hands out refuses writes (the database's own refusal)."""
    switch = {"on": False}
    postgres = engine.dialect.name == "postgresql"

    def on_checkout(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        cursor = dbapi_conn.cursor()
        if postgres:
            cursor.execute(f"SET SESSION default_transaction_read_only = {'on' if switch['on'] else 'off'}")
            dbapi_conn.commit()
        else:
            cursor.execute(f"PRAGMA query_only = {'ON' if switch['on'] else 'OFF'}")
        cursor.close()

    event.listen(engine, "checkout", on_checkout)
    try:
        yield switch
    finally:
        event.remove(engine, "checkout", on_checkout)


def journal(url: str) -> list[tuple[int, Any]]:
    store = Store(url, migrate=False)
    try:
        return list(store.journal())
    finally:
        store.close()


def journal_failed(line: FakeLine) -> list[Any]:
    return deviations(line, "journal_failed")


async def test_a_read_only_journal_pauses_the_line_and_it_resumes_by_itself(database_url: str) -> None:
    plant = with_free_ports(load_plant(), database=database_url)
    ctx = zmq.asyncio.Context()
    try:
        async with running(plant) as line:
            service = line.service
            task = asyncio.current_task()
            assert task is not None
            with read_only_switch(service.store.engine) as switch:
                async with gateways(ctx, plant.service.feed_endpoint, (None, b"oem")) as (gw,):
                    await gw.send(BCAST, order(1))
                    assert (await gw.next(ACK))["status"] == "accepted"
                    await until(lambda: any(p.lit() for p in line.ptls.values()), "vehicle 1 lit")
                    lit_before = {(n, light, s.token) for n, p in line.ptls.items() for light, s in p.lit().items()}
                    ptl, light = next((n, light) for n, p in line.ptls.items() for light in p.lit())

                    switch["on"] = True
                    second = order(2)  # a gateway resends the same message (its id: the same identity)
                    await gw.send(BCAST, second)
                    await until(lambda: service.sequencing.paused, "the journal paused")
                    line.ptls[ptl].press(light)  # the operator picks what was lit before the fault
                    await asyncio.sleep(0.3)  # the driver's poll reports it: it waits for the journal
                    assert not service.core.state.confirm_counters
                    await gw.send(BCAST, second)  # the gateway resends what was not acknowledged
                    heard = await gw.quiet(FAULT_S)
                    assert [body["seq"] for kind, body in heard if kind == ACK] == [1]  # nothing unsaved acknowledged
                    assert service.sequencing.paused and service.sequencing.write_failures >= 2  # retried
                    hold = HoldVehicle(at=service.clock(), user="lars", reason="check", feed="L1", seq=1)
                    with pytest.raises(JournalPaused):  # an HMI request (an identity) is refused at once, not stored
                        await service.submit_once(hold, "hmi/lars/1")
                    (alarm,) = journal_failed(line)
                    assert (alarm.priority, alarm.active, alarm.station) == (1, True, "journal")
                    feed = service.core.state.feeds["L1"]
                    assert feed.last_seq == 1 and 2 not in {v.seq for v in feed.vehicles.values()}
                    lit_now = {(n, light, s.token) for n, p in line.ptls.items() for light, s in p.lit().items()}
                    assert lit_now == lit_before  # nothing new lit for unsaved work, the press not yet taken
                    assert not any(p.queued for p in line.printers.values())  # no label for unsaved work
                    ended = [t for t in service._tasks if t.done() and (t.cancelled() or t.exception())]
                    assert not ended  # nothing of the service failed or stopped

                    switch["on"] = False  # the fault clears: the line resumes by itself
                    await until(lambda: not service.sequencing.paused, "the journal resumed")
                    heard_before = len(gw.heard)
                    await gw.send(BCAST, second)  # the gateway's resend, at its time-out, of what was not acknowledged
                    await gw.next(ACK)
                    acks = [body for kind, body in (await gw.quiet(0.5))[heard_before:] if kind == ACK]
                    # the batch that first failed was this broadcast (then it is acknowledged as it is written, and
                    # the resend is a duplicate) or a tick before it (then the broadcast was refused, and the resend
                    # is the one taken): either way it is acknowledged accepted once
                    assert [(a["seq"], a["status"]) for a in acks] in (
                        [(2, "accepted")],
                        [(2, "accepted"), (2, "duplicate")],
                    )
                    await until(lambda: service.core.state.feeds["L1"].last_seq == 2, "vehicle 2 sequenced")
                    await until(lambda: bool(service.core.state.confirm_counters), "the press taken")
                    await gw.send(BCAST, second)  # a late resend after the resume is a duplicate
                    assert (await gw.next(ACK))["status"] == "duplicate"
                    (alarm,) = journal_failed(line)
                    assert (alarm.active, alarm.state) == (False, "returned_unacknowledged")  # listed until acked
        assert not task.cancelled()
        rows = journal(database_url)
        events = [e for _, e in rows]
        broadcasts = [e.seq for e in events if isinstance(e, BroadcastReceived)]
        assert broadcasts == [1, 2]  # nothing lost, nothing doubled
        assert not [e for e in events if isinstance(e, HoldVehicle)]  # the refused request was never stored
        assert sum(isinstance(e, BinConfirmed) for e in events) >= 1  # the press during the pause was kept
        pause = [(i, e.ok) for i, e in enumerate(events) if isinstance(e, JournalWriteChanged)]
        assert [ok for _, ok in pause] == [False, True] and pause[1][0] == pause[0][0] + 1
        assert pause[0][0] < events.index(next(e for e in events if isinstance(e, BroadcastReceived) and e.seq == 2))
        replayed = Sequencer(plant)
        for e in events:
            replayed.handle(e)
        assert replayed.fingerprint() == line.service.core.fingerprint()  # the live core is the journal's
    finally:
        ctx.destroy(linger=0)


async def test_the_disk_watch_warns_well_before_full_with_an_alarm_and_a_metric(
    database_url: str, tmp_path: Path
) -> None:
    """The database's folder (SQLite), or the data folder (PostgreSQL), with less free space than ``low_mb``: a P3
    ``disk_space_low`` alarm for that folder and its figures on ``/metrics``; the journal is not paused."""
    free_mb = shutil.disk_usage(tmp_path).free / MB
    plant = with_free_ports(load_plant(), database=database_url)
    disk = DiskWatchConfig(low_mb=free_mb + 50_000, critical_mb=1, check_s=0.05)  # real free space, under low_mb
    changes = {"disk": disk, "data_dir": str(tmp_path), "metrics_port": free_port()}
    plant = plant.model_copy(update={"service": plant.service.model_copy(update=changes)})
    async with running(plant) as line:
        await until(lambda: bool(deviations(line, "disk_space_low")), "the disk_space_low alarm")
        (alarm,) = deviations(line, "disk_space_low")
        assert (alarm.priority, alarm.active, alarm.station) == (
            3,
            True,
            str(tmp_path),
        )  # the basetemp has no symbolic link
        samples = await asyncio.to_thread(scrape, plant.service.metrics_port)
        folder = (("folder", str(tmp_path)),)
        assert samples[("jis_disk_level", folder)] == 1.0
        assert abs(samples[("jis_disk_free_bytes", folder)] / MB - free_mb) < 1_000
        assert samples[("jis_journal_paused", ())] == 0.0
        assert not deviations(line, "disk_space_critical") and not deviations(line, "journal_failed")
