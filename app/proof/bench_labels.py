"""``jis bench labels``: what rendering one label to ZPL costs, a part label and a rack label, against a raw reference.

What it measures: ``render_part_label`` and ``render_rack_label`` with the built-in layouts (what the Zebra and the
OPC UA print engine send for every pick and every full rack) on a demo-plant part label with every GTL field and
an 8-slot rack label (the demo plant's largest rack), p50 and p90 of single calls in microseconds.
The reference, timed in the same loop, call for call and in alternating order: the same ZPL written as one
hand-made f-string per label kind (``raw_part``, ``raw_rack``), which the run checks to be byte-identical. It does
the same work for the label's content (the same field escapes ``fh_text``, ``code128_data``, ``datamatrix_data``,
the same ISO/IEC 15434 records ``part_2d`` and ``rack_2d``, the date, the description's word wrap) but has no
layout: no element table, no dispatch per element, no word wrap of fields that never wrap (it writes them with the
single spaces the wrap leaves), no optional field left out.
So the ratio is what the plant file's layouts cost over a template compiled by hand, not the escaping.
What it must not do: open a printer, a socket or a file.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from plc_io.zpl_labels.fields import code128_data, datamatrix_data, fh_text
from plc_io.zpl_labels.layouts import (
    label_comment,
    label_date,
    part_2d,
    rack_2d,
    render_part_label,
    render_rack_label,
    wrap_words,
)
from sequencer.labels import PartLabel, RackLabel, RackSlot

TRIALS = 5000
VARIANTS = 50  # labels cycled through (sequence nos. and serials differ, as on the line)

PART = PartLabel(
    label_id="P17", feed="L1", seq=42, vehicle_id="WVWZZZ1JZXW000001", part="SEAT-LEATH-BLK-H", plant="SC01",
    description="Front seat pair, leather, black, heated, with lumbar support", family="seats", rack_no=3, slot=2,
    qty=1, serial="4711000000000017", supplier="471100", customer_part="5G0881105AB", ship_to="OEMPLANT1",
    unloading_point="D04", labelled_at=1_796_626_800.0, timezone="Europe/Berlin",
)  # fmt: skip
RACK = RackLabel(
    label_id="R-L1-bumper-3", feed="L1", family="bumper", rack_no=3, low_seq=41, high_seq=48, slots=8, plant="SC01",
    line="A1", dock="D04", serial="4711000000000099", supplier="471100", ship_to="OEMPLANT1", qty=8,
    contents=tuple(RackSlot(i + 1, 41 + i, "BMP-1A2-PDC", f"471100{i + 20:010d}") for i in range(8)),
    labelled_at=1_796_626_800.0, timezone="Europe/Berlin",
)  # fmt: skip


def _t(x: int, y: int, size: int, text: str) -> str:
    return f"^FO{x},{y}^A0N,{size},{size}^FH_^FD{fh_text(text)}^FS\n"


def raw_part(lb: PartLabel) -> str:
    """The built-in part layout's ZPL for a label with every GTL field, written out by hand."""
    desc = wrap_words(lb.description, 52, 2)
    reprint = _t(20, 140, 28, f"REPRINT {lb.reprint}") if lb.reprint else ""
    return (
        f"^XA\n{label_comment(lb)}\n^CI28\n^PW812\n^LL609\n^LH0,0\n"
        f"^FO20,12^A0N,24,24^FH_^FDSEQ^FS\n{_t(20, 38, 90, str(lb.seq))}"
        f"^FO340,20^BY2^BCN,80,N,N,N,N^FD{code128_data(str(lb.seq), 5)}^FS\n{reprint}"
        f"^FO586,14^BXN,3,200,64,64,,_^FD{datamatrix_data(part_2d(lb), columns=64)}^FS\n"
        f"^FO20,190^A0N,24,24^FH_^FDPART NO. (1P)^FS\n{_t(20, 216, 44, lb.part)}"
        f"^FO40,268^BY2^BCN,60,N,N,N,N^FD{code128_data('1P' + lb.part, 22)}^FS\n"
        f"{_t(20, 336, 22, f'CUST. PART (P) {lb.customer_part}')}"
        f"^FO20,364^A0N,22,22^FH_^FDVIN (I)^FS\n{_t(130, 360, 30, lb.vehicle_id)}"
        f"^FO40,396^BY2^BCN,50,N,N,N,N^FD{code128_data('I' + lb.vehicle_id, 18)}^FS\n"
        f"^FO640,334^A0N,22,22^FH_^FDQTY (Q)^FS\n{_t(640, 358, 44, str(lb.qty))}"
        f"{_t(540, 406, 20, f'SUPPLIER (V) {lb.supplier}')}{_t(540, 430, 20, f'DATE (D) {label_date(lb)}')}"
        + "".join(_t(20, 456 + 24 * i, 24, line) for i, line in enumerate(desc))
        + f"{_t(20, 512, 20, f'SHIP TO (2L) {lb.ship_to} {lb.unloading_point}')}"
        f"{_t(20, 540, 20, f'SERIAL (1J) {lb.serial}')}"
        f"{_t(20, 568, 20, f'{lb.family} RACK {lb.rack_no} SLOT {lb.slot} {lb.feed} {lb.plant}')}"
        "^PQ1\n^XZ\n"
    )


