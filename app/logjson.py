"""Structured logs: one JSON object per line (for a log shipper), or the plain text format, chosen at start-up.

A command's start-up lines (where ``jis serve`` listens, what ``jis demo`` started) go to the ``startup`` logger, shown
at the default level (WARNING) as INFO lines; a library's own log (pymodbus retrying a connection and dumping
frames, asyncua on a lost connection or a refused client) is held back, because the drivers and servers say each
link change and refusal once themselves (``plc_io.link``, ``plc_io.opcua``), unless the level asked for is DEBUG.

Each JSON line holds ``ts`` (ISO-8601, UTC, milliseconds), ``level``, ``logger``, ``msg`` (the formatted
message), every ``extra=`` field the call passed, and ``exc`` / ``stack`` when present. Values JSON cannot hold
are written as their ``str``.

What this module must not do: read the environment, configure logging at import time, or drop a record because a
field would not serialise.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import IO, Any

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
STARTUP = "startup"  # the logger of start-up lines: shown at the default level, hidden only by ERROR or above
startup_log = logging.getLogger(STARTUP)
# Libraries whose own lines repeat what the project says once per link change or refusal: pymodbus logs every
# connection retry at WARNING and a frame dump at ERROR; asyncua's client logs a lost connection at ERROR with a
# traceback ("Publish iteration crashed"), its server every service fault it answers (a refused client) at ERROR.
LIBRARY_LEVELS = {"pymodbus": logging.CRITICAL, "asyncua": logging.CRITICAL}

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


def configure(
    level: str | int = "WARNING",
    json_lines: bool = False,
    *,
    stream: IO[str] | None = None,
    filename: str | None = None,
) -> logging.Handler:
    """Replace the root logger's handlers with one (a file when ``filename`` is given, else ``stream``/stderr)."""
    handler: logging.Handler = (
        logging.FileHandler(filename, encoding="utf-8") if filename else logging.StreamHandler(stream or sys.stderr)
    )
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(TEXT_FORMAT))
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
