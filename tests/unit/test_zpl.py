"""ZPL II rendering and status codecs (plc_io.zpl_labels), and the Zebra behaviour model (hardware_sims.zpl_printer).

Golden tests pin the exact bytes; a Hypothesis test (derandomized) shows no field text can smuggle a command
into a format; the model tests pin the printer behaviours the driver relies on. No sockets, no clocks.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hardware_sims.zpl_printer import KNOWN_COMMANDS, StreamSplitter, ZebraModel, lex, parse_format
from plc_io.zpl.status import (
    JSON_POLL,
    ZPL_POLL,
    HostStatus,
    StatusPoll,
    ZplStatusError,
    error_names,
    format_error_status,
    format_host_status,
    format_host_status_sgd,
    format_system_error,
    json_answers,
    parse_error_status,
    parse_host_status,
    parse_host_status_sgd,
    parse_system_error,
    read_json_poll,
    read_zpl_poll,
)
from plc_io.zpl_labels.fields import (
    BARCODE_ALPHABET,
    ZplDataError,
    code128_data,
    datamatrix_data,
    fh_text,
    uncode128_data,
    undatamatrix_data,
    unfh_text,
)
from plc_io.zpl_labels.layouts import (
    PART_LAYOUT,
    RACK_LAYOUT,
    Code128,
    DataMatrix,
    Slots,
    Text,
    render_label,
    slot_line,
    wrap_words,
)
from sequencer.labels import Label, PartLabel, RackLabel, RackSlot

PART = PartLabel(
    label_id="P17",
    feed="L1",
    seq=42,
    vehicle_id="WVWZZZ1JZXW000001",
    part="SEAT-LEATH-BLK-H",
    description="Seat ^XZ~JA_x Größe",
    family="seats",
    rack_no=3,
    slot=2,
    plant="SC01",
    reprint=1,
    qty=2,
    serial="SC010000000017",
    supplier="SC01",
    customer_part="5G0881105AB",
    ship_to="OEMPLANT1",
    unloading_point="D04",
    labelled_at=1_796_626_800.0,
    timezone="Europe/Berlin",
)
RACK = RackLabel(
    label_id="R-L1-seats-3",
    feed="L1",
    family="seats",
    rack_no=3,
    low_seq=9998,
    high_seq=3,
    slots=6,
    plant="SC01",
    line="A1",
    dock="D04",
    serial="SC010000000018",
    supplier="SC01",
    ship_to="OEMPLANT1",
    labelled_at=1_796_626_800.0,
    timezone="Europe/Berlin",
    qty=2,
    contents=(RackSlot(2, 42, "SEAT-LEATH-BLK-H", "SC010000000017"),),
)

GOLDEN_PART = """^XA
^FXJIS label_id=P17 reprint=1
^CI28
^PW812
^LL609
^LH0,0
^FO20,12^A0N,24,24^FH_^FDSEQ^FS
^FO20,38^A0N,90,90^FH_^FD42^FS
^FO340,20^BY2^BCN,80,N,N,N,N^FD>:42^FS
^FO20,140^A0N,28,28^FH_^FDREPRINT 1^FS
^FO586,14^BXN,3,200,64,64,,_^FD[)>_d03006_d029P5G0881105AB_d0291PSEAT-LEATH-BLK-H_d029IWVWZZZ1JZXW000001_d0291JSC010000000017_d029K42_d029Q2_d029VSC01_d0292LOEMPLANT1/D04_d029D261207_d030_d004^FS
^FO20,190^A0N,24,24^FH_^FDPART NO. (1P)^FS
^FO20,216^A0N,44,44^FH_^FDSEAT-LEATH-BLK-H^FS
^FO40,268^BY2^BCN,60,N,N,N,N^FD>:1PSEAT-LEATH-BLK-H^FS
^FO20,336^A0N,22,22^FH_^FDCUST. PART (P) 5G0881105AB^FS
^FO20,364^A0N,22,22^FH_^FDVIN (I)^FS
^FO130,360^A0N,30,30^FH_^FDWVWZZZ1JZXW000001^FS
^FO40,396^BY2^BCN,50,N,N,N,N^FD>:IWVWZZZ1JZXW000001^FS
^FO640,334^A0N,22,22^FH_^FDQTY (Q)^FS
^FO640,358^A0N,44,44^FH_^FD2^FS
^FO540,406^A0N,20,20^FH_^FDSUPPLIER (V) SC01^FS
^FO540,430^A0N,20,20^FH_^FDDATE (D) 261207^FS
^FO20,456^A0N,24,24^FH_^FDSeat _5EXZ_7EJA_5Fx Größe^FS
^FO20,512^A0N,20,20^FH_^FDSHIP TO (2L) OEMPLANT1 D04^FS
^FO20,540^A0N,20,20^FH_^FDSERIAL (1J) SC010000000017^FS
^FO20,568^A0N,20,20^FH_^FDseats RACK 3 SLOT 2 L1 SC01^FS
^PQ1
^XZ
"""

GOLDEN_RACK = """^XA
^FXJIS label_id=R-L1-seats-3 reprint=0
^CI28
^PW812
^LL1218
^LH0,0
^FO10,10^GB792,1198,3^FS
^FO10,200^GB792,0,3^FS
^FO10,400^GB792,0,3^FS
^FO10,600^GB792,0,3^FS
^FO30,22^A0N,24,24^FH_^FDSHIP TO (2L)^FS
^FO30,52^A0N,50,50^FH_^FDOEMPLANT1^FS
^FO30,120^A0N,24,24^FH_^FDDOCK D04 LINE A1^FS
^FO560,22^A0N,24,24^FH_^FDPLANT^FS
^FO560,52^A0N,50,50^FH_^FDSC01^FS
^FO30,150^A0N,24,24^FH_^FDDATE (D) 261207^FS
^FO30,212^A0N,24,24^FH_^FDSUPPLIER (V) SC01^FS
^FO50,250^BY2^BCN,60,N,N,N,N^FD>:VSC01^FS
^FO30,322^A0N,24,24^FH_^FDQTY (Q)^FS
^FO200,316^A0N,50,50^FH_^FD2^FS
^FO360,316^BY2^BCN,60,N,N,N,N^FD>:Q2^FS
^FO30,412^A0N,24,24^FH_^FDRACK NO.^FS
^FO30,440^A0N,90,90^FH_^FD3^FS
^FO420,412^A0N,24,24^FH_^FDSEQ 9998 - 3^FS
^FO420,450^A0N,30,30^FH_^FDseats FEED L1^FS
^FO30,612^A0N,24,24^FH_^FDSERIAL (5J) SC010000000018^FS
^FO50,644^BY2^BCN,70,N,N,N,N^FD>:5JSC010000000018^FS
^FO26,730^A0N,20,20^FH_^FDSLOT SEQ PART NO. / SERIAL^FS
^FO26,756^A0N,16,16^FH_^FD  2    42 SEAT-LEATH-BLK-H SC010000000017^FS
^FO482,730^BXN,3,200,104,104,,_^FD[)>_d03006_d0295JSC010000000018_d029VSC01_d0292LOEMPLANT1/D04_d029D261207_d029Q2_d029K42_d0291PSEAT-LEATH-BLK-H_d0291JSC010000000017_d030_d004^FS
^FO30,1170^A0N,20,20^FH_^FDR-L1-seats-3^FS
^PQ1
^XZ
"""

# ~HS as a ZT610 answers it: idle and healthy (strings per the ZPL II Programming Guide, ~HS).
HS_IDLE = b"\x02030,0,0,1218,000,0,0,0,000,0,0,0\x03\r\n\x02000,0,0,0,1,2,6,0,00000000,1,000\x03\r\n\x021234,0\x03\r\n"
# Paused with two formats waiting, one printing, a partial format, head up, ribbon out, over temperature.
HS_BUSY = b"\x02030,0,1,1218,002,0,0,1,000,0,0,1\x03\r\n\x02001,0,1,1,1,2,6,0,00000001,1,000\x03\r\n\x021234,1\x03\r\n"
HQES_MEDIA_OUT_HEAD_OPEN = (
    b"\x02\r\nPRINTER STATUS\r\n"
    b"   ERRORS:         1 00000000 00000005\r\n"
    b"   WARNINGS:       0 00000000 00000000\r\n"
    b"\x03\r\n"
)


# -- rendering ----------------------------------------------------------------------------------------------
def test_part_label_golden() -> None:
    assert render_label(PART) == GOLDEN_PART


def test_rack_label_golden() -> None:
    assert render_label(RACK) == GOLDEN_RACK


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("plain 12-AB", "plain 12-AB"),
        ("a^b~c_d\\e", "a_5Eb_7Ec_5Fd_5Ce"),
        ("line\nbreak\x7f", "line_0Abreak_7F"),
        ("Größe ÄÖÜ 座席", "Größe ÄÖÜ 座席"),  # ^CI28: UTF-8 goes through as is
    ],
)
def test_field_text_escaping(text: str, escaped: str) -> None:
    assert fh_text(text) == escaped
    assert unfh_text(escaped) == text


def test_code128_uses_invocation_codes_for_caret_gt_tilde() -> None:
    assert code128_data("A^B>C~D_E") == ">:A><B>0C>=D_E"
    assert uncode128_data(">:A><B>0C>=D_E") == "A^B>C~D_E"


def test_datamatrix_escapes_with_its_own_escape_character() -> None:
    assert datamatrix_data("A^B~C_D\x1d") == "A_d094B_d126C_d095D_d029"
    assert undatamatrix_data("A_d094B_d126C_d095D_d029") == "A^B~C_D\x1d"


@pytest.mark.parametrize(
    "label",
    [
        replace(PART, vehicle_id="WVWZZZ1JZ\u00c4W000001"),
        replace(PART, part="X" * 40),
    ],
    ids=["non-ascii-vin", "part-too-long"],
)
def test_unprintable_barcode_data_is_refused(label: PartLabel) -> None:
    with pytest.raises(ZplDataError):
        render_label(label)


# -- no field text can inject a command (Hypothesis, derandomized) -------------------------------------------
_BARCODE_TEXT = st.one_of(st.text(alphabet=sorted(BARCODE_ALPHABET), max_size=28), st.text(max_size=12))


def _parts() -> st.SearchStrategy[PartLabel]:
    return st.builds(
        PartLabel,
        label_id=_BARCODE_TEXT,
        feed=st.text(),
        seq=st.integers(0, 99_999),
        vehicle_id=_BARCODE_TEXT,
        part=_BARCODE_TEXT,
        description=st.text(),
        family=st.text(),
        rack_no=st.integers(0, 99_999),
        slot=st.integers(0, 99),
        plant=st.text(),
        reprint=st.integers(0, 99),
    )


def _racks() -> st.SearchStrategy[RackLabel]:
    return st.builds(
        RackLabel,
        label_id=st.text(),
        feed=st.text(),
        family=st.text(),
        rack_no=st.integers(0, 99_999),
        low_seq=st.integers(0, 99_999),
        high_seq=st.integers(0, 99_999),
        slots=st.integers(0, 999),
        plant=st.text(),
        line=st.text(),
        dock=st.text(),
        reprint=st.integers(0, 99),
    )


def _expected_fields(label: Label) -> list[str]:
    """What a reader must find on the label: each text (cut to its width) and each barcode's content."""
    layout = PART_LAYOUT if isinstance(label, PartLabel) else RACK_LAYOUT
    out: list[str] = []
    for element in layout:
        if isinstance(element, Text):
            out += wrap_words(element.text(label), element.max_chars, element.lines)
        elif isinstance(element, Slots) and isinstance(label, RackLabel):
            out += [slot_line(slot)[: element.max_chars] for slot in label.contents[: element.lines]]
        elif isinstance(element, Code128 | DataMatrix):
            data = element.data(label)
            out += [data] if data or isinstance(element, DataMatrix) else []
    return out


