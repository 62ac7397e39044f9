"""``jis report --format pdf``: the joint review (``app.persist.joint_review``) as an A4 PDF, made by Qt.

What it is for: a document the supplier hands the OEM in a joint review: the header (supplier, plant, partner,
period), the shared KPIs with what they were counted from, the racks shipped with their verdicts and notice
states, and the deviations that concern the OEM. Rendered with ``QTextDocument`` on an in-memory ``QPdfWriter``
(PySide6 is already a dependency; the offscreen platform needs no display: it is the default here unless
``QT_QPA_PLATFORM`` says otherwise), landscape for the rack table's width.

What it must not do: compute a figure (the review carries them) or write a file (the command line does).
"""

from __future__ import annotations

import html
import os

from app.persist.joint_review import RACK_FIELDS, JointReview, columns, text_rows

PDF_DPI = 150
MARGIN_MM = 12.0
# the rack table's columns in the PDF (all of them are in the CSV and JSON)
RACK_COLUMNS = ("feed", "family", "rack_no", "seq_from", "seq_to", "shipped_at", "needed_at", "parts", "expected",
                "on_time", "in_full", "in_sequence", "otif", "notice_state", "notice_reason")  # fmt: skip


HEADINGS = {"rack_no": "rack", "seq_from": "seq from", "seq_to": "to", "shipped_at": "shipped", "needed_at": "needed",
            "expected": "of", "in_sequence": "in seq.", "notice_state": "notice",
            "notice_reason": "OEM's reason"}  # fmt: skip


def _table(header: list[str] | tuple[str, ...], rows: list[list[str]]) -> str:
    head = "".join(f"<th align='left'>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table border='1' cellspacing='0' cellpadding='2' width='100%'><tr>{head}</tr>{body}</table>"


def review_html(review: JointReview) -> str:
    header, kpis, racks, devs = text_rows(review)
    keep = [RACK_FIELDS.index(c) for c in RACK_COLUMNS]
    rack_table = _table([HEADINGS.get(c, c.replace("_", " ")) for c in RACK_COLUMNS], columns(racks, keep))
    head = "<br>".join(f"<b>{html.escape(k.replace('_', ' '))}</b>: {html.escape(v)}" for k, v in header[1:])
    return (
        f"<h2>{html.escape(header[0][1])}</h2><p>{head}</p>"
        f"<h3>KPIs (Odette/AIAG LK03)</h3>{_table(['KPI', 'Value', 'Unit', 'Counted', 'Of'], kpis)}"
        f"<h3>Racks shipped ({len(racks)})</h3>"
        f"{rack_table if racks else '<p>none</p>'}"
        f"<h3>Deviations concerning the OEM ({len(devs)})</h3>"
        f"{_table(['Raised', 'Kind', 'P', 'Message'], devs) if devs else '<p>none</p>'}"
        "<p><small>On time: shipped by the due time of its first vehicle at the OEM's line. In full: every part its "
        "vehicles need. In sequence: every part in its slot, none exchanged after shipping. Out of sequence "
        "shipped: parts per million parts shipped (wrong picks caught at the bin never left and are not "
        "counted).</small></p>"
    )


def render_pdf(review: JointReview) -> bytes:
    """The review as PDF bytes."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument
    from PySide6.QtWidgets import QApplication

    # Fonts need an application; a QApplication (not a bare QGuiApplication), kept for the process, so that widgets
    # made later in the same process (a test session's screens) still find the kind they need.
    _app = QApplication.instance() or QApplication([])
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(f"JIS delivery performance {review.plant_code} {review.window.name}")
    writer.setCreator("jis report")
    writer.setResolution(PDF_DPI)
    margins = QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM)
    writer.setPageLayout(
        QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Landscape, margins,
                    QPageLayout.Unit.Millimeter)
    )  # fmt: skip
    document = QTextDocument()
    document.setHtml(review_html(review))
    document.print_(writer)
    del writer  # finishes the PDF into the buffer
    buffer.close()
    return bytes(data.data())
