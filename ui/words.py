"""What the screens say: the plant's states in words, shared by every screen so that one state reads the same.

What it is for: the empty value, the words for a device's link, a pick's state, a deviation's kind and the core's
sentence on it (``sentence``), and the bus link, and which alarm
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
    "serial_repeated": QT_TRANSLATE_NOOP("jis", "SERIAL REPEATED"),
    "scan_unreadable": QT_TRANSLATE_NOOP("jis", "SCAN UNREADABLE"),
    "scan_needed": QT_TRANSLATE_NOOP("jis", "SCAN NEEDED"),
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
# The core's sentences on a deviation, marked for translation: the templates of sequencer.sentences.TEMPLATES, the
# same ones (tests/ui/test_languages.py checks); ``sentence`` says a deviation's in the screen's language.
DEVIATION_SENTENCES: frozenset[str] = frozenset(
    {
        QT_TRANSLATE_NOOP("jis", "{feed}: {count} broadcast(s) missing, {first}..{last}; resend requested"),
        QT_TRANSLATE_NOOP("jis", "{feed}: no broadcast for {seconds:.0f} s (limit {limit:.0f} s)"),
        QT_TRANSLATE_NOOP("jis", "broadcast {seq} for unknown feed {feed!r}"),
        QT_TRANSLATE_NOOP("jis", "quarantined #{quarantine_id}: {reason}"),
        QT_TRANSLATE_NOOP(
            "jis",
            "{feed}: broadcast {seq} is {distance} ahead of the newest, {newest} (plausible: {ahead} ahead, {behind} behind); refused, nothing resent. If the OEM really jumped, key it in by hand",  # noqa: E501
        ),
        QT_TRANSLATE_NOOP(
            "jis",
            "{feed}: broadcast {seq} is {distance} behind the newest, {newest} (plausible: {ahead} ahead, {behind} behind); refused, nothing resent. If the OEM really jumped, key it in by hand",  # noqa: E501
        ),
        QT_TRANSLATE_NOOP("jis", "{feed}: broadcast {seq} arrived after its place in the sequence had passed"),
        QT_TRANSLATE_NOOP(
            "jis",
            "{feed}: broadcast {seq} arrived after its place in the sequence had passed; its {racks} rack is closed: proposed fix: pick it outside the rack, label it and send it with the next truck as a single part, or ask the OEM to pull the vehicle",  # noqa: E501
        ),
        QT_TRANSLATE_NOOP("jis", "{feed} {seq}: {function} after every rack of its vehicle shipped; call the OEM"),
        QT_TRANSLATE_NOOP("jis", "{feed} {seq}: {function} for a cancelled vehicle ignored"),
        QT_TRANSLATE_NOOP("jis", "{feed}: vehicle {vehicle} moved from {old} to {new}; reaction: {reaction}"),
        QT_TRANSLATE_NOOP("jis", "{feed} {seq}: cancelled after the {racks} rack shipped; call the OEM"),
        QT_TRANSLATE_NOOP("jis", "{feed} {seq}: cancelled by the OEM"),
        QT_TRANSLATE_NOOP("jis", "{feed} {seq}: vehicle {vehicle} changed"),
        QT_TRANSLATE_NOOP("jis", "{feed} {seq}: change after the {racks} rack shipped; call the OEM"),
        QT_TRANSLATE_NOOP("jis", "{feed} {seq}: {reason}; slot blocked"),
        QT_TRANSLATE_NOOP("jis", "{feed} {seq}: hold for vehicle {vehicle}, already picked: keep its rack"),
        QT_TRANSLATE_NOOP("jis", "{feed} {seq}: vehicle {vehicle} on hold"),
        QT_TRANSLATE_NOOP("jis", "{feed} {seq}: unknown option code(s) {codes}"),
        QT_TRANSLATE_NOOP("jis", "{station}: confirm on {bin} carried pick {token}, pick {pick} is lit; ignored"),
        QT_TRANSLATE_NOOP("jis", "{station}: confirm on bin {bin} with no bin lit"),
        QT_TRANSLATE_NOOP("jis", "{station}: scan {code!r} with no bin lit"),
        QT_TRANSLATE_NOOP(
            "jis", "{station}: bin {pressed} pressed, {bin} is lit for {feed} {seq}; slot blocked, correct it"
        ),
        QT_TRANSLATE_NOOP(
            "jis", "{station}: part {part} scanned, {bin} is lit for {feed} {seq}; slot blocked, correct it"
        ),
        QT_TRANSLATE_NOOP("jis", "{station}: take {part} from rack {rack} slot {slot} back to {bin}"),
        QT_TRANSLATE_NOOP("jis", "{station}: {bin} lit for {seconds:.0f} s without a confirm"),
        QT_TRANSLATE_NOOP("jis", "{station}: {code!r} is no part code of this plant; scan the part again"),
        QT_TRANSLATE_NOOP(
            "jis",
            "{station}: serial {serial} of {part} was scanned for {feed} {seq} already; check the part and scan it again",  # noqa: E501
        ),
        QT_TRANSLATE_NOOP("jis", "{station}: {bin} is confirmed by scanning the part, not by its button"),
        QT_TRANSLATE_NOOP("jis", "{station}: {bin} confirmed by hand by {user}: {reason}"),
        QT_TRANSLATE_NOOP(
            "jis", "label {label} may or may not have printed ({reason}): check it, then reprint or resolve"
        ),
        QT_TRANSLATE_NOOP("jis", "label {label} reprint {count} by {user}"),
        QT_TRANSLATE_NOOP("jis", "rack {feed}/{family}/{rack}: due in {minutes:.0f} min, not shipped"),
        QT_TRANSLATE_NOOP("jis", "{station}: bin {bin} low, {qty} of {capacity} {part} left; replenishment called"),
        QT_TRANSLATE_NOOP(
            "jis", "{station}: bin {bin} runs out in {seconds:.0f} s, {vehicles} vehicles from now ({qty} {part} left)"
        ),
        QT_TRANSLATE_NOOP("jis", "{feed}: the OEM's line stands; due times wait for it"),
        QT_TRANSLATE_NOOP(
            "jis",
            "{feed}: the OEM's line runs {rate:.0f} vehicles/h, picking keeps up with {keep_up:.0f}: the buffer shrinks",  # noqa: E501
        ),
        QT_TRANSLATE_NOOP("jis", "ship notice {notice} v{version} rejected by the OEM: {reason}"),
        QT_TRANSLATE_NOOP("jis", "ship notice {notice} v{version} rejected by the OEM: no reason given"),
        QT_TRANSLATE_NOOP("jis", "ship notice {notice} v{version}: no answer from the OEM in {seconds:.0f} s"),
        QT_TRANSLATE_NOOP("jis", "{device} offline: {detail}"),
        QT_TRANSLATE_NOOP("jis", "journal cannot be written, the line is paused (nothing is acknowledged): {detail}"),
        QT_TRANSLATE_NOOP("jis", "{folder}: {free_mb:.0f} MB free ({level})"),
        QT_TRANSLATE_NOOP("jis", "{folder}: {free_mb:.0f} MB free ({level}): {detail}"),
        QT_TRANSLATE_NOOP(
            "jis",
            "{source}: {kind} came {count} times within {window:g} s (on-delay {on:g} s, off-delay {off:g} s): have its link or the device looked at",  # noqa: E501
        ),
        QT_TRANSLATE_NOOP(
            "jis",
            "{source}: {count} refused inputs since a flood began (counted on this alarm, not one each; the quarantine keeps a summary row per window): find the sender",  # noqa: E501
        ),
    }
)
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


def sentence(view: DeviationView, translate: Callable[[str], str] = lambda text: text) -> str:
    """The core's sentence on a deviation in the screen's language (``translate``: ``ui.i18n.tr``): its template
    translated and filled with its values; a deviation without a template (an older service's, or a sentence the
    core has none for) or a translation that does not fit its values: the English message as sent."""
    if view.template not in DEVIATION_SENTENCES:
        return view.message
    try:
        return translate(view.template).format(**dict(view.params))
    except (KeyError, IndexError, ValueError):
        return view.message


def annunciated(deviations: Iterable[DeviationView]) -> list[DeviationView]:
    """The alarms a person is being told about now (not parked by a person)."""
    return [d for d in deviations if d.state not in NOT_ANNUNCIATED]


def link_words(line: LineView | None, up: bool, translate: Callable[[str], str] = lambda text: text) -> str:
    """The bus link as the operator panel and the cockpit say it: live with the picture's revision, or stale;
    ``translate``: the screen's (``ui.i18n.tr``), English without."""
    if line is None:
        return translate(LINK_WAITING)
    return translate(LINK_LIVE).format(rev=line.rev) if up else translate(LINK_STALE)
