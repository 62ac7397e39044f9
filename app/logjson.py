"""Structured logs: one JSON object per line (for a log shipper), or the plain text format, chosen at start-up.

A command's start-up lines (where ``jis serve`` listens, what ``jis demo`` started) go to the ``startup`` logger, shown
at the default level (WARNING) as INFO lines; a library's own log (pymodbus retrying a connection and dumping
frames, asyncua on a lost connection or a refused client) is held back, because the drivers and servers say each
link change and refusal once themselves (``plc_io.link``, ``plc_io.opcua``), unless the level asked for is DEBUG.

Each JSON line holds ``ts`` (ISO-8601, UTC, milliseconds), ``level``, ``logger``, ``msg`` (the formatted
message), every ``extra=`` field the call passed, and ``exc`` / ``stack`` when present. Values JSON cannot hold
are written as their ``str``.

Bounded (issue 15): a log file rotates by size (``LOG_FILE_BYTES``, ``LOG_FILE_BACKUPS`` kept: at most about 60 MB
on disk), and a warning or error identical to one logged within ``REPEAT_WINDOW_S`` (same logger, level and text) is
not written again: the first is, then one line "repeated N times in T s" when the window has passed (written with
the next line of any kind, or at exit). Out of file descriptors, an accept loop failing thousands of times a second
writes a few lines a minute, not megabytes.

What this module must not do: read the environment, configure logging at import time, or drop a record because a
field would not serialise.
"""

from __future__ import annotations

import atexit
import json
import logging
import logging.handlers
import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
STARTUP = "startup"  # the logger of start-up lines: shown at the default level, hidden only by ERROR or above
startup_log = logging.getLogger(STARTUP)
# Libraries whose own lines repeat what the project says once per link change or refusal: pymodbus logs every
# connection retry at WARNING and a frame dump at ERROR; asyncua's client logs a lost connection at ERROR with a
# traceback ("Publish iteration crashed"), its server every service fault it answers (a refused client) at ERROR.
LIBRARY_LEVELS = {"pymodbus": logging.CRITICAL, "asyncua": logging.CRITICAL}

LOG_FILE_BYTES = 10 * 1024 * 1024  # a log file rotates at this size ...
LOG_FILE_BACKUPS = 5  # ... keeping this many older files (service.log.1 .. .5)
REPEAT_WINDOW_S = 60.0  # an identical warning or error within this is counted, not written
REPEAT_KEYS = 1024  # distinct messages remembered at most (the oldest forgotten)

# The attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update((k, v) for k, v in vars(record).items() if k not in _STANDARD and k not in entry)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


@dataclass(slots=True)
class _Seen:
    first: float  # when the window began (the line that was written)
    last: float  # the newest repeat
    repeats: int = 0  # not written since


class RepeatFilter(logging.Filter):
    """On a handler: a WARNING or above identical to one written within ``window_s`` (logger, level, message) is
    counted instead of written; once the window has passed, one line says how many there were ("repeated N times
    in T s"), written through ``handler`` before the next record, or by ``flush``. INFO and below always pass."""

    def __init__(self, handler: logging.Handler, window_s: float = REPEAT_WINDOW_S, keys: int = REPEAT_KEYS) -> None:
        super().__init__()
        self.handler = handler
        self.window_s = window_s
        self.keys = keys
        self.suppressed = 0  # repeats not written, in all
        self._seen: OrderedDict[tuple[str, int, str], _Seen] = OrderedDict()
        self._lock = threading.Lock()  # records come from every thread

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "repeat_summary", False):
            return True
        with self._lock:
            return self._pass(record)

    def _pass(self, record: logging.LogRecord) -> bool:
        self._summarise(before=record.created - self.window_s)
        if record.levelno < logging.WARNING:
            return True
        key = (record.name, record.levelno, record.getMessage())
        seen = self._seen.get(key)
        if seen is not None and record.created - seen.first < self.window_s:
            seen.repeats += 1
            seen.last = record.created
            self.suppressed += 1
            return False
        self._seen[key] = _Seen(first=record.created, last=record.created)
        self._seen.move_to_end(key)
        while len(self._seen) > self.keys:
            self._write(*self._seen.popitem(last=False))
        return True

    def flush(self) -> None:
        """Every pending "repeated N times" line now (at exit)."""
        with self._lock:
            self._summarise(before=float("inf"))

    def _summarise(self, before: float) -> None:
        due = [key for key, seen in self._seen.items() if seen.first <= before]
        for key in due:
            self._write(key, self._seen.pop(key))

    def _write(self, key: tuple[str, int, str], seen: _Seen) -> None:
        if not seen.repeats:
            return
        name, level, message = key
        text = f"{message} (repeated {seen.repeats} times in {seen.last - seen.first:.0f} s)"
        summary = logging.LogRecord(name, level, __file__, 0, "%s", (text,), None)
        summary.created = seen.last
        summary.repeat_summary = True
        self.handler.handle(summary)


_repeats: RepeatFilter | None = None  # the configured handler's, flushed at exit


@atexit.register  # before logging's own shutdown closes the handler (atexit runs the newest first)
def _flush_repeats() -> None:
    if _repeats is not None:
        _repeats.flush()


def log_handler(filename: str | None, stream: IO[str] | None = None) -> logging.Handler:
    """A size-rotating file (``LOG_FILE_BYTES`` x ``LOG_FILE_BACKUPS``) when ``filename`` is given, else a stream."""
    if filename:
        return logging.handlers.RotatingFileHandler(
            filename, maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILE_BACKUPS, encoding="utf-8"
        )
    return logging.StreamHandler(stream or sys.stderr)


def configure(
    level: str | int = "WARNING",
    json_lines: bool = False,
    *,
    stream: IO[str] | None = None,
    filename: str | None = None,
) -> logging.Handler:
    """Replace the root logger's handlers with one (a rotating file when ``filename`` is given, else
    ``stream``/stderr), with its repeated warnings and errors limited (``RepeatFilter``, flushed at exit)."""
    handler = log_handler(filename, stream)
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(TEXT_FORMAT))
    global _repeats
    _repeats = RepeatFilter(handler)
    handler.addFilter(_repeats)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    chosen = root.getEffectiveLevel()
    startup_log.setLevel(min(chosen, logging.INFO) if chosen <= logging.WARNING else chosen)
    for name, quiet in LIBRARY_LEVELS.items():  # DEBUG asks for everything, the libraries' own lines too
        logging.getLogger(name).setLevel(logging.NOTSET if chosen <= logging.DEBUG else max(chosen, quiet))
    return handler
