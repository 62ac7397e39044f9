"""Build the device drivers the plant file names, and translate their reports into core events.

The mapping (device, light) -> (station, bin) comes from the plant's stations; a report from an address the
plant does not know is a fault of the wiring and is logged, never guessed at.
"""

from __future__ import annotations

import logging

from plc_io.ports import (
    BinPressed,
    DeviceReport,
    LabelDone,
    LabelPrinter,
    LightShown,
    LinkChanged,
    PickToLight,
    PrinterFault,
)
from plc_io.printer_modbus import ModbusPrinter
from plc_io.printer_zpl import UNCERTAIN, ZplPrinter
from plc_io.ptl_modbus import ModbusPickToLight
from sequencer.events import (
    BinConfirmed,
    DeviceLinkChanged,
    Event,
    LabelPrinted,
    LabelUncertain,
    PrinterFaultChanged,
)
from sequencer.plant import PlantConfig

log = logging.getLogger(__name__)


def build_ptls(plant: PlantConfig) -> dict[str, PickToLight]:
    ptls: dict[str, PickToLight] = {}
    for name, cfg in plant.devices.ptl.items():
        lights = sorted({b.light for s in plant.stations if s.ptl == name for b in s.bins})
        if cfg.protocol != "modbus":
            raise NotImplementedError(f"devices.ptl.{name}.protocol: {cfg.protocol!r} is not wired yet")
        ptls[name] = ModbusPickToLight(
            name,
            cfg.host,
            cfg.port,
            lights,
            timeout_s=cfg.timeout_s,
            poll_interval_s=plant.service.poll_interval_s,
            allowed_lights=set(lights),
        )
    return ptls


def build_printers(plant: PlantConfig) -> dict[str, LabelPrinter]:
    printers: dict[str, LabelPrinter] = {}
    for name, cfg in plant.devices.printers.items():
        if cfg.protocol == "zpl":
            printers[name] = ZplPrinter(name, cfg.host, cfg.port, cfg.status_port, timeout_s=cfg.timeout_s)
        elif cfg.protocol == "modbus":
            printers[name] = ModbusPrinter(
                name,
                cfg.host,
                cfg.port,
                timeout_s=cfg.timeout_s,
                poll_interval_s=max(0.01, plant.service.poll_interval_s),
                device_id=cfg.unit_id,
            )
        else:
            raise NotImplementedError(f"devices.printers.{name}.protocol: {cfg.protocol!r} is not wired yet")
    return printers


class ReportTranslator:
    """Device reports -> core events (None for reports that are only metrics, such as LightShown)."""

    def __init__(self, plant: PlantConfig) -> None:
        self._bin_at = {(s.ptl, b.light): (s.id, b.id) for s in plant.stations for b in s.bins}

    def to_event(self, report: DeviceReport, at: float) -> Event | None:
        match report:
            case BinPressed(device=device, light=light, token=token, count=count):
                where = self._bin_at.get((device, light))
                if where is None:
                    log.error("confirm from %s light %d, which no station in the plant uses", device, light)
                    return None
                return BinConfirmed(at=at, station=where[0], bin=where[1], token=token, count=count)
            case LabelDone(label_id=label_id):
                return LabelPrinted(at=at, label_id=label_id)
            case LinkChanged(device=device, up=up, detail=detail):
                return DeviceLinkChanged(at=at, device=device, up=up, detail=detail)
            case PrinterFault(device=device, faults=faults):
                uncertain = [f.removeprefix(UNCERTAIN) for f in faults if f.startswith(UNCERTAIN)]
                if uncertain:  # the link dropped mid-job: never resent; a person checks and reprints explicitly
                    return LabelUncertain(at=at, label_id=uncertain[0], reason=f"{device}: link lost mid-job")
                return PrinterFaultChanged(at=at, device=device, faults=faults)
            case LightShown():
                return None
        return None
