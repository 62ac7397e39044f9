"""Structured logs: one JSON object per line (for a log shipper), or the plain text format, chosen at start-up.

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
    return handler
