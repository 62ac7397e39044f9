"""The TCP scanner driver (``plc_io.scanner``) against the simulated reader (``hardware_sims.scanner``) over
loopback: reads arrive as sent, the link goes down and comes back with the reader, and the faults (no-read,
garbled, duplicate, slow) arrive as what a real reader would send."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from hardware_sims.scanner import NOREAD, ScannerSim
from plc_io.ports import CodeRead
from plc_io.scanner import MAX_LINE, TcpScanner
from tests.devices import Reports, stop, until


@pytest.fixture
async def rig() -> AsyncIterator[tuple[ScannerSim, TcpScanner, Reports]]:
    sim = ScannerSim(name="scan-1")
    await sim.start()
    driver = TcpScanner("scan-1", "127.0.0.1", sim.port, timeout_s=1.0, same_code_s=0.5)
    reports = Reports("scan-1")
    task = asyncio.create_task(driver.run(reports))
    await until(lambda: reports.links() == [True] and sim.clients == 1, "the driver connected")
    yield sim, driver, reports
    await stop(task)
    await sim.stop()


def codes(reports: Reports) -> list[bytes]:
    return [r.code for r in reports.of(CodeRead)]


async def test_reads_arrive_in_order(rig: tuple[ScannerSim, TcpScanner, Reports]) -> None:
    sim, driver, reports = rig
    for code in ("PSEAT-CLOTH-BLK+S00000001", "PBMP-040+HB2024X", "PSEAT-CLOTH-BLK+S00000002"):
        sim.read(code)
    await until(lambda: len(codes(reports)) == 3, "three reads")
    assert codes(reports) == [b"PSEAT-CLOTH-BLK+S00000001", b"PBMP-040+HB2024X", b"PSEAT-CLOTH-BLK+S00000002"]
    assert driver.reads == 3


async def test_the_link_follows_the_reader_down_and_back(rig: tuple[ScannerSim, TcpScanner, Reports]) -> None:
    sim, driver, reports = rig
    await sim.set_fault("down", True)
    await until(lambda: reports.links() == [True, False], "the link reported down")
    sim.read("PBMP-040+HB1")  # a part passing while the reader is off the network is not read
    await sim.set_fault("down", False)
    await until(lambda: reports.links() == [True, False, True] and sim.clients == 1, "the link back up")
    sim.read("PBMP-040+HB2")
    await until(lambda: codes(reports) == [b"PBMP-040+HB2"], "the read after the reconnect")
    assert driver.connects == 2


async def test_noread_and_garbled_reads_are_reported_as_read(rig: tuple[ScannerSim, TcpScanner, Reports]) -> None:
    sim, _driver, reports = rig
    await sim.set_fault("noread", True)
    sim.read("PBMP-040+HB1")
    await sim.set_fault("noread", False)
    await sim.set_fault("garbled", True)
    sim.read("PBMP-040+HB1")
    await until(lambda: len(codes(reports)) == 2, "two reads")
    noread, garbled = codes(reports)
    assert noread == NOREAD.encode()
    assert garbled != b"PBMP-040+HB1" and garbled.endswith(b"?")


async def test_a_duplicate_read_is_one_read(rig: tuple[ScannerSim, TcpScanner, Reports]) -> None:
    sim, driver, reports = rig
    await sim.set_fault("duplicate", True)
    sim.read("PBMP-040+HB1")
    sim.read("PBMP-040+HB2")
    await until(lambda: driver.duplicates == 2, "both repeats seen")
    assert codes(reports) == [b"PBMP-040+HB1", b"PBMP-040+HB2"]
    assert sim.sent == ["PBMP-040+HB1"] * 2 + ["PBMP-040+HB2"] * 2


async def test_a_slow_reader_delivers_late_not_never(rig: tuple[ScannerSim, TcpScanner, Reports]) -> None:
    sim, _driver, reports = rig
    await sim.set_fault("slow", True, seconds=0.2)
    sim.read("PBMP-040+HB1")
    assert codes(reports) == []
    await until(lambda: codes(reports) == [b"PBMP-040+HB1"], "the late read")


async def test_an_overlong_line_is_cut_and_the_next_read_is_whole(
    rig: tuple[ScannerSim, TcpScanner, Reports],
) -> None:
    sim, driver, reports = rig
    sim.read("X" * (MAX_LINE * 3))
    sim.read("PBMP-040+HB1")
    await until(lambda: len(codes(reports)) == 2, "the cut read and the next")
    cut, whole = codes(reports)
    assert cut == b"X" * MAX_LINE and whole == b"PBMP-040+HB1"
    assert driver.cut == 1


async def test_no_reader_there_is_a_link_down() -> None:
    sim = ScannerSim()
    await sim.start()
    port = sim.port
    await sim.stop()
    reports = Reports("scan-9")
    task = asyncio.create_task(TcpScanner("scan-9", "127.0.0.1", port, timeout_s=0.5).run(reports))
    try:
        await until(lambda: reports.links() == [False], "the link reported down")
    finally:
        await stop(task)
