"""Golden tests of the print-and-apply PLC map (bit, word and byte order pinned with literal values), Hypothesis
round trips of the job block, the docs table against the code, and the simulator's PLC model without sockets.
"""

from __future__ import annotations

import dataclasses
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hardware_sims.modbus_pdu import ExceptionCode, ModbusFault
from hardware_sims.printer_plc import PlcModel
from plc_io.modbus import printer_map as prn
from plc_io.modbus import registers as reg
from sequencer.labels import Label, PartLabel, RackLabel

PART = PartLabel(
    label_id="P42",
    feed="F1",
    seq=0x0001_2345,
    vehicle_id="WVWZZZ1JZXW000001",
    part="5G0881105",
    description="Seat LH",
    family="SEAT",
    rack_no=7,
    slot=3,
    plant="WOB",
)
RACK = RackLabel(
    label_id="R-F1-SEAT-7",
    feed="F1",
    family="SEAT",
    rack_no=7,
    low_seq=9990,
    high_seq=5,
    slots=12,
    plant="WOB",
    line="L1",
    dock="D4",
    reprint=2,
)


# -- addresses --------------------------------------------------------------------------------------------------
def test_reference_forms_of_each_table() -> None:
    assert prn.reference_text(prn.Table.COIL, prn.START_PRINT) == "00001"
    assert prn.reference(prn.Table.DISCRETE_INPUT, 3) == 10_004  # MEDIA OUT
    assert prn.reference(prn.Table.INPUT_REGISTER, 2) == 30_003  # LAST PRINTED JOB ID, high word
    assert prn.reference(prn.Table.HOLDING_REGISTER, 0) == 40_001  # JOB ID, high word
    assert reg.one_based(prn.JOB_FIELDS["label_id"].address) == 5


def test_bits_follow_the_db15_applicator_interface() -> None:
    assert [(b.name, b.address, b.pin) for b in prn.COILS] == [
        ("start_print", 0, 3),
        ("feed", 1, 4),
        ("pause", 2, 5),
        ("reprint", 3, 6),
    ]
    assert [(b.name, b.address, b.pin) for b in prn.DISCRETE_INPUTS] == [
        ("data_ready", 0, 14),
        ("end_print", 1, 11),
        ("service_required", 2, 10),
        ("media_out", 3, 12),
        ("ribbon_out", 4, 13),
        ("ribbon_low", 5, 9),
    ]


def test_blocks_are_contiguous_and_the_job_fits_one_write() -> None:
    for block in prn.REGISTER_BLOCKS.values():
        sizes = [f.size for f in block.fields]
        assert [f.address for f in block.fields] == [block.start + sum(sizes[:i]) for i in range(len(sizes))]
    assert (prn.JOB.start, prn.JOB.count) == (0, 123)
    assert prn.JOB.count <= prn.FC16_MAX_REGISTERS
    assert (prn.STATUS.start, prn.STATUS.count) == (0, 11)


def test_every_label_attribute_has_a_register_field() -> None:
    for cls in (PartLabel, RackLabel):
        assert {f.name for f in dataclasses.fields(cls)} - prn.NOT_CARRIED <= set(prn.JOB_FIELDS)


def _span(first: int, size: int) -> str:
    return f"{first}" if size == 1 else f"{first}–{first + size - 1}"


def _refs(table: prn.Table, first: int, size: int) -> str:
    last = prn.reference_text(table, first + size - 1)
    return prn.reference_text(table, first) if size == 1 else f"{prn.reference_text(table, first)}–{last}"


def test_docs_tables_match_the_map() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "printer-modbus.md").read_text(encoding="utf-8")
    for table, bits in prn.BIT_TABLES.items():
        for bit in bits:
            row = (
                f"| {table.value} | `{bit.name}` | {bit.address} | {bit.address + 1} | {_refs(table, bit.address, 1)} |"
            )
            assert row in doc, row
    for table, block in prn.REGISTER_BLOCKS.items():
        for f in block.fields:
            row = (
                f"| {table.value} | `{f.name}` | {_span(f.address, f.size)} | {_span(reg.one_based(f.address), f.size)}"
                f" | {_refs(table, f.address, f.size)} | {f.size} |"
            )
            assert row in doc, row


