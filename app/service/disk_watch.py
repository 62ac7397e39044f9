"""The disk-space watch: the free space of the database's folder, looked at every ``[service.disk] check_s``, as a
level the core alarms on (``DiskSpaceChanged``: ``low`` a P3, ``critical`` a P2) well before a full disk pauses the
line (``app.service.sequencing``: a P1 ``journal_failed``), and as metrics (``free_bytes``, ``total_bytes``).

``LEVELS`` is the rule, as a table: the thresholds of the plant file, and a level is left only once the free space
is ``HYSTERESIS`` above its threshold, so a folder hovering at one does not raise and clear an alarm at every look.
Only a change of level is an event (journaled like any), never each look. The folder is a SQLite database's own; a
PostgreSQL server's disk is the server's to watch, so there the service watches its data folder (``[service]
data_dir``: logs, keys, what else it writes), or nothing for a plant given by no file (``watched_folder``).

What it must not do: decide what a level means for the line (the core raises the alarm), or stop anything: a full
disk pauses the journal by itself, this only warns.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import NamedTuple

from sqlalchemy.engine import make_url

from sequencer.events import DiskLevel, DiskSpaceChanged
from sequencer.plant import DiskWatchConfig

log = logging.getLogger("app.service.runtime")

MB = 1024 * 1024
HYSTERESIS = 1.05  # a level is left once the free space is 5 % above its threshold


class Usage(NamedTuple):
    total: int
    used: int
    free: int


def levels(config: DiskWatchConfig) -> list[tuple[DiskLevel, float]]:
    """(level, the free MB under which it holds), the worst first: the rule of ``level_for``."""
    return [("critical", config.critical_mb), ("low", config.low_mb)]


def level_for(free_mb: float, config: DiskWatchConfig, previous: DiskLevel = "ok") -> DiskLevel:
    """The level at ``free_mb``: the worst whose threshold it is under; a worse level held before is kept until
    the free space is ``HYSTERESIS`` above that level's threshold."""
    table = levels(config)
    rank = {level: i for i, (level, _) in enumerate(table)}
    for level, threshold in table:
        held = level == previous or (previous != "ok" and rank[previous] < rank[level])
        if free_mb < threshold * (HYSTERESIS if held else 1.0):
            return level
    return "ok"


def watched_folder(database_url: str, data_dir: str = "") -> Path | None:
    """The folder of a SQLite database's file; else (PostgreSQL, a database in memory) the data folder, if the plant
    names one (``[service] data_dir``: the plant file's folder once loaded), else none."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(str(url.database)).resolve().parent
    return Path(data_dir).resolve() if data_dir else None


class DiskWatch:
    """Looks at ``folder`` every ``config.check_s`` and submits a ``DiskSpaceChanged`` when its level changes."""

    def __init__(
        self,
        folder: Path,
        config: DiskWatchConfig,
        *,
        clock: Callable[[], float],
        submit: Callable[[DiskSpaceChanged], Awaitable[object]],
        usage: Callable[[Path], Usage] = lambda p: Usage(*shutil.disk_usage(p)),
    ) -> None:
        self.folder = folder
        self.config = config
        self.level: DiskLevel = "ok"
        self.free_bytes: int | None = None
        self.total_bytes: int | None = None
        self.failures = 0  # looks that could not be taken (the folder gone, permissions)
        self._clock = clock
        self._submit = submit
        self._usage = usage

    async def run(self) -> None:
        """Look now, then every ``check_s``, until cancelled."""
        while True:
            await self.look()
            await asyncio.sleep(self.config.check_s)

    async def look(self) -> DiskLevel:
        """One look: the metrics, and the level's change to the core (journaled, then alarmed)."""
        try:
            usage = self._usage(self.folder)
        except OSError as exc:
            self.failures += 1
            log.error("disk watch: cannot look at %s: %s", self.folder, exc)
            return self.level
        self.free_bytes, self.total_bytes = usage.free, usage.total
        free_mb = usage.free / MB
        level = level_for(free_mb, self.config, self.level)
        if level != self.level:
            self.level = level
            say = log.info if level == "ok" else log.warning
            say("disk watch: %s has %.0f MB free: %s", self.folder, free_mb, level)
            detail = f"under {self.config.critical_mb if level == 'critical' else self.config.low_mb:g} MB"
            event = DiskSpaceChanged(
                at=self._clock(),
                folder=str(self.folder),
                level=level,
                free_mb=round(free_mb, 1),
                detail="" if level == "ok" else detail,
            )
            await self._submit(event)
        return level
