"""The scenario file of ``jis rehearse`` (docs/rehearse.md): a shift of plant time with planned disruptions.

What it is for: reading and checking a scenario (TOML, pydantic ``extra="forbid"``: a mistyped key is refused,
naming it), turning its clock times into plant seconds after the rehearsal's start, and saying for each kind of
disruption which switch or knob of the simulators' control channel (docs/sim-control.md) begins and ends it.
A late bin refill (``late_refill``) turns no switch: the rehearsal's replenisher (``app.proof.demo_replenisher``)
answers the calls it names late (``late_refill_s``).
What it must not do: run anything (``app.proof.rehearse`` does), or accept a disruption the plant cannot play (a
late refill of a bin that keeps no stock is refused naming why).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sequencer.plant import PlantConfig

Kind = Literal["printer_down", "ptl_lost", "line_stop", "line_speed", "broadcast_outage", "late_refill"]
DAY_S = 86_400


def clock_s(text: str) -> int:
    """``HH:MM`` as seconds after midnight."""
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"a time of day is HH:MM, got {text!r}")
    h, m = int(hours), int(minutes)
    if h > 23 or m > 59:
        raise ValueError(f"no such time of day: {text!r}")
    return h * 3600 + m * 60


def clock_text(seconds_after_midnight: float) -> str:
    """Seconds after midnight as ``HH:MM:SS`` (past midnight wraps)."""
    s = round(seconds_after_midnight) % DAY_S
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Disruption(_Strict):
    """One planned disruption: what, when (plant clock) and for how long."""

    kind: Kind
    at: str  # HH:MM plant time
    minutes: float = Field(gt=0, le=8 * 60)
    device: str | None = None  # printer_down: a printer; ptl_lost: a light controller (default: the plant's first)
    feed: str | None = None  # line_stop, line_speed, broadcast_outage: the OEM feed (default: every feed)
    factor: float | None = Field(default=None, gt=0, le=10)  # line_speed: vehicles come this many times as often
    bin: str | None = None  # late_refill: the bin whose call is answered late (default: any bin of ``station``)
    station: str | None = None  # late_refill: the station whose bins' calls are answered late (default: every one)
    name: str = ""  # the report's name for it (default: kind at time)

    @field_validator("at")
    @classmethod
    def _time_of_day(cls, v: str) -> str:
        clock_s(v)
        return v

    @model_validator(mode="after")
    def _playable(self) -> Disruption:
        if (self.bin is not None or self.station is not None) and self.kind != "late_refill":
            raise ValueError(f"bin and station are for late_refill only, not {self.kind}")
        if self.kind == "line_speed" and self.factor is None:
            raise ValueError("line_speed needs a factor (2: vehicles twice as often; 0.5: half as often)")
        if self.factor is not None and self.kind != "line_speed":
            raise ValueError(f"factor is for line_speed only, not {self.kind}")
        return self

    @property
    def label(self) -> str:
        return self.name or f"{self.kind} at {self.at}"


class Rehearsal(_Strict):
    """The shift: its plant file, its hours, how fast it runs and the line's margins."""

    name: str = "rehearsal"
    plant: str | None = None  # plant file, relative to the scenario's folder (default: the demo plant)
    start: str = "06:00"
    end: str = "14:00"
    speed: float = Field(default=600.0, gt=0, le=5000)  # plant seconds per real second
    feeds: int | None = Field(default=None, ge=1, le=8)  # the plant's first feed copied this many times
    lead_time_s: float | None = Field(default=None, gt=0)  # every feed's lead (broadcast -> due)
    takt_s: float | None = Field(default=None, gt=0)  # every feed's takt
    operator_reaction_s: tuple[float, float] | None = None  # plant seconds a simulated operator takes to press
    seed: int = 1

    @field_validator("start", "end")
    @classmethod
    def _time_of_day(cls, v: str) -> str:
        clock_s(v)
        return v

    @property
    def length_s(self) -> int:
        """Plant seconds from start to end (an end before the start is the next day)."""
        return (clock_s(self.end) - clock_s(self.start)) % DAY_S or DAY_S


class Scenario(_Strict):
    rehearsal: Rehearsal = Rehearsal()
    disruption: tuple[Disruption, ...] = ()

    @model_validator(mode="after")
    def _inside_the_shift(self) -> Scenario:
        for d in self.disruption:
            if self.offset_s(d) >= self.rehearsal.length_s:
                raise ValueError(f"{d.label}: after the shift's end ({self.rehearsal.end})")
        return self

    def offset_s(self, d: Disruption) -> int:
        """Plant seconds after the rehearsal's start at which ``d`` begins."""
        return (clock_s(d.at) - clock_s(self.rehearsal.start)) % DAY_S

    def in_order(self) -> list[Disruption]:
        return sorted(self.disruption, key=self.offset_s)


