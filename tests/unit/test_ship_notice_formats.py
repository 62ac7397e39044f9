"""The ship-notice writers (app/feed/outbound): DESADV read back by the project's EDIFACT parser and by pydifact,
an independent EDIFACT library; VDA 4913 checked record by record and field by position; X12 856 read by pyx12's
raw reader and the project's X12 syntax reader (docs/ship-notices.md)."""

from __future__ import annotations

import dataclasses
import io
import warnings

import pydifact.parser as pydifact_parser  # a dev dependency: a missing one fails the suite, never skips
import pytest
import pyx12.rawx12file as pyx12_raw
import pyx12.segment as pyx12_segment

from app.feed.outbound.build import build_notice
from app.feed.outbound.desadv import write_desadv
from app.feed.outbound.read import NoticeUnreadable, ReadItem, read_desadv, read_vda4913, read_x12_856, x12_segments
from app.feed.outbound.vda4913 import RECORD, FieldTooLong, write_vda4913
from app.feed.outbound.x12_856 import NotWritable, write_x12_856
from sequencer.commands import NoticeFunction, NoticeItem, SendShipNotice
from sequencer.plant import ShipNoticeConfig

AT = 1_700_000_000.0  # 2023-11-14 22:13 UTC
CFG = ShipNoticeConfig(supplier="123456789", ship_to="OEMPL1", sender_id="SUPP01", recipient_id="OEM01")


def notice(function: NoticeFunction = "original", version: int = 1, vin: str = "WVWZZZ1KZAW000001") -> SendShipNotice:
    items = tuple(
        NoticeItem(
            slot=slot,
            seq=9990 + slot,
            vehicle_id=vin if slot == 1 else f"VIN{slot:05d}",
            part="SEAT-LEATH-BLK-H" if slot % 2 else "SEAT+CLOTH:BLK'?",  # separators in a value are released
            qty=1,
            unit="PCE",
            label_id=f"P{100 + slot}",
        )
        for slot in (1, 2, 4)  # slot 3 shipped blank
    )
    return SendShipNotice(
        notice_id="L1-seats-7",
        number=42,
        version=version,
        function=function,
        feed="L1",
        family="seats",
        rack_no=7,
        rack_label="R-L1-seats-7",
        shipped_at=AT - 60,
        issued_at=AT,
        plant="SC01",
        line="A1",
        dock="D04",
        items=items,
    )


def expected(n: SendShipNotice) -> list[ReadItem]:
    return [ReadItem(i.seq, i.vehicle_id, i.part, i.qty, i.unit, i.label_id) for i in n.items]


