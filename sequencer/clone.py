"""The HMI bus's state as numbered key-value updates (zguide ch. 5, "Reliable Pub-Sub", the Clone pattern).

What it is for: the service splits each ``LineView`` into keyed entries (``feed/L1``, ``station/ST-SEAT``,
``rack/L1/seats/833``, ``alarm/17``, ``device/zebra-1``, ``notice/L1-seats-12``, ``counters``, ``kpis``, ``head``,
and one ``order/...`` list per collection so the screens see the same order) and publishes only the entries that
changed, each update numbered one higher than the last (``KvStore``). A screen (``Replica``) loads a snapshot (all
entries and the number it is at), applies the updates numbered after it, and asks for a new snapshot when a number is
missing (``GAP``); from the entries it reassembles the full ``LineView`` the screens draw. A deletion is an update with
an empty value. The wire frames of both ends are built and read here too (docs/hmi-bus.md). The service builds only the
entries that changed (``sequencer.pictures``: a ``Picture`` of the new values, or of every value when ``whole``) and
``KvStore.apply`` numbers those whose JSON differs; ``KvStore.update`` takes a whole ``LineView`` (the replay tool, the
tests).
What it must not do: I/O, clocks or randomness (the service supplies the epoch that tells one run from the next),
or trust a frame: every value is validated against its entry's model before anything is applied.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter

from sequencer.views import (
    Counters,
    DeviationView,
    DeviceView,
    FeedView,
    KpiView,
    LineView,
    NoticeView,
    RackView,
    ShiftView,
    StationView,
)

Entries = dict[str, bytes]
Change = tuple[str, bytes]  # (key, value); an empty value deletes the key
EntryValue = BaseModel | tuple[str, ...]  # one entry before it is JSON: its model, or an order list of keys


class Head(BaseModel):
    """The line's header fields: the one entry that changes with every publication."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    rev: int
    at: float
    plant: str
    timezone: str
    shift: ShiftView | None = None


# One row per collection of the view: key prefix, LineView field, model of one entry, the entry's id.
COLLECTIONS: tuple[tuple[str, str, type[BaseModel], Callable[[Any], str]], ...] = (
    ("feed/", "feeds", FeedView, lambda f: f.id),
    ("station/", "stations", StationView, lambda s: s.id),
    ("rack/", "racks", RackView, lambda r: f"{r.feed}/{r.family}/{r.rack_no}"),
    ("alarm/", "deviations", DeviationView, lambda d: str(d.id)),
    ("device/", "devices", DeviceView, lambda d: d.name),
    ("notice/", "notices", NoticeView, lambda n: n.notice_id),
)
# Entries that are one object each: key (= LineView field, "head" aside), model.
SINGLES: tuple[tuple[str, type[BaseModel]], ...] = (("head", Head), ("counters", Counters), ("kpis", KpiView))
ORDER = "order/"  # ORDER + field: the JSON list of that collection's entry keys, in the view's order
_ORDER_LIST = TypeAdapter(tuple[str, ...])

# Wire frames (docs/hmi-bus.md). Bus (PUB): KV and HUGZ. Snapshot (DEALER -> ROUTER): ICANHAZ?, KVS..., KTHXBAI.
KV, HUGZ = b"KV", b"HUGZ"
ICANHAZ, KVS, KTHXBAI = b"ICANHAZ?", b"KVS", b"KTHXBAI"
MAX_PENDING = 1000  # updates held while a snapshot is on its way; more means a resync anyway
MAX_FIELD = 20  # digits of a number on the wire
# Frame sizes for ZMQ_MAXMSGSIZE (per frame; a larger one closes its sender's connection, before it is allocated).
# A bus or snapshot frame is one key or one entry's value; the largest legitimate one is an order list, the open
# alarms' keys ("alarm/<id>", about 14 bytes each): 4 MiB holds some 300,000, far past what a line raises or a
# screen can show (tests/integration/test_socket_bounds.py measures a line with 20,000 open alarms). A screen sets
# it on its SUB and snapshot DEALER. The service's own sockets take only requests: a subscription (KV, HUGZ) and a
# snapshot request (ICANHAZ? and an id of at most 20 digits), and the CURVE handshake's commands (INITIATE, the
# largest, is a few hundred bytes with its metadata): 4 KiB.
MAX_FRAME_BYTES = 4 * 1024 * 1024
MAX_REQUEST_FRAME_BYTES = 4 * 1024


class WireError(ValueError):
    """A frame or value that does not follow docs/hmi-bus.md."""


# -- the view <-> entries -----------------------------------------------------------------------------------
def encode(value: EntryValue) -> bytes:
    """One entry's value as it goes on the wire."""
    if isinstance(value, tuple):
        return json.dumps(list(value), separators=(",", ":")).encode()
    return value.model_dump_json().encode()


def keyed(prefix: str, items: Iterable[Any], ident: Callable[[Any], str]) -> list[tuple[str, Any]]:
    """One collection's items with their keys; a repeated id gets ``~2``, ``~3``... so no entry hides another."""
    out: list[tuple[str, Any]] = []
    taken: set[str] = set()
    for item in items:
        key = base = prefix + ident(item)
        n = 1
        while key in taken:
            n += 1
            key = f"{base}~{n}"
        taken.add(key)
        out.append((key, item))
    return out


