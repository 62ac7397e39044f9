"""``jis import FILE``: emergency mode, a file of broadcasts fed into a running line as an OEM gateway would.

When the OEM feed is down, the OEM sends the sequence as a file (DELJIT, X12 866, VDA 4916, JSON). This reads it
with ``app.feed.formats.parse_file`` and hands every broadcast to the running service over the feed protocol
(docs/feed-protocol.md): a ZeroMQ DEALER connected to the service's feed endpoint, one BCAST at a time, each
waited for until its ACK says it is committed (or a duplicate), resent after a time-out like any gateway. So
an import is journaled, sequenced and deduplicated exactly like the live feed.

Every message goes with its identity (``_message_id``): a message with an envelope, or one without a send time,
as the BCAST's ``message_id`` (``CanonicalBroadcast.identity``: interchange, message reference, sequence number
and content digest, never the file or the import's time); any other is named by the service as the live feed's
messages are (sequence number and content digest). So importing a file again, alone or among others, in any
order, only counts duplicates: the service journals each identity once. The file's own identity is its SHA-256
(``ImportReport.sha256``).

What the file could not give (a message that does not parse, a part the master data does not know) is not
dropped: it is sent as a raw BCAST frame the service cannot decode, so the service quarantines it with the
file's name, the message number, our reason and the original bytes, and a person sees it as a deviation; the
frame carries a ``message_id`` too (the file's digest, the message number and a digest of the problem), so a
second import does not quarantine it again.

Must not: write to the database itself (the service is the only writer), or send the next broadcast before the
previous one is acknowledged (order is the sequence).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import zmq

from app.feed.formats import CanonicalBroadcast, FeedMismatch, Problem, parse_file
from app.feed.protocol import ACK, BCAST, RESEND, BadAck, decode_ack
from sequencer.plant import PlantConfig, PlantConfigError

ACK_TIMEOUT_S = 2.0  # real seconds before a BCAST is sent again (the service commits in about a millisecond)
RETRIES = 5  # resends before giving up on a silent service
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_NO_SERVICE = 0, 1, 2, 3


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
    statuses: Counter[str] = field(default_factory=Counter)  # accepted / duplicate / quarantined
    reasons: list[str] = field(default_factory=list)  # why each quarantined item was quarantined
    warnings: list[str] = field(default_factory=list)  # problems the broadcast survived (e.g. a family corrected)
    unsent: int = 0
    stopped: str = ""  # why the import stopped early (the service fell silent)

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "format": self.format,
            "sha256": self.sha256,
            **{k: self.statuses[k] for k in ("accepted", "duplicate", "quarantined")},
            "unsent": self.unsent,
            "stopped": self.stopped,
            "reasons": self.reasons,
            "warnings": self.warnings,
        }

    def line(self) -> str:
        s = self.statuses
        return (
            f"jis import: {self.file} ({self.format or 'unknown format'}): {s['accepted']} accepted, "
            f"{s['duplicate']} duplicate, {s['quarantined']} quarantined, {self.unsent} not sent"
        )


class Gateway:
    """A stop-and-wait DEALER: send one frame, wait for the ACK that answers it, resend on silence."""

    def __init__(self, endpoint: str, *, ack_timeout_s: float = ACK_TIMEOUT_S, retries: int = RETRIES) -> None:
        self._ctx = zmq.Context()
        self._sock = self._ctx.socket(zmq.DEALER)
        self._sock.setsockopt(zmq.LINGER, 0)
        # Queue only to a completed connection: a BCAST is never parked in a pipe to a service that is not there.
        self._sock.setsockopt(zmq.IMMEDIATE, 1)
        self._sock.setsockopt(zmq.ROUTING_ID, f"import-{time.time_ns():x}".encode())
        self._sock.connect(endpoint)
        self.endpoint = endpoint
        self._ack_timeout_s, self._retries = ack_timeout_s, retries

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
                if frames[:1] == [RESEND]:
                    print(f"jis import: the service asks for a resend ({frames[1].decode()}); the file has what it has")
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
    the same message, whatever the file is called)."""
    try:
        raw, encoding = problem.raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        raw, encoding = base64.b64encode(problem.raw).decode(), "base64"
    said = hashlib.sha256(problem.describe().encode() + b"\0" + problem.raw).hexdigest()[:16]
    message_id = f"file/{file_digest[:32]}/{problem.index}/{said}"
    body = {
        "import_problem": problem.describe(),
        "file": path.name,
        "raw": raw,
        "raw_encoding": encoding,
        "message_id": message_id,
    }
    return json.dumps(body).encode()


