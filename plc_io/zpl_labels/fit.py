"""Does every label fit its layout? Checked when the plant file is loaded, so nothing is ever printed over another
field: each element's box, the longest value the plant file allows in each field, and each Data Matrix's size.

What it does: ``element_box`` is the space an element takes (text: ``max_chars`` x ``lines`` at ``CHAR_WIDTH``;
Code 128: its bars for ``max_chars`` characters plus 10 modules of quiet zone each side; Data Matrix: the fixed
symbol plus its 1-module quiet zone); ``layout_problems`` names every box outside its label, every two boxes that
overlap (frames and rules excepted), every part number, supplier number or slot line longer than the layout holds,
and every Data Matrix too small for the longest record; with ``[labels] traced`` a slot takes two lines and its
scanned serial and batch are as long as the families' ``scan_patterns`` let them be (``scanned_bound``; a pattern
that does not bound them is named); ``fixed_columns`` fixes a template's Data Matrix left at
``columns = 0`` to the smallest ECC 200 square that holds the longest record. Pure.
What it must not do: render a label (``layouts``), or read a file.
"""

from __future__ import annotations

import re._parser as sre  # the parser re compiles with: a group's widths
from typing import Any

from plc_io.zpl_labels.fields import DATAMATRIX_CAPACITY, GS, RS, codewords
from plc_io.zpl_labels.layouts import (
    BUILT_IN,
    CHAR_WIDTH,
    DATAMATRIX_QUIET,
    QUIET_MODULES,
    Box,
    Code128,
    DataMatrix,
    Layouts,
    Slots,
    Text,
    layouts_from_plant,
    part_2d,
    rack_2d,
    slot_line,
    trace_line,
)
from sequencer.labels import PartLabel, RackLabel, RackSlot
from sequencer.plant import LabelLayout, PlantConfig
from sequencer.rules.gtl import SERIAL_DIGITS

VIN_CHARS = 17  # ISO 3779
Rect = tuple[int, int, int, int]  # x0, y0, x1, y1 (exclusive)


def smallest_square(data: str) -> int | None:
    need = codewords(data)
    return next((side for side, cap in DATAMATRIX_CAPACITY.items() if cap >= need), None)


def element_box(element: Any) -> Rect | None:
    """The space an element takes, quiet zones included; None for a frame or rule."""
    if isinstance(element, Box):
        return None
    if isinstance(element, Text | Slots):
        width = round(element.max_chars * element.height * CHAR_WIDTH)
        return (element.x, element.y, element.x + width, element.y + element.height * element.lines)
    if isinstance(element, Code128):
        m = element.module
        bars = (11 * (element.max_chars + 2) + 13) * m  # start, data, check, stop (13 with its final bar)
        return (
            element.x - QUIET_MODULES * m,
            element.y,
            element.x + bars + QUIET_MODULES * m,
            element.y + element.height,
        )
    side = (element.columns + 2 * DATAMATRIX_QUIET) * element.module
    q = DATAMATRIX_QUIET * element.module
    return (element.x - q, element.y - q, element.x - q + side, element.y - q + side)