@settings(derandomize=True, database=None, max_examples=300, deadline=None)
@given(label=st.one_of(_parts(), _racks()))
def test_no_field_text_produces_a_stray_command(label: Label) -> None:
    try:
        zpl = render_label(label)
    except ZplDataError:
        barcodes = (
            (label.part, label.vehicle_id, label.label_id)
            if isinstance(label, PartLabel)
            else (label.dock, label.label_id)
        )
        assert any(set(b) - BARCODE_ALPHABET or len(b) > 20 for b in barcodes)
        return
    commands = lex(zpl)
    assert all(prefix == "^" for prefix, _, _ in commands), "a ~ control command leaked into the stream"
    assert {name for _, name, _ in commands} <= KNOWN_COMMANDS
    names = [name for _, name, _ in commands]
    assert (names[0], names[-1], names.count("XA"), names.count("XZ")) == ("XA", "XZ", 1, 1)
    parsed = parse_format(zpl)
    assert parsed.unknown == ()
    assert (parsed.label_id, parsed.reprint) == (label.label_id, label.reprint)
    assert [f.data for f in parsed.fields] == _expected_fields(label)


# -- ~HS and ~HQES --------------------------------------------------------------------------------------------
def test_host_status_golden_idle() -> None:
    status = parse_host_status(HS_IDLE)
    assert status == HostStatus(
        label_length_dots=1218, thermal_transfer=True, print_mode=2, print_width_mode=6, password="1234"
    )
    assert (status.faults, status.drained, status.holds_job) == ((), True, False)
    assert format_host_status(status) == HS_IDLE