def entry_values(view: LineView) -> dict[str, EntryValue]:
    """``view`` as key -> value (``entries`` before the JSON)."""
    head = Head(rev=view.rev, at=view.at, plant=view.plant, timezone=view.timezone, shift=view.shift)
    out: dict[str, EntryValue] = {"head": head}
    for key, _ in SINGLES[1:]:
        out[key] = getattr(view, key)
    for prefix, field, _, ident in COLLECTIONS:
        items = keyed(prefix, getattr(view, field), ident)
        out.update(items)
        out[ORDER + field] = tuple(key for key, _ in items)
    return out


def entries(view: LineView) -> Entries:
    """``view`` as key -> JSON value."""
    return {key: encode(value) for key, value in entry_values(view).items()}


def parse_entry(key: str, value: bytes) -> object | None:
    """The validated value of one entry (a model, or a tuple of keys for an order list); None for an unknown key
    (a newer service may add entries). WireError if the value does not fit the key's model."""
    try:
        if key.startswith(ORDER):
            return _ORDER_LIST.validate_json(value)
        for name, model in SINGLES:
            if key == name:
                return model.model_validate_json(value)
        for prefix, _, model, _ in COLLECTIONS:
            if key.startswith(prefix):
                return model.model_validate_json(value)
    except ValueError as exc:  # pydantic.ValidationError is a ValueError; so are bad UTF-8 and JSON
        raise WireError(f"{key}: {_first_line(exc)}") from exc
    return None


def assemble(parsed: Mapping[str, object]) -> LineView:
    """The ``LineView`` the entries describe; WireError if one it needs is missing."""
    try:
        head = parsed["head"]
        fields: dict[str, Any] = {key: parsed[key] for key, _ in SINGLES[1:]}
        for _, field, _, _ in COLLECTIONS:
            if ORDER + field not in parsed and not LineView.model_fields[field].is_required():
                continue  # a service older than the screen does not send it (notices): empty
            order = parsed[ORDER + field]
            assert isinstance(order, tuple)
            fields[field] = tuple(parsed[key] for key in order)
    except KeyError as exc:
        raise WireError(f"entry {exc.args[0]} missing") from exc
    assert isinstance(head, Head)
    try:
        return LineView(rev=head.rev, at=head.at, plant=head.plant, timezone=head.timezone, shift=head.shift, **fields)
    except ValueError as exc:  # an order list naming an entry of another kind
        raise WireError(_first_line(exc)) from exc


def diff(old: Mapping[str, bytes], new: Mapping[str, bytes]) -> list[Change]:
    """What turns ``old`` into ``new``: changed and new entries, then deletions (empty value); sorted by key."""
    changed = [(k, v) for k, v in sorted(new.items()) if old.get(k) != v]
    return changed + [(k, b"") for k in sorted(old) if k not in new]


# -- the service's end --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Delta:
    """Updates numbered ``first``, ``first + 1``, ...: one publication."""

    first: int
    changes: tuple[Change, ...]

    @property
    def last(self) -> int:
        return self.first + len(self.changes) - 1


@dataclass(frozen=True, slots=True)
class Picture:
    """What a publication says: key -> the entry's new value (None: the entry is gone). ``whole``: these are all the
    entries there are, and any other key is gone (the first picture, or a new core)."""

    values: dict[str, EntryValue | None]
    whole: bool = False


class KvStore:
    """The service's current entries and the number of the last update."""

    def __init__(self) -> None:
        self.seq = 0
        self.entries: Entries = {}

    def update(self, view: LineView) -> Delta | None:
        """Take ``view`` as the new state; the numbered updates that lead to it (None: nothing changed)."""
        return self.apply(Picture(dict(entry_values(view)), whole=True))

    def apply(self, picture: Picture) -> Delta | None:
        """Take the picture's entries; the numbered updates for those whose JSON differs (None: none does). Costs
        what the picture holds, not what the store does (unless it is ``whole``)."""
        if picture.whole:
            new = {key: encode(value) for key, value in picture.values.items() if value is not None}
            changes = diff(self.entries, new)
            self.entries = new
        else:
            changes = self._changes(picture.values)
            for key, value in changes:
                if value:
                    self.entries[key] = value
                else:
                    del self.entries[key]
        if not changes:
            return None
        delta = Delta(self.seq + 1, tuple(changes))
        self.seq = delta.last
        return delta

    def _changes(self, values: Mapping[str, EntryValue | None]) -> list[Change]:
        """As ``diff``: the changed and new entries, then the deletions, each sorted by key."""
        changed: list[Change] = []
        gone: list[Change] = []
        for key in sorted(values):
            value = values[key]
            if value is None:
                if key in self.entries:
                    gone.append((key, b""))
            elif self.entries.get(key) != (data := encode(value)):
                changed.append((key, data))
        return changed + gone

    def snapshot(self) -> tuple[int, list[Change]]:
        return self.seq, sorted(self.entries.items())