def _overlap(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _longest(values: list[str]) -> str:
    return max(values, key=len, default="")


def _nested(av: Any) -> Any:
    """The parsed subpatterns inside one parsed item's arguments (a group's, a repeat's, each branch's)."""
    for x in av if isinstance(av, tuple | list) else (av,):
        if isinstance(x, sre.SubPattern):
            yield x
        elif isinstance(x, tuple | list):
            yield from _nested(x)


def _group_width(items: Any, gid: int) -> tuple[int, int] | None:
    """(least, most) characters group ``gid`` matches, searched through a parsed pattern's nesting."""
    for op, av in items:
        if op is sre.SUBPATTERN and av[0] == gid:
            low, high = av[3].getwidth()
            return int(low), int(high)
        for sub in _nested(av):
            if (found := _group_width(sub, gid)) is not None:
                return found
    return None


def scanned_bound(plant: PlantConfig, group: str) -> int | None:
    """The most characters a scan's ``group`` (serial or batch) can have by the families' ``scan_patterns``: 0 when
    no pattern has it, None when one leaves it unbounded."""
    most = 0
    for family in plant.families:
        for pattern in family.scan_patterns:
            parsed = sre.parse(pattern)
            gid = parsed.state.groupdict.get(group)
            width = _group_width(parsed, gid) if gid is not None else (0, 0)
            if width is None or width[1] >= sre.MAXREPEAT:
                return None
            most = max(most, width[1])
    return most


def longest_labels(
    plant: PlantConfig, supplier: str, ship_to: str, *, traced: bool = False
) -> tuple[PartLabel, RackLabel]:
    """A part and a rack label with the longest values the plant file allows in every field (``traced``: with each
    slot's scanned serial and batch as long as the scan patterns allow)."""
    serial = supplier + "9" * SERIAL_DIGITS
    seq = max(f.modulus for f in plant.feeds) - 1
    part = max(plant.parts, key=lambda p: len(p.number))
    dock = _longest([f.dock for f in plant.feeds])
    capacity = max(f.rack_capacity for f in plant.families)
    longest_part = PartLabel(
        label_id="P" + "9" * 9, feed=_longest([f.id for f in plant.feeds]), seq=seq, vehicle_id="W" * VIN_CHARS,
        part=part.number, description=part.description, family=_longest([f.id for f in plant.families]),
        rack_no=999999, slot=capacity, plant=plant.plant.code, reprint=99, qty=9999, serial=serial, supplier=supplier,
        customer_part=_longest([p.customer_number for p in plant.parts]), ship_to=ship_to, unloading_point=dock,
        labelled_at=4_102_358_400.0,  # 2099-12-31
    )  # fmt: skip
    scanned = [(scanned_bound(plant, g) or 0) if traced else 0 for g in ("serial", "batch")]
    slots = tuple(
        RackSlot(i + 1, seq, part.number, serial, scanned_serial="9" * scanned[0], scanned_batch="9" * scanned[1])
        for i in range(capacity)
    )
    longest_rack = RackLabel(
        label_id="R-" + longest_part.feed + "-" + longest_part.family + "-999999", feed=longest_part.feed,
        family=longest_part.family, rack_no=999999, low_seq=seq, high_seq=seq, slots=capacity, plant=plant.plant.code,
        line=_longest([f.line for f in plant.feeds]), dock=dock, reprint=99, serial=serial, supplier=supplier,
        ship_to=ship_to, labelled_at=4_102_358_400.0, qty=9999, contents=slots,
    )  # fmt: skip
    return longest_part, longest_rack


def _templates(plant: PlantConfig) -> list[tuple[str, str, str, Layouts, bool]]:
    """(where, supplier, ship-to, layouts, traced) of the plant's labels and each partner's."""
    layouts = layouts_from_plant(plant.labels)
    code = plant.plant.code
    out = [("labels", plant.labels.supplier or code, plant.labels.ship_to, layouts, plant.labels.traced)]
    for name, own in plant.labels.partners.items():
        where = f"labels.partners.{name}"
        out.append((where, own.supplier or plant.labels.supplier or code, own.ship_to or plant.labels.ship_to,
                    layouts.of(name), plant.labels.traced_for(name)))  # fmt: skip
    return out


def _unbounded(where: str, plant: PlantConfig) -> list[str]:
    return [
        f"{where}.traced: a family's scan_patterns do not bound the {group}'s length, so the rack label cannot be "
        f"checked to fit (give the group a bounded repeat, e.g. [0-9]{{8,20}})"
        for group in ("serial", "batch")
        if scanned_bound(plant, group) is None
    ]


def layout_problems(plant: PlantConfig) -> list[str]:
    """Every way a label of this plant would not fit its layout, one sentence each naming the layout and field."""
    problems: list[str] = []
    for where, supplier, ship_to, layouts, traced in _templates(plant):
        part, rack = longest_labels(plant, supplier, ship_to, traced=traced)
        problems += _unbounded(where, plant) if traced else []
        own_part = layouts.part is not BUILT_IN.part
        own_rack = layouts.rack is not BUILT_IN.rack
        for kind, label, elements, size in (
            ("part", part, layouts.part, layouts.part_size),
            ("rack", rack, layouts.rack, layouts.rack_size),
        ):
            name = f"{where}.{kind}" if (own_part if kind == "part" else own_rack) else f"{where}.{kind} (built-in)"
            problems += _geometry(name, elements, size)
            problems += _data(name, label, elements, plant)
    return problems


def _geometry(name: str, elements: Any, size: tuple[int, int]) -> list[str]:
    problems: list[str] = []
    boxes = [(i, element_box(e)) for i, e in enumerate(elements)]
    placed = [(i, b) for i, b in boxes if b is not None]
    for i, b in placed:
        if b[0] < 0 or b[1] < 0 or b[2] > size[0] or b[3] > size[1]:
            problems.append(f"{name}.elements[{i}]: {b} reaches beyond the label (0, 0, {size[0]}, {size[1]})")
    for n, (i, a) in enumerate(placed):
        for j, b in placed[n + 1 :]:
            if _overlap(a, b):
                problems.append(f"{name}.elements[{i}] and [{j}] overlap ({a} and {b}): one would print over the other")
    return problems


def _data(name: str, label: Any, elements: Any, plant: PlantConfig) -> list[str]:
    """The longest values against the space each element keeps (a description may be abbreviated; nothing else)."""
    problems: list[str] = []
    for i, e in enumerate(elements):
        if isinstance(e, Code128):
            data = e.data(label)
            if len(data) > e.max_chars:
                problems.append(f"{name}.elements[{i}]: Code 128 {data!r} ({_culprit(data, label)}) is {len(data)} "
                                f"characters, the layout holds {e.max_chars}")  # fmt: skip
        elif isinstance(e, Text):
            text = e.text(label)
            if len(text) > e.max_chars * e.lines and not (isinstance(label, PartLabel) and text == label.description):
                problems.append(f"{name}.elements[{i}]: {text!r} ({_culprit(text, label)}) is {len(text)} characters, "
                                f"the layout holds {e.max_chars * e.lines}")  # fmt: skip
        elif isinstance(e, Slots):
            capacity = max(f.rack_capacity for f in plant.families)
            per_slot = 2 if any(trace_line(slot) for slot in label.contents[:1]) else 1
            if capacity * per_slot > e.lines:
                scans = f"{e.lines} lines, {e.lines // 2} slots with their scans"
                what = f"{e.lines} slots" if per_slot == 1 else scans
                problems.append(f"{name}.elements[{i}]: the slot list holds {what}, a rack has up to "
                                f"{capacity} (families.rack_capacity; a larger rack needs a rack layout of its own "
                                f"with more lines, e.g. on a longer label: docs/printer-zpl.md)")  # fmt: skip
            for slot in label.contents[:1]:
                line = slot_line(slot)
                if len(line) > e.max_chars:
                    problems.append(f"{name}.elements[{i}]: slot line {line!r} (parts.{slot.part}: the longest part "
                                    f"number) is {len(line)} characters, the layout holds {e.max_chars}")  # fmt: skip
                scans = trace_line(slot)
                if len(scans) > e.max_chars:
                    problems.append(f"{name}.elements[{i}]: scanned line {scans.strip()!r} (the longest serial and "
                                    f"batch the scan_patterns allow) is {len(scans)} characters, the layout holds "
                                    f"{e.max_chars}")  # fmt: skip
        elif isinstance(e, DataMatrix):
            record = part_2d(label) if isinstance(label, PartLabel) else rack_2d(label)
            need, cap = codewords(record), DATAMATRIX_CAPACITY.get(e.columns, 0)
            if need > cap:
                shown = record.replace(RS, " ").replace(GS, " ")
                problems.append(f"{name}.elements[{i}]: Data Matrix {e.columns}x{e.columns} holds {cap} codewords, "
                                f"the longest record takes {need} ({shown[:60]}...)")  # fmt: skip
    return problems


def _culprit(value: str, label: Any) -> str:
    if isinstance(label, PartLabel | RackLabel) and label.supplier and label.supplier in value:
        return "labels.supplier"
    part = getattr(label, "part", "")
    if part and part in value:
        return f"parts.{part}: the longest part number"
    if getattr(label, "customer_part", "") and label.customer_part in value:
        return "parts.customer_number: the longest"
    return "the longest value the plant file allows"


def fixed_columns(plant: PlantConfig) -> dict[tuple[str, ...], int]:
    """For each template Data Matrix left at ``columns = 0``: its key path and the smallest square that holds the
    longest record (absent when none does: ``layout_problems`` names it)."""
    out: dict[tuple[str, ...], int] = {}
    sources: list[tuple[tuple[str, ...], str, str, LabelLayout | None, LabelLayout | None, bool]] = [
        ((), plant.labels.supplier, plant.labels.ship_to, plant.labels.part, plant.labels.rack, plant.labels.traced)
    ]
    for name, own in plant.labels.partners.items():
        sources.append((("partners", name), own.supplier or plant.labels.supplier, own.ship_to or plant.labels.ship_to,
                        own.part, own.rack, plant.labels.traced_for(name)))  # fmt: skip
    for path, supplier, ship_to, part_layout, rack_layout, traced in sources:
        part, rack = longest_labels(plant, supplier or plant.plant.code, ship_to, traced=traced)
        for kind, layout, record in (("part", part_layout, part_2d(part)), ("rack", rack_layout, rack_2d(rack))):
            for i, el in enumerate(layout.elements if layout else ()):
                if el.kind == "datamatrix" and el.columns == 0:
                    side = smallest_square(record)
                    if side is not None:
                        out[("labels", *path, kind, "elements", str(i), "columns")] = side
    return out


def with_fixed_columns(plant: PlantConfig) -> PlantConfig:
    """``plant`` with each template Data Matrix left at ``columns = 0`` fixed to its size (``fixed_columns``)."""
    fixed = fixed_columns(plant)
    if not fixed:
        return plant

    def layout(path: tuple[str, ...], kind: str, lay: LabelLayout | None) -> LabelLayout | None:
        if lay is None:
            return None
        elements = tuple(
            el.model_copy(update={"columns": fixed[key]}) if (key := ("labels", *path, kind, "elements", str(i),
                                                                       "columns")) in fixed else el
            for i, el in enumerate(lay.elements)
        )  # fmt: skip
        return lay.model_copy(update={"elements": elements})

    labels = plant.labels
    partners = {
        name: own.model_copy(
            update={
                "part": layout(("partners", name), "part", own.part),
                "rack": layout(("partners", name), "rack", own.rack),
            }
        )
        for name, own in labels.partners.items()
    }
    labels = labels.model_copy(
        update={"part": layout((), "part", labels.part), "rack": layout((), "rack", labels.rack), "partners": partners}
    )
    return plant.model_copy(update={"labels": labels})
