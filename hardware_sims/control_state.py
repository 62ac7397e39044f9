"""The simulated plant as the engineer's view sees it: one JSON-able picture of every simulated device.

What it is for: ``plant_state`` reads the simulators (lights as lit, confirm latches, printer flags and the last
labels printed, OEM feed counters and knobs, simulated operators) into plain dicts for the control channel
(``hardware_sims.control``), and ``label_layout`` turns a printed ZPL format into positioned elements so the
HMI can draw a faithful preview without a ZPL interpreter of its own.
What it must not do: change any simulator (it only reads), or grow into a ZPL interpreter: it reads only the
commands ``plc_io.zpl_labels`` emits (``^PW ^LL ^FO ^A0 ^BY ^BC ^BX ^GB ^FH ^FD ^FS``) and skips everything else.
The wire shape is documented in docs/sim-control.md; ``ui/engineer/link.py`` validates it on the other end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from hardware_sims.opcua_printer import OpcUaPrinterSim
from hardware_sims.opcua_ptl import OpcUaPtlSim
from hardware_sims.printer_plc import PrinterPlcSim
from hardware_sims.ptl_gateway import Lit, PtlGatewaySim
from hardware_sims.scanner import FAULTS as SCANNER_FAULTS
from hardware_sims.zpl_printer import ZplPrinterSim, lex
from plc_io.zpl_labels.fields import ZplDataError, uncode128_data, undatamatrix_data, unfh_text
from plc_io.zpl_labels.layouts import render_label

if TYPE_CHECKING:
    from hardware_sims.plant import SimulatedPlant

LABELS_SHOWN = 4  # the last labels per printer sent with every state: enough for a preview and a short history
DEFAULT_LABEL_DOTS = (812, 609)  # a format without ^PW/^LL: the part label's 4 x 3 in at 203 dpi


@dataclass
class Switches:
    """Fault-switch positions the simulators keep no public flag for (set through the control channel).

    Printer paper/ribbon/head/pause flags, a light's offline flag and every OPC UA switch (server off the network,
    out of service, media out) are read from the simulators instead, so a switch flipped by ``--faults`` shows
    too; these few are what the control channel itself set.
    """

    gateway_down: set[str] = field(default_factory=set)
    gateway_slow_s: dict[str, float] = field(default_factory=dict)
    printer_offline: set[str] = field(default_factory=set)
    printer_silent: set[str] = field(default_factory=set)
    operator_manual: set[str] = field(default_factory=set)
    wrong_button: set[str] = field(default_factory=set)
    no_press: set[str] = field(default_factory=set)
    follow_ups: dict[str, dict[str, int]] = field(default_factory=dict)  # feed -> {"change": n, "cancel": n}


# -- label layout: ZPL format -> positioned elements ---------------------------------------------------------
@dataclass
class _Cursor:
    """What the commands before a ``^FD`` set up for that field."""

    x: int = 0
    y: int = 0
    kind: str = "text"
    height: int = 30
    module: int = 2
    hex_on: bool = False
    box: tuple[int, int, int] | None = None  # ^GB width, height, thickness
    line: bool = True  # ^BC's interpretation line under the bars (its third parameter; Y unless it says N)


def _ints(args: str) -> list[int]:
    return [int(a) if a.strip().isdigit() else 0 for a in args.split(",")]


def _at(args: str, c: _Cursor) -> None:
    x, y, *_ = [*_ints(args), 0, 0]
    c.x, c.y = x, y


def _font(args: str, c: _Cursor) -> None:
    # ^A0N,h,w: font 0, orientation N; the height in dots follows the orientation letter
    height = _ints(args[2:] if args[1:2] == "," else args[1:])
    c.kind, c.height = "text", height[0] or c.height


def _bar_code(args: str, c: _Cursor) -> None:
    height = _ints(args[2:]) if args[1:2] == "," else [0]
    c.kind, c.height = "code128", height[0] or c.height
    asked = args.split(",")[2:3]  # ^BCo,h,f,...: f, the interpretation line
    c.line = not asked or asked[0].strip().upper() != "N"


def _matrix(args: str, c: _Cursor) -> None:
    module = _ints(args[2:]) if args[1:2] == "," else [0]
    c.kind, c.module = "datamatrix", module[0] or c.module


def _box(args: str, c: _Cursor) -> None:
    w, h, t, *_ = [*_ints(args), 0, 0, 1]
    c.box = (w, h, max(t, 1))


def _module(args: str, c: _Cursor) -> None:
    c.module = _ints(args)[0] or c.module


def _hex(_args: str, c: _Cursor) -> None:
    c.hex_on = True


_SETUP: dict[str, Callable[[str, _Cursor], None]] = {
    "FO": _at,
    "A0": _font,
    "BC": _bar_code,
    "BX": _matrix,
    "BY": _module,
    "GB": _box,
    "FH": _hex,
}
_FIELD_DATA: dict[str, Callable[[str, bool], str]] = {
    "text": lambda data, hex_on: unfh_text(data) if hex_on else data,
    "code128": lambda data, _hex_on: uncode128_data(data),
    "datamatrix": lambda data, _hex_on: undatamatrix_data(data),
}


_SIZES: dict[str, Callable[[_Cursor], dict[str, int]]] = {
    "text": lambda c: {"h": c.height},  # ^A0 character height in dots
    "code128": lambda c: {"h": c.height, "module": c.module, "line": c.line},  # ^BC bar height, ^BY narrow bar
    "datamatrix": lambda c: {"module": c.module},  # ^BX element size in dots
}


def _element(c: _Cursor, data: str) -> dict[str, Any]:
    return {"kind": c.kind, "x": c.x, "y": c.y, "data": _FIELD_DATA[c.kind](data, c.hex_on), **_SIZES[c.kind](c)}


@lru_cache(maxsize=64)
def label_layout(zpl: str) -> dict[str, Any]:
    """``{"width", "height", "elements"}`` in printer dots; elements are text, code128, datamatrix and box."""
    size = list(DEFAULT_LABEL_DOTS)
    elements: list[dict[str, Any]] = []
    c = _Cursor()
    for prefix, name, args in lex(zpl):
        if prefix != "^":
            continue
        if name in ("PW", "LL"):
            size[name == "LL"] = _ints(args)[0] or size[name == "LL"]
        elif name in _SETUP:
            _SETUP[name](args, c)
        elif name == "FD":
            elements.append(_element(c, args))
        elif name == "FS":
            if c.box is not None:
                w, h, t = c.box
                elements.append({"kind": "box", "x": c.x, "y": c.y, "w": w, "h": h, "t": t})
            c = _Cursor(height=c.height, module=c.module)
    return {"width": size[0], "height": size[1], "elements": elements}


# -- printers: one face per kind of simulator ---------------------------------------------------------------
def _zpl_label(rec: Any) -> dict[str, Any]:
    """A Zebra's record: the fields as a reader sees them and the layout of the ZPL it was sent."""
    fields = list(rec.fields)
    return {"label_id": rec.label_id or "", "reprint": rec.reprint, "time": rec.time, "fields": fields,
            "layout": label_layout(rec.zpl)}  # fmt: skip


