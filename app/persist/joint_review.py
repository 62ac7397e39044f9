"""``jis report --format json|csv|pdf``: the delivery report a JIS supplier and its OEM review together (docs/kpis.md).

What it is for: over a shift or a day of plant time, the KPIs shared with the OEM (``sequencer.kpis.shared_kpis``,
after the Odette/AIAG recommendation LK03), the list of racks that shipped with their verdicts (on time, in full,
in sequence, OTIF) and where each ship notice stands, and the deviations of the period that concern the OEM
(late racks, changes after shipping, notices rejected or unanswered, gaps). Under a header that says who delivers
to whom: supplier number, plant, the OEM's receiving plant and lines, the period, and the journal row it describes.

Where the figures come from: the journal, the only record of what happened, replayed into a fresh core
(``replay_journal``); every shipment the core records (``sequencer.shipments``) is kept, however old, and a
shipment's notice answered after the period still counts as answered: the review is of what the journal says now.
``joint_review`` is the pure part (shipments and deviations in, a ``JointReview`` out); ``as_json`` (a stable
schema: ``SCHEMA``) and ``as_csv`` render it; the PDF is ``app.cli.report_pdf``'s (Qt).

What it must not do: write to the database (the journal is read without migrating anything) or print.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.persist.shift_report import Window
from app.persist.store import Store
from sequencer.commands import RaiseDeviation
from sequencer.core import Sequencer, SequencerError
from sequencer.kpis import SharedKpis, shared_kpis, shipped_in
from sequencer.plant import PlantConfig
from sequencer.shipments import Shipment

SCHEMA = "jis-joint-review/1"  # the JSON's "schema": a field renamed or removed is a new number
# deviation kinds that concern the OEM's delivery (the rest, wrong picks caught, devices, are the supplier's own)
OEM_KINDS = frozenset(
    {"late", "late_alarm", "late_warning", "change_after_ship", "notice_rejected", "notice_unanswered", "gap"}
)
RACK_FIELDS = (
    "feed",
    "family",
    "rack_no",
    "rack_label",
    "seq_from",
    "seq_to",
    "shipped_at",
    "needed_at",
    "parts",
    "expected",
    "on_time",
    "in_full",
    "in_sequence",
    "otif",
    "wrong_parts",
    "notice_id",
    "notice_version",
    "notice_state",
    "notice_reason",
)
DEVIATION_FIELDS = ("raised_at", "kind", "priority", "message")
KPI_FIELDS = ("kpi", "value", "unit", "counted", "of")


@dataclass(frozen=True, slots=True)
class Raised:
    """A deviation the replay saw raised: when, what, how urgent, and its text."""

    at: float
    kind: str
    priority: int
    message: str


@dataclass(frozen=True, slots=True)
class Replayed:
    shipments: tuple[Shipment, ...]  # every shipment recorded, in the order they were recorded
    raised: tuple[Raised, ...]  # the deviations raised that concern the OEM (``OEM_KINDS``)
    journal_id: int  # the last journal row replayed
    events: int


@dataclass(frozen=True, slots=True)
class JointReview:
    supplier: str
    plant_code: str
    plant_name: str
    partner: str  # the OEM's receiving plant (``[ship_notices] ship_to``), or "" without ship notices
    lines: tuple[str, ...]  # the OEM's assembly lines the feeds serve
    timezone: str
    window: Window
    journal_id: int
    kpis: SharedKpis
    racks: tuple[Shipment, ...]
    deviations: tuple[Raised, ...]


# -- reading the journal --------------------------------------------------------------------------------------
def replay_journal(store: Store, plant: PlantConfig) -> Replayed:
    """Every journal row replayed into a fresh core: its shipments, and the deviations that concern the OEM."""
    core = Sequencer(plant)
    book = core.state.shipments
    shipments: list[Shipment] = []
    raised: list[Raised] = []
    last = events = 0
    for row_id, event in store.journal():
        last = row_id
        try:
            commands = core.handle(event)
        except SequencerError:
            continue  # refused when it happened too
        events += 1
        if book.appended > len(shipments):
            shipments.append(book.recent[-1])  # one event ships at most one rack
        for command in commands:
            if isinstance(command, RaiseDeviation) and command.kind in OEM_KINDS:
                raised.append(Raised(event.at, command.kind, command.priority, command.message))
    return Replayed(shipments=tuple(shipments), raised=tuple(raised), journal_id=last, events=events)


def review_from(url: str, plant: PlantConfig, window: Window) -> JointReview:
    """The review of ``window`` from the journal at ``url`` (opened without migrating it)."""
    store = Store(url, migrate=False)
    try:
        replayed = replay_journal(store, plant)
    finally:
        store.close()
    return joint_review(plant, replayed, window)


# -- the pure part ---------------------------------------------------------------------------------------------
def joint_review(plant: PlantConfig, replayed: Replayed, window: Window) -> JointReview:
    notices = plant.ship_notices
    return JointReview(
        supplier=notices.supplier if notices is not None else plant.plant.code,
        plant_code=plant.plant.code,
        plant_name=plant.plant.name,
        partner=notices.ship_to if notices is not None else "",
        lines=tuple(dict.fromkeys(f.line for f in plant.feeds if f.line)),
        timezone=plant.plant.timezone,
        window=window,
        journal_id=replayed.journal_id,
        kpis=shared_kpis(replayed.shipments, window.start, window.end),
        racks=tuple(shipped_in(replayed.shipments, window.start, window.end)),
        deviations=tuple(r for r in replayed.raised if window.start <= r.at < window.end),
    )


def _iso(epoch: float | None, zone: ZoneInfo) -> str:
    return "" if epoch is None else datetime.fromtimestamp(epoch, zone).isoformat(timespec="seconds")


def _short(epoch: float | None, zone: ZoneInfo) -> str:
    """A time as a printed table shows it: month-day and minute, in the plant's zone (the header names the zone)."""
    return "" if epoch is None else datetime.fromtimestamp(epoch, zone).strftime("%m-%d %H:%M")


