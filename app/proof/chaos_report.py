"""The verdict of a fault campaign (``jis chaos``): figures from the journal and the simulators' own records.

What it is for: ``report`` puts together what the campaign did (stops, outages, locks, proxy faults, the lead's
actions and retries, the imports) and what the records say happened (``app.proof.verdict``): ``lost`` (broadcasts the
OEM simulator created, or the emergency file held, that the journal does not hold, plus any still unacknowledged at
the end), ``doubled`` (labels printed twice under one reprint number, reprints nobody asked for, labels the
service sent twice, picks confirmed twice, the lead's operations journaled more often than it had operations,
an import after the first that was not all duplicates), ``out_of_sequence``, the outages that never showed as a
deviation, and whether the read models and the snapshots equal a replay of the journal (``read_models``,
``snapshots_equal``); ``table`` prints it for a person.
What it must not do: count anything the service merely believes when a record can say it.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from app.persist.read_models import differences, mark
from app.persist.store import Store
from app.proof.verdict import expected_seqs, journal_facts, label_doubles, printer_records
from app.service.replay import verify
from sequencer.plant import PlantConfig

LEAD_USER = "chaos-lead"  # the campaign's lead (app.proof.chaos)


def report(
    *,
    plant: PlantConfig,
    url: str,
    records: Path,
    opts: dict[str, Any],
    finished: bool,
    elapsed_s: float,
    supervisor: dict[str, Any],
    outages: list[dict[str, Any]],
    locks: list[dict[str, Any]],
    imports: dict[str, Any],
    proxy: dict[str, int],
    lead: dict[str, Any],
    raised_live: dict[str, int],
    sim_state: dict[str, Any],
    work: Path,
) -> dict[str, Any]:
    facts = journal_facts(url, plant)
    printed = printer_records(records)
    twice, unasked = label_doubles(printed, facts.reprints)
    feeds = sim_state.get("feeds", {})
    missing, unacked, generated = 0, 0, 0
    for cfg in plant.feeds:
        sim = feeds.get(cfg.id, {})
        made = int(sim.get("counters", {}).get("generated", opts["vehicles"]))
        generated += made
        missing += len(expected_seqs(plant, cfg.id, made) - facts.seqs.get(cfg.id, set()))
        unacked += int(sim.get("unacked", 0))
    imported_missing = len(set(imports.get("seqs", [])) - facts.seqs.get(plant.feeds[0].id, set()))
    reimported = _reimported(imports.get("reports", []))
    operations_doubled = max(0, facts.operations[LEAD_USER] - len(lead.get("request_ids", [])))
    doubled = twice + unasked + facts.sent_twice + facts.picks_doubled + operations_doubled + reimported
    derived = derived_state(url, plant)
    wanted = opts["vehicles"] * len(plant.feeds) + len(imports.get("seqs", []))
    ended = facts.statuses["completed"] + facts.statuses["cancelled"]
    by_kind: Counter[str] = Counter(o["kind"] for o in outages)
    invisible = [o for o in outages if not o["visible"]]
    stations = sim_state.get("stations", {})
    verdict: dict[str, Any] = {
        "lost": missing + unacked + imported_missing,
        "doubled": doubled,
        "out_of_sequence": facts.out_of_sequence,
        "kills": supervisor["kills"],
        "stops_by_signal": supervisor.get("stops", {}),
        "read_models": derived["read_models"],
        "snapshots_equal": derived["snapshots_equal"],
        "imports": imports.get("reports", []),
        "outages": len(outages),
        "outages_by_kind": dict(sorted(by_kind.items())),
        "outages_visible": len(outages) - len(invisible),
        "invisible_outages": invisible,
        "db_locks": locks,
        "crashes": supervisor["crashes"],
        "vehicles_requested": wanted,
        "vehicles_broadcast": generated,
        "vehicles_completed": facts.statuses["completed"],
        "vehicles_cancelled": facts.statuses["cancelled"],
        "uncertain_left": facts.uncertain,
        "unprinted_left": facts.unprinted,
        "doubled_detail": {
            "printed_twice": twice,
            "reprint_unasked": unasked,
            "sent_twice": facts.sent_twice,
            "picks_confirmed_twice": facts.picks_doubled,
            "operations_carried_out_twice": operations_doubled,
            "reimports_not_all_duplicate": reimported,
        },
        "lost_detail": {
            "missing_from_journal": missing,
            "unacked_at_end": unacked,
            "imported_missing": imported_missing,
        },
        "labels_printed_by_printers": sum(printed.values()),
        "reprints": sum(facts.reprints.values()),
        "presses_by_operators": sum(int(s.get("presses", 0)) for s in stations.values()),
        "deviations": dict(sorted(facts.raised.items())),
        "proxy": proxy,
        "lead": {k: v for k, v in lead.items() if k not in ("asked", "request_ids")},
        "service_starts": supervisor["starts"],
        "journal_rows": facts.rows,
        "finished": finished,
        "elapsed_s": round(elapsed_s, 1),
        "seed": opts["seed"],
        "speed": opts["speed"],
        "workdir": str(work),
    }
    verdict["passed"] = (
        finished
        and verdict["lost"] == 0
        and doubled == 0
        and facts.out_of_sequence == 0
        and not invisible
        and not supervisor["crashes"]
        and ended >= wanted
        and derived["read_models"]["equal_to_replay"]
        and (derived["read_models"]["current"] or supervisor.get("last_exit") != 0)
        and derived["snapshots_equal"]
        and not lead.get("retried_differently", 0)
    )
    return verdict


def derived_state(url: str, plant: PlantConfig) -> dict[str, Any]:
    """The read models against a replay of the journal up to their mark (after the campaign's clean stop at the
    end, the mark is the journal's last row: ``current``), and every snapshot against a replay from the first row."""
    store = Store(url, migrate=False)
    try:
        found = differences(store, plant)
        marked, last = mark(store), store.last_id()
        snapshots = verify(store, plant)
    finally:
        store.close()
    return {
        "read_models": {
            "equal_to_replay": not found,
            "current": marked is not None and marked[0] == last,
            "mark": None if marked is None else marked[0],
            "journal_rows": last,
            "differences": found[:10],
        },
        "snapshots_equal": all(s["equal"] for s in snapshots),
    }


def _reimported(reports: list[dict[str, Any]]) -> int:
    """Messages accepted or quarantined by an import after the first one that got everything through."""
    through = [r for r in reports if not r.get("unsent") and not r.get("stopped")]
    return sum(int(r.get("accepted") or 0) + int(r.get("quarantined") or 0) for r in through[1:])


def _import_cell(r: dict[str, Any]) -> str:
    return f"#{r['round']}: {r['accepted']} accepted, {r['duplicate']} duplicate, {r['unsent']} unsent"


def table(v: dict[str, Any]) -> str:
    """The verdict for a person: the goals first, then what was done to the line."""
    rows = [
        ("broadcasts lost", v["lost"], "0"),
        ("labels printed / picks confirmed twice", v["doubled"], "0"),
        ("slots out of sequence", v["out_of_sequence"], "0"),
        ("read models equal to a replay", v["read_models"]["equal_to_replay"], "True"),
        ("snapshots equal to a replay", v["snapshots_equal"], "True"),
        ("outages shown as a deviation", f"{v['outages_visible']} of {v['outages']}", "all"),
        ("service crashes (not our kills)", len(v["crashes"]), "0"),
        (
            "vehicles completed + cancelled",
            f"{v['vehicles_completed'] + v['vehicles_cancelled']} of {v['vehicles_requested']}",
            "all",
        ),
        ("stops (restarted each time)", ", ".join(f"{k} {n}" for k, n in v["stops_by_signal"].items()), ""),
        ("imports of the emergency file", ", ".join(_import_cell(r) for r in v["imports"]), ""),
        ("outages by kind", ", ".join(f"{k} {n}" for k, n in v["outages_by_kind"].items()), ""),
        ("database locked / unreachable", ", ".join(f"{d['kind']} {d['seconds']} s" for d in v["db_locks"]), ""),
        ("feed proxy", ", ".join(f"{k} {n}" for k, n in v["proxy"].items()), ""),
        ("lead", ", ".join(f"{k} {n}" for k, n in v["lead"].items()), ""),
        ("deviations raised", ", ".join(f"{k} {n}" for k, n in v["deviations"].items()), ""),
        ("elapsed", f"{v['elapsed_s']} s at {v['speed']}x", ""),
    ]
    width = max(len(r[0]) for r in rows)
    lines = [f"{name:<{width}}  {value}" + (f"   (goal {goal})" if goal else "") for name, value, goal in rows]
    lines.append(f"{'verdict':<{width}}  {'PASSED' if v['passed'] else 'FAILED'}")
    return "\n".join(lines)
