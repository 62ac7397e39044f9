"""The link loop every driver runs (plc_io.link), on its own: no sockets, no device library, no real waiting.

A fake device fails its connect a given number of times, then answers and serves until the test drops it; the
back-off is recorded by an injected sleep instead of waited out. Pinned: the link is reported and logged once per
change (down with the reason of the first failure, up once the device answered), the delays double to the
ceiling and start over after an answer, a cancel stops the loop, and no asyncio task outlives a test.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import NoReturn

import pytest

from plc_io.link import (
    CEILING_S,
    FIRST_DELAY_S,
    OFFLINE_PROBE_S,
    PRINT_ENGINE_CEILING_S,
    Backoff,
    DeviceLink,
    LightLinks,
    light_device,
)
from plc_io.ports import DeviceError, LinkChanged
from tests.devices import Reports, stop, until

log = logging.getLogger("tests.link")


class FakeDevice:
    """Refuses the first ``failures`` connects, then answers (``link.up``) and serves until ``drop``."""

    def __init__(self, failures: int, *, ceiling_s: float = CEILING_S) -> None:
        self.failures = failures
        self.attempts = 0
        self.delays: list[float] = []  # the back-off the link waited, in order
        self.link = DeviceLink("ptl-seat", "gateway", log, ceiling_s=ceiling_s, sleep=self._sleep)
        self._dropped = asyncio.Event()
        self.serving = asyncio.Event()

    async def _sleep(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(0)

    async def connection(self) -> NoReturn:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise DeviceError(f"connect refused ({self.attempts})")
        self.link.up()
        self.serving.set()
        await self._dropped.wait()
        self._dropped.clear()
        self.serving.clear()
        raise DeviceError("connection reset")

    def drop(self, *, failures: int = 0) -> None:
        """End the connection now; the next ``failures`` connects are refused."""
        self.failures = self.attempts + failures
        self._dropped.set()


@pytest.fixture(autouse=True)
async def no_leaked_tasks() -> AsyncIterator[None]:
    yield
    await asyncio.sleep(0)
    leaked = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
    assert not leaked, f"tasks outlived the test: {leaked}"


@asynccontextmanager
async def running(device: FakeDevice, reports: Reports) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(device.link.run(reports, device.connection), name="link")
    try:
        yield task
    finally:
        await stop(task)


@pytest.fixture
def link_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level(logging.INFO, logger=log.name):
        yield caplog


def link_lines(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str]]:
    return [(r.levelname, r.getMessage()) for r in caplog.records if r.name == log.name]


async def test_down_once_then_up_once_with_a_doubling_backoff(link_log: pytest.LogCaptureFixture) -> None:
    device, reports = FakeDevice(failures=5), Reports("ptl-seat")
    async with running(device, reports):
        await until(device.serving.is_set, "the sixth connect answers")
    assert reports.items == [
        LinkChanged(device="ptl-seat", up=False, detail="connect refused (1)"),  # the first failure's reason
        LinkChanged(device="ptl-seat", up=True, detail=""),
    ]
    assert device.delays == [0.05, 0.1, 0.2, 0.4, 0.8]
    assert link_lines(link_log) == [
        ("WARNING", "ptl-seat: gateway link down connect refused (1)"),
        ("WARNING", "ptl-seat: gateway link up "),  # back after a "down": at the level the "down" was said
    ]


@pytest.mark.parametrize("ceiling_s", [CEILING_S, PRINT_ENGINE_CEILING_S])
async def test_the_backoff_stops_growing_at_its_ceiling(ceiling_s: float) -> None:
    device, reports = FakeDevice(failures=12, ceiling_s=ceiling_s), Reports("ptl-seat")
    async with running(device, reports):
        await until(device.serving.is_set, "the connect after twelve refusals answers")
    assert device.delays[0] == FIRST_DELAY_S
    assert max(device.delays) == device.delays[-1] == ceiling_s
    assert all(b == min(2 * a, ceiling_s) for a, b in zip(device.delays, device.delays[1:], strict=False))
    assert reports.links() == [False, True]


async def test_an_answer_starts_the_backoff_over_and_each_loss_is_reported_once() -> None:
    device, reports = FakeDevice(failures=3), Reports("ptl-seat")
    async with running(device, reports):
        await until(device.serving.is_set, "first connection")
        device.drop(failures=2)
        await until(lambda: reports.links() == [False, True, False, True], "down and up again")
        await until(device.serving.is_set, "second connection")
    assert device.delays == [0.05, 0.1, 0.2, 0.05, 0.1, 0.2]  # after the answer, from the first delay again
    assert reports.of(LinkChanged, up=False)[1].detail == "connection reset"


async def test_a_device_that_stops_serving_is_down_without_a_reconnect(link_log: pytest.LogCaptureFixture) -> None:
    """The OPC UA controller's case: connected, but out of service, then serving again."""
    device, reports = FakeDevice(failures=0), Reports("ptl-seat")
    async with running(device, reports):
        await until(device.serving.is_set, "connected")
        device.link.down("controller OutOfService")
        device.link.down("controller OutOfService")
        device.link.up("controller Executing")
        device.link.up("controller Executing")
    assert reports.links() == [True, False, True]
    assert device.attempts == 1 and device.delays == []
    assert [level for level, _ in link_lines(link_log)] == [
        "INFO",
        "WARNING",
        "WARNING",
    ]  # the first up is news only at INFO


