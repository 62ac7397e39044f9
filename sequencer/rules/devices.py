"""Device rules: a device's link and a printer's faults, as the device reports them, and the alarm points they feed.

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
from sequencer.events import DeviceLinkChanged, PrinterFaultChanged
from sequencer.state import LineState


def on_link(line: LineState, e: DeviceLinkChanged) -> list[Command]:
    line.touched.device(e.device)
    if e.up:
        line.devices_down.discard(e.device)
        line.link_detail.pop(e.device, None)
        return line.alarm_points.gone("device_offline", e.device, e.at)
    line.devices_down.add(e.device)
    line.link_detail[e.device] = e.detail or "link down"
    return line.alarm_points.present("device_offline", e.device, e.at, f"{e.device} offline: {e.detail}")


def on_printer_fault(line: LineState, e: PrinterFaultChanged) -> list[Command]:
    line.touched.device(e.device)
    if not e.faults:
        line.printer_faults.pop(e.device, None)
        return line.alarm_points.gone("printer_fault", e.device, e.at)
    line.printer_faults[e.device] = e.faults
    return line.alarm_points.present("printer_fault", e.device, e.at, f"{e.device}: {', '.join(e.faults)}")