def _plc_label(rec: Any) -> dict[str, Any]:
    """A print-and-apply record holds the label's data: its layout is what plc_io.zpl makes of it for the engine."""
    try:
        layout = label_layout(render_label(rec.label))
    except ZplDataError:
        layout = {"width": DEFAULT_LABEL_DOTS[0], "height": DEFAULT_LABEL_DOTS[1], "elements": []}
    fields = [e["data"] for e in layout["elements"] if e["kind"] != "box"]
    return {"label_id": rec.label_id, "reprint": rec.reprint, "time": rec.time, "fields": fields, "layout": layout}


@dataclass(frozen=True)
class PrinterFace:
    """How the control channel reads one kind of printer simulator: ports, switch positions, queue, labels."""

    protocol: str
    ports: Callable[[Any], tuple[int, int]]  # (print, Modbus or OPC UA port; status port or 0)
    switches: Callable[[str, Any, Switches], dict[str, bool]]  # in the order the HMI shows them
    queued: Callable[[Any], int]
    label: Callable[[Any], dict[str, Any]]


PRINTER_FACES: dict[type, PrinterFace] = {
    ZplPrinterSim: PrinterFace(
        protocol="zpl",
        ports=lambda pr: (pr.print_port, pr.status_port),
        switches=lambda name, pr, sw: {
            "offline": name in sw.printer_offline,
            "paper_out": pr.model.paper_out,
            "ribbon_out": pr.model.ribbon_out,
            "head_open": pr.model.head_open,
            "paused": pr.model.paused,
        },
        queued=lambda pr: len(pr.model.queue) + (pr.model.current is not None),
        label=_zpl_label,
    ),
    PrinterPlcSim: PrinterFace(
        protocol="modbus",
        ports=lambda pr: (pr.port, 0),
        switches=lambda name, pr, sw: {
            "offline": name in sw.printer_offline,
            "paper_out": pr.model.media_out,
            "ribbon_out": pr.model.ribbon_out,
            "ribbon_low": pr.model.ribbon_low,
            "head_open": pr.model.service_required,
            "silent": name in sw.printer_silent,
        },
        queued=lambda pr: int(pr.model.held is not None),
        label=_plc_label,
    ),
    OpcUaPrinterSim: PrinterFace(  # a print engine's job orders carry ZPL: its records are a Zebra's
        protocol="opcua",
        ports=lambda pr: (pr.port, 0),
        switches=lambda name, pr, sw: {
            "offline": pr.offline,
            "paper_out": pr.model.media_out,
            "out_of_service": pr.model.out_of_service,
        },
        queued=lambda pr: len(pr.model.started),
        label=_zpl_label,
    ),
}


