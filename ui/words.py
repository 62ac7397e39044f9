"""What the screens say: the plant's states in words, shared by every screen so that one state reads the same.

What it is for: the empty value, the words for a device's link, a pick's state and the bus link, and which alarm
states are unacknowledged (they blink until a person acknowledges them, ISA-18.2) or not annunciated at all.
Each word is marked ``QT_TRANSLATE_NOOP("jis", ...)`` (a plain function here that returns its text: lupdate reads
the mark, ``ui.i18n.tr`` translates the word where a screen shows it), so the cockpit's plain tables keep English.
What it must not do: import Qt (the cockpit's shift tables and report read these too, and stay plain Python),
or hold a colour (colour is the stylesheet's, keyed on dynamic properties).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sequencer.views import DeviationView, LineView


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """The mark lupdate reads (Qt's own name for it); the text itself, untranslated."""
    return text


NO_VALUE = "—"
UP_WORDS: dict[bool | None, str] = {  # a device; None: not reported
    True: QT_TRANSLATE_NOOP("jis", "ONLINE"),
    False: QT_TRANSLATE_NOOP("jis", "OFFLINE"),
    None: "?",
}
DEVICE_KIND_WORDS: dict[str, str] = {  # sequencer.views.DeviceView.kind
    "ptl": QT_TRANSLATE_NOOP("jis", "LIGHTS"),
    "printer": QT_TRANSLATE_NOOP("jis", "PRINTER"),
}
PICK_WORDS: dict[str, str] = {  # sequencer.views.PickView.state
    "lit": QT_TRANSLATE_NOOP("jis", "PICKING"),
    "queued": QT_TRANSLATE_NOOP("jis", "WAITING"),
    "blocked": QT_TRANSLATE_NOOP("jis", "BLOCKED"),
    "held": QT_TRANSLATE_NOOP("jis", "HELD"),
    "picked": QT_TRANSLATE_NOOP("jis", "PICKED"),
}
# A deviation's kind (sequencer.deviations.KINDS) as the line reads it; a kind not here shows as its name.
DEVIATION_KIND_WORDS: dict[str, str] = {
    "gap": QT_TRANSLATE_NOOP("jis", "GAP"),
    "wrong_pick": QT_TRANSLATE_NOOP("jis", "WRONG PICK"),
    "low_stock": QT_TRANSLATE_NOOP("jis", "LOW STOCK"),
    "starvation": QT_TRANSLATE_NOOP("jis", "STARVATION"),
    "device_offline": QT_TRANSLATE_NOOP("jis", "DEVICE OFFLINE"),
    "printer_fault": QT_TRANSLATE_NOOP("jis", "PRINTER FAULT"),
    "label_uncertain": QT_TRANSLATE_NOOP("jis", "LABEL UNCERTAIN"),
    "late": QT_TRANSLATE_NOOP("jis", "LATE"),
    "change_after_ship": QT_TRANSLATE_NOOP("jis", "CHANGE AFTER SHIP"),
    "journal_failed": QT_TRANSLATE_NOOP("jis", "JOURNAL FAILED"),
    "notice_rejected": QT_TRANSLATE_NOOP("jis", "NOTICE REJECTED"),
    "notice_unanswered": QT_TRANSLATE_NOOP("jis", "NOTICE UNANSWERED"),
    "silence": QT_TRANSLATE_NOOP("jis", "SILENCE"),
    "disk_space_critical": QT_TRANSLATE_NOOP("jis", "DISK SPACE CRITICAL"),
    "pick_timeout": QT_TRANSLATE_NOOP("jis", "PICK TIMEOUT"),
    "unresolved": QT_TRANSLATE_NOOP("jis", "UNRESOLVED"),
    "late_alarm": QT_TRANSLATE_NOOP("jis", "LATE ALARM"),
    "resequenced": QT_TRANSLATE_NOOP("jis", "RESEQUENCED"),
    "unknown_feed": QT_TRANSLATE_NOOP("jis", "UNKNOWN FEED"),
    "malformed": QT_TRANSLATE_NOOP("jis", "MALFORMED"),
    "unauthorised": QT_TRANSLATE_NOOP("jis", "UNAUTHORISED"),
    "implausible": QT_TRANSLATE_NOOP("jis", "IMPLAUSIBLE"),
    "quarantine_flood": QT_TRANSLATE_NOOP("jis", "QUARANTINE FLOOD"),
    "change": QT_TRANSLATE_NOOP("jis", "CHANGE"),
    "cancel": QT_TRANSLATE_NOOP("jis", "CANCEL"),
    "late_broadcast": QT_TRANSLATE_NOOP("jis", "LATE BROADCAST"),
    "return_to_stock": QT_TRANSLATE_NOOP("jis", "RETURN TO STOCK"),
    "hold": QT_TRANSLATE_NOOP("jis", "HOLD"),
    "disk_space_low": QT_TRANSLATE_NOOP("jis", "DISK SPACE LOW"),
    "chattering": QT_TRANSLATE_NOOP("jis", "CHATTERING"),
    "late_warning": QT_TRANSLATE_NOOP("jis", "LATE WARNING"),
    "unknown_option": QT_TRANSLATE_NOOP("jis", "UNKNOWN OPTION"),
    "stale_confirm": QT_TRANSLATE_NOOP("jis", "STALE CONFIRM"),
    "reprint": QT_TRANSLATE_NOOP("jis", "REPRINT"),
    "manual_confirm": QT_TRANSLATE_NOOP("jis", "MANUAL CONFIRM"),
    "line_too_fast": QT_TRANSLATE_NOOP("jis", "LINE TOO FAST"),
    "oem_line_stopped": QT_TRANSLATE_NOOP("jis", "OEM LINE STOPPED"),
}
# The link's words (``link_words``): the screen translates the template, then fills in the revision.
LINK_WAITING = QT_TRANSLATE_NOOP("jis", "WAITING FOR DATA")
LINK_LIVE = QT_TRANSLATE_NOOP("jis", "LIVE · rev {rev}")
LINK_STALE = QT_TRANSLATE_NOOP("jis", "STALE · last data")
UNACKNOWLEDGED = frozenset({"active_unacknowledged", "returned_unacknowledged"})  # sequencer.alarms.AlarmState
# ISA-18.2: shelved, suppressed and out-of-service alarms are not annunciated (no blink, not counted, not at the
# line); the cockpit's deviation list still shows them, each in its own filtered view
NOT_ANNUNCIATED = frozenset({"shelved", "suppressed", "out_of_service"})  # sequencer.alarms.PARKED


def kind_words(kind: str) -> str:
    """A deviation's kind in (English, marked) words: ``pick_timeout`` -> ``PICK TIMEOUT``."""
    return DEVIATION_KIND_WORDS.get(kind, kind.replace("_", " ").upper())


def annunciated(deviations: Iterable[DeviationView]) -> list[DeviationView]:
    """The alarms a person is being told about now (not parked by a person)."""
    return [d for d in deviations if d.state not in NOT_ANNUNCIATED]


def link_words(line: LineView | None, up: bool, translate: Callable[[str], str] = lambda text: text) -> str:
    """The bus link as the operator panel and the cockpit say it: live with the picture's revision, or stale;
    ``translate``: the screen's (``ui.i18n.tr``), English without."""
    if line is None:
        return translate(LINK_WAITING)
    return translate(LINK_LIVE).format(rev=line.rev) if up else translate(LINK_STALE)
