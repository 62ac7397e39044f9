"""The watched inbox (``[service.inbox]``): partner files an EDI gateway or an OFTP2 client drops into a folder,
journaled by ``jis serve`` exactly as ``jis import`` journals them, then moved out of the way.

What it is for: every ``poll_interval_s`` the folder is listed; a file is taken once it is finished (its size and
modification time held still since the previous look; a name starting with ``.`` or ending in ``.tmp``, ``.part``
or ``.partial`` is never taken: a writer writes under such a name and renames when done). A taken file is read as
a stream by the importer (``app.feed.importer.file_messages``: the route's partner, feed and format, each message
with its once-only identity) and every message goes to the service's intake, the path a feed gateway's BCAST
takes, and is waited for until it is committed. Only then is the file moved: to ``done/`` when everything in it
was taken (accepted or a duplicate), else to ``quarantine/`` with ``NAME.reason`` beside it, one line per message
the service quarantined or refused (or the file's own problem). A name already there gets ``.2``, ``.3``, ...

Never lost, never doubled: a file leaves the inbox only after all of it is journaled (a rename, atomic in one
file system); killed between journal and move, the service finds the file again when it starts and imports it
again: each message's identity is journaled already, so every one is a duplicate (a problem quarantined before is
one too, and sends the file to ``quarantine/`` again), and the file is moved. Files are taken oldest first
(modification time, then name), one at a time, so a partner's files keep their order.

What it must not do: write to the journal itself (the intake does), parse (the formats do), or take a file still
being written.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.feed.importer import file_messages
from app.feed.protocol import QUARANTINED_BEFORE, Ack
from sequencer.plant import InboxConfig, InboxRoute, PlantConfig

log = logging.getLogger("app.service.runtime")  # the service's log name
DONE, QUARANTINE = "done", "quarantine"
UNFINISHED_SUFFIXES = (".tmp", ".part", ".partial")  # a writer's names for a file not yet complete
REASON_SUFFIX = ".reason"
YIELD_EVERY = 64  # messages between yields to the loop while a file is read (the intake awaits commits anyway)
MAX_NAME_TRIES = 10_000  # done/NAME.2 ... before giving up on a free name


class ServiceRefused(Exception):
    """The intake could not store a message (no ACK): the file stays in the inbox for the next look."""


@dataclass
class InboxResult:
    """What one file gave: where it went and why."""

    name: str
    moved_to: Path
    statuses: dict[str, int] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)

    @property
    def quarantined(self) -> bool:
        return self.moved_to.parent.name == QUARANTINE


def route_of(cfg: InboxConfig, name: str) -> InboxRoute | None:
    """The first route whose pattern matches the file name (none: read as ``jis import`` reads it)."""
    return next((r for r in cfg.routes if fnmatch.fnmatch(name, r.pattern)), None)


def unfinished(name: str) -> bool:
    """A name a writer uses while the file is not complete (never taken)."""
    return name.startswith(".") or name.endswith(UNFINISHED_SUFFIXES) or name.endswith(REASON_SUFFIX)


def free_name(folder: Path, name: str) -> Path:
    """``folder/name``, or ``name.2``, ``name.3``, ... when it is taken."""
    target = folder / name
    for n in range(2, MAX_NAME_TRIES):
        if not target.exists() and not (folder / (target.name + REASON_SUFFIX)).exists():
            return target
        target = folder / f"{name}.{n}"
    raise OSError(f"no free name for {name} in {folder}")


class Inbox:
    """One watched folder, fed to ``accept`` (the intake's: one BCAST body in, its ACK once committed)."""

    def __init__(
        self,
        plant: PlantConfig,
        cfg: InboxConfig,
        accept: Callable[[bytes], Awaitable[Ack]],
        clock: Callable[[], float],
    ) -> None:
        self.plant, self.cfg, self.accept, self.clock = plant, cfg, accept, clock
        self.folder = Path(cfg.folder)
        self._sizes: dict[str, tuple[int, int]] = {}  # name -> (size, mtime_ns) at the previous look
        self._stuck: set[str] = set()  # files that could be neither read nor moved: reported once, then left
        self.results: list[InboxResult] = []  # the newest files taken (bounded), for tests and the log
        self.taken = 0

    def prepare(self) -> None:
        for folder in (self.folder, self.folder / DONE, self.folder / QUARANTINE):
            folder.mkdir(parents=True, exist_ok=True)

    async def run(self) -> None:
        """Look, take what is finished, wait a poll; until cancelled."""
        self.prepare()
        log.info("inbox %s: watching every %.3g s", self.folder, self.cfg.poll_interval_s)
        trouble = ""
        while True:
            try:
                await self.look()
                trouble = ""
            except OSError as exc:  # the folder gone or out of reach: said once, made again, looked at again
                if str(exc) != trouble:
                    log.error("inbox %s: %s; trying again every poll", self.folder, exc)
                trouble = str(exc)
                with contextlib.suppress(OSError):
                    self.prepare()
            await asyncio.sleep(self.cfg.poll_interval_s)

    async def look(self) -> list[InboxResult]:
        """One look: every file finished since the previous look, taken oldest first."""
        done = [await self.take(path) for path in self.finished()]
        return [r for r in done if r is not None]

    def finished(self) -> list[Path]:
        """Files whose size and modification time are as at the previous look (and not a writer's temporary)."""
        now: dict[str, tuple[int, int]] = {}
        ready: list[tuple[int, str, Path]] = []
        with os.scandir(self.folder) as entries:
            for entry in entries:
                if unfinished(entry.name) or entry.name in self._stuck or not entry.is_file(follow_symlinks=False):
                    continue
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue  # gone meanwhile (another reader, a writer's rename)
                now[entry.name] = (st.st_size, st.st_mtime_ns)
                if self._sizes.get(entry.name) == now[entry.name]:
                    ready.append((st.st_mtime_ns, entry.name, Path(entry.path)))
        self._sizes = now
        return [path for _, _, path in sorted(ready)]

    async def take(self, path: Path) -> InboxResult | None:
        """Journal every message of ``path`` through the intake, then move the file; None when it could not be
        read or moved (left where it is, said once in the log)."""
        route = route_of(self.cfg, path.name)
        statuses: dict[str, int] = {}
        reasons: list[str] = []
        try:
            with file_messages(
                path,
                self.plant,
                feed=(route.feed or None) if route else None,
                partner=(route.partner or None) if route else None,
                format=route.format if route else None,
                now=self.clock(),
            ) as (report, work):
                for n, out in enumerate(work, start=1):
                    try:
                        ack = await self.accept(out.body)
                    except Exception as exc:  # not stored (the database): the file stays, its journaled part dups
                        raise ServiceRefused(f"{type(exc).__name__}: {exc}") from exc
                    statuses[ack.status] = statuses.get(ack.status, 0) + 1
                    if ack.status in ("quarantined", "refused") or ack.reason == QUARANTINED_BEFORE:
                        reasons.append(f"{out.what}: {ack.reason}" if ack.reason else out.what)
                    if n % YIELD_EVERY == 0:
                        await asyncio.sleep(0)
        except ServiceRefused as exc:
            log.error("inbox: %s: not all of it journaled (%s); taken again at the next look", path.name, exc)
            return None
        except OSError as exc:
            why = f"cannot read it: {exc.strerror or exc}"
            try:
                moved = self._move(path, QUARANTINE, [why])
            except OSError:
                self._stuck_file(path, why)
                return None
            log.error("inbox: %s: %s -> %s", path.name, why, moved)
            return self._done(InboxResult(path.name, moved, {}, [why]))
        reasons += [f"warning: {w}" for w in report.warnings]
        bad = any(not r.startswith("warning: ") for r in reasons)
        try:
            moved = self._move(path, QUARANTINE if bad else DONE, reasons if bad else [])
        except OSError as exc:
            self._stuck_file(path, f"journaled, but cannot move it: {exc.strerror or exc}")
            return None
        result = self._done(InboxResult(path.name, moved, statuses, reasons))
        counts = ", ".join(f"{v} {k}" for k, v in sorted(statuses.items())) or "nothing in it"
        log.info("inbox: %s (%s): %s -> %s", path.name, report.format or "unknown format", counts, moved)
        return result

    def _done(self, result: InboxResult) -> InboxResult:
        self._sizes.pop(result.name, None)
        self.taken += 1
        self.results = [*self.results[-99:], result]
        return result

    def _move(self, path: Path, where: str, reasons: list[str]) -> Path:
        """The file into ``where`` (its reasons written first, beside where it goes); a rename: atomic."""
        target = free_name(self.folder / where, path.name)
        if reasons:
            text = "".join(f"{line}\n" for line in reasons)
            (target.parent / (target.name + REASON_SUFFIX)).write_text(text, encoding="utf-8")
        os.replace(path, target)
        return target

    def _stuck_file(self, path: Path, why: str) -> None:
        if path.name not in self._stuck:
            log.error("inbox: %s: %s; left in the inbox", path.name, why)
        self._stuck.add(path.name)
        with contextlib.suppress(KeyError):
            del self._sizes[path.name]