def printer_face(printer: object) -> PrinterFace | None:
    return PRINTER_FACES.get(type(printer))


# -- light controllers: one face per kind of simulator ------------------------------------------------------
def _shown(lit: Lit) -> dict[str, Any]:
    return {"colour": lit.colour.name.lower(), "flash": lit.flash, "display": lit.display, "token": lit.token}


def _modbus_light(gw: Any, unit: int) -> dict[str, Any]:
    shown, confirm = _shown(gw.lit(unit)), gw.model.confirm(unit)  # lit() first: it applies the failsafe
    return {**shown, "offline": gw.model.lights[unit].offline, "latched": confirm.latched,
            "counter": confirm.counter}  # fmt: skip


def _opcua_light(ptl: Any, light: int) -> dict[str, Any]:
    """A bin of the OPC UA board: "latched" is its Confirmed variable (a press the host has not acknowledged)."""
    target = ptl.board.bins[light]
    return {**_shown(ptl.lit(light)), "offline": not target.online,
            "latched": target.counter != target.acknowledged, "counter": target.counter}  # fmt: skip


@dataclass(frozen=True)
class GatewayFace:
    """How the control channel reads one kind of light controller: its controller switches and each light."""

    kind: str
    switches: Callable[[str, Any, Switches], dict[str, bool]]  # in the order the HMI shows them
    light: Callable[[Any, int], dict[str, Any]]  # colour, flash, display, token, offline, latched, counter


GATEWAY_FACES: dict[type, GatewayFace] = {
    PtlGatewaySim: GatewayFace(
        kind="modbus",
        switches=lambda name, gw, sw: {"down": name in sw.gateway_down, "slow": name in sw.gateway_slow_s},
        light=_modbus_light,
    ),
    OpcUaPtlSim: GatewayFace(
        kind="opcua",
        switches=lambda name, ptl, sw: {"down": ptl.offline, "out_of_service": ptl.board.out_of_service},
        light=_opcua_light,
    ),
}


def gateway_face(gateway: object) -> GatewayFace | None:
    return GATEWAY_FACES.get(type(gateway))


# -- the picture of the plant ----------------------------------------------------------------------------------
def _bins_by_gateway(sim: SimulatedPlant) -> dict[str, dict[int, tuple[str, str]]]:
    """gateway -> light -> (station, bin), from the plant file."""
    out: dict[str, dict[int, tuple[str, str]]] = {}
    for st in sim.plant.stations:
        for b in st.bins:
            out.setdefault(st.ptl, {})[b.light] = (st.id, b.id)
    return out


