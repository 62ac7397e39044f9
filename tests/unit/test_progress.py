"""The progress of a long command (``app.progress``): on a terminal (a pty here, as a person's terminal is) one line
redrawn with ``\\r``, what is done, what is left and an estimate, at most ``REDRAW_HZ`` times a second; on a file or
a pipe one line per phase and nothing in between; with ``--json`` (quiet) nothing at all."""

from __future__ import annotations

import io
import os
import pty
import select
from collections.abc import Iterator

import pytest

from app.progress import REDRAW_HZ, Progress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def terminal() -> Iterator[tuple[io.TextIOWrapper, int]]:
    """A pty: the stream a command writes to (its stderr on a terminal) and the end a person reads."""
    reader, writer = pty.openpty()
    stream = os.fdopen(writer, "w", encoding="utf-8")
    try:
        yield stream, reader
    finally:
        stream.close()
        os.close(reader)


def read_all(fd: int) -> str:
    """Everything written to the terminal so far (the pty hands it over in pieces)."""
    chunks = []
    while select.select([fd], [], [], 0.2)[0]:
        try:
            chunks.append(os.read(fd, 65536))
        except OSError:
            break
    return b"".join(chunks).decode()


def test_on_a_terminal_one_line_is_redrawn_with_done_left_and_an_estimate(
    terminal: tuple[io.TextIOWrapper, int],
) -> None:
    stream, reader = terminal
    clock = Clock()
    progress = Progress("jis chaos", stream=stream, clock=clock)
    assert progress.tty
    progress.phase("running the campaign", 200, "vehicles")
    clock.now += 10
    progress.update(50, "kills 1")
    clock.now += 0.5 / REDRAW_HZ
    progress.update(60)  # too soon after the last redraw: not drawn
    clock.now += 1 / REDRAW_HZ
    progress.update(100, "kills 2")
    progress.done("verdict: clean")
    shown = read_all(reader)
    assert shown.replace("\r\n", "\n").count("\r") == 3  # the phase, then two redraws
    assert "\rjis chaos: running the campaign  50/200 vehicles (25%), 150 left  ~30 s left  kills 1" in shown
    assert "\rjis chaos: running the campaign  100/200 vehicles (50%), 100 left  ~10 s left  kills 2" in shown
    assert "60/200" not in shown
    assert shown.endswith("jis chaos: verdict: clean\r\n")  # the pty turns \n into \r\n


def test_elsewhere_one_line_per_phase_and_nothing_between() -> None:
    stream = io.StringIO()
    progress = Progress("jis fuzz", stream=stream, clock=Clock())
    assert not progress.tty
    progress.phase("json (1/2)", 4000, "inputs")
    for done in range(0, 4000, 256):
        progress.update(done, force=True)
    progress.phase("x12 (2/2)", 4000, "inputs")
    progress.done()
    assert stream.getvalue() == "jis fuzz: json (1/2): 4000 inputs\njis fuzz: x12 (2/2): 4000 inputs\n"


def test_quiet_says_nothing_even_on_a_terminal(terminal: tuple[io.TextIOWrapper, int]) -> None:
    stream, reader = terminal
    progress = Progress("jis demo", quiet=True, stream=stream)
    progress.phase("running the line", 40, "vehicles")
    progress.update(20, force=True)
    progress.done("done")
    stream.write("end\n")
    stream.flush()
    assert read_all(reader) == "end\r\n"
