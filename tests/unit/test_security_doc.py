"""docs/security.md has a section for each surface and for each bound (quarantine and logs, logins, a full disk,
paths); that every test it names exists is checked for every page by test_docs_name_real_tests.py."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "security.md"
SURFACES = (
    "## The OEM feed",
    "## The HMI bus",
    "## The HMI command channel",
    "## The metrics endpoint",
    "## The line's OPC UA server",
    "## The simulators' control channel",
)
BOUNDS = ("## Quarantine and logs", "## Logins", "## A full disk", "## Paths", "## The hostile campaign")


def test_each_surface_and_each_bound_has_its_section() -> None:
    headings = [line for line in DOC.read_text(encoding="utf-8").splitlines() if line.startswith("## ")]
    for heading in (*SURFACES, *BOUNDS):
        assert any(h.startswith(heading) for h in headings), heading
