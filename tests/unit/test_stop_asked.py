"""A stop asked while a command starts is never lost: a SIGINT the process began with ignored is taken
(``app.signals.terminate_raises``), and (``app.signals.raise_if_stop_asked``) a cancel that a wait on
the way swallowed (Python 3.11's ``asyncio.wait_for`` returns its inner result and drops the cancel when both come at
once) still stops the task where it checks, and a timeout's own cancel given back does not."""

from __future__ import annotations

import asyncio
import signal

import pytest

from app.signals import raise_if_stop_asked, terminate_raises


async def _starting(swallowed: asyncio.Event, checked: list[str]) -> None:
    try:
        await asyncio.sleep(10)  # a step of the start, where the stop's cancel lands
    except asyncio.CancelledError:  # swallowed, as a library's wait may
        swallowed.set()
    raise_if_stop_asked()
    checked.append("served on")  # never: it would serve until killed
    await asyncio.sleep(10)


def test_a_swallowed_stop_still_stops_the_task_where_it_checks() -> None:
    async def scenario() -> list[str]:
        swallowed, checked = asyncio.Event(), list[str]()
        task = asyncio.create_task(_starting(swallowed, checked))
        await asyncio.sleep(0)
        task.cancel()
        async with asyncio.timeout(5):
            with pytest.raises(asyncio.CancelledError):
                await task
        assert swallowed.is_set()
        return checked

    assert asyncio.run(scenario()) == []


def test_a_timeout_inside_the_start_is_not_taken_for_a_stop() -> None:
    async def starting() -> str:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.01):
                await asyncio.sleep(10)
        raise_if_stop_asked()
        return "served"

    assert asyncio.run(starting()) == "served"


def test_a_command_started_with_sigint_ignored_takes_it_while_it_runs() -> None:
    """A background job of a non-interactive shell begins with SIGINT ignored: a jis command takes it all the same
    (``terminate_raises``), as its loop does once running, and gives the disposition back after."""
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with terminate_raises():
            assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)
