"""The core's sentences on a deviation: each an English template with named values, so a screen can say it in its
own language.

What it is for: ``TEMPLATES`` is the table of every sentence the rules raise a deviation with (name -> English
template, ``str.format`` fields); ``say(name, **values)`` is one sentence (``Sentence``): its English text is the
deviation's ``message`` (the journal, the log, the report, the notifications read it), and its template and values
travel beside it (``RaiseDeviation``, ``DeviationView``), so the operator panel and the cockpit show it in theirs
(``ui.words.DEVIATION_SENTENCES`` marks the same templates for translation; a test checks the two tables agree).
What it must not do: import Qt or the screens, or put a word a screen must translate into a value: values are data
(feeds, numbers, bins, parts, vehicle ids, users, and the reasons a person or a device gave, as given).
"""

from __future__ import annotations

from dataclasses import dataclass

Value = str | int | float

TEMPLATES: dict[str, str] = {
    # feeds and broadcasts
    "gap": "{feed}: {count} broadcast(s) missing, {first}..{last}; resend requested",
    "silence": "{feed}: no broadcast for {seconds:.0f} s (limit {limit:.0f} s)",
    "unknown_feed": "broadcast {seq} for unknown feed {feed!r}",
    "quarantined": "quarantined #{quarantine_id}: {reason}",
    "implausible_ahead": "{feed}: broadcast {seq} is {distance} ahead of the newest, {newest} (plausible: {ahead} "
    "ahead, {behind} behind); refused, nothing resent. If the OEM really jumped, key it in by hand",
    "implausible_behind": "{feed}: broadcast {seq} is {distance} behind the newest, {newest} (plausible: {ahead} "
    "ahead, {behind} behind); refused, nothing resent. If the OEM really jumped, key it in by hand",
    "late_broadcast": "{feed}: broadcast {seq} arrived after its place in the sequence had passed",
    "late_broadcast_rack_closed": "{feed}: broadcast {seq} arrived after its place in the sequence had passed; its "
    "{racks} rack is closed: proposed fix: pick it outside the rack, label it and send it with the next truck as a "
    "single part, or ask the OEM to pull the vehicle",
    "after_ship": "{feed} {seq}: {function} after every rack of its vehicle shipped; call the OEM",
    "cancelled_ignored": "{feed} {seq}: {function} for a cancelled vehicle ignored",
    "resequenced": "{feed}: vehicle {vehicle} moved from {old} to {new}; reaction: {reaction}",
    "cancel_after_ship": "{feed} {seq}: cancelled after the {racks} rack shipped; call the OEM",
    "cancel": "{feed} {seq}: cancelled by the OEM",
    # vehicles
    "change": "{feed} {seq}: vehicle {vehicle} changed",
    "change_after_ship": "{feed} {seq}: change after the {racks} rack shipped; call the OEM",
    "unresolved": "{feed} {seq}: {reason}; slot blocked",
    "hold_picked": "{feed} {seq}: hold for vehicle {vehicle}, already picked: keep its rack",
    "hold": "{feed} {seq}: vehicle {vehicle} on hold",
    "unknown_option": "{feed} {seq}: unknown option code(s) {codes}",
    # picking and scanning
    "stale_confirm_token": "{station}: confirm on {bin} carried pick {token}, pick {pick} is lit; ignored",
    "stale_confirm_unlit": "{station}: confirm on bin {bin} with no bin lit",
    "stale_scan": "{station}: scan {code!r} with no bin lit",
    "wrong_pick_pressed": "{station}: bin {pressed} pressed, {bin} is lit for {feed} {seq}; slot blocked, correct it",
    "wrong_pick_scanned": "{station}: part {part} scanned, {bin} is lit for {feed} {seq}; slot blocked, correct it",
    "return_to_stock": "{station}: take {part} from rack {rack} slot {slot} back to {bin}",
    "pick_timeout": "{station}: {bin} lit for {seconds:.0f} s without a confirm",
    "scan_unreadable": "{station}: {code!r} is no part code of this plant; scan the part again",
    "serial_repeated": "{station}: serial {serial} of {part} was scanned for {feed} {seq} already; check the part and "
    "scan it again",
    "scan_needed": "{station}: {bin} is confirmed by scanning the part, not by its button",
    "manual_confirm": "{station}: {bin} confirmed by hand by {user}: {reason}",
    # labels, racks, stock
    "label_uncertain": "label {label} may or may not have printed ({reason}): check it, then reprint or resolve",
    "reprint": "label {label} reprint {count} by {user}",
    "due": "rack {feed}/{family}/{rack}: due in {minutes:.0f} min, not shipped",
    "low_stock": "{station}: bin {bin} low, {qty} of {capacity} {part} left; replenishment called",
    "starvation": "{station}: bin {bin} runs out in {seconds:.0f} s, {vehicles} vehicles from now ({qty} {part} left)",
    # the OEM's line, ship notices
    "oem_line_stopped": "{feed}: the OEM's line stands; due times wait for it",
    "line_too_fast": "{feed}: the OEM's line runs {rate:.0f} vehicles/h, picking keeps up with {keep_up:.0f}: the "
    "buffer shrinks",
    "notice_rejected": "ship notice {notice} v{version} rejected by the OEM: {reason}",
    "notice_rejected_no_reason": "ship notice {notice} v{version} rejected by the OEM: no reason given",
    "notice_unanswered": "ship notice {notice} v{version}: no answer from the OEM in {seconds:.0f} s",
    # the service's own
    "device_offline": "{device} offline: {detail}",
    "journal_failed": "journal cannot be written, the line is paused (nothing is acknowledged): {detail}",
    "disk_space": "{folder}: {free_mb:.0f} MB free ({level})",
    "disk_space_detail": "{folder}: {free_mb:.0f} MB free ({level}): {detail}",
    "chattering": "{source}: {kind} came {count} times within {window:g} s (on-delay {on:g} s, off-delay {off:g} s): "
    "have its link or the device looked at",
    "quarantine_flood": "{source}: {count} refused inputs since a flood began (counted on this alarm, not one each; "
    "the quarantine keeps a summary row per window): find the sender",
}


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: its English template (a value of ``TEMPLATES``) and its values, in the order given."""

    template: str
    params: tuple[tuple[str, Value], ...] = ()

    @property
    def text(self) -> str:
        """The sentence in English: the deviation's ``message``."""
        return self.template.format(**dict(self.params))


def say(name: str, **values: Value) -> Sentence:
    """The sentence ``TEMPLATES[name]`` with ``values`` (a KeyError names a template not in the table)."""
    return Sentence(TEMPLATES[name], tuple(values.items()))
