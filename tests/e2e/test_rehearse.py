"""End to end: ``jis rehearse`` plays a scenario against the real service and simulators, and its predictions do not
depend on how fast it plays (docs/rehearse.md).

The same short scenario (40 plant minutes, a bin's refill 10 minutes late, a printer down, a light controller lost,
a broadcast outage, a lead of 4 minutes, tight enough that the printer and the lights make vehicles late) is
played at 240x and at 48x, each ``jis rehearse --json`` in a subprocess. What may differ between the two is only
what the rehearsal does not pace: the service's own work, real milliseconds that are ``speed`` times more plant
seconds (``step_plant_s`` in the report). Per disruption the late vehicles may therefore differ by at most

    1 + ceil(sum of peak_open x 2 x step_p50 x (240 - 48) / takt)

vehicles: one at each edge of the window (the disruption begins and ends a few plant seconds apart in the two
runs: the control channel's round trip, ``played``) and, for the backlog the disruption left (``peak_open`` picks
at each station, summed: the demo plant's one printer labels them all, one after another; each worked off with two
steps of the service: the press into the journal and the next light, the label's write-ahead and its print), the
plant seconds the fast run spends more on each step, in takts. A backlog
is worked off step after step, so what adds up is the typical step (``step_ms_p50``, real milliseconds from a
broadcast received to its bin lit, the larger of the two runs'), not the few slow ones of a start or a catch-up
burst, which do not repeat for every item of a backlog.

The test can fail: the printer and the light controller must make vehicles late in both runs (at least 3 in the
slow one), none may be late before the first disruption, and the lead the fast run says would have avoided them,
played, must leave none late but what the same bound allows at the full fast speed; the late refill must run its
bin empty in both runs (``the_same_late_refill``).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.proof.demo import STAFF_LOOP_S
from tests.e2e.test_stopping import STARTED_S, STOP_BOUND_S, group_members

pytestmark = pytest.mark.e2e

FAST, SLOW = 240.0, 48.0
TAKT_S = 60.0  # the demo plant's
SCENARIO = """
[rehearsal]
name = "test: four disruptions in 40 minutes"
plant = "plant.toml"
start = "06:00"
end = "06:40"
lead_time_s = 240

[[disruption]]
kind = "late_refill"
at = "06:05"
minutes = 10
bin = "SEAT-01"

[[disruption]]
kind = "printer_down"
at = "06:06"
minutes = 10

[[disruption]]
kind = "ptl_lost"
at = "06:22"
minutes = 10
device = "ptl-seat"