def rack_row(s: Shipment, zone: ZoneInfo) -> dict[str, Any]:
    """One rack as the report lists it (``RACK_FIELDS``)."""
    return {
        "feed": s.feed,
        "family": s.family,
        "rack_no": s.rack_no,
        "rack_label": s.label_id,
        "seq_from": s.low_seq,
        "seq_to": s.high_seq,
        "shipped_at": _iso(s.shipped_at, zone),
        "needed_at": _iso(s.needed_at, zone),
        "parts": s.parts,
        "expected": s.expected,
        "on_time": s.on_time,
        "in_full": s.in_full,
        "in_sequence": s.in_sequence,
        "otif": s.otif,
        "wrong_parts": s.wrong_parts,
        "notice_id": s.notice_id,
        "notice_version": s.notice_version,
        "notice_state": notice_word(s),
        "notice_reason": s.notice_reason,
    }


def notice_word(s: Shipment) -> str:
    """Where the rack's notice stands, in the report's words ("" without ship notices)."""
    if not s.notice_state:
        return ""
    if s.notice_unanswered:
        return "unanswered"
    return {"due": "pending", "sent": "pending"}.get(s.notice_state, s.notice_state)


def _pct(share: float | None) -> float | None:
    return None if share is None else round(100.0 * share, 2)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def kpi_rows(k: SharedKpis) -> list[tuple[str, float | None, str, int, int]]:
    """(kpi, value, unit, counted, of): the headline figures with what they were computed from."""
    racks = k.racks_shipped
    return [
        ("on_time_in_full", _pct(k.otif_rate), "%", k.racks_otif, racks),
        ("on_time", _pct(_share(k.racks_on_time, racks)), "%", k.racks_on_time, racks),
        ("in_full", _pct(_share(k.racks_in_full, racks)), "%", k.racks_in_full, racks),
        ("in_sequence", _pct(_share(k.racks_in_sequence, racks)), "%", k.racks_in_sequence, racks),
        ("out_of_sequence_shipped", round(k.sequence_ppm, 1), "ppm", k.parts_out_of_sequence, k.parts_shipped),
        ("notices_acknowledged", _pct(k.notices_acknowledged_rate), "%", k.notices_acknowledged, k.notices),
        ("notices_rejected", float(k.notices_rejected), "count", k.notices_rejected, k.notices),
        ("notices_unanswered", float(k.notices_unanswered), "count", k.notices_unanswered, k.notices),
        ("notices_pending", float(k.notices_pending), "count", k.notices_pending, k.notices),
    ]


