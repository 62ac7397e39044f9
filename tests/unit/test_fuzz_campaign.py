"""A reduced ``jis fuzz`` campaign in CI: every parser and input edge survives seeded mutations of real samples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.hmi.roles import INTENTS
from app.proof.fuzz import _hmi_command, run
from sequencer.events import ManualOp
from sequencer.plant import PlantConfigError, parse_plant

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def test_no_parser_crashes_on_mutated_and_random_input():
    report = run(1500, seed=7, corpus_dir=SAMPLES)
    plain = {"deljit", "x12", "vda", "json", "feed_broadcast", "hmi_command", "plant_config"}
    structured = {"deljit_structure", "x12_structure", "vda_structure"}
    assert set(report) == plain | structured
    assert {name: r["crashes"] for name, r in report.items()} == dict.fromkeys(report, 0), report
    assert all(report[name]["inputs"] == 1500 and report[name]["corpus"] > 0 for name in plain)
    assert {name: (report[name]["inputs"], report[name]["lost"]) for name in structured} == dict.fromkeys(
        structured, (150, 0)
    ), report


def test_a_family_at_an_unknown_station_is_a_config_error_not_a_crash():
    text = (Path(__file__).resolve().parents[2] / "app" / "plants" / "demo.toml").read_text()
    with pytest.raises(PlantConfigError, match=r"families\.seats\.station: unknown station 'ST-NOWHERE'"):
        parse_plant(text.replace('station = "ST-SEAT"', 'station = "ST-NOWHERE"'), "plant.toml")


JSON_SCALARS = (
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False) | st.text(max_size=20)
)
FIELD_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=4), max_leaves=8)
FIELD_NAMES = st.sampled_from(["feed", "seq", "other_seq", "label_id", "deviation_id", "until", "at", "user", "x"])


@given(
    action=st.sampled_from(sorted(INTENTS)) | st.text(max_size=12),
    fields=st.dictionaries(FIELD_NAMES, FIELD_VALUES, max_size=5),
    reason=st.text(max_size=40),
)
def test_any_well_formed_intent_becomes_an_operation_or_a_refusal_with_its_reason(action, fields, reason):
    """Structure-aware (the mutation campaign rarely gets past the JSON): whatever an HMI puts in the fields, the
    command path either builds the manual operation or refuses with a reason; it never raises."""
    raw = json.dumps({"op": "intent", "token": "t", "type": action, "fields": fields, "reason": reason}).encode()
    result = _hmi_command(raw)
    assert isinstance(result, ManualOp | str | tuple), result
    if isinstance(result, ManualOp):
        assert (result.user, result.at) == ("fuzz", 0.0)  # who and when come from the service, never the HMI


def test_jis_fuzz_exits_1_when_a_good_message_is_lost(monkeypatch, capsys, jis):
    from app.proof import fuzz_structure

    assert jis("fuzz", "--inputs", "20", "--only", "deljit_structure,x12_structure") == 0
    monkeypatch.setattr(fuzz_structure, "violations", lambda case: ["good message lost: vehicle X"])
    assert jis("fuzz", "--inputs", "20", "--only", "vda_structure") == 1
    assert "lost 2" in capsys.readouterr().out