def test_host_status_golden_busy_flags() -> None:
    status = parse_host_status(HS_BUSY)
    assert (status.paused, status.formats_in_buffer, status.partial_format, status.over_temperature) == (
        True,
        2,
        True,
        True,
    )
    assert (status.head_up, status.ribbon_out, status.labels_remaining, status.static_ram) == (True, True, 1, True)
    assert status.function_settings == "001"
    assert status.faults == ("paused", "head open", "ribbon out", "head over temperature")
    assert (status.drained, status.holds_job) == (False, True)
    assert format_host_status(status) == HS_BUSY


@pytest.mark.parametrize(
    "answer",
    [
        HS_IDLE[: HS_IDLE.rindex(b"\x02")],  # string 3 missing
        HS_IDLE.replace(b"1218", b"12x8"),  # not a number
        HS_IDLE.replace(b"0,0,0\x03", b"0,0\x03", 1),  # a field short
        b"",
    ],
)
def test_host_status_rejects_bad_answers(answer: bytes) -> None:
    with pytest.raises(ZplStatusError):
        parse_host_status(answer)


def test_error_status_golden() -> None:
    mask = parse_error_status(HQES_MEDIA_OUT_HEAD_OPEN)
    assert (mask, error_names(mask)) == (5, ("media out", "head open"))
    assert format_error_status(5) == HQES_MEDIA_OUT_HEAD_OPEN
    assert error_names(0x0A) == ("ribbon out", "cutter fault")
    assert parse_error_status(format_error_status(0)) == 0
    with pytest.raises(ZplStatusError):
        parse_error_status(b"\x02PRINTER STATUS\x03")


