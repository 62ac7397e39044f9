"""Device rules: a device's link and a printer's faults, as one deviation per device at a time.

A link that goes down (a PTL controller, a printer) or a printer that reports faults raises one alarm for that
device; the next report of the same device while it is open adds nothing; the device back (or healthy) clears it.

Uses no other rule module. What it must not do: drive a device or retry anything (the service's drivers do); a
light that could not be lit stays lit in the state and is shown again by ``picking.lit_commands`` after a restart.
"""

from __future__ import annotations

from sequencer.commands import Command
from sequencer.events import DeviceLinkChanged, PrinterFaultChanged
from sequencer.state import LineState


def on_link(line: LineState, e: DeviceLinkChanged) -> list[Command]:
    if e.up:
        line.devices_down.discard(e.device)
        return _ok(line, e.device, e.at)
    line.devices_down.add(e.device)
    return _fault(line, e.device, "device_offline", e.at, f"{e.device} offline: {e.detail}")


def on_printer_fault(line: LineState, e: PrinterFaultChanged) -> list[Command]:
    if not e.faults:
        return _ok(line, e.device, e.at)
    return _fault(line, e.device, "printer_fault", e.at, f"{e.device}: {', '.join(e.faults)}")


def _fault(line: LineState, device: str, kind: str, at: float, message: str) -> list[Command]:
    if device in line.device_faults:
        return []
    raised = line.deviations.raise_(kind, at, message, station=device)
    line.device_faults[device] = line.deviations.newest_id
    return raised


def _ok(line: LineState, device: str, at: float) -> list[Command]:
    dev_id = line.device_faults.pop(device, None)
    return line.deviations.clear(dev_id, at) if dev_id is not None else []
