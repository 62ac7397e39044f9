"""Build the device drivers the plant file names, and translate their reports into core events.

The mapping (device, light) -> (station, bin) comes from the plant's stations; a report from an address the
plant does not know is a fault of the wiring and is logged, never guessed at. Every report type has its own case
(a new one fails the type check until it is handled).
What it must not do: talk to a device (the drivers built here do, in their own tasks) or remember reports.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import assert_never

from plc_io.modbus.printer import ModbusPrinter
from plc_io.modbus.ptl import ModbusPickToLight
from plc_io.opcua.printer import OpcUaPrinter
from plc_io.opcua.ptl import OpcUaPickToLight
from plc_io.opcua.security import ClientSecurity, Profile, log_profile
from plc_io.ports import (
    UNCERTAIN,
    BinPressed,
    CodeRead,
    DeviceReport,
    LabelDone,
    LabelPrinter,
    LightShown,
    LinkChanged,
    PickToLight,
    PrinterFault,
)
from plc_io.scanner import TcpScanner
from plc_io.zpl.printer import ZplPrinter
from plc_io.zpl_labels.layouts import layouts_from_plant
from sequencer.events import (
    BinConfirmed,
    DeviceLinkChanged,
    Event,
    LabelPrinted,
    LabelUncertain,
    PartScanned,
    PrinterFaultChanged,
)
from sequencer.plant import OpcUaSettings, PlantConfig, PlantConfigError

log = logging.getLogger(__name__)


def opcua_url(host: str, port: int, settings: OpcUaSettings, default_path: str) -> str:
    return f"opc.tcp://{host}:{port}/{settings.path or default_path}"


def client_security(where: str, settings: OpcUaSettings) -> ClientSecurity:
    """The driver's OPC UA security from the plant file; the password comes from the environment only."""
    password = os.environ.get(settings.password_env) if settings.password_env else None
    if settings.password_env and password is None:
        raise PlantConfigError(f"{where}.opcua.password_env: environment variable {settings.password_env} is not set")
    try:
        return ClientSecurity(
            profile=Profile(settings.security),
            policy=settings.policy,
            certificate=Path(settings.certificate) if settings.certificate else None,
            private_key=Path(settings.private_key) if settings.private_key else None,
            trusted=Path(settings.trusted) if settings.trusted else None,
            user=settings.user,
            password=password,
        )
    except ValueError as exc:
        raise PlantConfigError(f"{where}.opcua: {exc}") from exc


def build_ptls(plant: PlantConfig) -> dict[str, PickToLight]:
    ptls: dict[str, PickToLight] = {}
    for name, cfg in plant.devices.ptl.items():
        lights = sorted({b.light for s in plant.stations if s.ptl == name for b in s.bins})
        if cfg.protocol == "opcua":
            security = client_security(f"devices.ptl.{name}", cfg.opcua)
            log_profile(log, name, security.profile)
            ptls[name] = OpcUaPickToLight(
                name,
                opcua_url(cfg.host, cfg.port, cfg.opcua, "jis/ptl"),
                lights,
                security=security,
                timeout_s=cfg.timeout_s,
                allowed_lights=set(lights),
            )
            continue
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
    layouts = layouts_from_plant(plant.labels)
    for name, cfg in plant.devices.printers.items():
        if cfg.protocol == "zpl":
            printers[name] = ZplPrinter(
                name, cfg.host, cfg.port, cfg.status_port, timeout_s=cfg.timeout_s, layouts=layouts
            )
        elif cfg.protocol == "opcua":
            security = client_security(f"devices.printers.{name}", cfg.opcua)
            log_profile(log, name, security.profile)
            url = opcua_url(cfg.host, cfg.port, cfg.opcua, "jis/printer")
            printers[name] = OpcUaPrinter(name, url, security=security, timeout_s=cfg.timeout_s, layouts=layouts)
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


def build_scanners(plant: PlantConfig) -> dict[str, TcpScanner]:
    """The fixed-mount barcode readers (docs/scanner-tcp.md)."""
    return {
        name: TcpScanner(name, cfg.host, cfg.port, timeout_s=cfg.timeout_s, same_code_s=cfg.same_code_s)
        for name, cfg in plant.devices.scanners.items()
    }


def code_text(code: bytes) -> str:
    """A read as text: printable ASCII as is, every other byte as ``\\xNN`` (the raw bytes go along in hex)."""
    return "".join(chr(b) if 0x20 <= b < 0x7F and b != 0x5C else f"\\x{b:02x}" for b in code)


class ReportTranslator:
    """Device reports -> core events (None for reports that are only metrics, such as LightShown)."""

    def __init__(self, plant: PlantConfig) -> None:
        self._bin_at = {(s.ptl, b.light): (s.id, b.id) for s in plant.stations for b in s.bins}
        self._station_of_scanner = {name: cfg.station for name, cfg in plant.devices.scanners.items()}

    def bin_of(self, device: str, light: int) -> tuple[str, str] | None:
        """(station, bin) of a light (None: no station of the plant uses it)."""
        return self._bin_at.get((device, light))

    def to_event(self, report: DeviceReport, at: float) -> Event | None:
        match report:
            case BinPressed(device=device, light=light, token=token, count=count, counter=counter):
                where = self._bin_at.get((device, light))
                if where is None:
                    log.error("confirm from %s light %d, which no station in the plant uses", device, light)
                    return None
                return BinConfirmed(at=at, station=where[0], bin=where[1], token=token, count=count, counter=counter)
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
            case CodeRead(device=device, code=code):
                station = self._station_of_scanner.get(device)
                if station is None:
                    log.error("read from %s, which no scanner in the plant is", device)
                    return None
                return PartScanned(at=at, station=station, code=code_text(code), raw=code.hex(), source=f"tcp:{device}")
            case _:
                assert_never(report)