# -- the same facts in JSON (the status port) and one poll of both ----------------------------------------------
HS_IDLE_SGD = "030,0,0,1218,000,0,0,0,000,0,0,0\r\n000,0,0,0,1,2,6,0,00000000,1,000\r\n1234,0"


def test_json_getvars_golden() -> None:
    assert JSON_POLL == b'{}{"zpl.system_error":null}{}{"device.host_status":null}'
    assert ZPL_POLL == b"~HQES~HS"


def test_host_status_sgd_is_hs_without_stx_etx() -> None:
    status = parse_host_status(HS_IDLE)
    assert parse_host_status_sgd(HS_IDLE_SGD) == status
    assert format_host_status_sgd(status) == HS_IDLE_SGD
    for bad in (HS_IDLE_SGD.replace("1218", "12x8"), HS_IDLE_SGD.rsplit("\r\n", 1)[0], 7):
        with pytest.raises(ZplStatusError):
            parse_host_status_sgd(bad)


def test_system_error_golden_from_the_manual() -> None:
    """SGD ``zpl.system_error``: "flag, error flag, Group 2, Group 1"; the manual's example is paused, head open."""
    assert error_names(parse_system_error("1,1,00000000,00000004")) == ("head open",)
    assert parse_system_error("0,0,00000000,00000000") == 0
    assert parse_system_error("0,0,00000000,00000004") == 0  # the error flag rules, as in ~HQES
    assert format_system_error(4, paused=True) == "1,1,00000000,00000004"
    assert parse_system_error(format_system_error(0x0A)) == 0x0A
    for bad in ("1,1,00000004", "0,2,00000000,00000000", "0,1,00000000,0000000G", None):
        with pytest.raises(ZplStatusError):
            parse_system_error(bad)


