"""The shift report: the shift's KPIs and deviations as two CSV files and a printable PDF, in a folder the user chose.

What it is for: ``build_report`` freezes what the cockpit knows (the newest ``LineView`` and the shift's
``DeviationLog``) into a ``ShiftReport``; ``render_export`` turns it into CSV text (RFC 4180, times ISO 8601 with
the plant's UTC offset) and a PDF (QTextDocument on an in-memory ``QPdfWriter``, A4, monochrome: priority as
shape glyph + number, so it prints and photocopies without colour); ``prepare_export`` gives a job that writes
the three files on a worker thread and reports through Qt signals, so the GUI thread never waits on the disk.
What it must not do: choose the folder (the user does), overwrite silently a report of another shift (file names
carry plant, shift day and name), read a clock (the report's moment is the picture's ``at``), or hold a colour.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QObject, QThreadPool, Signal
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

from sequencer.views import LineView
from ui.cockpit.shift import KPIS, PRIORITY_GLYPHS, STATE_WORDS, DeviationLog, LoggedDeviation, Shift, shift_of
from ui.widgets import plant_zone

PDF_DPI = 300
PDF_MARGINS_MM = 15.0
KPI_HEADER = ("kpi", "caption", "value", "unit", "off_target")
DEVIATION_HEADER = ("id", "priority", "kind", "state", "raised", "closed", "feed", "seq", "vehicle", "station",
                    "message")  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class ShiftReport:
    line: LineView
    zone: ZoneInfo
    shift: Shift
    made_by: str
    deviations: tuple[LoggedDeviation, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderedReport:
    """What goes to disk: built in the GUI thread (CPU only), written by a worker."""

    stem: str
    kpis_csv: str
    deviations_csv: str
    pdf: bytes


def build_report(line: LineView, log: DeviationLog, made_by: str) -> ShiftReport:
    zone = plant_zone(line.timezone)
    shift = shift_of(line, zone)
    return ShiftReport(line=line, zone=zone, shift=shift, made_by=made_by, deviations=tuple(log.entries(shift.start)))


def iso(epoch: float | None, zone: ZoneInfo) -> str:
    return "" if epoch is None else datetime.fromtimestamp(epoch, zone).isoformat(timespec="seconds")


def file_stem(report: ShiftReport) -> str:
    plant = re.sub(r"[^a-z0-9]+", "-", report.line.plant.lower()).strip("-") or "plant"
    return f"shift-report-{plant}-{report.shift.slug(report.zone)}"


def kpi_rows(report: ShiftReport) -> list[list[str]]:
    line = report.line
    return [[k.key, k.caption, k.text(line), k.unit, "yes" if k.is_off_target(line) else ""] for k in KPIS]


def deviation_rows(report: ShiftReport) -> list[list[str]]:
    z = report.zone
    return [
        [str(e.id), str(e.view.priority), e.view.kind, e.state, iso(e.view.at, z), iso(e.closed_at, z), e.view.feed,
         "" if e.view.seq is None else str(e.view.seq), e.view.vehicle_id, e.view.station, e.view.message]
        for e in report.deviations
    ]  # fmt: skip


def csv_text(header: tuple[str, ...], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180 line ends, so spreadsheets on any OS agree
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


# --- the printable report -----------------------------------------------------------------------------------


def html_table(header: Sequence[str], rows: Sequence[Sequence[str]], *, padding: int = 3) -> str:
    """A ruled HTML table of text cells, escaped (the shift report's and ``jis report``'s PDF tables)."""
    head = "".join(f"<th align='left'>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table border='1' cellspacing='0' cellpadding='{padding}' width='100%'><tr>{head}</tr>{body}</table>"


def report_html(report: ShiftReport) -> str:
    z, line = report.zone, report.line
    made = datetime.fromtimestamp(line.at, z)
    kpis = [[k.caption, k.text(line), k.unit, "OFF TARGET" if k.is_off_target(line) else ""] for k in KPIS]
    devs = [
        [f"{PRIORITY_GLYPHS.get(e.view.priority, '')} {e.view.priority}", datetime.fromtimestamp(e.view.at, z)
         .strftime("%H:%M"), STATE_WORDS.get(e.state, e.state), e.view.kind.replace("_", " "),
         f"{e.view.feed} {'' if e.view.seq is None else e.view.seq}".strip(), e.view.station, e.view.message]
        for e in report.deviations
    ]  # fmt: skip
    counts = {p: sum(1 for e in report.deviations if e.view.priority == p) for p in (1, 2, 3)}
    tally = " · ".join(f"P{p} {PRIORITY_GLYPHS[p]} {n}" for p, n in counts.items())
    return (
        f"<h2>Shift report — {html.escape(line.plant)}</h2>"
        f"<p>{html.escape(report.shift.label(report.zone))} ({made:%Z}, {html.escape(z.key)})<br>"
        f"Made {made:%Y-%m-%d %H:%M:%S %Z} by {html.escape(report.made_by or 'not logged in')}"
        f" from rev {line.rev} of the line's state.</p>"
        f"<h3>KPIs</h3>{html_table(['KPI', 'Value', 'Unit', ''], kpis)}"
        f"<h3>Deviations this shift ({len(devs)}: {tally})</h3>"
        f"{html_table(['P', 'Raised', 'State', 'Kind', 'Feed / seq', 'Station', 'Message'], devs)}"
        f"<p><small>Times in the plant's zone {html.escape(z.key)}. Priority: ■ 1 high, ▲ 2 medium, ◆ 3 low "
        f"(ISA-18.2).</small></p>"
    )


def render_pdf(
    document_html: str,
    title: str,
    *,
    creator: str = "JIS sequencer shift-lead cockpit",
    landscape: bool = False,
    dpi: int = PDF_DPI,
    margins_mm: float = PDF_MARGINS_MM,
) -> bytes:
    """A4 PDF of ``document_html``, rendered into memory (no disk access on the calling thread)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(title)
    writer.setCreator(creator)
    writer.setResolution(dpi)
    margins = QMarginsF(margins_mm, margins_mm, margins_mm, margins_mm)
    orientation = QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    writer.setPageLayout(
        QPageLayout(QPageSize(QPageSize.PageSizeId.A4), orientation, margins, QPageLayout.Unit.Millimeter)
    )
    document = QTextDocument()
    document.setHtml(document_html)
    document.print_(writer)
    del writer  # finishes the PDF into the buffer
    buffer.close()
    return bytes(data.data())


