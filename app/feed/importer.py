"""``jis import FILE``: emergency mode, a file of broadcasts fed into a running line as an OEM gateway would.

When the OEM feed is down, the OEM sends the sequence as a file (DELJIT, X12 866, VDA 4916, JSON). This reads it
with ``app.feed.formats.parse_file`` and hands every broadcast to the running service over the feed protocol
(docs/feed-protocol.md): a ZeroMQ DEALER connected to the service's feed endpoint, one BCAST at a time, each
waited for until its ACK says it is committed (or a duplicate), resent after a time-out like any gateway. So
an import is journaled, sequenced and deduplicated exactly like the live feed, and importing a file twice
changes nothing.

What the file could not give (a message that does not parse, a part the master data does not know) is not
dropped: it is sent as a raw BCAST frame the service cannot decode, so the service quarantines it with the
file's name, the message number, our reason and the original bytes, and a person sees it as a deviation.

Must not: write to the database itself (the service is the only writer), send the next broadcast before the
previous one is acknowledged (order is the sequence), or print: ``app/cli/import_.py`` does.
"""

from __future__ import annotations

import base64
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import zmq

from app.feed.formats import CanonicalBroadcast, FeedMismatch, Problem, parse_file
from app.feed.protocol import ACK, BCAST, RESEND, BadAck, decode_ack
from sequencer.plant import PlantConfig

ACK_TIMEOUT_S = 2.0  # real seconds before a BCAST is sent again (the service commits in about a millisecond)
RETRIES = 5  # resends before giving up on a silent service


class ServiceSilent(RuntimeError):
    """No ACK after every retry: the service is down or not listening where the plant file says."""


@dataclass
class ImportReport:
    file: str
    format: str = ""
    statuses: Counter[str] = field(default_factory=Counter)  # accepted / duplicate / quarantined
    reasons: list[str] = field(default_factory=list)  # why each quarantined item was quarantined
    warnings: list[str] = field(default_factory=list)  # problems the broadcast survived (e.g. a family corrected)
    unsent: int = 0
    stopped: str = ""  # why the import stopped early (the service fell silent)

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "format": self.format,
            **{k: self.statuses[k] for k in ("accepted", "duplicate", "quarantined")},
            "unsent": self.unsent,
            "stopped": self.stopped,
            "reasons": self.reasons,
            "warnings": self.warnings,
        }


class Gateway:
    """A stop-and-wait DEALER: send one frame, wait for the ACK that answers it, resend on silence."""

    def __init__(
        self,
        endpoint: str,
        *,
        ack_timeout_s: float = ACK_TIMEOUT_S,
        retries: int = RETRIES,
        on_resend: Callable[[str], None] | None = None,
    ) -> None:
        self._ctx = zmq.Context()
        self._sock = self._ctx.socket(zmq.DEALER)
        self._sock.setsockopt(zmq.LINGER, 0)
        # Queue only to a completed connection: a BCAST is never parked in a pipe to a service that is not there.
        self._sock.setsockopt(zmq.IMMEDIATE, 1)
        self._sock.setsockopt(zmq.ROUTING_ID, f"import-{time.time_ns():x}".encode())
        self._sock.connect(endpoint)
        self.endpoint = endpoint
        self._ack_timeout_s, self._retries = ack_timeout_s, retries
        self._on_resend = on_resend  # told what the service asked for when it asks for a resend

    def send(self, body: bytes, feed: str, seq: int | None) -> tuple[str, str]:
        """Send one BCAST; return (status, reason) of the ACK for (feed, seq) (``("", None)`` for raw frames)."""
        for _ in range(self._retries + 1):
            try:
                self._sock.send_multipart([BCAST, body], flags=zmq.NOBLOCK)
            except zmq.Again:
                time.sleep(min(0.1, self._ack_timeout_s))  # not connected yet: the attempt counts, then retry
                continue
            answer = self._await_ack(feed, seq)
            if answer is not None:
                return answer
        raise ServiceSilent(f"no ACK from {self.endpoint} after {self._retries + 1} attempts")

    def _await_ack(self, feed: str, seq: int | None) -> tuple[str, str] | None:
        deadline = time.monotonic() + self._ack_timeout_s
        while (left := deadline - time.monotonic()) > 0:
            if not self._sock.poll(int(left * 1000) + 1, zmq.POLLIN):
                return None
            frames = self._sock.recv_multipart()
            if len(frames) != 2 or frames[0] != ACK:
                if frames[:1] == [RESEND] and self._on_resend is not None:
                    self._on_resend(frames[1].decode())
                continue
            try:
                ack = decode_ack(frames[1])
            except BadAck:
                continue
            if (ack.feed, ack.seq) == (feed, seq):
                return ack.status, ack.reason
        return None  # only stray ACKs (answers to an earlier resend): send again

    def close(self) -> None:
        self._sock.close(0)
        self._ctx.term()


def _problem_frame(path: Path, problem: Problem) -> bytes:
    """A body the service cannot decode (so it quarantines it) that still says what and why to a person."""
    try:
        raw, encoding = problem.raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        raw, encoding = base64.b64encode(problem.raw).decode(), "base64"
    body = {"import_problem": problem.describe(), "file": path.name, "raw": raw, "raw_encoding": encoding}
    return json.dumps(body).encode()


def _mismatch_problem(b: CanonicalBroadcast, source: bytes, exc: FeedMismatch) -> Problem:
    return Problem(index=b.raw_index, reason=f"vehicle {b.vehicle_id} seq {b.seq}: {exc}", raw=source)


def import_file(
    path: Path,
    plant: PlantConfig,
    gateway: Gateway,
    *,
    feed: str | None = None,
    sent: Callable[[int, int], object] | None = None,
) -> ImportReport:
    """Parse ``path`` and feed it through ``gateway``, in file order; stops at a silent service (``stopped``).
    ``sent(done, total)`` after each message answered (a progress line)."""
    result = parse_file(path, plant=plant, feed=feed)
    report = ImportReport(file=str(path), format=result.format)
    report.warnings = [p.describe() for p in result.problems if p.kept]
    quarantine = [p for p in result.problems if not p.kept]
    work: list[tuple[bytes, str, int | None, str]] = []  # (body, feed, seq, what it is)
    now = time.time()
    for b, source in zip(result.broadcasts, result.sources, strict=True):
        try:
            body = b.to_feed_json(sent_at=None if b.sent_at is not None else now)
        except FeedMismatch as exc:
            quarantine.append(_mismatch_problem(b, source, exc))
            continue
        work.append((body, b.feed, b.seq, f"{b.feed} {b.seq}"))
    work += [(_problem_frame(path, p), "", None, p.describe()) for p in quarantine]
    for done, (body, feed_id, seq, what) in enumerate(work):
        try:
            status, reason = gateway.send(body, feed_id, seq)
        except ServiceSilent as exc:
            report.unsent, report.stopped = len(work) - done, str(exc)
            return report
        report.statuses[status] += 1
        if status == "quarantined":
            report.reasons.append(f"{what}: {reason}")
        if sent is not None:
            sent(done + 1, len(work))
    return report
