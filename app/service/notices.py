"""The ship notices' way out and the OEM's answers' way in (docs/ship-notices.md).

The core asks for a notice (``SendShipNotice``) when a rack ships, or when a lead cancels or corrects one. Here it
is built in the partner's format (``app.feed.outbound``), journaled with its bytes (``ShipNoticeSending``, raw =
the message) and only then sent: written to the EDI gateway's outbox folder (``.tmp``, flushed, then renamed, so
the gateway never picks up half a file) and queued on the feed link as a ``NOTICE`` to the feed's gateway. The
OEM's ``NOTICE_ANS`` goes into the journal as ``ShipNoticeAnswered``, once per notice version (its identity), and
the core moves the notice. A version left unanswered for ``resend_after_s`` goes over the link again (the same
body). On start, every notice the OEM has not answered is sent again (built from the core's
state, so byte for byte what was journaled before).

What it must not do: decide anything about a notice (time-outs, rejections, versions are the core's), or send a
notice before its leaving is journaled.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from app.feed.notice_wire import NoticeAnswer, NoticeMessage
from app.feed.outbound.build import BuiltNotice, build_notice
from app.persist.store import JournalPaused
from app.service.sequencing import Sequencing
from sequencer.commands import SendShipNotice
from sequencer.events import ShipNoticeAnswered, ShipNoticeSending
from sequencer.plant import ShipNoticeConfig
from sequencer.state import SequencerError

PAUSED_RETRY_S = 1.0  # a notice waiting for a paused journal looks again this often

log = logging.getLogger("app.service.runtime")


class NoticeLink(Protocol):
    def send_notice(self, feed: str, body: bytes) -> None: ...


def write_outbox(folder: Path, built: BuiltNotice) -> Path:
    """The notice's file in the gateway's outbox: written as ``.tmp``, flushed to disk, then renamed."""
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / built.file_name
    tmp = final.with_name(final.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(built.body)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, final)
    return final


class NoticeSide:
    """Builds, journals and sends the notices the core asks for; takes the OEM's answers to the core."""

    def __init__(
        self,
        cfg: ShipNoticeConfig | None,
        *,
        clock: Callable[[], float],
        sequencing: Sequencing,
        link: NoticeLink,
    ) -> None:
        self.cfg = cfg
        self.clock = clock
        self.sequencing = sequencing
        self.link = link
        self.sent = 0  # notice versions that left (journaled, then sent)
        self.resent = 0  # sent over the feed link again, unanswered after resend_after_s
        self._on_link: dict[str, tuple[int, float, bytes]] = {}  # notice id -> (version, last sent at, NOTICE body)
        self.answers = 0  # answers taken to the core (repeats not counted)
        self._tasks: set[asyncio.Task[None]] = set()

    def send(self, command: SendShipNotice) -> None:
        """From ``carry_out``: build, journal and send, off the sequencing task."""
        task = asyncio.create_task(self._send(command), name=f"notice-{command.notice_id}-v{command.version}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def restore(self) -> None:
        """After a restart: every notice the OEM has not answered goes again (one whose leaving was never journaled,
        and one that may have left just before the restart: the same version builds the same bytes)."""
        for command in self.sequencing.core.notices_unanswered():
            self.send(command)

    async def drain(self) -> None:
        """Wait for the notices being sent now (tests, the demo's end)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _send(self, command: SendShipNotice) -> None:
        cfg = self.cfg
        if cfg is None:
            return
        try:
            built = build_notice(command, cfg)
        except ValueError as exc:  # a value that does not fit the partner's format: the notice stays unanswered
            log.error("ship notice %s v%d cannot be built: %s", command.notice_id, command.version, exc)
            return
        sending = ShipNoticeSending(
            at=self.clock(), notice_id=command.notice_id, version=command.version, format=built.format
        )
        while True:
            try:
                await self.sequencing.submit_checked(sending, built.body)  # journaled before a byte leaves
                break
            except JournalPaused:  # the journal paused (disk full, read-only): the notice waits for it to resume
                await asyncio.sleep(PAUSED_RETRY_S)
            except SequencerError as exc:  # a newer version was asked for meanwhile: that one goes instead
                log.info("ship notice %s v%d not sent: %s", command.notice_id, command.version, exc)
                return
        if cfg.outbox:
            await asyncio.to_thread(write_outbox, Path(cfg.outbox), built)
        if cfg.over_feed_link:
            message = NoticeMessage(
                feed=command.feed,
                notice_id=command.notice_id,
                version=command.version,
                function=command.function,
                format=built.format,  # type: ignore[arg-type]
                message=built.body.decode("utf-8"),
            )
            body = message.encode()
            self.link.send_notice(command.feed, body)
            self._on_link[command.notice_id] = (command.version, self.clock(), body)
        self.sent += 1
        log.info("ship notice %s v%d (%s) sent", command.notice_id, command.version, command.function)

    def resend_unanswered(self) -> None:
        """From the service's tick: a notice version the OEM has not answered within ``resend_after_s`` goes over
        the feed link again (a frame lost with a dropped connection, a gateway restarted without it)."""
        cfg, state = self.cfg, self.sequencing.core.state
        if cfg is None or not self._on_link:
            return
        now = self.clock()
        for nid, (version, last, body) in list(self._on_link.items()):
            notice = state.notices.get(nid)
            if notice is None or notice.version != version or nid not in state.unanswered:
                del self._on_link[nid]  # answered, replaced by a newer version, or forgotten
            elif now - last >= cfg.resend_after_s:
                self.link.send_notice(notice.feed, body)
                self._on_link[nid] = (version, now, body)
                self.resent += 1

    async def answered(self, answer: NoticeAnswer) -> None:
        """The OEM's answer, journaled once per notice version; a repeat is not handed to the core again."""
        event = ShipNoticeAnswered(
            at=self.clock(),
            notice_id=answer.notice_id,
            version=answer.version,
            accepted=answer.accepted,
            reason=answer.reason,
        )
        identity = f"notice:{answer.feed}:{answer.notice_id}:v{answer.version}"
        try:
            outcome = await self.sequencing.submit_once(event, identity)
        except SequencerError as exc:
            log.warning("notice answer refused: %s", exc)
            return
        except JournalPaused:  # not stored: the notice stays unanswered and is sent again, and answered again
            log.warning("notice answer %s v%d not stored: the journal is paused", answer.notice_id, answer.version)
            return
        if outcome.repeat_of is None:
            self.answers += 1