def test_json_answers_are_read_as_they_arrive() -> None:
    data = b'{"zpl.system_error":"0,1,00000000,00000001"}\r\n{"device.host_status":"030'
    assert json_answers(data) == {"zpl.system_error": "0,1,00000000,00000001"}  # the second still arriving
    assert read_json_poll(data) == StatusPoll(errors=1)
    assert read_json_poll(b"") == StatusPoll() and not StatusPoll().complete
    whole = b'{"device.host_status":"' + HS_IDLE_SGD.encode().replace(b"\r\n", b"\\r\\n") + b'"}' + data[:45]
    poll = read_json_poll(whole)  # either order
    assert (poll.complete, poll.errors, poll.host) == (True, 1, parse_host_status(HS_IDLE))
    assert read_json_poll(b'["zpl.system_error"]').unreadable
    assert read_json_poll(b'{"device.host_status":"?"}') == StatusPoll(unreadable=True)
    # a firmware without zpl.system_error answers "?": no flags, but a printer that answers, and complete
    assert read_json_poll(
        b'{"zpl.system_error":"?"}{"device.host_status":"' + HS_IDLE_SGD.encode().replace(b"\r\n", b"\\r\\n") + b'"}'
    ) == StatusPoll(host=parse_host_status(HS_IDLE))


def test_zpl_poll_reads_hqes_then_hs() -> None:
    assert read_zpl_poll(HQES_MEDIA_OUT_HEAD_OPEN) == StatusPoll(errors=5)  # ~HS silent: the cause is known
    poll = read_zpl_poll(format_error_status(0) + HS_IDLE)
    assert (poll.complete, poll.errors, poll.host) == (True, 0, parse_host_status(HS_IDLE))
    assert read_zpl_poll(format_error_status(0) + HS_IDLE[:20]) == StatusPoll(errors=0)
    assert read_zpl_poll(HS_IDLE) == StatusPoll(host=parse_host_status(HS_IDLE))  # a firmware ignoring ~HQES
    assert read_zpl_poll(format_error_status(0) + HS_IDLE.replace(b"1218", b"12x8")) == StatusPoll(0, unreadable=True)
    assert read_zpl_poll(b"\x02 junk \x03") == StatusPoll()  # not complete: the time-out decides


@pytest.mark.parametrize("fault", ["paper_out", "ribbon_out", "head_open"])
def test_model_answers_the_json_error_flags_while_the_host_status_is_silent(fault: str) -> None:
    model = ZebraModel(print_time_s=0.5)
    model.set_fault(0.0, **{fault: True})
    assert model.getvar("device.host_status", 1.0) == b""
    poll = read_json_poll(model.getvar("zpl.system_error", 1.0))
    assert (poll.host, error_names(poll.errors or 0)) == (None, error_names(model.error_mask()))
    assert model.silent_polls == 1
    model.set_fault(2.0, **{fault: False})
    answers = model.getvar("zpl.system_error", 3.0) + model.getvar("device.host_status", 3.0)
    assert read_json_poll(answers) == StatusPoll(errors=0, host=model.status())


# -- the Zebra model (pure, time as an argument) --------------------------------------------------------------
def _feed(model: ZebraModel, data: bytes, now: float, splitter: StreamSplitter | None = None) -> bytes:
    splitter = splitter or StreamSplitter()
    return b"".join(model.handle(item, now) for item in splitter.feed(data))


