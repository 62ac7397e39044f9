"""The HMI bus's key-value state (sequencer.clone): split, diff, apply, and convergence over a lossy bus.

Properties, for any two views a and b: the entries of a reassemble to a; a snapshot of a plus the updates from a
to b give b; and a screen whose bus drops, repeats and reorders updates, that asks for a snapshot whenever the
numbers say it missed something, ends with the service's last view once it hears the heartbeat. Views are
generated with small id alphabets so ids repeat, collections shrink and grow, and entries come and go.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sequencer.clone import (
    HUGZ,
    KV,
    Delta,
    KvStore,
    Replica,
    Step,
    WireError,
    assemble,
    diff,
    entries,
    hugz_frames,
    kv_frames,
    parse_entry,
    read_hugz,
    read_kthxbai,
    read_kv,
)
from sequencer.views import (
    BinView,
    Counters,
    DeviationView,
    DeviceView,
    FeedView,
    KpiView,
    LineView,
    NoticeView,
    PickView,
    RackView,
    StationView,
)
from ui.bus_client import snapshot_endpoint

ids = st.sampled_from(["L1", "L2", "ST-SEAT", "a/b", "x~2", "é"])
small = st.integers(min_value=0, max_value=5)
opt_int = st.none() | small
times = st.floats(min_value=0, max_value=2e9, allow_nan=False, allow_infinity=False)
text = st.text(max_size=4)

picks = st.builds(
    PickView, pick_id=small, feed=ids, seq=small, vehicle_id=text, family=ids, part=text, bin=ids,
    rack_no=small, slot=small, due_at=times,
    state=st.sampled_from(["queued", "lit", "blocked", "held", "picked", "cancelled"]),
)  # fmt: skip
bins = st.builds(BinView, id=ids, light=small, part=text, lit=st.booleans())
stations = st.builds(
    StationView, id=ids, name=text, family=ids, current=st.none() | picks,
    next=st.lists(picks, max_size=2).map(tuple), bins=st.lists(bins, max_size=3).map(tuple),
    ptl_device=ids, printer=ids,
)  # fmt: skip
feeds = st.builds(
    FeedView, id=ids, name=text, last_seq=opt_int, last_broadcast_at=st.none() | times, broadcasts=small,
    gaps=small, duplicates=small,
)  # fmt: skip
racks = st.builds(
    RackView, feed=ids, family=ids, rack_no=small, filled=small, capacity=small, low_seq=opt_int, high_seq=opt_int
)
deviations = st.builds(
    DeviationView, id=small, kind=text, priority=small, at=times, feed=ids, seq=opt_int, vehicle_id=text,
    station=ids, message=text, active=st.booleans(), shelved_until=st.none() | times,
)  # fmt: skip
devices = st.builds(DeviceView, name=ids, kind=st.sampled_from(["ptl", "printer"]), up=st.booleans(), detail=text)
notices = st.builds(
    NoticeView, notice_id=ids, number=small, feed=ids, family=ids, rack_no=small, version=small,
    function=st.sampled_from(["original", "cancel", "replace"]),
    state=st.sampled_from(["due", "sent", "acknowledged", "rejected"]), reason=text, overdue=st.booleans(),
    alarm=st.none() | small, shipped_at=times, issued_at=times,
)  # fmt: skip
views = st.builds(
    LineView, rev=small, at=times, plant=text, timezone=st.sampled_from(["UTC", "Europe/Berlin"]),
    feeds=st.lists(feeds, max_size=3).map(tuple), stations=st.lists(stations, max_size=3).map(tuple),
    racks=st.lists(racks, max_size=3).map(tuple), deviations=st.lists(deviations, max_size=4).map(tuple),
    devices=st.lists(devices, max_size=3).map(tuple), notices=st.lists(notices, max_size=3).map(tuple),
    counters=st.builds(Counters, vehicles_broadcast=small, racks_completed=small),
    kpis=st.builds(KpiView, on_time_rate=st.none() | st.floats(0, 1), picks_per_hour=small),
)  # fmt: skip

EPOCH = b"run-1"


def parsed_of(entries_: dict[str, bytes]) -> dict[str, object]:
    return {k: p for k, v in entries_.items() if (p := parse_entry(k, v)) is not None}


def synced_replica(store: KvStore, epoch: bytes = EPOCH) -> Replica:
    replica = Replica()
    seq, items = store.snapshot()
    assert replica.on_snapshot(epoch, seq, items) is Step.APPLIED
    return replica


# -- properties ---------------------------------------------------------------------------------------------
@given(views)
def test_the_entries_of_a_view_reassemble_to_it(view: LineView) -> None:
    assert assemble(parsed_of(entries(view))) == view


@given(views, views)
def test_snapshot_of_a_plus_the_updates_to_b_is_b(a: LineView, b: LineView) -> None:
    store = KvStore()
    store.update(a)
    replica = synced_replica(store)
    assert replica.view() == a
    delta = store.update(b)
    if delta is None:
        assert entries(a) == entries(b)
    else:
        assert delta.first == store.seq - len(delta.changes) + 1
        assert replica.on_delta(EPOCH, delta) is Step.APPLIED
        assert replica.on_delta(EPOCH, delta) is Step.STALE  # a repeated update changes nothing
    assert replica.view() == b
    assert replica.seq == store.seq


@given(views, views)
def test_diff_sends_only_what_changed_and_deletes_with_an_empty_value(a: LineView, b: LineView) -> None:
    old, new = entries(a), entries(b)
    changes = diff(old, new)
    patched = dict(old)
    for key, value in changes:
        if value:
            patched[key] = value
        else:
            del patched[key]
    assert patched == new
    assert all(old.get(k) != v for k, v in changes if v)


@settings(max_examples=60)
@given(
    st.lists(views, min_size=1, max_size=6),
    st.lists(st.sampled_from(["deliver", "drop", "repeat", "swap", "hugz"]), min_size=6, max_size=30),
    st.integers(min_value=0, max_value=5),
)
def test_a_screen_on_a_lossy_bus_converges_after_resnapshot(
    history: list[LineView], fate: list[str], join_after: int
) -> None:
    """The bus drops, repeats and swaps updates and the screen joins late; it asks for a snapshot on a GAP (the
    service answers at once, as its snapshot socket does) and ends at the service's last view."""
    store, replica, resyncs = KvStore(), Replica(), 0
    queue: list[list[bytes]] = []

    def take(frames: list[bytes]) -> None:
        nonlocal resyncs
        if frames[0] == KV:
            step = replica.on_delta(*read_kv(frames))
        else:
            epoch, seq, _ = read_hugz(frames)
            step = replica.on_hugz(epoch, seq)
        if step is Step.GAP or (not replica.synced and len(queue) % 3 == 0):
            resyncs += 1
            assert replica.on_snapshot(EPOCH, *store.snapshot()) in (Step.APPLIED, Step.GAP)

    for n, view in enumerate(history):
        if (delta := store.update(view)) is not None and n >= join_after:
            queue.append(kv_frames(EPOCH, delta))
    for action in fate:
        if not queue:
            break
        if action == "drop":
            queue.pop(0)
        elif action == "repeat":
            take(queue[0])
        elif action == "swap" and len(queue) > 1:
            queue[0], queue[1] = queue[1], queue[0]
        elif action == "hugz":
            take(hugz_frames(EPOCH, store.seq, "tcp://127.0.0.1:1"))
        else:
            take(queue.pop(0))
    for _ in range(3):  # what is left arrives; then heartbeats until the screen is where the service is
        while queue:
            take(queue.pop(0))
        take(hugz_frames(EPOCH, store.seq, "tcp://127.0.0.1:1"))
        if replica.synced and replica.seq == store.seq:
            break
    assert replica.synced and replica.seq == store.seq
    assert replica.view() == history[-1]
    assert resyncs <= 2 * len(fate) + 6