def raw_rack(lb: RackLabel) -> str:
    """The built-in rack layout's ZPL for a label with every GTL field and no scans, written out by hand."""
    slots = "".join(
        _t(26, 756 + 16 * i, 16, f"{s.slot:>3} {s.seq:>5} {s.part} {s.serial}") for i, s in enumerate(lb.contents)
    )
    reprint = _t(420, 500, 24, f"REPRINT {lb.reprint}") if lb.reprint else ""
    return (
        f"^XA\n{label_comment(lb)}\n^CI28\n^PW812\n^LL1218\n^LH0,0\n"
        "^FO10,10^GB792,1198,3^FS\n^FO10,200^GB792,0,3^FS\n^FO10,400^GB792,0,3^FS\n^FO10,600^GB792,0,3^FS\n"
        f"^FO30,22^A0N,24,24^FH_^FDSHIP TO (2L)^FS\n{_t(30, 52, 50, lb.ship_to)}"
        f"{_t(30, 120, 24, f'DOCK {lb.dock} LINE {lb.line}')}"
        f"^FO560,22^A0N,24,24^FH_^FDPLANT^FS\n{_t(560, 52, 50, lb.plant)}"
        f"{_t(30, 150, 24, f'DATE (D) {label_date(lb)}')}{_t(30, 212, 24, f'SUPPLIER (V) {lb.supplier}')}"
        f"^FO50,250^BY2^BCN,60,N,N,N,N^FD{code128_data('V' + lb.supplier, 10)}^FS\n"
        f"^FO30,322^A0N,24,24^FH_^FDQTY (Q)^FS\n{_t(200, 316, 50, str(lb.qty))}"
        f"^FO360,316^BY2^BCN,60,N,N,N,N^FD{code128_data(f'Q{lb.qty}', 5)}^FS\n"
        f"^FO30,412^A0N,24,24^FH_^FDRACK NO.^FS\n{_t(30, 440, 90, str(lb.rack_no))}"
        f"{_t(420, 412, 24, f'SEQ {lb.low_seq} - {lb.high_seq}')}{_t(420, 450, 30, f'{lb.family} FEED {lb.feed}')}"
        f"{reprint}{_t(30, 612, 24, f'SERIAL (5J) {lb.serial}')}"
        f"^FO50,644^BY2^BCN,70,N,N,N,N^FD{code128_data('5J' + lb.serial, 21)}^FS\n"
        f"^FO26,730^A0N,20,20^FH_^FDSLOT SEQ PART NO. / SERIAL^FS\n{slots}"
        f"^FO482,730^BXN,3,200,104,104,,_^FD{datamatrix_data(rack_2d(lb), columns=104)}^FS\n"
        f"{_t(30, 1170, 20, lb.label_id)}^PQ1\n^XZ\n"
    )


def _variants() -> tuple[list[PartLabel], list[RackLabel]]:
    parts = [replace(PART, seq=PART.seq + i, serial=f"471100{17 + i:010d}") for i in range(VARIANTS)]
    racks = [replace(RACK, rack_no=RACK.rack_no + i, serial=f"471100{99 + i:010d}") for i in range(VARIANTS)]
    return parts, racks


def _timed(render: Callable[[Any], str], reference: Callable[[Any], str], labels: list[Any],
           trials: int) -> dict[str, Any]:  # fmt: skip
    """p50 and p90 of single calls of each, interleaved call for call (which goes first alternates), in µs."""
    for label in labels:  # warm up, and the reference must write exactly what the layout writes
        if render(label) != reference(label):
            raise AssertionError(f"the raw reference differs from the layout's ZPL for {label.label_id}")
    ours: list[float] = []
    raw: list[float] = []
    clock = time.perf_counter_ns
    for i in range(trials):
        label = labels[i % len(labels)]
        first, second, into = (render, reference, (ours, raw)) if i % 2 else (reference, render, (raw, ours))
        t0 = clock()
        first(label)
        t1 = clock()
        second(label)
        t2 = clock()
        into[0].append((t1 - t0) / 1000)
        into[1].append((t2 - t1) / 1000)
    p50, ref50 = statistics.median(ours), statistics.median(raw)
    return {
        "p50_us": round(p50, 1),
        "p90_us": round(statistics.quantiles(ours, n=10)[-1], 1),
        "reference_p50_us": round(ref50, 1),
        "reference_p90_us": round(statistics.quantiles(raw, n=10)[-1], 1),
        "ratio": round(p50 / ref50, 2),
        "bytes": len(render(labels[0])),
        "identical": True,
    }


def run(trials: int = TRIALS) -> dict[str, Any]:
    """The part and rack label's render times beside the raw reference (``jis bench labels``), and the headline
    figures: ``label_render_us`` and ``label_render_ratio`` (the part label), ``label_rack_render_us`` and
    ``label_rack_render_ratio``."""
    parts, racks = _variants()
    part = _timed(render_part_label, raw_part, parts, trials)
    rack = _timed(render_rack_label, raw_rack, racks, trials)
    return {
        "label_render_us": part["p50_us"],
        "label_render_ratio": part["ratio"],
        "label_rack_render_us": rack["p50_us"],
        "label_rack_render_ratio": rack["ratio"],
        "labels": {"part": part, "rack": rack, "trials": trials, "rack_slots": len(RACK.contents)},
    }