def load_scenario(path: str | Path) -> tuple[Scenario, Path]:
    """The scenario at ``path`` and the folder its plant file is relative to."""
    p = Path(path)
    return Scenario.model_validate(tomllib.loads(p.read_text())), p.parent


def checked_against(scenario: Scenario, plant: PlantConfig) -> list[str]:
    """What in the scenario names something the plant does not have (empty: nothing)."""
    problems = []
    printers, ptls = set(plant.devices.printers), set(plant.devices.ptl)
    feeds = {f.id for f in plant.feeds}
    for d in scenario.disruption:
        if d.kind == "printer_down" and d.device is not None and d.device not in printers:
            problems.append(f"{d.label}: no printer {d.device!r} (the plant has {', '.join(sorted(printers))})")
        if d.kind == "ptl_lost" and d.device is not None and d.device not in ptls:
            problems.append(f"{d.label}: no light controller {d.device!r} (the plant has {', '.join(sorted(ptls))})")
        if d.feed is not None and d.feed not in feeds:
            problems.append(f"{d.label}: no feed {d.feed!r} (the plant has {', '.join(sorted(feeds))})")
        if d.kind == "late_refill":
            problems += _refill_problems(d, plant)
    return problems


def _refill_problems(d: Disruption, plant: PlantConfig) -> list[str]:
    """A late refill names only bins that keep stock (a ``capacity``: only those are called for)."""
    kept = {b.id: s.id for s in plant.stations for b in s.bins if b.capacity is not None}
    if not kept:
        return [f"{d.label}: no bin of the plant keeps stock (a capacity): nothing is called for, nothing refilled"]
    stations = sorted(set(kept.values()))
    if d.station is not None and d.station not in stations:
        return [f"{d.label}: no station {d.station!r} with stock kept (the plant has {', '.join(stations)})"]
    if d.bin is not None and d.bin not in kept:
        return [f"{d.label}: no bin {d.bin!r} that keeps stock (the plant has {', '.join(sorted(kept))})"]
    if d.bin is not None and d.station is not None and kept[d.bin] != d.station:
        return [f"{d.label}: bin {d.bin} is at {kept[d.bin]}, not {d.station}"]
    return []


def refill_matches(d: Disruption, bin_id: str, station: str) -> bool:
    """Whether a late refill ``d`` is for this bin's calls."""
    return d.kind == "late_refill" and d.bin in (None, bin_id) and d.station in (None, station)


def begin_requests(d: Disruption, plant: PlantConfig) -> list[dict[str, Any]]:
    """The control channel's requests that begin ``d`` (docs/sim-control.md)."""
    return _requests(d, plant, begin=True)


def end_requests(d: Disruption, plant: PlantConfig) -> list[dict[str, Any]]:
    """The requests that end it (none for an outage: the gap ends it, when the service asks for what it lost)."""
    return _requests(d, plant, begin=False)


def _requests(d: Disruption, plant: PlantConfig, *, begin: bool) -> list[dict[str, Any]]:
    feeds = [f for f in plant.feeds if d.feed in (None, f.id)]
    match d.kind:
        case "printer_down":
            device = d.device or next(iter(plant.devices.printers))
            return [{"op": "fault", "device": device, "name": "offline", "on": begin}]
        case "ptl_lost":
            device = d.device or next(iter(plant.devices.ptl))
            return [{"op": "fault", "device": device, "name": "down", "on": begin}]
        case "line_stop":  # the OEM's line stands (its LINE status says so: the core moves the due times by the stop)
            return [{"op": "feed", "feed": f.id, "line": "stopped" if begin else "running"} for f in feeds]
        case "line_speed":  # the OEM's line runs faster (or slower), its status saying at what rate; then as planned
            assert d.factor is not None
            rates = [(f.id, 3600 / f.takt_s * (d.factor if begin else 1.0)) for f in feeds]
            return [{"op": "feed", "feed": feed, "line": "running", "rate_per_h": rate} for feed, rate in rates]
        case "broadcast_outage":  # the link lost: the broadcasts of the outage come only when RESEND asks for them
            takts = [(f.id, max(1, round(d.minutes * 60 / f.takt_s))) for f in feeds]
            return [{"op": "feed", "feed": feed, "drop_next": n} for feed, n in takts] if begin else []
        case "late_refill":  # no switch: the rehearsal's replenisher answers the calls late (app.proof.rehearse)
            return []