def header_rows(r: JointReview) -> list[tuple[str, str]]:
    zone = ZoneInfo(r.timezone)
    return [
        ("report", "JIS delivery performance (joint review)"),
        ("supplier", r.supplier),
        ("supplier_plant", f"{r.plant_code} {r.plant_name}"),
        ("partner", r.partner),
        ("oem_lines", " ".join(r.lines)),
        ("period", r.window.name),
        ("from", _iso(r.window.start, zone)),
        ("to", _iso(r.window.end, zone)),
        ("timezone", r.timezone),
        ("journal_row", str(r.journal_id)),
    ]


def as_json(r: JointReview) -> dict[str, Any]:
    """The review as one JSON object (``SCHEMA``: keys are stable)."""
    zone = ZoneInfo(r.timezone)
    return {
        "schema": SCHEMA,
        "header": dict(header_rows(r)),
        "kpis": asdict(r.kpis),
        "figures": [dict(zip(KPI_FIELDS, row, strict=True)) for row in kpi_rows(r.kpis)],
        "racks": [rack_row(s, zone) for s in r.racks],
        "deviations": [
            {"raised_at": _iso(d.at, zone), "kind": d.kind, "priority": d.priority, "message": d.message}
            for d in r.deviations
        ],
    }


def as_csv(r: JointReview) -> str:
    """The review as CSV: four sections (header, KPIs, racks, deviations), each a table with its own heading row,
    a blank line between them; the first cell of a heading row names the section."""
    zone = ZoneInfo(r.timezone)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["header", "value"])
    w.writerows(header_rows(r))
    w.writerow([])
    w.writerow(KPI_FIELDS)
    w.writerows(["" if v is None else v for v in row] for row in kpi_rows(r.kpis))
    w.writerow([])
    w.writerow(RACK_FIELDS)
    w.writerows([_cell(rack_row(s, zone)[f]) for f in RACK_FIELDS] for s in r.racks)
    w.writerow([])
    w.writerow(DEVIATION_FIELDS)
    w.writerows([_iso(d.at, zone), d.kind, d.priority, d.message] for d in r.deviations)
    return out.getvalue()


def _cell(value: object) -> object:
    return ("yes" if value else "no") if isinstance(value, bool) else value


def csv_sections(text: str) -> dict[str, list[list[str]]]:
    """The CSV read back: section (its heading row's first cell) -> its rows, heading included."""
    sections: dict[str, list[list[str]]] = {}
    current: list[list[str]] | None = None
    for row in csv.reader(io.StringIO(text)):
        if not row:
            current = None
        elif current is None:
            current = sections.setdefault(row[0], [row])
        else:
            current.append(row)
    return sections


def text_rows(r: JointReview) -> tuple[list[tuple[str, str]], list[list[str]], list[list[str]], list[list[str]]]:
    """Header, KPI, rack and deviation rows as strings (the PDF's tables; times as MM-DD HH:MM, plant zone)."""
    zone = ZoneInfo(r.timezone)
    kpis = [[k, "-" if v is None else f"{v:g}", u, str(c), str(o)] for k, v, u, c, o in kpi_rows(r.kpis)]
    short = {"shipped_at": lambda s: _short(s.shipped_at, zone), "needed_at": lambda s: _short(s.needed_at, zone)}
    racks = [[short[f](s) if f in short else str(_cell(rack_row(s, zone)[f])) for f in RACK_FIELDS] for s in r.racks]
    devs = [[_short(d.at, zone), d.kind, str(d.priority), d.message] for d in r.deviations]
    return header_rows(r), kpis, racks, devs


def columns(rows: Iterable[Sequence[str]], keep: Sequence[int]) -> list[list[str]]:
    return [[row[i] for i in keep] for row in rows]
