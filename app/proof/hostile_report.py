"""The verdict of the hostile campaign (``jis chaos --hostile``): the records' figures and what each attacker got.

What it is for: ``report`` reads the OEM simulator's own record (the vehicles it broadcast, what it still waits
to have acknowledged), the printers' records and the journal (``app.proof.verdict``): ``lost`` (vehicles the OEM
broadcast that the journal does not hold, or that were never acknowledged), ``doubled`` (labels printed twice,
reprints nobody asked for, picks confirmed twice), ``phantom`` (vehicles in the line the OEM never broadcast) and
``rogue_applied`` (changes or cancels journaled as the feed's: the OEM simulator sends none in this campaign), and
puts beside them what the peers heard (``checks``: one line per promise of docs/security.md the campaign holds the
service to) and broadcast -> bin lit p99 over the quiet and the flood stretch, from the service's ``/metrics``
histogram (``quantile``: the bucket's bounds interpolated, as Prometheus's ``histogram_quantile``). ``table``
prints it for a person.
What it must not do: count anything the service merely believes where a record can say it.
"""

from __future__ import annotations

import asyncio
import urllib.request
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import make_url

from app.persist.store import Store
from app.proof.verdict import expected_seqs, journal_facts, label_doubles, printer_records
from sequencer.events import BroadcastReceived, BroadcastRejected, GatewayRefused, QuarantineFlood
from sequencer.plant import PlantConfig

LATENCY = "jis_light_latency_seconds"  # broadcast received -> bin lit, bins lit on arrival (app.service.metrics)


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of one scrape: (name, sorted labels) -> value."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def gauge(text: str, name: str) -> float | None:
    return samples(text).get((name, ()))


def labelled(text: str, name: str, **labels: str) -> float | None:
    """The sum of ``name``'s samples whose labels include ``labels``; None if it has none."""
    found = [
        v for (n, have), v in samples(text).items() if n == name and set(labels.items()) <= set(dict(have).items())
    ]
    return sum(found) if found else None


async def scrape(port: int) -> str:
    """One scrape of the service's ``/metrics`` on 127.0.0.1."""

    def get() -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as reply:
            return str(reply.read().decode())

    return await asyncio.to_thread(get)


def quantile(stretches: list[tuple[str, str]], q: float, name: str = LATENCY) -> tuple[float | None, int]:
    """(the ``q`` quantile in seconds of what ``name``'s histogram observed over the stretches, each two scrapes
    (before, after), how many it observed); None without a figure. Linear within the bucket, as
    ``histogram_quantile``; in the last bucket (above every bound), that bucket's lower bound."""

    def buckets(text: str) -> dict[float, float]:
        return {float(dict(labels)["le"]): v for (n, labels), v in samples(text).items() if n == f"{name}_bucket"}

    pooled: dict[float, float] = {}
    for before, after in stretches:
        start, end = buckets(before), buckets(after)
        for bound, cum in end.items():
            pooled[bound] = pooled.get(bound, 0.0) + cum - start.get(bound, 0.0)
    bounds = sorted(pooled)
    counts = [pooled[b] for b in bounds]  # cumulative, over the stretches
    total = counts[-1] if counts else 0.0
    if total <= 0:
        return None, 0
    rank, lower, below = q * total, 0.0, 0.0
    for bound, cum in zip(bounds, counts, strict=True):
        if cum >= rank:
            if bound == float("inf"):
                return lower, int(total)
            return lower + (bound - lower) * (rank - below) / max(cum - below, 1e-9), int(total)
        lower, below = bound, cum
    return lower, int(total)


def _journal_counts(url: str) -> tuple[int, int, int]:
    """(changes and cancels journaled as a feed's broadcasts: stored as the OEM's, never the rogue's; refused
    inputs kept one a row; refused inputs counted in the floods' summaries)."""
    follow_ups = rejected = counted = 0
    store = Store(url, migrate=False)
    try:
        for _, e in store.journal():
            if isinstance(e, BroadcastReceived) and e.function != "original":
                follow_ups += 1
            elif isinstance(e, BroadcastRejected | GatewayRefused):
                rejected += 1
            elif isinstance(e, QuarantineFlood):
                counted += e.count
    finally:
        store.close()
    return follow_ups, rejected, counted