# -- golden encodings -----------------------------------------------------------------------------------------
def test_coils_and_signals_golden_bit_positions() -> None:
    assert prn.encode_coils(prn.Coils(start_print=True, pause=True)) == [True, False, True, False]
    signals = prn.Signals(service_required=True, media_out=True)
    assert prn.encode_signals(signals) == [False, False, True, True, False, False]
    padded = [False, False, True, True, False, False, False, False]  # a reply pads bits to whole bytes
    assert prn.decode_signals(padded) == signals
    with pytest.raises(ValueError, match="need 4 bits"):
        prn.decode_coils([True])


def test_status_golden_job_ids_high_word_first() -> None:
    status = prn.Status(
        accepted_job_id=0x0001_2345,
        printed_job_id=0xDEAD_BEEF,
        start_job_id=0x0001_2345,
        start_result=prn.StartResult.DUPLICATE,
        starts_ignored=7,
        end_print_count=0xFFFF,
        plc_session=0x0190_5A3E,
    )
    registers = [0x0001, 0x2345, 0xDEAD, 0xBEEF, 0x0001, 0x2345, 2, 7, 0xFFFF, 0x0190, 0x5A3E]
    assert prn.encode_status(status) == registers
    assert prn.decode_status(registers) == status
    with pytest.raises(ValueError, match="out of range"):
        prn.decode_status([0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0])  # no start result 9


def test_part_job_golden_registers() -> None:
    registers = prn.encode_job(0x0001_0002, PART)
    assert registers[0:4] == [0x0001, 0x0002, 1, 0]  # JOB ID high word first, part label, reprint 0
    assert registers[4:6] == [0x5034, 0x3200]  # "P42": first character in the high byte, NUL padded
    assert registers[20:21] == [0x4631]  # feed "F1"
    assert registers[44:49] == [0, 7, 0x0001, 0x2345, 3]  # rack no., seq (high word first), slot
    assert registers[49] == 0x5756  # VIN "WV..."
    assert registers[101:122] == [0] * 21  # the rack fields stay blank
    assert registers[122] == 1  # qty
    assert prn.job_id_of(registers) == 0x0001_0002
    assert prn.decode_job(registers) == prn.Job(job_id=0x0001_0002, label=PART)


def test_rack_job_golden_registers() -> None:
    registers = prn.encode_job(1, RACK)
    assert registers[0:4] == [0, 1, 2, 2]  # job 1, rack label, reprint 2
    assert registers[101:106] == [0, 9990, 0, 5, 12]  # low seq, high seq, slots
    assert registers[106] == 0x4C31  # line "L1"
    assert registers[46:101] == [0] * 55  # the part fields stay blank
    assert prn.decode_job(registers).label == RACK


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"part": "X" * 31}, "longer than 30"),
        ({"vehicle_id": "VIN\n1"}, "not printable ASCII"),
        ({"label_id": "Pé"}, "not printable ASCII"),
        ({"seq": -1}, "out of range"),
        ({"seq": 2**32}, "out of range"),
        ({"slot": 70_000}, "out of range"),
    ],
)
def test_encode_job_refuses_what_the_map_cannot_carry(change: dict[str, object], why: str) -> None:
    with pytest.raises(ValueError, match=why):
        prn.encode_job(1, dataclasses.replace(PART, **change))  # type: ignore[arg-type]


def test_description_is_folded_to_ascii_and_cut_not_refused() -> None:
    label = dataclasses.replace(PART, description="Türverkleidung vorne links — Leder schwarz, beheizt, Ø 4")
    decoded = prn.decode_job(prn.encode_job(1, label)).label
    assert isinstance(decoded, PartLabel)
    assert decoded.description == "Turverkleidung vorne links ? Leder schwarz, "
    assert len(decoded.description) == 2 * prn.JOB_FIELDS["description"].size


def test_decode_job_refuses_a_bad_block() -> None:
    registers = prn.encode_job(1, PART)
    with pytest.raises(ValueError, match="not a label kind"):
        prn.decode_job([0, 1, 0, *registers[3:]])
    with pytest.raises(ValueError, match="not printable"):
        prn.decode_job([*registers[:4], 0x5080, *registers[5:]])  # a byte >= 0x80 in the label id
    with pytest.raises(ValueError, match="needs 123"):
        prn.decode_job(registers[:-1])


def test_next_job_id_wraps_and_skips_zero() -> None:
    assert [prn.next_job_id(x) for x in (0, 1, 2**32 - 2, 2**32 - 1)] == [1, 2, 2**32 - 1, 1]