# -- cases --------------------------------------------------------------------------------------------------
def _view(rev: int, feeds: tuple[str, ...] = ("L1", "L2")) -> LineView:
    return LineView(
        rev=rev, at=1000.0 + rev, plant="Demo", timezone="UTC",
        feeds=tuple(FeedView(id=f, name=f, last_seq=rev, last_broadcast_at=None, broadcasts=rev, gaps=0,
                             duplicates=0) for f in feeds),
        stations=(), racks=(), deviations=(), devices=(), counters=Counters(),
    )  # fmt: skip


def test_a_quiet_line_publishes_only_the_header_and_a_deleted_feed_is_an_empty_value() -> None:
    store = KvStore()
    store.update(_view(1))
    same_but_rev = _view(1).model_copy(update={"rev": 2})
    assert [k for k, _ in store.update(same_but_rev).changes] == ["head"]  # type: ignore[union-attr]
    delta = store.update(_view(2, feeds=("L1",)))
    assert delta is not None
    assert ("feed/L2", b"") in delta.changes
    assert "order/feeds" in dict(delta.changes)


def test_updates_wait_for_the_snapshot_and_only_newer_ones_are_applied() -> None:
    store, replica = KvStore(), Replica()
    early = store.update(_view(1))
    later = store.update(_view(2))
    assert early is not None and later is not None
    assert replica.on_delta(EPOCH, early) is Step.BUFFERED
    assert replica.on_delta(EPOCH, later) is Step.BUFFERED
    assert replica.on_snapshot(EPOCH, early.last, parsed_items(entries(_view(1)))) is Step.APPLIED
    assert replica.seq == later.last and replica.view() == _view(2)


