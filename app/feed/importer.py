"""``jis import FILE``: emergency mode, a file of broadcasts fed into a running line as an OEM gateway would.

When the OEM feed is down, the OEM sends the sequence as a file (DELJIT, X12 866, VDA 4916, JSON). This reads it
as a stream (``app.feed.formats.detect.open_stream``: one message in memory, not the file) and hands every
broadcast, in file order, to the running service over the feed protocol (docs/feed-protocol.md): a ZeroMQ DEALER
connected to the service's feed endpoint, one BCAST at a time, each waited for until its ACK says it is committed
(or a duplicate), resent after a time-out like any gateway. So an import is journaled, sequenced and deduplicated
exactly like the live feed.

Every message goes with its identity (``_message_id``): a message with an envelope, or one without a send time,
as the BCAST's ``message_id`` (``CanonicalBroadcast.identity``: interchange, message reference, sequence number
and content digest, never the file or the import's time); any other is named by the service as the live feed's
messages are (sequence number and content digest). So importing a file again, alone or among others, in any
order, only counts duplicates: the service journals each identity once. The file's own identity is its SHA-256
(``ImportReport.sha256``).

What the file could not give (a message that does not parse, a part the master data does not know) is not
dropped: it is sent as a raw BCAST frame the service cannot decode, so the service quarantines it with the
file's name, the message number, our reason and the original bytes (the first ``RAW_KEPT`` of them), and a person
sees it as a deviation; the frame carries a ``message_id`` too (the file's digest, the message number and a digest
of the problem), so a second import does not quarantine it again. A broadcast the service stores but refuses (its
number outside the feed's plausible window) is answered ``refused`` and reported with its reason.

Must not: write to the database itself (the service is the only writer), send the next broadcast before the
previous one is acknowledged (order is the sequence), or print: ``app/cli/import_.py`` does.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import zmq

from app.feed.formats import CanonicalBroadcast, FeedMismatch, Problem
from app.feed.formats.canonical import Item
from app.feed.formats.detect import open_stream
from app.feed.formats.partners import partner_of, profiles_of
from app.feed.protocol import ACK, BCAST, MAX_BODY_BYTES, RESEND, BadAck, decode_ack
from sequencer.plant import PlantConfig

FILE_CHUNK = 1 << 20  # bytes read at a time for the file's digest: the file is never held whole
ACK_TIMEOUT_S = 2.0  # real seconds before a BCAST is sent again (the service commits in about a millisecond)
RETRIES = 5  # resends before giving up on a silent service
MAX_ANSWER_BYTES = 64 * 1024  # an ACK or a RESEND is a few hundred bytes; a larger frame closes the connection
RAW_KEPT = MAX_BODY_BYTES // 8  # bytes of a message that could not be read, sent for the quarantine


class ServiceSilent(RuntimeError):
    """No ACK after every retry: the service is down or not listening where the plant file says."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One BCAST body of a file: the feed and sequence number its ACK names (none for a problem), and what it is."""

    body: bytes
    feed: str
    seq: int | None
    what: str


@dataclass
class ImportReport:
    file: str
    format: str = ""
    sha256: str = ""  # the file's identity
    statuses: Counter[str] = field(default_factory=Counter)  # accepted / duplicate / quarantined / refused
    reasons: list[str] = field(default_factory=list)  # why each quarantined or refused item was
    warnings: list[str] = field(default_factory=list)  # problems the broadcast survived (e.g. a family corrected)
    unsent: int = 0
    stopped: str = ""  # why the import stopped early (the service fell silent)

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "format": self.format,
            "sha256": self.sha256,
            **{k: self.statuses[k] for k in ("accepted", "duplicate", "quarantined", "refused")},
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
        self._sock.setsockopt(zmq.MAXMSGSIZE, MAX_ANSWER_BYTES)
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


def _problem_frame(path: Path, problem: Problem, file_digest: str) -> bytes:
    """A body the service cannot decode (so it quarantines it) that still says what and why to a person, named
    by the file's digest, the message number and a digest of the problem (the same problem of the same file is
    the same message, whatever the file is called). At most ``RAW_KEPT`` bytes of the message go with it (the file
    has the rest; the digest is of the whole), so that even escaped to six bytes a byte the body stays within the
    feed's body limit and is quarantined, not dropped with the connection."""
    kept = problem.raw[:RAW_KEPT]
    try:
        raw, encoding = kept.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        raw, encoding = base64.b64encode(kept).decode(), "base64"
    said = hashlib.sha256(problem.describe().encode() + b"\0" + problem.raw).hexdigest()[:16]
    message_id = f"file/{file_digest[:32]}/{problem.index}/{said}"
    body = {
        "import_problem": problem.describe(),
        "file": path.name,
        "raw": raw,
        "raw_encoding": encoding,
        "message_id": message_id,
    }
    if len(kept) < len(problem.raw):
        body["raw_bytes"] = str(len(problem.raw))  # the message's whole length: only its start is here
    return json.dumps(body).encode()