def test_fault_names_from_signals_and_pause() -> None:
    signals = prn.Signals(media_out=True, service_required=True, ribbon_low=True)
    assert prn.fault_names(signals, prn.Coils()) == ("media out", "service required")
    assert prn.fault_names(prn.Signals(), prn.Coils(pause=True)) == ("paused",)
    assert prn.fault_names(prn.Signals(ribbon_low=True, data_ready=True), prn.Coils()) == ()


# -- round trips ------------------------------------------------------------------------------------------------
def text(size: int) -> st.SearchStrategy[str]:
    return st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=size)


u32, u16 = st.integers(0, 2**32 - 1), st.integers(0, 0xFFFF)
parts = st.builds(
    PartLabel,
    label_id=text(32),
    feed=text(16),
    seq=u32,
    vehicle_id=text(30),
    part=text(30),
    description=text(44),
    family=text(16),
    rack_no=u32,
    slot=u16,
    plant=text(16),
    reprint=u16,
)
racks = st.builds(
    RackLabel,
    label_id=text(32),
    feed=text(16),
    family=text(16),
    rack_no=u32,
    low_seq=u32,
    high_seq=u32,
    slots=u16,
    plant=text(16),
    line=text(16),
    dock=text(16),
    reprint=u16,
)


@settings(derandomize=True, max_examples=200)
@given(st.integers(1, 2**32 - 1), st.one_of(parts, racks))
def test_job_round_trip(job_id: int, label: Label) -> None:
    registers = prn.encode_job(job_id, label)
    assert len(registers) == prn.JOB.count
    assert all(0 <= r <= 0xFFFF for r in registers)
    assert prn.decode_job(registers) == prn.Job(job_id=job_id, label=label)


@settings(derandomize=True, max_examples=100)
@given(st.lists(st.booleans(), min_size=6, max_size=6))
def test_signals_round_trip(bits: list[bool]) -> None:
    assert prn.encode_signals(prn.decode_signals(bits)) == bits


# -- the simulator's PLC model, no sockets ------------------------------------------------------------------------
HR, CO, DI, IR = prn.Table.HOLDING_REGISTER, prn.Table.COIL, prn.Table.DISCRETE_INPUT, prn.Table.INPUT_REGISTER


def start(model: PlcModel, job_id: int, label: Label, now: float) -> prn.Status:
    """The host's two writes, then what the next scan made of them."""
    model.write(HR, 0, prn.encode_job(job_id, label), now)
    model.write(CO, prn.START_PRINT, [True], now)
    model.scan(now)
    return prn.decode_status(model.read(IR, 0, prn.STATUS.count, now))


def signals(model: PlcModel, now: float) -> prn.Signals:
    model.scan(now)
    return prn.decode_signals(model.read(DI, 0, len(prn.DISCRETE_INPUTS), now))  # type: ignore[arg-type]


def test_model_prints_a_job_once_and_latches_the_counters() -> None:
    m = PlcModel(print_time_s=1.0)
    status = start(m, 1, PART, now=0.0)
    assert (status.accepted_job_id, status.start_result, status.printed_job_id) == (1, prn.StartResult.ACCEPTED, 0)
    assert signals(m, 0.5).data_ready
    assert m.read(CO, 0, 4, 0.5) == [False, False, False, False]  # START cleared by the scan
    sig = signals(m, 1.01)
    assert (sig.data_ready, sig.end_print) == (False, True)  # END PRINT pulses 20 ms after the label
    assert not signals(m, 1.03).end_print
    assert [(p.label_id, p.job_id, p.time) for p in m.printed] == [("P42", 1, 1.0)]
    assert m.status.printed_job_id == 1 and m.status.end_print_count == 1


@pytest.mark.parametrize(
    ("job_id", "result"),
    [(1, prn.StartResult.DUPLICATE), (3, prn.StartResult.OUT_OF_SEQUENCE), (2, prn.StartResult.ACCEPTED)],
)
def test_model_start_rules(job_id: int, result: prn.StartResult) -> None:
    m = PlcModel(print_time_s=1.0)
    start(m, 1, PART, now=0.0)
    status = start(m, job_id, RACK, now=2.0)
    assert (status.start_job_id, status.start_result) == (job_id, result)
    assert status.starts_ignored == (result is not prn.StartResult.ACCEPTED)
    m.scan(10.0)
    assert len(m.printed) == 1 + (result is prn.StartResult.ACCEPTED)