def parsed_items(e: dict[str, bytes]) -> list[tuple[str, bytes]]:
    return sorted(e.items())


def test_a_missed_update_a_new_epoch_or_a_heartbeat_ahead_is_a_gap() -> None:
    store = KvStore()
    store.update(_view(1))
    missed = store.update(_view(2))
    third = store.update(_view(3))
    assert missed is not None and third is not None
    replica = Replica()
    replica.on_snapshot(EPOCH, missed.first - 1, parsed_items(entries(_view(1))))
    assert replica.on_delta(EPOCH, third) is Step.GAP and not replica.synced
    replica = synced_replica(store)
    assert replica.on_hugz(EPOCH, store.seq) is Step.STALE
    assert replica.on_hugz(b"run-2", store.seq) is Step.GAP
    replica = synced_replica(store)
    assert replica.on_hugz(EPOCH, store.seq + 1) is Step.GAP


def test_a_bad_value_is_refused_whole_and_the_state_kept() -> None:
    store = KvStore()
    store.update(_view(1))
    replica = synced_replica(store)
    bad = Delta(store.seq + 1, (("head", b'{"rev":2}'), ("feed/L1", b"{not json")))
    with pytest.raises(WireError, match="head"):
        replica.on_delta(EPOCH, bad)
    assert replica.view() == _view(1)


def test_unknown_keys_are_ignored_and_a_missing_entry_is_named() -> None:
    parsed = parsed_of({**entries(_view(1)), "future/thing": b"{}"})
    assert assemble(parsed) == _view(1)
    shipped = NoticeView(notice_id="L1-seats-1", number=1, feed="L1", family="seats", rack_no=1, version=1,
                         function="original", state="sent", reason="", overdue=False, alarm=None, shipped_at=1.0,
                         issued_at=1.0)  # fmt: skip
    with_notice = _view(1).model_copy(update={"notices": (shipped,)})
    older = {k: v for k, v in parsed_of(entries(with_notice)).items() if k != "order/notices"}
    assert assemble(older) == _view(1)  # a service older than the screen sends no notices: an empty list
    del parsed["kpis"]
    with pytest.raises(WireError, match="kpis"):
        assemble(parsed)


@pytest.mark.parametrize(
    "frames",
    [[KV, EPOCH], [KV, EPOCH, b"x1", b"k", b"v"], [KV, EPOCH, b"1", b"\xff", b"v"], [KV, EPOCH, b"1", b"k"],
     [HUGZ, EPOCH, b"-1", b"tcp://h:1"], [HUGZ, EPOCH]],
)  # fmt: skip
def test_malformed_frames_are_wire_errors(frames: list[bytes]) -> None:
    with pytest.raises(WireError):
        read_kv(frames) if frames[0] == KV else read_hugz(frames)


def test_wire_round_trip_and_the_advertised_snapshot_endpoint() -> None:
    delta = Delta(7, (("a", b"1"), ("b", b"")))
    assert read_kv(kv_frames(EPOCH, delta)) == (EPOCH, delta)
    assert read_hugz(hugz_frames(EPOCH, 8, "tcp://0.0.0.0:5558")) == (EPOCH, 8, "tcp://0.0.0.0:5558")
    assert read_kthxbai([b"KTHXBAI", b"3", EPOCH, b"8"]) == (b"3", EPOCH, 8)
    assert snapshot_endpoint("tcp://line-hmi.example:5556", "tcp://0.0.0.0:5558") == "tcp://line-hmi.example:5558"
    assert snapshot_endpoint("tcp://[::1]:5556", "tcp://0.0.0.0:5558") == "tcp://[::1]:5558"
    assert snapshot_endpoint("ipc:///tmp/bus", "ipc:///tmp/snap") == "ipc:///tmp/snap"