def render_export(report: ShiftReport) -> RenderedReport:
    stem = file_stem(report)
    return RenderedReport(
        stem=stem,
        kpis_csv=csv_text(KPI_HEADER, kpi_rows(report)),
        deviations_csv=csv_text(DEVIATION_HEADER, deviation_rows(report)),
        pdf=render_pdf(report_html(report), stem),
    )


def write_export(folder: Path, rendered: RenderedReport) -> tuple[Path, Path, Path]:
    """Write the three files into ``folder`` (created if missing); returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    kpis, devs, pdf = (folder / f"{rendered.stem}{suffix}" for suffix in ("-kpis.csv", "-deviations.csv", ".pdf"))
    kpis.write_text(rendered.kpis_csv, encoding="utf-8", newline="")
    devs.write_text(rendered.deviations_csv, encoding="utf-8", newline="")
    pdf.write_bytes(rendered.pdf)
    return kpis, devs, pdf


# --- writing off the GUI thread -----------------------------------------------------------------------------


class ExportJob(QObject):
    """Writes one rendered report on a pool thread; connect to ``written`` / ``failed`` before ``start()``."""

    written = Signal(object)  # tuple[Path, Path, Path]
    failed = Signal(str)

    def __init__(self, folder: Path, rendered: RenderedReport, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folder, self.rendered = folder, rendered

    def start(self) -> None:
        QThreadPool.globalInstance().start(self._run)

    def _run(self) -> None:  # on the pool thread: the signals reach the GUI thread queued
        try:
            paths = write_export(self.folder, self.rendered)
        except OSError as exc:  # full disk, no permission, not a folder: told to the user, never raised into Qt
            self.failed.emit(f"{type(exc).__name__}: {exc}")
            return
        self.written.emit(paths)


def prepare_export(folder: Path, report: ShiftReport, parent: QObject | None = None) -> ExportJob:
    """Render now (CPU, in memory, on the calling thread); ``start()`` the job to write the files."""
    return ExportJob(folder, render_export(report), parent)