def report(
    *,
    plant: PlantConfig,
    url: str,
    records: Path,
    opts: dict[str, Any],
    finished: bool,
    error: str | None,
    elapsed_s: float,
    crashes: list[int],
    last_exit: int | None,
    found: dict[str, Any],
    sim_state: dict[str, Any],
    work: Path,
) -> dict[str, Any]:
    facts = journal_facts(url, plant)
    twice, unasked = label_doubles(printer_records(records), facts.reprints)
    feeds = sim_state.get("feeds", {})
    missing = unacked = generated = 0
    for cfg in plant.feeds:
        sim = feeds.get(cfg.id, {})
        made = int(sim.get("counters", {}).get("generated", opts["vehicles"]))
        generated += made
        missing += len(expected_seqs(plant, cfg.id, made) - facts.seqs.get(cfg.id, set()))
        unacked += int(sim.get("unacked", 0))
    doubled = twice + unasked + facts.sent_twice + facts.picks_doubled
    phantom = max(0, sum(facts.statuses.values()) - generated)
    follow_ups, rejected, counted = _journal_counts(url)
    rogue_applied = follow_ups + facts.statuses["cancelled"]
    latency = _latency(found.get("stretches", []))
    goal = opts.get("latency_goal")
    rogue, floods, logins, disk = (found.get(k, {}) for k in ("rogue", "floods", "logins", "disk"))
    read_only = found.get("read_only", {})
    feed_floods, command_floods = floods.get("feed", {}), floods.get("commands", {})
    checks = _rogue_checks(rogue) | {
        "feed_nested_quarantined": set(feed_floods.get("nested", {})) == {"quarantined"},
        "feed_oversized_unanswered": feed_floods.get("oversized_answered") == 0,
        "commands_nested_malformed": set(command_floods.get("nested", {})) == {"malformed"},
        "spray_rate_limited": logins.get("rogue", {}).get("rate_limited", 0) > 0,
        "lead_logged_in_at_their_screen_throughout": logins.get("lead_before") == "done"
        and bool(logins.get("lead_during"))
        and set(logins.get("lead_during", [])) == {"done"},
        "operator_logged_in_after_the_spray": logins.get("operator_after") == "done",
    }
    if make_url(url).get_backend_name() == "sqlite":  # the journal is one of the service's files
        checks["disk_full_paused_and_resumed"] = (
            bool(disk.get("paused_seen"))
            and disk.get("resumed_after_s") is not None
            and facts.raised["journal_failed"] >= 1
        )
    else:  # PostgreSQL's journal is on the server's disk: the service's own files fail, and it lives on
        checks["disk_full_service_lived_on"] = bool(disk.get("alive")) and disk.get("resumed_after_s") is not None
    checks |= _storage_checks(disk, read_only, facts.raised)
    if goal:
        ratio = latency["p99_ratio"]
        checks["flood_p99_within_goal_of_quiet"] = ratio is not None and ratio <= goal
    verdict: dict[str, Any] = {
        "lost": missing + unacked,
        "doubled": doubled,
        "phantom": phantom,
        "rogue_applied": rogue_applied,
        "out_of_sequence": facts.out_of_sequence,
        "service_exits": crashes,
        "service_last_exit": last_exit,
        "checks": checks,
        "latency": latency,
        "latency_goal": goal,
        "rogue": rogue,
        "floods": floods,
        "refused_input": {"kept_one_a_row": rejected, "counted_in_flood_summaries": counted},
        "logins": logins,
        "disk": disk,
        "read_only": read_only,
        "rss_mb": found.get("rss_mb", {}),
        "service_cpu": found.get("cpu", {}),
        "load_average": found.get("load", {}),
        "vehicles_broadcast": generated,
        "vehicles_completed": facts.statuses["completed"],
        "vehicles_cancelled": facts.statuses["cancelled"],
        "lost_detail": {"missing_from_journal": missing, "unacked_at_end": unacked},
        "doubled_detail": {
            "printed_twice": twice,
            "reprint_unasked": unasked,
            "sent_twice": facts.sent_twice,
            "picks_confirmed_twice": facts.picks_doubled,
        },
        "deviations": dict(sorted(facts.raised.items())),
        "journal_rows": facts.rows,
        "finished": finished,
        "error": error,
        "elapsed_s": round(elapsed_s, 1),
        "seed": opts["seed"],
        "speed": opts["speed"],
        "workdir": str(work),
    }
    verdict["passed"] = (
        finished
        and error is None
        and verdict["lost"] == 0
        and doubled == 0
        and phantom == 0
        and rogue_applied == 0
        and facts.out_of_sequence == 0
        and not crashes
        and last_exit in (0, None)
        and facts.statuses["completed"] >= generated
        and all(checks.values())
    )
    return verdict


def _storage_checks(disk: dict[str, Any], read_only: dict[str, Any], raised: Any) -> dict[str, bool]:
    """The disk watch's warnings (when the data folder was a tmpfs the fill file really filled) and the database
    turned read-only (when it ran: PostgreSQL), against docs/security.md ("A full disk")."""
    checks: dict[str, bool] = {}
    if str(disk.get("way", "")).startswith("tmpfs"):
        checks["disk_watch_warned_p3_then_p2_before_the_journal_failed"] = (
            disk.get("low_seen_after_s") is not None
            and disk.get("critical_seen_after_s") is not None
            and raised["disk_space_low"] >= 1
            and raised["disk_space_critical"] >= 1
        )
        checks["disk_watch_cleared_once_the_fill_went"] = disk.get("cleared_after_s") is not None
    if read_only:
        checks["read_only_paused_with_a_p1_alarm"] = (
            read_only.get("paused_after_s") is not None and read_only.get("p1_alarm_seen") is True
        )
        checks["read_only_acknowledged_nothing_while_paused"] = read_only.get("acknowledged_while_paused") == 0
        checks["read_only_resumed_by_itself"] = read_only.get("resumed_after_s") is not None and bool(
            read_only.get("alive")
        )
    return checks


