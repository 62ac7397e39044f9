"""The OEM's line progress: its line stops, runs again and speeds up, and the due times that follow it.

Due times are counted in line time (``sequencer.calendar``). When the OEM's line stands (its line-status message on
the feed, ``LineStatusReported``, or a lead's ``SetLineStatus``), its vehicles are not needed until it runs again:
while it stands no rack of the feed is watched for lateness (``racks.check_due`` skips the feed), and when it runs
again every due time not yet passed at the stop moves by the stop: it is due after the line time it still had at the
stop, counted from the restart. A rack's late warning or alarm that the move makes untrue is cleared. A feed whose
line stands is silent for that reason: no ``silence`` alarm until its takts have passed after the restart. The rules are
tables: ``TRANSITIONS`` (what a reported state does in the feed's state) and ``RATE_RULES`` (the rate against what
picking keeps up with).

Uses the racks' rules (their due levels); used by the core and the manual operations.
What it must not do: read a clock (every time is an event's ``at``), or change a completed vehicle's due time (its
on-time count was settled when it completed).
"""

from __future__ import annotations

from collections.abc import Callable

from sequencer.commands import Command
from sequencer.events import LineStatusReported, SetLineStatus
from sequencer.lifecycle import VEHICLE_IN_LINE
from sequencer.rules.racks import DUE_LEVELS
from sequencer.sentences import say
from sequencer.state import Feed, LineState, SequencerError

Transition = Callable[[LineState, Feed, float], list[Command]]


def _stop(line: LineState, feed: Feed, at: float) -> list[Command]:
    feed.line_stopped_since = at
    line.touched.feed(feed.cfg.id)
    commands = line.deviations.raise_(
        "oem_line_stopped", at, say("oem_line_stopped", feed=feed.cfg.id), feed=feed.cfg.id
    )
    feed.line_dev["oem_line_stopped"] = line.deviations.newest_id
    return commands + _clear(line, feed, "line_too_fast", at)  # a line that stands runs no faster than picking


def _run(line: LineState, feed: Feed, at: float) -> list[Command]:
    since = feed.line_stopped_since
    assert since is not None
    feed.line_stopped_since = None
    feed.line_restarted_at = at
    line.touched.feed(feed.cfg.id)
    return move_due(line, feed, since, at) + _clear(line, feed, "oem_line_stopped", at)


def _same(line: LineState, feed: Feed, at: float) -> list[Command]:
    return []  # a repeat of the state it is in (the gateway repeats it with its heartbeats)


# (stopped now?, state reported) -> what happens
TRANSITIONS: dict[tuple[bool, str], Transition] = {
    (False, "stopped"): _stop,
    (False, "running"): _same,
    (True, "running"): _run,
    (True, "stopped"): _same,
}


def keep_up_rate(feed: Feed) -> float:
    """Vehicles an hour picking keeps up with: the plant file's, else one a takt."""
    return feed.cfg.keep_up_rate_per_h or 3600.0 / feed.cfg.takt_s


# (deviation kind, is the condition there for (feed, reported rate)): raised when it comes, cleared when it goes
RATE_RULES: tuple[tuple[str, Callable[[Feed, float], bool]], ...] = (
    ("line_too_fast", lambda feed, rate: rate > keep_up_rate(feed)),
)


def on_status(line: LineState, e: LineStatusReported) -> list[Command]:
    """The OEM's line reported its state (and maybe its rate)."""
    feed = _feed(line, e.feed)
    commands = TRANSITIONS[(feed.line_stopped_since is not None, e.state)](line, feed, e.at)
    if e.rate_per_h is not None and e.state == "running":
        feed.line_rate_per_h = e.rate_per_h
        commands += _rate(line, feed, e.rate_per_h, e.at)
    return commands


def set_by_hand(line: LineState, e: SetLineStatus) -> tuple[str, list[Command]]:
    """A lead's ``SetLineStatus``: refused when the line is in that state already (nothing to audit)."""
    feed = _feed(line, e.feed)
    stopped = feed.line_stopped_since is not None
    if stopped == (e.state == "stopped"):
        raise SequencerError(f"{e.feed}: the OEM's line is {e.state} already")
    return f"{e.feed} line {e.state}", TRANSITIONS[(stopped, e.state)](line, feed, e.at)


def _feed(line: LineState, feed_id: str) -> Feed:
    feed = line.feeds.get(feed_id)
    if feed is None:
        raise SequencerError(f"unknown feed {feed_id!r}")
    return feed


def _rate(line: LineState, feed: Feed, rate: float, at: float) -> list[Command]:
    commands: list[Command] = []
    for kind, present in RATE_RULES:
        if present(feed, rate) and kind not in feed.line_dev:
            message = say("line_too_fast", feed=feed.cfg.id, rate=rate, keep_up=keep_up_rate(feed))
            commands += line.deviations.raise_(kind, at, message, feed=feed.cfg.id)
            feed.line_dev[kind] = line.deviations.newest_id
        elif not present(feed, rate):
            commands += _clear(line, feed, kind, at)
    return commands


def _clear(line: LineState, feed: Feed, kind: str, at: float) -> list[Command]:
    dev_id = feed.line_dev.pop(kind, None)
    return [] if dev_id is None else line.deviations.clear(dev_id, at)


def moved(line: LineState, due: float, since: float, restart: float) -> float:
    """A due time after a stop from ``since`` to ``restart``: one already passed at the stop stays (it was late
    then); any other is due after the line time it still had at the stop, counted from the restart."""
    if due <= since:
        return due
    return line.calendar.add(restart, line.calendar.line_seconds(since, due))


def move_due(line: LineState, feed: Feed, since: float, restart: float) -> list[Command]:
    """Every due time of the feed still open moves by the stop; rack warnings the move makes untrue clear."""
    for vehicle in feed.vehicles.values():
        if vehicle.status not in VEHICLE_IN_LINE:
            continue
        vehicle.due_at = moved(line, vehicle.due_at, since, restart)
        for pick_id in vehicle.picks:
            pick = line.picks[pick_id]
            pick.due_at = vehicle.due_at
            line.touched.station(pick.station)
    commands: list[Command] = []
    for key, rack in line.racks.items():
        if rack.feed != feed.cfg.id or rack.shipped or rack.due_at == float("inf"):
            continue
        rack.due_at = moved(line, rack.due_at, since, restart)
        line.touched.rack(key)
        for kind, margin in DUE_LEVELS:
            if kind in rack.due_dev and restart < rack.due_at - margin(feed.cfg):
                commands += line.deviations.clear(rack.due_dev.pop(kind), restart)
    return commands