def test_model_prints_each_format_after_print_time() -> None:
    model = ZebraModel(print_time_s=0.5)
    _feed(model, (render_label(PART) + render_label(RACK)).encode(), 0.0)  # two formats in one read
    model.advance(0.4)
    assert model.printed == []
    model.advance(1.0)
    assert [(p.label_id, p.time) for p in model.printed] == [("P17", 0.5), ("R-L1-seats-3", 1.0)]
    assert ("code128", "1PSEAT-LEATH-BLK-H") in model.printed[0].barcodes  # 1P: the supplier's part no.
    assert "Seat ^XZ~JA_x Größe" in model.printed[0].fields
    assert model.errors == []


def test_model_reassembles_formats_split_at_every_byte() -> None:
    data = render_label(PART).encode() + b"~HS"
    model, splitter, replies = ZebraModel(print_time_s=0.5), StreamSplitter(), b""
    for i in range(len(data)):
        replies += _feed(model, data[i : i + 1], 0.0, splitter)
    status = parse_host_status(replies)
    assert (status.labels_remaining, status.partial_format) == (1, False)  # the receipt: the printer holds it
    model.advance(0.5)
    assert [p.label_id for p in model.printed] == ["P17"]
    assert model.errors == []


@pytest.mark.parametrize("fault", ["paper_out", "ribbon_out", "head_open"])
def test_model_goes_silent_on_hs_but_answers_hqes(fault: str) -> None:
    model = ZebraModel(print_time_s=0.5)
    model.set_fault(0.0, **{fault: True})
    _feed(model, render_label(PART).encode(), 0.0)
    assert _feed(model, b"~HS", 5.0) == b""
    assert error_names(parse_error_status(_feed(model, b"~HQES", 5.0))) == error_names(model.error_mask())
    assert model.printed == []
    model.set_fault(6.0, **{fault: False})
    model.advance(6.5)
    assert [(p.label_id, p.time) for p in model.printed] == [("P17", 6.5)]


def test_model_paused_answers_and_holds_the_label() -> None:
    model = ZebraModel(print_time_s=0.5)
    model.set_fault(0.0, paused=True)
    _feed(model, render_label(PART).encode(), 0.0)
    status = parse_host_status(_feed(model, b"~HS", 3.0))
    assert (status.paused, status.formats_in_buffer, status.faults) == (True, 1, ("paused",))
    assert status.labels_remaining == 0
    assert model.printed == []


def test_model_restarts_a_label_interrupted_by_a_fault() -> None:
    model = ZebraModel(print_time_s=0.5)
    _feed(model, render_label(PART).encode(), 0.0)
    model.set_fault(0.3, head_open=True)
    model.set_fault(2.0, head_open=False)
    model.advance(2.4)
    assert model.printed == []
    model.advance(2.5)
    assert [p.time for p in model.printed] == [2.5]


def test_model_cancel_all_drops_a_half_received_format() -> None:
    model = ZebraModel(print_time_s=0.5)
    half = render_label(PART).encode()[:100]
    _feed(model, half, 0.0)
    assert model.status().partial_format
    _feed(model, b"~JA", 0.1)
    assert not model.status().partial_format
    _feed(model, render_label(RACK).encode(), 0.2)
    model.advance(1.0)
    assert [p.label_id for p in model.printed] == ["R-L1-seats-3"]
    assert model.errors == []


def test_model_runs_a_tilde_inside_field_data_as_a_command() -> None:
    """Why escaping matters: unescaped ~ in data is executed at once, and the label loses its text."""
    model = ZebraModel(print_time_s=0.5)
    replies = _feed(model, b"^XA^FO10,10^A0N,30,30^FDsize ~HS and ~XY^FS^XZ", 0.0)
    assert parse_host_status(replies).partial_format
    model.advance(1.0)
    assert model.printed[0].fields == ("size  and ",)
    assert model.errors == ["unknown control command ~XY"]
