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
from ui.cockpit.report import html_table
from ui.cockpit.report import render_pdf as render_html_pdf

PDF_DPI = 150
MARGIN_MM = 12.0
# the rack table's columns in the PDF (all of them are in the CSV and JSON)
RACK_COLUMNS = ("feed", "family", "rack_no", "seq_from", "seq_to", "shipped_at", "needed_at", "parts", "expected",
                "on_time", "in_full", "in_sequence", "otif", "notice_state", "notice_reason")  # fmt: skip


HEADINGS = {"rack_no": "rack", "seq_from": "seq from", "seq_to": "to", "shipped_at": "shipped", "needed_at": "needed",
            "expected": "of", "in_sequence": "in seq.", "notice_state": "notice",
            "notice_reason": "OEM's reason"}  # fmt: skip


def review_html(review: JointReview) -> str:
    header, kpis, racks, devs = text_rows(review)
    keep = [RACK_FIELDS.index(c) for c in RACK_COLUMNS]
    rack_table = html_table(
        [HEADINGS.get(c, c.replace("_", " ")) for c in RACK_COLUMNS], columns(racks, keep), padding=2
    )
    head = "<br>".join(f"<b>{html.escape(k.replace('_', ' '))}</b>: {html.escape(v)}" for k, v in header[1:])
    return (
        f"<h2>{html.escape(header[0][1])}</h2><p>{head}</p>"
        f"<h3>KPIs (Odette/AIAG LK03)</h3>{html_table(['KPI', 'Value', 'Unit', 'Counted', 'Of'], kpis, padding=2)}"
        f"<h3>Racks shipped ({len(racks)})</h3>"
        f"{rack_table if racks else '<p>none</p>'}"
        f"<h3>Deviations concerning the OEM ({len(devs)})</h3>"
        f"{html_table(['Raised', 'Kind', 'P', 'Message'], devs, padding=2) if devs else '<p>none</p>'}"
        "<p><small>On time: shipped by the due time of its first vehicle at the OEM's line. In full: every part its "
        "vehicles need. In sequence: every part in its slot, none exchanged after shipping. Out of sequence "
        "shipped: parts per million parts shipped (wrong picks caught at the bin never left and are not "
        "counted).</small></p>"
    )


def render_pdf(review: JointReview) -> bytes:
    """The review as PDF bytes (the cockpit's PDF renderer, landscape for the rack table's width)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    # Fonts need an application; a QApplication (not a bare QGuiApplication), kept for the process, so that widgets
    # made later in the same process (a test session's screens) still find the kind they need.
    _app = QApplication.instance() or QApplication([])
    title = f"JIS delivery performance {review.plant_code} {review.window.name}"
    return render_html_pdf(
        review_html(review), title, creator="jis report", landscape=True, dpi=PDF_DPI, margins_mm=MARGIN_MM
    )