def _rogue_checks(rogue: dict[str, Any]) -> dict[str, bool]:
    """What the rogue gateway got, against what its profile promises (docs/security.md)."""
    if rogue.get("profile") == "dev":  # anyone on the host is the gateway: the core's own rules still hold
        return {
            "far_ahead_refused": rogue.get("far_ahead") == {"refused": 1},
            "replays_of_shipped_vehicles_duplicate": set(rogue.get("replays", {})) == {"duplicate"},
        }
    return {
        "strangers_without_an_allowed_key_heard_nothing": rogue.get("no_keys_heard") == 0
        and rogue.get("own_keys_heard") == 0,
        "another_gateways_key_all_quarantined": rogue.get("other_gateway") == {"quarantined": rogue.get("sent_each")},
        "far_ahead_from_the_feeds_key_refused": rogue.get("compromised_far_ahead") == {"refused": 1},
        "replays_of_shipped_vehicles_duplicate": set(rogue.get("compromised_replays", {})) == {"duplicate"},
        "no_resend_asked_of_a_rogue": rogue.get("other_gateway_resends") == 0 and rogue.get("compromised_resends") == 0,
    }


def _latency(stretches: list[dict[str, str]]) -> dict[str, Any]:
    """p50 and p99 over the quiet stretches pooled and over the hostile ones, and the p99s' ratio."""
    out: dict[str, Any] = {}
    for phase in ("quiet", "flood"):
        pairs = [(s["from"], s["to"]) for s in stretches if s["kind"] == phase]
        p99, n = quantile(pairs, 0.99)
        p50, _ = quantile(pairs, 0.5)
        out |= {f"{phase}_p99_ms": _ms(p99), f"{phase}_p50_ms": _ms(p50), f"{phase}_count": n}
    quiet, flood = out["quiet_p99_ms"], out["flood_p99_ms"]
    out["p99_ratio"] = round(flood / quiet, 2) if quiet and flood is not None else None
    return out


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 2)


def table(v: dict[str, Any]) -> str:
    """The verdict for a person: the goals first, then what each attacker got."""
    lat = v["latency"]
    rows = [
        ("broadcasts lost", v["lost"], "0"),
        ("labels printed / picks confirmed twice", v["doubled"], "0"),
        ("phantom vehicles (not the OEM's)", v["phantom"], "0"),
        ("rogue changes / cancels applied", v["rogue_applied"], "0"),
        ("slots out of sequence", v["out_of_sequence"], "0"),
        ("service exits (never)", len(v["service_exits"]), "0"),
        ("vehicles completed", f"{v['vehicles_completed']} of {v['vehicles_broadcast']}", "all"),
        (
            "broadcast -> bin lit p99, quiet / floods",
            f"{lat['quiet_p99_ms']} / {lat['flood_p99_ms']} ms ({lat['quiet_count']} / {lat['flood_count']} bins),"
            f" ratio {lat['p99_ratio']}; p50 {lat['quiet_p50_ms']} / {lat['flood_p50_ms']} ms",
            f"{v['latency_goal']}x" if v["latency_goal"] else "",
        ),
        ("service memory, quiet / flood peak", ", ".join(f"{k} {n} MB" for k, n in v["rss_mb"].items()), ""),
        ("CPU (share of a core), by process", _flat(v["service_cpu"]), ""),
        ("host load average", _flat(v["load_average"]), ""),
    ]
    rows += [(f"  {name.replace('_', ' ')}", ok, "True") for name, ok in v["checks"].items()]
    rows += [
        ("rogue gateways", _flat(v["rogue"]), ""),
        ("feed floods", _flat(v["floods"].get("feed", {})), ""),
        ("refused input in the journal", _flat(v["refused_input"]), ""),
        ("command floods", _flat(v["floods"].get("commands", {})), ""),
        ("logins", _flat(v["logins"]), ""),
        ("disk fills, full, empties", _flat(v["disk"]), ""),
        ("database read-only", _flat(v["read_only"]) or "not run (SQLite: see docs/security.md)", ""),
        ("deviations raised", _flat(v["deviations"]), ""),
        ("elapsed", f"{v['elapsed_s']} s at {v['speed']}x", ""),
    ]
    width = max(len(r[0]) for r in rows)
    lines = [f"{name:<{width}}  {value}" + (f"   (goal {goal})" if goal else "") for name, value, goal in rows]
    if v.get("error"):
        lines.append(f"{'error':<{width}}  {v['error']}")
    lines.append(f"{'verdict':<{width}}  {'PASSED' if v['passed'] else 'FAILED'}")
    return "\n".join(lines)


def _flat(d: dict[str, Any]) -> str:
    return ", ".join(f"{k} {val}" for k, val in d.items())
