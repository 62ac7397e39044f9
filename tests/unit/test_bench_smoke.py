"""The benchmark commands run and report every figure they promise (no timing is asserted: machines are shared)."""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import replace

from app.persist.store import Store
from app.proof import bench_catchup, bench_core, bench_glass, bench_hmi, bench_labels, bench_line, bench_pictures
from app.proof.bench import BenchOptions, plant_with_feeds, run_part
from tests.plants import demo_plant


def test_core_bench_replays_equal_and_reports_a_rate():
    result = bench_core.run(demo_plant(), vehicles=200, repeats=1)
    assert result["replay_equal"] is True
    assert result["events"] > 1000
    assert result["events_per_s"] > 0


def test_hmi_frame_bench_feeds_both_screens_pictures_of_eight_feeds(qapp):
    plant = plant_with_feeds(demo_plant(), 8)
    views = bench_hmi.pictures(plant, 40)
    assert len({f.id for f in views[-1].feeds}) == 8
    result = bench_hmi.frame_times_ms(plant, 40)
    assert result["pictures"] == 20
    assert all(math.isfinite(result[role]["p99_ms"]) for role in ("operator", "lead"))
    cpu = result["panel_cpu"]  # a picture after every broadcast and press, split by whether the panel's station moved
    assert cpu["pictures"] > 0 and cpu["other_pictures"] > 0
    assert cpu["pictures"] + cpu["other_pictures"] == len(bench_hmi.bus_messages(plant, 40)) - 1
    assert result["panel_apply_us"] == cpu["apply_us"] > 0 and result["panel_paint_us"] == cpu["paint_us"] > 0


async def test_catchup_bench_gets_every_broadcast_acknowledged_and_sequenced(tmp_path):
    result = await bench_catchup.catchup(tmp_path, 200)
    assert result["acked"] == result["sequenced"] == 200
    assert result["ratio"] > 0
    again = await bench_catchup.catchup(tmp_path, 160, feeds=4)  # `jis bench` runs a second in the same folder
    assert again["acked"] == again["sequenced"] == 160 and again["feeds"] == 4
    assert again["rss_mb_peak"] >= again["rss_mb_before"] > 0


def test_catchup_reference_inserts_the_rows_the_journal_writes(tmp_path):
    bodies = bench_catchup.bodies("L1", 10_000, 3)
    rows = bench_catchup.journal_rows(bodies)
    store = Store(f"sqlite:///{tmp_path / 'j.db'}")
    store.append_many([(bench_catchup.BroadcastReceived(**_event_fields(r)), r[3]) for r in rows])
    db = sqlite3.connect(tmp_path / "j.db")
    written = db.execute("SELECT at, kind, payload, raw FROM journal ORDER BY id").fetchall()
    assert written == rows
    store.close()


def _event_fields(row: tuple[float, str, str, bytes]) -> dict[str, object]:
    fields = json.loads(row[2])
    return {k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()}


async def test_shift_bench_completes_every_vehicle_with_every_label_printed(tmp_path):
    result = await bench_line.shift(tmp_path, feeds=2, vehicles=6)
    assert result["vehicles_completed"] == 12
    assert result["labels_printed"] == result["labels_printed_by_printers"] > 0
    assert result["seconds"] is not None and result["reference_s"] > 0
    assert result["modbus_exchanges"] >= result["picks_lit"] * bench_line.MODBUS_PER_PICK
    assert result["reference_with_commits_s"] > result["reference_s"]  # a raw commit per pick beside it
    assert result["confirm_poll_ms"] == bench_line.SHIFT_POLL_S * 1000


def test_picture_bench_times_each_line_now_and_before():
    plant = demo_plant()
    result = bench_pictures.run(lambda n: plant_with_feeds(plant, n), alarms=50, feeds=4, trials=5)
    for line in ("alarms_10", "alarms_50", "feeds_1", "feeds_4"):
        assert result[line]["picture_us"] > 0 and result[line]["whole_us"] > 0
        assert 0 < result[line]["entries_per_picture"] < 10  # a pick: the header, the station, maybe its rack
    assert result["alarms_50"]["open_alarms"] == 50
    assert result["alarms_ratio"] > 0 and result["feeds_ratio"] > 0


