"""What the screens say: the plant's states in words, shared by every screen so that one state reads the same.

What it is for: the empty value, the words for a device's link, a pick's state and the bus link, and which alarm
states are unacknowledged (they blink until a person acknowledges them, ISA-18.2) or not annunciated at all.
What it must not do: import Qt (the cockpit's shift tables and report read these too, and stay plain Python),
or hold a colour (colour is the stylesheet's, keyed on dynamic properties).
"""

from __future__ import annotations

from collections.abc import Iterable

from sequencer.views import DeviationView, LineView

NO_VALUE = "—"
UP_WORDS: dict[bool | None, str] = {True: "ONLINE", False: "OFFLINE", None: "?"}  # a device; None: not reported
DEVICE_KIND_WORDS: dict[str, str] = {"ptl": "LIGHTS", "printer": "PRINTER"}  # sequencer.views.DeviceView.kind
PICK_WORDS: dict[str, str] = {  # sequencer.views.PickView.state
    "lit": "PICKING",
    "queued": "WAITING",
    "blocked": "BLOCKED",
    "held": "HELD",
    "picked": "PICKED",
}
UNACKNOWLEDGED = frozenset({"active_unacknowledged", "returned_unacknowledged"})  # sequencer.alarms.AlarmState
# ISA-18.2: shelved, suppressed and out-of-service alarms are not annunciated (no blink, not counted, not at the
# line); the cockpit's deviation list still shows them, each in its own filtered view
NOT_ANNUNCIATED = frozenset({"shelved", "suppressed", "out_of_service"})  # sequencer.alarms.PARKED


def annunciated(deviations: Iterable[DeviationView]) -> list[DeviationView]:
    """The alarms a person is being told about now (not parked by a person)."""
    return [d for d in deviations if d.state not in NOT_ANNUNCIATED]


def link_words(line: LineView | None, up: bool) -> str:
    """The bus link as the operator panel and the cockpit say it: live with the picture's revision, or stale."""
    if line is None:
        return "WAITING FOR DATA"
    return f"LIVE · rev {line.rev}" if up else "STALE · last data"