def test_model_refuses_start_while_a_label_is_held_and_on_bad_data() -> None:
    m = PlcModel(print_time_s=1.0)
    start(m, 1, PART, now=0.0)
    assert start(m, 2, RACK, now=0.5).start_result is prn.StartResult.BUSY  # job 1 still printing
    m.write(HR, 2, [9], now=2.0)  # job 2 is next, but label kind 9 does not decode
    assert start_only(m, now=2.0).start_result is prn.StartResult.BAD_DATA
    m.write(HR, 0, [0, 1], now=2.0)  # id 1 again: the duplicate rule is checked before the data
    assert start_only(m, now=2.0).start_result is prn.StartResult.DUPLICATE
    assert (m.status.accepted_job_id, m.status.starts_ignored, len(m.printed)) == (1, 3, 1)


def start_only(m: PlcModel, now: float) -> prn.Status:
    m.write(CO, prn.START_PRINT, [True], now)
    m.scan(now)
    return m.status


@pytest.mark.parametrize("fault", ["media_out", "ribbon_out", "service_required"])
def test_model_fault_stops_the_label_and_it_restarts_when_cleared(fault: str) -> None:
    m = PlcModel(print_time_s=1.0)
    start(m, 1, PART, now=0.0)
    m.set_fault(0.5, **{fault: True})
    assert signals(m, 0.5).service_required
    m.scan(5.0)
    assert m.printed == []
    m.set_fault(6.0, **{fault: False})
    m.scan(6.9)
    assert m.printed == []  # the interrupted label starts over
    m.scan(7.0)
    assert [p.time for p in m.printed] == [7.0]


def test_model_pause_holds_printing_and_asserts_service_required() -> None:
    m = PlcModel(print_time_s=1.0)
    m.write(CO, 2, [True], now=0.0)
    start(m, 1, PART, now=0.0)
    assert signals(m, 2.0).service_required and m.printed == []
    m.write(CO, 2, [False], now=2.0)
    m.scan(2.0)  # the scan that sees PAUSE released starts the label
    m.scan(3.0)
    assert len(m.printed) == 1


def test_model_reprint_signal_prints_the_last_label_again_without_a_new_job() -> None:
    m = PlcModel(print_time_s=1.0)
    start(m, 1, PART, now=0.0)
    m.scan(1.0)
    m.write(CO, 3, [True], now=2.0)
    m.scan(2.0)
    m.scan(3.0)
    assert [(p.job_id, p.by_reprint_signal) for p in m.printed] == [(1, False), (1, True)]
    assert (m.status.printed_job_id, m.status.end_print_count) == (1, 2)


def test_model_feed_is_a_blank_label_without_end_print() -> None:
    m = PlcModel(print_time_s=1.0)
    m.write(CO, 1, [True], now=0.0)
    m.scan(0.0)
    assert (m.fed, m.status.end_print_count, m.coils.feed) == (1, 0, False)


def test_model_cold_start_loses_the_counters_and_the_held_job_and_stamps_a_new_session() -> None:
    m = PlcModel(print_time_s=1.0)
    m.cold_start(12.345)
    assert m.status == prn.Status(plc_session=12_345)
    start(m, 1, PART, now=13.0)
    m.cold_start(12.345)  # a clock that did not move still gives a new session
    m.scan(20.0)
    assert (m.status, m.printed) == (prn.Status(plc_session=12_346), [])


def test_model_exception_codes() -> None:
    m = PlcModel()
    for call in (
        lambda: m.write(IR, 0, [1], 0.0),
        lambda: m.write(DI, 0, [True], 0.0),
        lambda: m.write(CO, 3, [True, True], 0.0),
        lambda: m.write(HR, 122, [1, 2], 0.0),  # the job block ends at 122 (qty)
        lambda: m.read(IR, 8, 5, 0.0),
    ):
        with pytest.raises(ModbusFault) as caught:
            call()
        assert caught.value.code == ExceptionCode.ILLEGAL_DATA_ADDRESS


def test_model_counts_versions_on_visible_changes() -> None:
    m = PlcModel(print_time_s=1.0)
    seen: list[int] = []
    m.on_change = lambda: seen.append(m.version)
    m.scan(0.0)  # nothing to do
    assert seen == []
    start(m, 1, PART, now=0.0)
    m.scan(1.0)
    assert len(seen) >= 3 and all(a < b for a, b in pairwise(seen))