def _gateways(sim: SimulatedPlant, sw: Switches) -> dict[str, Any]:
    bins = _bins_by_gateway(sim)
    out: dict[str, Any] = {}
    for name, gw in sim.gateways.items():
        face = gateway_face(gw)
        if face is None:  # a new kind of simulator: named (its stations point at it), not read
            out[name] = {"kind": type(gw).__name__, "port": 0, "switches": {}, "slow_s": 0.0, "lights": []}
            continue
        lights = []
        for n in gw.lights:
            station, bin_id = bins.get(name, {}).get(n, ("", ""))
            lights.append({"light": n, "station": station, "bin": bin_id, **face.light(gw, n)})
        out[name] = {
            "kind": face.kind,
            "port": gw.port,
            "switches": face.switches(name, gw, sw),
            "slow_s": sw.gateway_slow_s.get(name, 0.0),  # only a Modbus gateway has a slow switch
            "lights": lights,
        }
    return out


def _printers(sim: SimulatedPlant, sw: Switches, labels: int) -> dict[str, Any]:
    """Every printer a face knows; one it does not (a new kind of simulator) is left out, not guessed at."""
    out: dict[str, Any] = {}
    for name, pr in sim.printers.items():
        face = printer_face(pr)
        if face is None:
            continue
        port, status_port = face.ports(pr)
        out[name] = {
            "protocol": face.protocol,
            "port": port,
            "status_port": status_port,
            "switches": face.switches(name, pr, sw),
            "printed": len(pr.printed),
            "queued": face.queued(pr),
            "labels": [face.label(rec) for rec in pr.printed[-labels:]] if labels else [],
        }
    return out


def _feeds(sim: SimulatedPlant, sw: Switches) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for cfg in sim.plant.feeds:
        oem = sim.feeds.get(cfg.id)
        if oem is None:
            continue
        out[cfg.id] = {
            "plant_takt_s": cfg.takt_s,
            "knobs": oem.knobs,
            "counters": asdict(oem.counters),
            "unacked": len(oem.unacked),
            "follow_ups": dict(sw.follow_ups.get(cfg.id, {})),
        }
    return out


def _stations(sim: SimulatedPlant, sw: Switches) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for st in sim.plant.stations:
        op = sim.operators.get(st.id)
        if op is None:
            continue
        out[st.id] = {
            "name": st.name,
            "gateway": st.ptl,
            "printer": st.printer,
            "auto": st.id not in sw.operator_manual,
            "wrong_button": st.id in sw.wrong_button,
            "no_press": st.id in sw.no_press,
            "presses": op.presses,
            "wrong_presses": op.wrong_presses,
            "misses": op.misses,
            "next_press_at": op.next_press_at,
        }
    return out


def _scanners(sim: SimulatedPlant) -> dict[str, Any]:
    """Each barcode reader: its station, port, the clients reading it, what it sent last and its fault switches."""
    out: dict[str, Any] = {}
    for name, reader in sim.scanners.items():
        out[name] = {
            "station": sim.plant.devices.scanners[name].station,
            "port": reader.port,
            "clients": reader.clients,
            "sent": len(reader.sent),
            "last": reader.sent[-1] if reader.sent else "",
            "switches": {fault: fault in reader.faults for fault in SCANNER_FAULTS},
        }
    return out


def plant_state(sim: SimulatedPlant, sw: Switches, labels: int = LABELS_SHOWN) -> dict[str, Any]:
    """Everything the engineer's view shows, read now."""
    return {
        "plant": sim.plant.plant.name,
        "timezone": sim.plant.plant.timezone,
        "at": sim.clock.now(),
        "speed": sim.clock.speed,
        "gateways": _gateways(sim, sw),
        "printers": _printers(sim, sw, labels),
        "feeds": _feeds(sim, sw),
        "stations": _stations(sim, sw),
        "scanners": _scanners(sim),
    }