async def test_a_cancel_stops_the_loop_in_its_backoff_and_in_a_connection() -> None:
    for failures in (10**6, 0):  # cancelled while backing off; cancelled while connected
        device, reports = FakeDevice(failures=failures), Reports("ptl-seat")
        task = asyncio.create_task(device.link.run(reports, device.connection))
        await until(lambda: device.attempts > 2 or device.serving.is_set(), "running")  # noqa: B023
        await stop(task)
        assert task.cancelled()


async def test_an_error_that_is_not_a_device_error_is_a_bug_and_ends_the_loop() -> None:
    async def broken() -> NoReturn:
        raise ValueError("a driver bug")

    link = DeviceLink("printer", "printer", log)
    with pytest.raises(ValueError, match="a driver bug"):
        await link.run(Reports(), broken)


def test_backoff_doubles_to_the_ceiling_and_starts_over_on_reset() -> None:
    backoff = Backoff(0.05, 0.3)
    assert [backoff.next() for _ in range(5)] == [0.05, 0.1, 0.2, 0.3, 0.3]
    backoff.reset()
    assert backoff.next() == 0.05


async def test_a_light_is_reported_down_once_probed_later_and_up_once(link_log: pytest.LogCaptureFixture) -> None:
    reports, links = Reports(), LightLinks("ptl-seat", log)
    now = asyncio.get_running_loop().time()
    assert links.due(3, now) and 3 not in links and links.next_probe() == float("inf")

    links.down(reports, 3, "light 3: Modbus exception 0x0B (gateway target failed to respond)")
    links.down(reports, 3, "light 3: Modbus exception 0x0B (gateway target failed to respond)")
    assert 3 in links and not links.due(3, now)
    assert links.next_probe() >= now + OFFLINE_PROBE_S and links.due_probes(now) == []
    assert links.due(3, links.next_probe()) and links.due_probes(links.next_probe()) == [3]

    links.probe_now()  # after a reconnect: asked at once
    assert links.due(3, now) and 3 in links

    assert links.up(reports, 3) is True
    assert links.up(reports, 3) is False  # already up: nothing to send again, nothing reported
    assert links.up(reports, 4) is False
    assert reports.items == [
        LinkChanged(
            device="ptl-seat/light-3",
            up=False,
            detail="light 3: Modbus exception 0x0B (gateway target failed to respond)",
        ),
        LinkChanged(device="ptl-seat/light-3", up=True, detail="light 3 answers"),
    ]
    assert [level for level, _ in link_lines(link_log)] == ["WARNING", "WARNING"]
    assert light_device("ptl-seat", 3) == "ptl-seat/light-3"
