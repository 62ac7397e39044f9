"""End to end: a reduced fault campaign (``jis chaos``) over the whole simulated plant ends with a clean verdict.

120 vehicles through a feed proxy that drops, delays, duplicates and reorders messages; the service stopped four
times at random moments (SIGKILL, and half of them on average a clean SIGTERM or SIGINT) and restarted; three
device outages of different kinds; the database's write lock taken by another connection, once briefly and once
for longer than the service's busy time-out; the lead sending some of its operations twice with the same request
id; an emergency file of five more vehicles imported (the service SIGKILLed during it) and imported again. The
verdict is read from the journal and the simulators' own records: nothing lost, nothing doubled (no operation
carried out twice, the second import all duplicates), nothing out of sequence, every outage shown as a deviation
while it lasted, every vehicle completed, the read models and snapshots equal to a replay of the journal.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def test_reduced_campaign_loses_nothing_doubles_nothing_and_shows_every_outage(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "app.cli.main", "chaos", "--json", "--workdir", str(tmp_path), "--seed", "5"]
    cmd += ["--vehicles", "120", "--kills", "4", "--outages", "3", "--db-locks", "1", "--db-unreachable", "1"]
    cmd += ["--speed", "200", "--graceful-stops", "0.5", "--retry-rate", "0.5", "--imports", "2"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    log = (tmp_path / "serve.log").read_text(errors="replace")[-4000:] if (tmp_path / "serve.log").exists() else ""
    assert lines, f"no verdict; stderr:\n{proc.stderr[-3000:]}\n{log}"
    verdict = json.loads(lines[-1])
    shown = {k: v for k, v in verdict.items() if k not in ("deviations", "db_locks")}
    assert verdict["lost"] == 0, shown
    assert verdict["doubled"] == 0, shown
    assert verdict["out_of_sequence"] == 0, shown
    assert verdict["kills"] == 4 + 1 and verdict["crashes"] == [], (shown, log)  # and one during the import
    assert verdict["outages"] == 3 and verdict["outages_visible"] == 3, shown
    assert {lock["kind"] for lock in verdict["db_locks"]} == {"locked", "unreachable"}
    proxy = verdict["proxy"]
    assert min(proxy["dropped"], proxy["delayed"], proxy["duplicated"], proxy["reordered"]) > 0, proxy
    assert verdict["vehicles_completed"] + verdict["vehicles_cancelled"] == 120 + 5, shown
    assert verdict["read_models"]["equal_to_replay"] and verdict["read_models"]["current"], verdict["read_models"]
    assert verdict["snapshots_equal"], shown
    lead = verdict["lead"]
    assert lead["retries"] > 0 and lead["retried_differently"] == 0, lead
    assert verdict["doubled_detail"]["operations_carried_out_twice"] == 0, shown
    imports = verdict["imports"]
    assert imports[-1]["duplicate"] == 5 and imports[-1]["accepted"] == 0, imports  # the second: only duplicates
    assert verdict["deviations"].get("gap", 0) > 0  # a dropped broadcast showed while it was missing
    assert verdict["passed"] and proc.returncode == 0, shown