def segments(raw: bytes) -> list[tuple[str, list[list[str]]]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydifact warns that it has no directory for validation
        parsed = list(pydifact_parser.Parser().parse(raw.decode("utf-8")))
    return [(s.tag, [e if isinstance(e, list) else [e] for e in s.elements]) for s in parsed if s.tag != "UNA"]


@pytest.mark.parametrize(("function", "code"), [("original", "9"), ("cancel", "1"), ("replace", "5")])
def test_desadv_round_trip_through_our_parser(function: NoticeFunction, code: str) -> None:
    n = notice(function, version=3)
    raw = write_desadv(n, CFG, at=AT, control="4203")
    back = read_desadv(raw)
    assert (back.notice_id, back.version, back.function, back.number) == ("L1-seats-7", 3, function, 42)
    assert (back.supplier, back.ship_to, back.unloading_point, back.rack_label) == (
        "123456789",
        "OEMPL1",
        "D04",
        "R-L1-seats-7",
    )
    assert back.items == expected(n)
    assert ("BGM", [["351"], ["L1-seats-7", "3"], [code]]) in segments(raw)


def test_desadv_carries_the_scanned_serial_and_batch_where_the_partner_wants_them() -> None:
    """With ``[ship_notices] traced``, each part's scanned serial and batch follow its label: GIN BN, GIN BX
    (UN/EDIFACT 7405); without it, none; our reader still reads the notice either way."""
    n = notice()
    scanned = tuple(
        dataclasses.replace(i, scanned_serial=f"S{i.slot}", scanned_batch="B7" if i.slot == 2 else "") for i in n.items
    )
    n = dataclasses.replace(n, items=scanned)
    traced = CFG.model_copy(update={"traced": True})
    gins = [e for tag, e in segments(write_desadv(n, traced, at=AT, control="4204")) if tag == "GIN"]
    assert gins == [[["ML"], [v]] if q == "ML" else [[q], [v]] for q, v in (
        ("ML", "R-L1-seats-7"), ("ML", "P101"), ("BN", "S1"), ("ML", "P102"), ("BN", "S2"), ("BX", "B7"),
        ("ML", "P104"), ("BN", "S4"))]  # fmt: skip
    assert read_desadv(write_desadv(n, traced, at=AT, control="4204")).items == expected(n)
    plain = [e for tag, e in segments(write_desadv(n, CFG, at=AT, control="4205")) if tag == "GIN"]
    assert [e[0] for e in plain] == [["ML"]] * 4


def scanned(n: SendShipNotice) -> SendShipNotice:
    """The notice with serials scanned at every pick and a batch at slot 2's only."""
    items = tuple(
        dataclasses.replace(i, scanned_serial=f"S{i.slot:019d}", scanned_batch="B2024X-0007" if i.slot == 2 else "")
        for i in n.items
    )
    return dataclasses.replace(n, items=items)


def test_vda4913_carries_the_scanned_serial_and_batch_where_the_partner_wants_them() -> None:
    """With ``[ship_notices] traced``, each 714 carries its part's scanned serial at 95-114 and batch at 115-128
    (blank when not scanned); without it, both blank; the rest of the record and our reader unchanged. A serial
    longer than its field is refused, never cut."""
    n = scanned(notice())
    traced = CFG.model_copy(update={"traced": True})
    items = [r for r in write_vda4913(n, traced, at=AT, transmission=7).decode("ascii").split("\r\n") if r[:3] == "714"]
    assert all(len(r) == RECORD for r in items)
    assert [(r[94:114], r[114:128]) for r in items] == [
        (f"S{1:019d}", " " * 14),
        (f"S{2:019d}", "B2024X-0007   "),
        (f"S{4:019d}", " " * 14),
    ]
    plain = [r for r in write_vda4913(n, CFG, at=AT, transmission=7).decode("ascii").split("\r\n") if r[:3] == "714"]
    assert [r[94:] for r in plain] == [" " * 34] * 3
    assert [r[:94] for r in plain] == [r[:94] for r in items]
    assert read_vda4913(write_vda4913(n, traced, at=AT, transmission=7)).items == expected(n)
    too_long = dataclasses.replace(n, items=(dataclasses.replace(n.items[0], scanned_serial="S" * 21),))
    with pytest.raises(FieldTooLong, match="serial"):
        write_vda4913(too_long, traced, at=AT, transmission=7)


def test_x12_856_carries_the_scanned_serial_and_lot_where_the_partner_wants_them() -> None:
    """With ``[ship_notices] traced``, each item's LIN carries its scanned serial (SN) and batch (LT) after the part
    number, each only when scanned, as pyx12 reads it; without it, the LIN names the part only."""
    n = scanned(notice())
    traced = CFG.model_copy(update={"traced": True})
    raw = write_x12_856(n, traced, at=AT, control=4206)
    lins = [s for s in pyx12_segments(raw) if s[0] == "LIN"]
    assert lins == [
        ["LIN", "", "VP", "SEAT-LEATH-BLK-H", "SN", f"S{1:019d}"],
        ["LIN", "", "VP", "SEAT+CLOTH:BLK'?", "SN", f"S{2:019d}", "LT", "B2024X-0007"],
        ["LIN", "", "VP", "SEAT+CLOTH:BLK'?", "SN", f"S{4:019d}"],
    ]
    assert x12_segments(raw) == pyx12_segments(raw)
    assert read_x12_856(raw).items == expected(n)
    plain = [s for s in pyx12_segments(write_x12_856(n, CFG, at=AT, control=4207)) if s[0] == "LIN"]
    assert plain == [["LIN", "", "VP", i.part] for i in n.items]
    with pytest.raises(NotWritable):
        write_x12_856(
            dataclasses.replace(n, items=(dataclasses.replace(n.items[0], scanned_batch="B*1"),)),
            traced,
            at=AT,
            control=1,
        )


def test_desadv_as_pydifact_reads_it() -> None:
    """Segment by segment as docs/ship-notices.md maps it, read by an independent EDIFACT library."""
    n = notice()
    segs = segments(write_desadv(n, CFG, at=AT, control="4201"))
    tags = [tag for tag, _ in segs]
    assert tags[:13] == ["UNB", "UNH", "BGM", "DTM", "DTM", "RFF", "NAD", "NAD", "LOC", "CPS", "CPS", "PAC", "PCI"]
    assert tags[-2:] == ["UNT", "UNZ"]
    by_tag = {}
    for tag, elements in segs:
        by_tag.setdefault(tag, []).append(elements)
    assert by_tag["UNH"][0] == [["1"], ["DESADV", "D", "07A", "UN"]]
    assert by_tag["DTM"] == [[["137", "202311142213", "203"]], [["11", "202311142212", "203"]]]
    assert by_tag["NAD"] == [[["SE"], ["123456789", "", "92"]], [["ST"], ["OEMPL1", "", "92"]]]
    assert by_tag["LOC"] == [[["11"], ["D04"]]]
    assert by_tag["CPS"] == [[["1"]], [["2"], ["1"]], [["3"], ["2"]], [["4"], ["2"]], [["5"], ["2"]]]
    assert by_tag["GIN"] == [[["ML"], [label]] for label in ("R-L1-seats-7", "P101", "P102", "P104")]
    assert by_tag["PIA"] == [[["5"], [i.part, "SA"]] for i in n.items]
    assert by_tag["QTY"] == [[["12", "1", "PCE"]]] * 3
    assert by_tag["RFF"][1:] == [[["AAN", str(i.seq)]] for i in n.items]
    assert by_tag["GIR"] == [[["3"], [i.vehicle_id, "VV"]] for i in n.items]
    unh_to_unt = tags.index("UNT") - tags.index("UNH") + 1
    assert by_tag["UNT"] == [[[str(unh_to_unt)], ["1"]]]
    assert by_tag["UNB"][0][4] == ["4201"] and by_tag["UNZ"] == [[["1"], ["4201"]]]


def test_a_broken_desadv_is_unreadable() -> None:
    raw = write_desadv(notice(), CFG, at=AT, control="1")
    with pytest.raises(NoticeUnreadable):
        read_desadv(raw.replace(b"UNT+", b"UNT+9"))
    with pytest.raises(NoticeUnreadable):
        read_desadv(b"UNB+UNOC:3+A+B+231114:2213+1'UNZ+0+1'")


def test_vda4913_records_and_fields_by_position() -> None:
    n = notice("replace", version=2)
    raw = write_vda4913(n, CFG, at=AT, transmission=4202)
    lines = raw.decode("ascii").split("\r\n")
    assert lines[-1] == ""
    records = lines[:-1]
    assert all(len(r) == RECORD for r in records)
    assert [r[:3] for r in records] == [
        "711",
        "712",
        "713",
        "714",
        "714",
        "714",
        "715",
        "718",
        "718",
        "718",
        "718",
        "719",
    ]
    assert all(r[3:5] == "03" for r in records)
    h = records[0]  # 711: customer 6-14, supplier 15-23, transmission old 24-28 / new 29-33, date 34-39
    assert (h[5:14], h[14:23], h[23:28], h[28:33], h[33:39]) == ("OEMPL1   ", "123456789", "04201", "04202", "231114")
    assert h[39:].strip() == ""
    t = records[1]  # 712: shipment 6-13, supplier plant 14-16, date 17-22, time 23-26
    assert (t[5:13], t[13:16], t[16:22], t[22:26]) == ("00000042", "SC0", "231114", "2212")
    d = records[2]  # 713: delivery note 6-13, despatch date 14-19, unloading point 20-24, function 25, version 26-28
    assert (d[5:13], d[13:19], d[19:24], d[24], d[25:28], d[28:63].rstrip()) == (
        "00000042",
        "231114",
        "D04  ",
        "5",
        "002",
        "L1-seats-7",
    )
    p = records[3]  # 714: customer part 6-27, supplier part 28-49, call-off 50-57, quantity 58-66, unit 67-69,
    # slot 70-72, vehicle 73-94
    assert (p[5:27].rstrip(), p[27:49].rstrip(), p[49:57], p[57:66], p[66:69], p[69:72], p[72:94].rstrip()) == (
        "SEAT-LEATH-BLK-H",
        "SEAT-LEATH-BLK-H",
        "00009991",
        "000001000",
        "PCE",
        "001",
        "WVWZZZ1KZAW000001",
    )
    r = records[6]  # 715: packaging 6-27, packages 28-34, parts 35-41
    assert (r[5:27].rstrip(), r[27:34], r[34:41]) == ("seats", "0000001", "0000003")
    assert [(x[5], x[6:41].rstrip()) for x in records[7:11]] == [
        ("R", "R-L1-seats-7"),
        *[("P", f"P10{s}") for s in (1, 2, 4)],
    ]
    z = records[11]  # 719: counts of 711, 712, 713, 714, 715, 718, 719 at 6, 13, 20, 27, 34, 41, 48 (7 each)
    assert [int(z[i : i + 7]) for i in range(5, 54, 7)] == [1, 1, 1, 3, 1, 4, 1]


def test_vda4913_round_trip_and_refusals() -> None:
    n = notice()
    back = read_vda4913(write_vda4913(n, CFG, at=AT, transmission=1))
    assert (back.notice_id, back.version, back.function, back.number, back.rack_label) == (
        "L1-seats-7",
        1,
        "original",
        42,
        "R-L1-seats-7",
    )
    assert back.items == expected(n)
    with pytest.raises(FieldTooLong, match="vehicle"):
        write_vda4913(notice(vin="V" * 23), CFG, at=AT, transmission=1)
    with pytest.raises(NoticeUnreadable, match="not 128"):
        read_vda4913(b"711" + b" " * 10 + b"\r\n")


def test_build_picks_the_feed_s_format() -> None:
    cfg = CFG.model_copy(update={"feed_formats": {"L1": "vda4913"}})
    assert build_notice(notice(), cfg).file_name == "L1-seats-7-v1.txt"
    built = build_notice(notice(), CFG)
    assert (built.format, built.file_name) == ("desadv", "L1-seats-7-v1.edi")
    assert built.body == build_notice(notice(), CFG).body  # the same version builds the same bytes


def pyx12_segments(raw: bytes) -> list[list[str]]:
    """An independent X12 reader (pyx12's raw segment reader), as tests/unit/test_formats_reference.py uses it."""
    reader = pyx12_raw.RawX12File(io.StringIO(raw.decode("ascii")))
    seg_term, ele_term, sub_term = reader.get_term()[:3]
    out = []
    for line in reader:
        seg = pyx12_segment.Segment(line, seg_term, ele_term, sub_term)
        sid = seg.get_seg_id()
        out.append([sid, *[seg.get_value(f"{sid}{i:02d}") or "" for i in range(1, len(seg) + 1)]])
    return out


@pytest.mark.parametrize(("function", "code"), [("original", "00"), ("cancel", "01"), ("replace", "05")])
def test_x12_856_as_pyx12_and_our_reader_read_it(function: NoticeFunction, code: str) -> None:
    n = notice(function, version=2)
    raw = write_x12_856(n, CFG, at=AT, control=4202)
    theirs = pyx12_segments(raw)
    assert [s[0] for s in theirs[:3]] == ["ISA", "GS", "ST"] and [s[0] for s in theirs[-3:]] == ["SE", "GE", "IEA"]
    assert ["BSN", code, "L1-seats-7-2", "20231114", "2213"] in theirs
    assert [s for s in theirs if s[0] == "HL"] == [["HL", "1", "", "S"], ["HL", "2", "1", "T"]] + [
        ["HL", str(k), "2", "I"] for k in (3, 4, 5)
    ]
    assert [s[2] for s in theirs if s[0] == "REF" and s[1] == "VV"] == [i.vehicle_id for i in n.items]
    assert [s[2] for s in theirs if s[0] == "REF" and s[1] == "JS"] == [str(i.seq) for i in n.items]
    st, se = (
        next(i for i, s in enumerate(theirs) if s[0] == "ST"),
        next(i for i, s in enumerate(theirs) if s[0] == "SE"),
    )
    assert theirs[se][1] == str(se - st + 1)
    assert x12_segments(raw) == theirs, "the project's X12 syntax reader and pyx12 agree segment by segment"
    back = read_x12_856(raw)
    assert (back.notice_id, back.version, back.function, back.number, back.rack_label) == (
        "L1-seats-7", 2, function, 42, "R-L1-seats-7"
    )  # fmt: skip
    assert back.items == expected(n)


def test_x12_856_refuses_a_separator_in_a_value() -> None:
    with pytest.raises(NotWritable):
        write_x12_856(notice(vin="VIN*1"), CFG, at=AT, control=1)
