"""The log's repeat limit (``app.logjson.RepeatFilter``): an identical warning or error within the window is counted,
not written; one line then says how many. Records are built with their own times: no clock is read."""

from __future__ import annotations

import io
import logging

from app.logjson import RepeatFilter


def _record(msg: str, at: float, level: int = logging.ERROR, name: str = "app.x") -> logging.LogRecord:
    record = logging.LogRecord(name, level, __file__, 1, msg, None, None)
    record.created = at
    return record


def _handler() -> tuple[logging.Handler, io.StringIO, RepeatFilter]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    repeats = RepeatFilter(handler, window_s=60.0)
    handler.addFilter(repeats)
    return handler, out, repeats


def test_the_first_is_written_then_one_line_with_the_count() -> None:
    handler, out, repeats = _handler()
    for i in range(10_000):
        handler.handle(_record("accept failed: [Errno 24] Too many open files", 100.0 + i * 0.001))
    handler.handle(_record("another error", 100.5))
    assert out.getvalue().splitlines() == [
        "ERROR app.x: accept failed: [Errno 24] Too many open files",
        "ERROR app.x: another error",
    ]
    handler.handle(_record("something else", 170.0))  # the window has passed: the count comes first
    assert out.getvalue().splitlines()[2:] == [
        "ERROR app.x: accept failed: [Errno 24] Too many open files (repeated 9999 times in 10 s)",
        "ERROR app.x: something else",
    ]
    assert repeats.suppressed == 9_999


def test_a_new_window_writes_the_message_again_and_flush_writes_what_is_pending() -> None:
    handler, out, repeats = _handler()
    for at in (0.0, 1.0, 61.0, 62.0, 63.0):
        handler.handle(_record("link down", at, logging.WARNING))
    repeats.flush()
    assert out.getvalue().splitlines() == [
        "WARNING app.x: link down",
        "WARNING app.x: link down (repeated 1 times in 1 s)",
        "WARNING app.x: link down",
        "WARNING app.x: link down (repeated 2 times in 2 s)",
    ]


def test_info_lines_and_different_loggers_or_levels_are_never_folded() -> None:
    handler, out, _ = _handler()
    for at in (0.0, 1.0):
        handler.handle(_record("service up", at, logging.INFO))
        handler.handle(_record("same text", at, logging.ERROR, "a"))
        handler.handle(_record("same text", at, logging.WARNING, "a"))
        handler.handle(_record("same text", at, logging.ERROR, "b"))
    assert out.getvalue().count("service up") == 2 and out.getvalue().count("same text") == 3


def test_the_messages_remembered_are_bounded() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    repeats = RepeatFilter(handler, window_s=60.0, keys=8)
    handler.addFilter(repeats)
    for i in range(1_000):
        handler.handle(_record(f"error {i}", float(i) / 100))
        handler.handle(_record(f"error {i}", float(i) / 100))
    assert len(repeats._seen) == 8 and out.getvalue().count("(repeated 1 times") == 1_000 - 8
