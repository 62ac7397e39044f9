"""Device rules: a device's link and a printer's faults, as the device reports them, and the alarm points they feed;
and the service's own storage: the journal that cannot be written, the disk filling (``STORAGE_ALARMS``).

The device's state changes at once (``LineState.devices_down`` with ``link_detail``, ``printer_faults``: the screens,
the line's OPC UA server and the metrics show it as it is, with its reason: ``sequencer.projection.device_state``);
its alarm follows through ``sequencer.alarm_points`` with the kind's on-delay and off-delay: a link that drops and
comes back within ``device_offline``'s on-delay is counted (``link_blip``), never annunciated; one alarm per device
and kind at a time (a link down and a printer's faults are two conditions, each with its own alarm).

Uses no other rule module. What it must not do: drive a device or retry anything (the service's drivers do); a
light that could not be lit stays lit in the state and is shown again by ``picking.lit_commands`` after a restart.
"""

from __future__ import annotations

from sequencer.commands import Command
from sequencer.events import DeviceLinkChanged, DiskLevel, DiskSpaceChanged, JournalWriteChanged, PrinterFaultChanged
from sequencer.sentences import Sentence, Value, say
from sequencer.state import LineState

JOURNAL_SOURCE = "journal"  # the ``station`` of the journal's alarm
# The storage conditions as alarms: (what the service reports) -> the alarm kind that is active, none when well.
# Each is one condition alarm at its source, raised at once (no on-delay: a journal that cannot be written is
# never fleeting for the line), returned when the report says so, listed until a person acknowledges it.
STORAGE_ALARMS: dict[DiskLevel, str | None] = {"ok": None, "low": "disk_space_low", "critical": "disk_space_critical"}


def on_link(line: LineState, e: DeviceLinkChanged) -> list[Command]:
    line.touched.device(e.device)
    if e.up:
        line.devices_down.discard(e.device)
        line.link_detail.pop(e.device, None)
        return line.alarm_points.gone("device_offline", e.device, e.at)
    line.devices_down.add(e.device)
    line.link_detail[e.device] = e.detail or "link down"
    return line.alarm_points.present(
        "device_offline", e.device, e.at, say("device_offline", device=e.device, detail=e.detail)
    )


def on_printer_fault(line: LineState, e: PrinterFaultChanged) -> list[Command]:
    line.touched.device(e.device)
    if not e.faults:
        line.printer_faults.pop(e.device, None)
        return line.alarm_points.gone("printer_fault", e.device, e.at)
    line.printer_faults[e.device] = e.faults
    return line.alarm_points.present("printer_fault", e.device, e.at, f"{e.device}: {', '.join(e.faults)}")


def on_journal(line: LineState, e: JournalWriteChanged) -> list[Command]:
    """The journal failed a write (a P1 ``journal_failed`` alarm while it lasts) or takes writes again."""
    if e.ok:
        return _condition_gone(line, "journal_failed", JOURNAL_SOURCE, e.at)
    message = say("journal_failed", detail=e.detail)
    return _condition_present(line, "journal_failed", JOURNAL_SOURCE, e.at, message)


def on_disk_space(line: LineState, e: DiskSpaceChanged) -> list[Command]:
    """The database's folder crossed a free-space threshold: the level's alarm is active, the others return."""
    wanted = STORAGE_ALARMS[e.level]
    commands: list[Command] = []
    for kind in filter(None, STORAGE_ALARMS.values()):
        if kind != wanted:
            commands += _condition_gone(line, kind, e.folder, e.at)
    if wanted is not None:
        where: dict[str, Value] = {"folder": e.folder, "free_mb": e.free_mb, "level": e.level}
        message = say("disk_space_detail", detail=e.detail, **where) if e.detail else say("disk_space", **where)
        commands += _condition_present(line, wanted, e.folder, e.at, message)
    return commands


def _condition_present(line: LineState, kind: str, source: str, at: float, message: Sentence) -> list[Command]:
    """One alarm per source and kind: raised, or the open one (returned, parked) active again."""
    open_alarm = line.deviations.find(kind, station=source)
    if open_alarm is None:
        return line.deviations.raise_(kind, at, message, station=source)
    return [] if open_alarm.active else line.deviations.reactivate(open_alarm.deviation_id, at)


def _condition_gone(line: LineState, kind: str, source: str, at: float) -> list[Command]:
    open_alarm = line.deviations.find(kind, station=source)
    return line.deviations.clear(open_alarm.deviation_id, at) if open_alarm is not None else []