def _mismatch_problem(b: CanonicalBroadcast, source: bytes, exc: FeedMismatch) -> Problem:
    return Problem(index=b.raw_index, reason=f"vehicle {b.vehicle_id} seq {b.seq}: {exc}", raw=source)


def _message_id(b: CanonicalBroadcast) -> str | None:
    """The message id a file's broadcast goes with: its identity, when it has an envelope (the interchange names
    it) or no send time (``jis import`` fills one in, so its body differs at every import); else none, and the
    service names it by the feed's own sequence number and content digest, exactly as the same message arriving
    over the live feed (an emergency file that repeats what the feed brought before it went down is a repeat)."""
    return b.identity() if b.interchange or b.sent_at is None else None


def file_messages(
    path: Path, plant: PlantConfig, *, feed: str | None = None, now: float | None = None
) -> tuple[ImportReport, list[Outgoing]]:
    """What importing ``path`` sends, in file order (broadcasts, then the problems), each with its identity; and
    the report to fill in. ``now``: the send time of messages that carry none (default: the clock)."""
    result = parse_file(path, plant=plant, feed=feed)
    report = ImportReport(file=str(path), format=result.format, sha256=hashlib.sha256(path.read_bytes()).hexdigest())
    report.warnings = [p.describe() for p in result.problems if p.kept]
    quarantine = [p for p in result.problems if not p.kept]
    work: list[Outgoing] = []
    when = time.time() if now is None else now
    for b, source in zip(result.broadcasts, result.sources, strict=True):
        try:
            body = b.to_feed_json(sent_at=None if b.sent_at is not None else when, message_id=_message_id(b))
        except FeedMismatch as exc:
            quarantine.append(_mismatch_problem(b, source, exc))
            continue
        work.append(Outgoing(body, b.feed, b.seq, f"{b.feed} {b.seq}"))
    work += [Outgoing(_problem_frame(path, p, report.sha256), "", None, p.describe()) for p in quarantine]
    return report, work


def import_file(path: Path, plant: PlantConfig, gateway: Gateway, *, feed: str | None = None) -> ImportReport:
    """Parse ``path`` and feed it through ``gateway``, in file order; stops at a silent service (``stopped``)."""
    report, work = file_messages(path, plant, feed=feed)
    for done, out in enumerate(work):
        try:
            status, reason = gateway.send(out.body, out.feed, out.seq)
        except ServiceSilent as exc:
            report.unsent, report.stopped = len(work) - done, str(exc)
            return report
        report.statuses[status] += 1
        if status == "quarantined":
            report.reasons.append(f"{out.what}: {reason}")
    return report


def _arguments() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="jis import", description="Feed a broadcast file into a running line.")
    p.add_argument("file", help="DELJIT, X12 866, VDA 4916 or JSON broadcasts")
    p.add_argument("--config", default=None, help="plant file (default: the shipped demo plant)")
    p.add_argument("--connect", default=None, help="the service's feed endpoint (default: the plant file's)")
    p.add_argument("--feed", default=None, help="feed id for messages that do not name their line")
    p.add_argument("--timeout", type=float, default=ACK_TIMEOUT_S, help="seconds to wait for each ACK")
    p.add_argument("--retries", type=int, default=RETRIES, help="resends before giving up")
    p.add_argument("--json", action="store_true", help="print the report as one JSON object")
    return p


def main_import(argv: Sequence[str] | None = None) -> int:
    """``jis import FILE [--config PLANT] [--connect ENDPOINT] [--feed L1] [--json]``; exit 0 all taken,
    1 something quarantined, 2 bad arguments or file, 3 the service did not answer."""
    args = _arguments().parse_args(argv)
    from app.config import load_plant

    path = Path(args.file)
    try:
        plant = load_plant(args.config)
        if not path.is_file():
            raise OSError(f"{path}: no such file")
    except (PlantConfigError, OSError) as exc:
        print(f"jis import: {exc}", file=sys.stderr)
        return EXIT_USAGE
    gateway = Gateway(args.connect or plant.service.feed_endpoint, ack_timeout_s=args.timeout, retries=args.retries)
    try:
        report = import_file(path, plant, gateway, feed=args.feed)
    finally:
        gateway.close()
    print(json.dumps(report.as_dict()) if args.json else _text(report))
    if report.stopped:
        return EXIT_NO_SERVICE
    return EXIT_PROBLEMS if report.statuses["quarantined"] or report.warnings else EXIT_OK


def _text(report: ImportReport) -> str:
    lines = [report.line(), f"  file sha256 {report.sha256}"]
    lines += [f"  stopped: {report.stopped}"] if report.stopped else []
    lines += [f"  quarantined: {r}" for r in report.reasons]
    lines += [f"  warning: {w}" for w in report.warnings]
    return "\n".join(lines)