async def test_glass_bench_measures_real_screens_against_its_reference(tmp_path):
    result = await bench_glass.glass(tmp_path, feeds=2, vehicles=8)
    assert result.get("error") is None and result["errors"] == []
    assert result["screens"] == 3  # a panel per station and a cockpit
    assert result["broadcast_samples"] > 0 and result["press_samples"] > 0
    for figure in ("broadcast_p50_ms", "broadcast_p99_ms", "press_p50_ms", "press_p99_ms", "reference_ms"):
        assert result[figure] > 0, figure
    assert all(value and value > 0 for value in result["reference"].values()), result["reference"]
    stages = result["broadcast_stages_ms"]
    assert list(stages) == list(bench_glass.STAGES)
    assert all(stage["p50"] is not None and stage["p50"] >= 0 for stage in stages.values()), stages


SCALE_KEYS = (
    "scale_cpu_ratio",
    "scale_cpu_us_per_broadcast",
    "scale_cpu_us_per_broadcast_small",
    "scale_latency_p99_ms",
    "scale_latency_p99_ms_small",
    "catchup_100k_s",
    "catchup_100k_raw_insert_s",
    "catchup_100k_rss_mb_peak",
    "catchup_100k_rss_mb_before",
)


def test_scale_bench_runs_a_small_and_a_big_line_with_real_screens_and_a_catchup(tmp_path):
    opts = BenchOptions(scale_small=(2, 1), scale_big=(4, 3), scale_vehicles=8, catchup_big=120, workdir=str(tmp_path))
    result = json.loads(json.dumps(run_part("scale", opts)))  # what `jis bench scale --json` prints
    assert all(isinstance(result[key], (int, float)) and result[key] > 0 for key in SCALE_KEYS), result
    scale = result["scale"]
    for name, (feeds, screens) in (("small", (2, 1)), ("big", (4, 3))):
        line = scale[name]
        assert line["errors"] == [], line["errors"]
        assert (line["feeds"], line["screens"], line["vehicles_completed"]) == (feeds, screens, 8)
        assert 0 < line["broadcasts"] <= 8 and line["cpu_s"] > 0  # each feed's first went out before the hold
        assert line["pictures_per_screen"]["min"] > 0  # every screen decoded pictures of the run
        assert line["screen_bad"] == 0
    assert scale["catchup"]["acked"] == scale["catchup"]["sequenced"] == 120
    assert scale["catchup"]["feeds"] == 8
    assert result["catchup_100k_rss_mb_peak"] >= result["catchup_100k_rss_mb_before"]


def test_trace_bench_answers_a_batch_from_the_read_model_as_the_replay_does(tmp_path):
    report = run_part("trace", BenchOptions(quick=True, workdir=str(tmp_path)))
    assert report["equal"] is True
    assert report["traced"] > 0 and report["journal_rows"] > report["vehicles"]
    for figure in ("read_model_batch_ms", "read_model_vin_ms", "replay_batch_ms"):
        assert report[figure] > 0, figure


LABEL_KEYS = ("label_render_us", "label_render_ratio", "label_rack_render_us", "label_rack_render_ratio")


def test_label_bench_renders_both_kinds_beside_a_byte_identical_reference(jis, capsys):
    assert jis("bench", "labels", "--quick", "--json") == 0  # what `jis bench labels --json` prints
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert all(isinstance(result[key], float) and result[key] > 0 for key in LABEL_KEYS), result
    for kind in ("part", "rack"):
        figures = result["labels"][kind]
        assert figures["identical"] is True and figures["reference_p50_us"] > 0 and figures["bytes"] > 1000
    assert result["labels"]["trials"] == 200 and result["labels"]["rack_slots"] == 8


def test_the_label_bench_reference_follows_the_built_in_layouts():
    """The raw reference writes what the layouts write, or the run stops: a layout changed without it is caught."""
    from plc_io.zpl_labels.layouts import render_part_label, render_rack_label

    assert bench_labels.raw_part(bench_labels.PART) == render_part_label(bench_labels.PART)
    assert bench_labels.raw_rack(bench_labels.RACK) == render_rack_label(bench_labels.RACK)
    reprinted = replace(bench_labels.RACK, reprint=2)
    assert bench_labels.raw_rack(reprinted) == render_rack_label(reprinted)
