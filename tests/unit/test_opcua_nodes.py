"""The OPC UA node models and codecs (plc_io.opcua_nodes): pure, no server.

Golden values pin the wire types (a bare Python int would travel as Int64 and be refused) and the OPC 10031-4
ReturnStatus bits; the counter arithmetic is checked by a derandomized property test; docs/opcua.md is checked
against the tables.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from asyncua import ua
from hypothesis import given, settings
from hypothesis import strategies as st

from plc_io.opcua import machinery, printer_model, ptl_model
from plc_io.ports import Colour

V = ua.VariantType
GREEN_FLASH = ptl_model.LightState(colour=Colour.GREEN, blink=True, display=42, token=0x1234_5678)
DOC = Path(__file__).parents[2] / "docs" / "opcua.md"


def snapshot(counter: int, acknowledged: int = 0, token: int = 7) -> ptl_model.BinSnapshot:
    return ptl_model.BinSnapshot(online=True, counter=counter, token=token, acknowledged=acknowledged)


# -- the address spaces -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("space", [ptl_model.ptl_address_space((1, 2, 247)), printer_model.printer_address_space()])
def test_paths_are_unique_and_parents_come_first(space: tuple[machinery.NodeSpec, ...]) -> None:
    seen: set[str] = {""}
    for spec in space:
        assert spec.path not in seen, spec.path
        assert spec.parent in seen, f"{spec.path} before its parent {spec.parent}"
        seen.add(spec.path)
        assert (spec.kind is machinery.NodeKind.VARIABLE) == (spec.vtype is not None)


def test_bin_paths_and_node_ids() -> None:
    assert ptl_model.bin_path(3) == "PickToLight/Bins/Bin003"
    assert ptl_model.bin_path(3, "ConfirmCounter") == "PickToLight/Bins/Bin003/ConfirmCounter"
    assert machinery.node_id(2, ptl_model.bin_path(3, "Light")).to_string() == "ns=2;s=PickToLight/Bins/Bin003/Light"
    for light in (0, 248):
        with pytest.raises(ValueError, match="outside"):
            ptl_model.bin_path(light)


def test_every_bin_has_the_variables_and_methods_of_the_table() -> None:
    space = {spec.path: spec for spec in ptl_model.ptl_address_space((5,))}
    for name, vtype, initial, _ in ptl_model.BIN_VARIABLES:
        spec = space[ptl_model.bin_path(5, name)]
        assert (spec.vtype, spec.initial) == (vtype, initial)
    assert space[ptl_model.bin_path(5, "Light")].inputs == ptl_model.LIGHT_INPUTS
    assert space[ptl_model.bin_path(5, "Clear")].inputs == ()
    assert space[ptl_model.bin_path(5, "Acknowledge")].inputs == ptl_model.ACKNOWLEDGE_INPUTS
    assert ptl_model.BIN_PUBLISH_ORDER[-1] == "ConfirmCounter"
    assert set(ptl_model.BIN_PUBLISH_ORDER) == {name for name, *_ in ptl_model.BIN_VARIABLES}


def test_machinery_building_blocks_on_both_machines() -> None:
    for root, space in (
        (ptl_model.PTL_ROOT, ptl_model.ptl_address_space((1,))),
        (printer_model.PRINTER_ROOT, printer_model.printer_address_space()),
    ):
        paths = {spec.path: spec for spec in space}
        state = paths[machinery.state_path(root)]
        assert state.initial == ua.LocalizedText("NotExecuting")
        for name, vtype, _ in machinery.IDENTIFICATION:
            assert paths[machinery.join(root, "Identification", name)].vtype is vtype


# -- light codecs -----------------------------------------------------------------------------------------------
def test_light_arguments_golden_types() -> None:
    arguments = ptl_model.encode_light(GREEN_FLASH)
    assert [(a.Value, a.VariantType) for a in arguments] == [
        (1, V.UInt16),
        (True, V.Boolean),
        (42, V.UInt16),
        (0x1234_5678, V.UInt32),
    ]
    assert ptl_model.decode_light(arguments) == GREEN_FLASH


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (ptl_model.LightState(colour=Colour.RED, blink=False, display=10_000, token=1), "display"),
        (ptl_model.LightState(colour=Colour.RED, blink=False, display=1, token=-1), "token"),
        (ptl_model.LightState(colour=Colour.RED, blink=False, display=1, token=2**32), "token"),
    ],
)
def test_bad_light_states_are_refused(state: ptl_model.LightState, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ptl_model.encode_light(state)


def test_decode_light_refuses_wrong_types_and_colours() -> None:
    wrong_type = [ua.Variant(1, V.Int64), ua.Variant(True, V.Boolean), ua.Variant(1, V.UInt16), ua.Variant(1, V.UInt32)]
    with pytest.raises(ValueError, match="must be"):
        ptl_model.decode_light(wrong_type)
    bad_colour = [
        ua.Variant(9, V.UInt16),
        ua.Variant(True, V.Boolean),
        ua.Variant(1, V.UInt16),
        ua.Variant(1, V.UInt32),
    ]
    with pytest.raises(ValueError, match="Light arguments"):
        ptl_model.decode_light(bad_colour)
    with pytest.raises(ValueError, match="must be"):
        ptl_model.decode_light([])


def test_acknowledge_codec_wraps_to_uint32() -> None:
    (argument,) = ptl_model.encode_acknowledge(2**32 + 5)
    assert (argument.Value, argument.VariantType) == (5, V.UInt32)
    assert ptl_model.decode_acknowledge([argument]) == 5


# -- confirms: counter arithmetic -------------------------------------------------------------------------------
def test_decode_bin_checks_ranges() -> None:
    assert ptl_model.decode_bin([True, 3, 9, 2]) == ptl_model.BinSnapshot(
        online=True, counter=3, token=9, acknowledged=2
    )
    assert ptl_model.decode_bin([True, 3, 9, 2]).latched
    for bad in ([True, -1, 0, 0], [True, 0, 2**32, 0], [True, None, 0, 0], [True, False, 0, 0]):
        with pytest.raises(ValueError, match="UInt32"):
            ptl_model.decode_bin(bad)


def test_presses_since() -> None:
    assert ptl_model.presses_since(None, snapshot(5, acknowledged=3)) == 2  # a new host counts what was never acked
    assert ptl_model.presses_since(None, snapshot(5, acknowledged=5)) == 0
    assert ptl_model.presses_since(4, snapshot(5, acknowledged=0)) == 1  # a known baseline wins over the device's
    assert ptl_model.presses_since(2**32 - 1, snapshot(1)) == 2  # UInt32 wrap
    assert ptl_model.presses_since(900, snapshot(3)) == 3  # went backwards: the controller restarted
    assert ptl_model.presses_since(0, snapshot(5000)) == 5000  # a jump past the limit counts from a restart too


def test_acknowledge_never_passes_the_counter() -> None:
    assert ptl_model.acknowledge_accepts(acknowledged=3, counter=5, proposed=5)
    assert ptl_model.acknowledge_accepts(acknowledged=3, counter=5, proposed=4)
    assert not ptl_model.acknowledge_accepts(acknowledged=3, counter=5, proposed=6)
    assert ptl_model.acknowledge_accepts(acknowledged=2**32 - 2, counter=1, proposed=0)  # across the wrap


@settings(derandomize=True, max_examples=200, deadline=None)
@given(start=st.integers(0, 2**32 - 1), gaps=st.lists(st.integers(0, 50), min_size=1, max_size=30))
def test_counting_reads_sums_to_the_presses(start: int, gaps: list[int]) -> None:
    """However the presses fall between reads, and across the UInt32 wrap, the counted total is exact."""
    counter, baseline, counted = start, start, 0
    for presses in gaps:
        counter = (counter + presses) % ptl_model.COUNTER_MODULUS
        counted += ptl_model.presses_since(baseline, snapshot(counter))
        baseline = counter
    assert counted == sum(gaps)


# -- the print engine -----------------------------------------------------------------------------------------------
def test_return_status_bits_follow_opc_10031_4_annex_b2() -> None:
    assert int(printer_model.ReturnStatus.NO_ERROR) == 1
    assert int(printer_model.ReturnStatus.UNKNOWN_JOB_ORDER_ID) == 2
    assert int(printer_model.ReturnStatus.INVALID_JOB_ORDER_COMMAND) == 4
    assert int(printer_model.ReturnStatus.INVALID_JOB_ORDER_STATUS) == 8
    assert int(printer_model.ReturnStatus.UNABLE_TO_ACCEPT_JOB_ORDER) == 16
    assert int(printer_model.ReturnStatus.INVALID_REQUEST) == 2**32
    assert int(printer_model.ReturnStatus.DUPLICATE_JOB_ORDER_ID) == 2**33  # 33..63: implementation-specific


def test_job_codecs_round_trip() -> None:
    job_id = printer_model.job_order_id("P-L1-000042", 1)
    assert job_id == "P-L1-000042#1"
    arguments = printer_model.encode_store(job_id, "^XA^XZ")
    assert [a.VariantType for a in arguments] == [V.String, V.String]
    assert printer_model.decode_store(arguments) == (job_id, "^XA^XZ")
    with pytest.raises(ValueError, match="empty"):
        printer_model.decode_store(printer_model.encode_store("", "^XA^XZ"))
    assert printer_model.decode_job_id(printer_model.encode_job_id(job_id)) == job_id
    (status,) = printer_model.encode_status(printer_model.ReturnStatus.NO_ERROR)
    assert (status.Value, status.VariantType) == (1, V.UInt64)
    response = printer_model.JobResponse(
        state=printer_model.JobState.ENDED, labels_printed=1, status=printer_model.ReturnStatus.NO_ERROR
    )
    assert printer_model.decode_response([v.Value for v in printer_model.encode_response(response)]) == response
    unknown = printer_model.JobResponse(
        state=None, labels_printed=0, status=printer_model.ReturnStatus.UNKNOWN_JOB_ORDER_ID
    )
    assert printer_model.decode_response([v.Value for v in printer_model.encode_response(unknown)]) == unknown


def test_printer_faults_table() -> None:
    healthy = printer_model.decode_printer_status([False, 10, ua.LocalizedText("Executing")])
    assert printer_model.printer_faults(healthy) == ()
    out = printer_model.decode_printer_status([True, 0, ua.LocalizedText("OutOfService")])
    assert printer_model.printer_faults(out) == ("media out", "out of service")
    assert machinery.decode_state(ua.LocalizedText("Garbage")) is machinery.MachineryItemState.NOT_AVAILABLE


# -- the document -----------------------------------------------------------------------------------------------------
def test_docs_tables_match_the_model() -> None:
    doc = DOC.read_text(encoding="utf-8")
    for name, vtype, _, _ in (*ptl_model.BIN_VARIABLES, *printer_model.PRINTER_VARIABLES):
        assert f"| `{name}` | {vtype.name} |" in doc, name
    for name, inputs, _ in ptl_model.BIN_METHODS:
        assert f"| `{name}({', '.join(f'{a.name}: {a.vtype.name}' for a in inputs)})` |" in doc, name
    for _, name, inputs, outputs, _ in printer_model.PRINTER_METHODS:
        signature = ", ".join(f"{a.name}: {a.vtype.name}" for a in inputs)
        result = ", ".join(f"{a.name}: {a.vtype.name}" for a in outputs)
        assert f"| `{name}({signature}) -> ({result})` |" in doc, name
    for status in printer_model.ReturnStatus:
        assert f"| {int(status).bit_length() - 1} | {status.name} |" in doc, status
    assert ptl_model.PTL_NAMESPACE_URI in doc and printer_model.PRINTER_NAMESPACE_URI in doc