def _mismatch_problem(b: CanonicalBroadcast, source: bytes, exc: FeedMismatch) -> Problem:
    return Problem(index=b.raw_index, reason=f"vehicle {b.vehicle_id} seq {b.seq}: {exc}", raw=source)


def _message_id(b: CanonicalBroadcast) -> str | None:
    """The message id a file's broadcast goes with: its identity, when it has an envelope (the interchange names
    it) or no send time (``jis import`` fills one in, so its body differs at every import); else none, and the
    service names it by the feed's own sequence number and content digest, exactly as the same message arriving
    over the live feed (an emergency file that repeats what the feed brought before it went down is a repeat)."""
    return b.identity() if b.interchange or b.sent_at is None else None


def file_digest(path: Path) -> str:
    """The file's SHA-256, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(FILE_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@contextmanager
def file_messages(
    path: Path,
    plant: PlantConfig,
    *,
    feed: str | None = None,
    now: float | None = None,
    partner: str | None = None,
    format: str | None = None,
) -> Iterator[tuple[ImportReport, Iterator[Outgoing]]]:
    """What importing ``path`` sends, as a stream in file order (a broadcast or a problem as soon as it is read:
    memory stays that of one message), each with its identity; and the report to fill in (kept problems go into
    its warnings as they are read). ``now``: the send time of messages that carry none (default: the clock).
    ``partner``: whose profile reads it (``[partners.NAME]``; default: the feed's, ``partners.partner_of``);
    ``UnknownPartner`` when the plant has none of that name. ``format``: the only format the file may be in (a file in
    another is one problem, whole; default: the partner's, else any)."""
    when = time.time() if now is None else now
    profiles = profiles_of(partner_of(plant, partner=partner, feed=feed))
    if format is not None:
        profiles = replace(profiles, format=format)
    digest = file_digest(path)
    with open_stream(path, plant=plant, feed=feed, profiles=profiles) as stream:
        report = ImportReport(file=str(path), format=stream.format, sha256=digest)
        yield report, (out for item in stream if (out := _outgoing(path, item, when, report)) is not None)
        report.format = stream.format  # e.g. "edifact-deljit" once the parser has begun


def import_file(
    path: Path,
    plant: PlantConfig,
    gateway: Gateway,
    *,
    feed: str | None = None,
    sent: Callable[[int, int | None], object] | None = None,
    partner: str | None = None,
) -> ImportReport:
    """Parse ``path`` as a stream and feed it through ``gateway``, in file order; stops at a silent service
    (``stopped``, with what was not sent counted). ``sent(done, None)`` after each message answered (a progress
    line: a stream does not know its total)."""
    with file_messages(path, plant, feed=feed, partner=partner) as (report, work):
        for done, out in enumerate(work, start=1):
            try:
                status, reason = gateway.send(out.body, out.feed, out.seq)
            except ServiceSilent as exc:
                report.unsent, report.stopped = 1 + sum(1 for _ in work), str(exc)
                break
            report.statuses[status] += 1
            if status in ("quarantined", "refused"):
                report.reasons.append(f"{out.what}: {reason}")
            if sent is not None:
                sent(done, None)
    return report


def _outgoing(path: Path, item: Item, now: float, report: ImportReport) -> Outgoing | None:
    """What to send for one parsed item; a kept problem is a warning in the report, not sent."""
    if isinstance(item, Problem):
        if item.kept:
            report.warnings.append(item.describe())
            return None
        return Outgoing(_problem_frame(path, item, report.sha256), "", None, item.describe())
    b, source = item
    try:
        body = b.to_feed_json(sent_at=None if b.sent_at is not None else now, message_id=_message_id(b))
    except FeedMismatch as exc:
        problem = _mismatch_problem(b, source, exc)
        return Outgoing(_problem_frame(path, problem, report.sha256), "", None, problem.describe())
    return Outgoing(body, b.feed, b.seq, f"{b.feed} {b.seq}")