[[disruption]]
kind = "broadcast_outage"
at = "06:34"
minutes = 4
"""


SMALL_BIN = (
    '{ id = "SEAT-01", light = 1, capacity = 40, low_stock = 10 }',
    '{ id = "SEAT-01", light = 1, capacity = 6, low_stock = 2 }',
)


def write_plant(folder: Path) -> None:
    """The demo plant with a small SEAT-01 (6 parts, called for at 2 left): it goes low within the scenario's 40
    minutes, and the late refill runs it empty."""
    demo = (Path(__file__).resolve().parents[2] / "app" / "plants" / "demo.toml").read_text()
    assert SMALL_BIN[0] in demo
    (folder / "plant.toml").write_text(demo.replace(*SMALL_BIN))


def rehearse(tmp_path: Path, speed: float, lead_s: int = 240) -> dict:
    write_plant(tmp_path)
    scenario = tmp_path / f"scenario-{lead_s}.toml"
    scenario.write_text(SCENARIO.replace("lead_time_s = 240", f"lead_time_s = {lead_s}"))
    work = tmp_path / f"run-{speed:g}-{lead_s}"
    cmd = [sys.executable, "-m", "app.cli.main", "rehearse", str(scenario), "--json", "--speed", str(speed)]
    done = subprocess.run([*cmd, "--workdir", str(work)], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    (tmp_path / f"report-{speed:g}-{lead_s}.json").write_text(done.stdout)  # kept beside the run, to look at
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def tolerance(window: dict, step_ms: float) -> int:
    """The vehicles a window's late set may differ by between the two speeds (the module's docstring)."""
    backlog = sum(s["peak_open"] for s in window["stations"].values())  # one printer labels every station's picks
    return 1 + math.ceil(backlog * 2 * step_ms / 1000 * (FAST - SLOW) / TAKT_S)


def test_a_rehearsal_played_fast_predicts_what_it_predicts_played_slowly(tmp_path):
    fast, slow = rehearse(tmp_path, FAST), rehearse(tmp_path, SLOW)
    for out in (fast, slow):
        assert out["unseen"] == 0 and not out["run"]["control_errors"], out["run"]
        assert [p["phase"] for p in out["run"]["played"]] == ["begin", "begin", "end", "begin", "end", "begin"]
        assert out["disruptions"][0]["disruption"] == "before" and out["disruptions"][0]["late"] == 0
    step_ms = max(fast["run"]["step_ms_p50"], slow["run"]["step_ms_p50"])
    for f, s in zip(fast["disruptions"], slow["disruptions"], strict=True):
        assert f["disruption"] == s["disruption"]
        tol = tolerance(s, step_ms)
        differ = set(f["late_vehicles"]) ^ set(s["late_vehicles"])
        assert abs(f["late"] - s["late"]) <= tol, (f["disruption"], f["late_vehicles"], s["late_vehicles"], tol)
        assert len(differ) <= 2 * tol, (f["disruption"], sorted(differ), tol)
    for f, s in zip(fast["disruptions"][2:4], slow["disruptions"][2:4], strict=True):  # the printer, the lights
        assert s["late"] >= 3 and f["late"] >= 1, "a disruption that makes vehicles late was not played"
    the_same_late_refill(fast, slow, step_ms)
    # The lead the fast run says would have avoided every late vehicle, played: none late, but for the vehicles its
    # run's own step could move past their due time (the same bound, the whole fast speed instead of the difference).
    lead = max(w["avoid"]["lead_needed_s"] or 0 for w in fast["disruptions"])
    again = rehearse(tmp_path, FAST, lead_s=lead)
    tol = tolerance(max(slow["disruptions"], key=lambda w: w["late"]), step_ms) * FAST / (FAST - SLOW)
    assert again["late"] <= tol, (lead, [(w["disruption"], w["late_vehicles"]) for w in again["disruptions"]], tol)
    outage = slow["disruptions"][-1]["catch_up"]
    assert outage["caught_up"] >= 2 and outage["longest_silence_s"] >= 3 * TAKT_S  # 4 minutes without a broadcast


def the_same_late_refill(fast: dict, slow: dict, step_ms: float) -> None:
    """SEAT-01's refill an hour late ran it empty in both runs, and what the two say of it agrees within the late
    vehicles' bound plus the replenisher's look at the line (``STAFF_LOOP_S`` real seconds: ``speed`` times more
    plant seconds, once when it takes the call and once when it fills the bin): the refill comes up to that much
    later in the fast run, the picks of that many more takts find the bin empty."""
    refills = [out["disruptions"][1]["refill"] for out in (fast, slow)]
    for out, refill in zip((fast, slow), refills, strict=True):
        assert out["disruptions"][1]["kind"] == "late_refill" and out["disruptions"][1]["late"] == 0
        [b] = refill["bins"]
        assert b["bin"] == "SEAT-01" and b["late_s"] == 600 and b["ran_empty_at"] and b["picks_short"] >= 1, b
        assert b["min_stock"] == 0 and b["alarm_lead_s"] > 0 and refill["stations_starved_s"]["ST-SEAT"] > 0, b
        assert b["avoid"]["low_stock_needed"] > b["avoid"]["low_stock"], b
        assert out["late_for_stock"] == refill["late"]
    loop_s = 2 * STAFF_LOOP_S * (FAST - SLOW)
    window = max(slow["disruptions"], key=lambda w: sum(s["peak_open"] for s in w["stations"].values()))
    tol = tolerance(window, step_ms) + math.ceil(loop_s / TAKT_S)
    f, s = (r["bins"][0] for r in refills)
    assert (
        abs(f["picks_short"] - s["picks_short"]) <= tol
        and abs(len(f["late_vehicles"]) - len(s["late_vehicles"])) <= tol
    ), (f, s, tol)
    assert abs(f["starved_s"] - s["starved_s"]) <= tol * TAKT_S, (f, s, tol)
    assert abs(f["avoid"]["low_stock_needed"] - s["avoid"]["low_stock_needed"]) <= tol, (f, s, tol)


def test_a_rehearsal_stopped_by_ctrl_c_ends_everything_and_reports_what_was_played(tmp_path):
    """Ctrl-C (SIGINT to the whole group) once the line runs: the simulators and the service end, the report of
    what was played so far is printed (``stopped_by``), and the exit is 130 (docs/rehearse.md, docs/cli.md)."""
    write_plant(tmp_path)
    scenario = tmp_path / "scenario.toml"
    scenario.write_text(SCENARIO)
    cmd = [sys.executable, "-m", "app.cli.main", "rehearse", str(scenario), "--json", "--speed", "60"]
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen(
            [*cmd, "--workdir", str(tmp_path / "run")], stdout=stdout, stderr=stderr, process_group=0
        )
    try:
        deadline = time.monotonic() + STARTED_S
        while "running the line" not in err.read_text(errors="replace") and time.monotonic() < deadline:
            assert proc.poll() is None, err.read_text(errors="replace")[-3000:]
            time.sleep(0.1)
        time.sleep(2.0)  # a few plant minutes in
        os.killpg(proc.pid, signal.SIGINT)
        code = proc.wait(STOP_BOUND_S)
        deadline = time.monotonic() + STOP_BOUND_S
        while group_members(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = group_members(proc.pid)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(5)
    said = err.read_text(errors="replace")
    assert not left and "Traceback" not in said, (left, said[-3000:])
    assert code == 128 + signal.SIGINT, said[-3000:]
    report = json.loads(out.read_text().strip().splitlines()[-1])
    assert report["run"]["stopped_by"] == "SIGINT" and report["vehicles_seen"] >= 1
    assert "jis rehearse: stopped by SIGINT: the report is partial" in said