# -- the screen's end ---------------------------------------------------------------------------------------
class Step(Enum):
    APPLIED = "applied"  # the state moved on
    STALE = "stale"  # nothing new (a duplicate, or older than the state)
    BUFFERED = "buffered"  # held until the snapshot arrives
    GAP = "gap"  # an update was missed or the service restarted: ask for a snapshot


class Replica:
    """A screen's copy of the entries. Until a snapshot is loaded, updates are held (``MAX_PENDING``)."""

    def __init__(self, max_pending: int = MAX_PENDING) -> None:
        self.epoch = b""
        self.seq = 0
        self.synced = False
        self.parsed: dict[str, object] = {}
        self.changed = False  # set by every applied update; the caller clears it after drawing
        self._pending: deque[tuple[bytes, Delta]] = deque(maxlen=max_pending)

    def lose_sync(self) -> None:
        """Distrust the state (silence, a bad value): hold updates until the next snapshot."""
        self.synced = False
        self._pending.clear()

    def on_delta(self, epoch: bytes, delta: Delta) -> Step:
        """WireError (nothing applied) if a value does not fit its key."""
        if not self.synced:
            self._pending.append((epoch, delta))
            return Step.BUFFERED
        if epoch != self.epoch or delta.first > self.seq + 1:
            self.lose_sync()
            return Step.GAP
        if delta.last <= self.seq:
            return Step.STALE
        fresh = delta.changes[self.seq + 1 - delta.first :]
        self._apply([(k, v, parse_entry(k, v) if v else None) for k, v in fresh])
        self.seq = delta.last
        return Step.APPLIED

    def on_hugz(self, epoch: bytes, seq: int) -> Step:
        """The service's heartbeat says where it is: behind or ahead of us is a gap."""
        if not self.synced:
            return Step.BUFFERED
        if epoch != self.epoch or seq != self.seq:
            self.lose_sync()
            return Step.GAP
        return Step.STALE

    def on_snapshot(self, epoch: bytes, seq: int, items: Iterable[Change]) -> Step:
        """Load a snapshot, then the held updates numbered after it. WireError (state untouched) on a bad value."""
        parsed = {k: p for k, v in items if (p := parse_entry(k, v)) is not None}
        self.parsed, self.epoch, self.seq, self.synced, self.changed = parsed, epoch, seq, True, True
        pending, self._pending = list(self._pending), deque(maxlen=self._pending.maxlen)
        for held_epoch, delta in pending:
            if held_epoch == epoch and self.on_delta(epoch, delta) is Step.GAP:
                return Step.GAP
        return Step.APPLIED

    def view(self) -> LineView:
        return assemble(self.parsed)

    def _apply(self, changes: list[tuple[str, bytes, object | None]]) -> None:
        for key, value, parsed in changes:
            if not value or parsed is None:
                self.parsed.pop(key, None)
            else:
                self.parsed[key] = parsed
        self.changed = True


# -- wire frames --------------------------------------------------------------------------------------------
def kv_frames(epoch: bytes, delta: Delta) -> list[bytes]:
    return [
        KV,
        epoch,
        str(delta.first).encode(),
        *(part for key, value in delta.changes for part in (key.encode(), value)),
    ]


def hugz_frames(epoch: bytes, seq: int, snapshot_endpoint: str) -> list[bytes]:
    return [HUGZ, epoch, str(seq).encode(), snapshot_endpoint.encode()]


def read_kv(frames: list[bytes]) -> tuple[bytes, Delta]:
    if len(frames) < 5 or len(frames) % 2 == 0 or frames[0] != KV:
        raise WireError(f"KV needs epoch, first number and key/value pairs; got {len(frames)} frame(s)")
    pairs = frames[3:]
    changes = tuple((_text(pairs[i], "key"), pairs[i + 1]) for i in range(0, len(pairs), 2))
    return frames[1], Delta(_number(frames[2]), changes)


def read_hugz(frames: list[bytes]) -> tuple[bytes, int, str]:
    if len(frames) != 4 or frames[0] != HUGZ:
        raise WireError(f"HUGZ needs epoch, number and snapshot endpoint; got {len(frames)} frame(s)")
    return frames[1], _number(frames[2]), _text(frames[3], "snapshot endpoint")


def read_kthxbai(frames: list[bytes]) -> tuple[bytes, bytes, int]:
    """(request id, epoch, number the snapshot is at)."""
    if len(frames) != 4 or frames[0] != KTHXBAI:
        raise WireError(f"KTHXBAI needs request id, epoch and number; got {len(frames)} frame(s)")
    return frames[1], frames[2], _number(frames[3])


def _number(frame: bytes) -> int:
    if not frame.isdigit() or len(frame) > MAX_FIELD:
        raise WireError(f"not a sequence number: {frame[:MAX_FIELD]!r}")
    return int(frame)


def _text(frame: bytes, what: str) -> str:
    try:
        return frame.decode()
    except UnicodeDecodeError as exc:
        raise WireError(f"{what} is not UTF-8") from exc


def _first_line(exc: Exception) -> str:
    return " / ".join(line.strip() for line in str(exc).strip().splitlines()[:3])[:200] or type(exc).__name__
