"""The simulators' control channel: a ZeroMQ ROUTER that lets the engineer's view see and turn the plant's knobs.

What it is for: one task in the simulator process owns a ROUTER socket on 127.0.0.1 and answers JSON requests
(docs/sim-control.md): ``state`` (every light, printer, feed and simulated operator, from
``hardware_sims.control_state``), ``press`` (a finger on a light, Modbus or OPC UA), ``fault`` (every fault
switch the simulators have, per kind of device in ``FAULTS``, on or off while running), ``feed`` (the OEM
knobs: takt, gaps, duplicates, changes, cancellations, bursts, silence) and ``operator`` (switch a simulated
operator off so the engineer presses by hand). Requests are validated with pydantic
(``hardware_sims.control_requests``, ``extra="forbid"``); every request gets exactly one answer
``{"id", "ok", ...}``, an error never kills the channel. A request larger than ``MAX_REQUEST_BYTES`` never
arrives (libzmq drops it and closes its connection: ``ZMQ_MAXMSGSIZE``); one nested deeper than ``MAX_REQUEST_DEPTH``
is refused with the reason before any parser reads it (``sequencer.json_guard``: a deep one made ``json`` raise
``RecursionError``, which ended the channel's task).
What it must not do: listen anywhere but 127.0.0.1 (it has NO authentication: it is a development tool, and
``SimControl`` refuses any other bind address), share its socket with another task, or be imported by
production code (import-linter forbids it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import zmq
import zmq.asyncio
from pydantic import ValidationError

from hardware_sims.control_requests import (
    FEED_KNOBS,
    REQUEST,
    FaultRequest,
    FeedRequest,
    OperatorRequest,
    PressRequest,
    PrintedRequest,
    StateRequest,
)
from hardware_sims.control_state import Switches, plant_state, printer_face
from hardware_sims.opcua_printer import FULL_ROLL, OpcUaPrinterSim
from hardware_sims.opcua_ptl import OpcUaPtlSim
from hardware_sims.plant import SimulatedPlant
from hardware_sims.printer_plc import PrinterPlcSim
from hardware_sims.ptl_gateway import PtlGatewaySim
from hardware_sims.zpl_printer import ZplPrinterSim
from sequencer.json_guard import MAX_DEPTH, json_refusal

log = logging.getLogger(__name__)

LOOPBACK_ENDPOINT = re.compile(r"tcp://127\.0\.0\.1:(\d{1,5}|\*)")
MAX_REQUEST_BYTES = 64 * 1024  # libzmq drops a peer that sends more (ZMQ_MAXMSGSIZE): requests are tiny
MAX_REQUEST_DEPTH = MAX_DEPTH  # requests nest one level (two with a feed's options)
SLOW_DEFAULT_S = 0.5  # "slow" gateway: extra delay per answer, in REAL seconds unless the request says otherwise
WRONG_BUTTON_RATE = 0.5  # a wrong-button operator presses a wrong, unlit bin first on half of the picks
CHANGE_OPTIONS = ("S3", "P1A2", "PDC")  # the options a "change" follow-up sends when the request names none


class ControlError(Exception):
    """A well-formed request the plant cannot do (unknown device, fault or light): answered, never raised on."""


# -- the controller: requests -> simulator calls ----------------------------------------------------------------
FaultHandler = Callable[["Controller", str, FaultRequest], Awaitable[None]]


class Controller:
    """Applies requests to a running ``SimulatedPlant``; keeps the switch positions the sims keep no flag for."""

    def __init__(self, sim: SimulatedPlant) -> None:
        self.sim = sim
        self.switches = Switches()
        self._restarted: dict[str, asyncio.Task[None]] = {}  # operators restarted after a manual spell
        self._plant_rates: dict[str, tuple[float, float]] = {}  # station -> the (wrong, miss) rates it started with
        self._media: dict[str, int] = {}  # OPC UA printer -> the labels it had when "paper_out" emptied it

    async def handle(
        self, req: StateRequest | PressRequest | FaultRequest | FeedRequest | OperatorRequest | PrintedRequest
    ) -> Any:
        return await _OPS[req.op](self, req)

    async def state(self, req: StateRequest) -> dict[str, Any]:
        return {"state": plant_state(self.sim, self.switches, req.labels)}

    async def press(self, req: PressRequest) -> dict[str, Any]:
        gw = self._light_controller(req.device)
        for light in _lights(req.device, gw, req.light):  # the one light, refused if the controller has none such
            gw.press(light)
        return {}

    async def fault(self, req: FaultRequest) -> dict[str, Any]:
        kind = self._kind_of(req.device)
        handler = FAULTS[kind].get(req.name)
        if handler is None:
            raise ControlError(f"{kind} {req.device} has no fault {req.name!r}; it has {', '.join(FAULTS[kind])}")
        await handler(self, req.device, req)
        return {}

    async def feed(self, req: FeedRequest) -> dict[str, Any]:
        oem = self.sim.feeds.get(req.feed)
        if oem is None:
            raise ControlError(f"no feed {req.feed!r}; feeds: {', '.join(self.sim.feeds)}")
        applied = {k: _FEED_ACTIONS[k](self, req) for k in FEED_KNOBS if getattr(req, k) is not None}
        return {"applied": applied}

    async def operator(self, req: OperatorRequest) -> dict[str, Any]:
        if req.station not in self.sim.operators:
            raise ControlError(f"no simulated operator at {req.station!r}; stations: {', '.join(self.sim.operators)}")
        await (self._resume if req.auto else self._pause)(req.station)
        return {}

    async def printed(self, req: PrintedRequest) -> dict[str, Any]:
        """Every label with this id the printers printed, in print order: ``{"printed": [{printer, reprint,
        time}]}``, empty when none did (a label that may or may not have printed, checked at the part)."""
        found = [
            {"printer": name, "reprint": rec.reprint, "time": rec.time}
            for name, printer in self.sim.printers.items()
            for rec in printer.printed
            if rec.label_id == req.label_id
        ]
        return {"printed": sorted(found, key=lambda r: r["time"])}

    async def stop(self) -> None:
        """Cancel the operator tasks this controller restarted (the plant cancels its own)."""
        tasks = list(self._restarted.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- look-ups -------------------------------------------------------------------------------------------
    def _kind_of(self, device: str) -> str:
        """The key of ``FAULTS``: gateway (Modbus), "opcua PTL", station, or "<protocol> printer"."""
        if device in self.sim.printers:
            face = printer_face(self.sim.printers[device])
            if face is None:
                raise ControlError(f"printer {device!r} is of a kind the control channel does not know")
            return f"{face.protocol} printer"
        if device in self.sim.gateways:
            return "gateway" if isinstance(self.sim.gateways[device], PtlGatewaySim) else "opcua PTL"
        if device in self.sim.operators:
            return "station"
        known = [*self.sim.gateways, *self.sim.printers, *self.sim.operators]
        raise ControlError(f"no device {device!r}; devices: {', '.join(known)}")

    def _light_controller(self, device: str) -> PtlGatewaySim | OpcUaPtlSim:
        """A light controller of any kind: both take a press (``press``, ``lights``)."""
        gw = self.sim.gateways.get(device)
        if gw is None:
            raise ControlError(f"no PTL gateway {device!r}; gateways: {', '.join(self.sim.gateways)}")
        return gw

    def _gateway(self, device: str) -> PtlGatewaySim:
        """A Modbus PTL gateway (its fault handlers check the kind: ``FAULTS`` keys it by the device's kind)."""
        gw = self._light_controller(device)
        if not isinstance(gw, PtlGatewaySim):
            raise ControlError(f"PTL {device!r} ({type(gw).__name__}) is no Modbus PTL gateway")
        return gw

    def _opcua_ptl(self, device: str) -> OpcUaPtlSim:
        gw = self._light_controller(device)
        if not isinstance(gw, OpcUaPtlSim):
            raise ControlError(f"PTL {device!r} ({type(gw).__name__}) is no OPC UA light controller")
        return gw

    def _flagged_printer(self, device: str) -> ZplPrinterSim | PrinterPlcSim:
        """A printer with ``set_fault`` flags: a Zebra or a print-and-apply PLC."""
        printer = self.sim.printers[device]
        if not isinstance(printer, (ZplPrinterSim, PrinterPlcSim)):
            raise ControlError(f"printer {device!r} ({type(printer).__name__}) has no fault flags to switch")
        return printer

    def _opcua_printer(self, device: str) -> OpcUaPrinterSim:
        printer = self.sim.printers[device]
        if not isinstance(printer, OpcUaPrinterSim):
            raise ControlError(f"printer {device!r} ({type(printer).__name__}) is no OPC UA print engine")
        return printer

    # -- operators: auto or by hand ---------------------------------------------------------------------------
    def _operator_task(self, station: str) -> asyncio.Task[Any] | None:
        # SimulatedPlant names each operator's task "operator:<station>" and keeps no public handle to it;
        # a restarted one is ours. (A SimulatedPlant.set_operator_auto would make this look-up unnecessary.)
        own = self._restarted.get(station)
        if own is not None:
            return own
        name = f"operator:{station}"
        return next((t for t in self.sim._tasks if t.get_name() == name and not t.done()), None)

    async def _pause(self, station: str) -> None:
        task = self._operator_task(station)
        self.switches.operator_manual.add(station)
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        self._restarted.pop(station, None)

    async def _resume(self, station: str) -> None:
        self.switches.operator_manual.discard(station)
        task = self._operator_task(station)
        if task is None or task.done():
            op = self.sim.operators[station]
            self._restarted[station] = asyncio.create_task(op.run(), name=f"operator:{station}")

    def set_operator_rates(self, station: str) -> None:
        """Apply the station's wrong-button / no-press switches; both off restores the plant's own rates."""
        # SimulatedOperator reads its rates on every pick but has no setter for them yet; its constructor
        # checks wrong + miss <= 1, which holds here: "no press" (miss 1.0) clears the wrong rate.
        op = self.sim.operators[station]
        wrong, miss = self._plant_rates.setdefault(station, (op._wrong_rate, op._miss_rate))
        if station in self.switches.no_press:
            wrong, miss = 0.0, 1.0
        elif station in self.switches.wrong_button:
            wrong, miss = WRONG_BUTTON_RATE, 0.0
        op._wrong_rate, op._miss_rate = wrong, miss


# -- fault switches, per kind of device, as a table ---------------------------------------------------------------
async def _gateway_down(c: Controller, device: str, req: FaultRequest) -> None:
    await c._gateway(device).set_gateway_down(req.on)
    (c.switches.gateway_down.add if req.on else c.switches.gateway_down.discard)(device)


async def _gateway_slow(c: Controller, device: str, req: FaultRequest) -> None:
    real_s = SLOW_DEFAULT_S if req.seconds is None else req.seconds
    sim_s = real_s * c.sim.clock.speed if req.on else 0.0  # set_slow takes SIMULATED seconds
    c._gateway(device).set_slow(sim_s)
    if req.on:
        c.switches.gateway_slow_s[device] = real_s
    else:
        c.switches.gateway_slow_s.pop(device, None)


def _lights(device: str, gw: PtlGatewaySim | OpcUaPtlSim, light: int | None) -> tuple[int, ...]:
    """The one light a request names (refused if the controller has no such light), or every light."""
    if light is None:
        return gw.lights
    if light not in gw.lights:
        raise ControlError(f"{device} has no light {light}; it has {list(gw.lights)}")
    return (light,)


async def _light_exception(c: Controller, device: str, req: FaultRequest) -> None:
    """A light cut off its RS-485 chain: the gateway answers Modbus exception 0x0B for it (docs/ptl-modbus.md)."""
    gw = c._gateway(device)
    for unit in _lights(device, gw, req.light):
        gw.set_offline(unit, req.on)


async def _server_down(c: Controller, device: str, req: FaultRequest) -> None:
    """An OPC UA light controller off the network: sessions dropped, connects refused; off: listens again."""
    await c._opcua_ptl(device).set_offline(req.on)


async def _bin_off_bus(c: Controller, device: str, req: FaultRequest) -> None:
    """A light cut off the controller's bus: Online reads false, its methods answer BadCommunicationError."""
    ptl = c._opcua_ptl(device)
    for light in _lights(device, ptl, req.light):
        ptl.set_light_online(light, not req.on)


async def _ptl_out_of_service(c: Controller, device: str, req: FaultRequest) -> None:
    """The controller's state reads OutOfService; Light and Clear answer BadInvalidState (presses still count)."""
    c._opcua_ptl(device).set_out_of_service(req.on)


async def _media_out(c: Controller, device: str, req: FaultRequest) -> None:
    """An OPC UA engine's media stock to 0 (the running job is Interrupted); off loads what it had before,
    or a full roll if the channel did not empty it (it printed its roll out, or ``--faults`` did)."""
    printer = c._opcua_printer(device)
    if req.on and not printer.model.media_out:
        c._media[device] = printer.model.labels_remaining
        printer.set_media(0)
    elif not req.on and printer.model.media_out:
        printer.set_media(c._media.pop(device, FULL_ROLL))


async def _engine_out_of_service(c: Controller, device: str, req: FaultRequest) -> None:
    """The engine's state reads OutOfService: job orders are refused, the running one is Interrupted."""
    c._opcua_printer(device).set_out_of_service(req.on)


async def _printer_offline(c: Controller, device: str, req: FaultRequest) -> None:
    await c.sim.printers[device].set_offline(req.on)
    (c.switches.printer_offline.add if req.on else c.switches.printer_offline.discard)(device)


async def _plc_silent(c: Controller, device: str, req: FaultRequest) -> None:
    """The PLC reads requests but answers none (a hung PLC behind a live switch)."""
    printer = c.sim.printers[device]
    if not isinstance(printer, PrinterPlcSim):
        raise ControlError(
            f"printer {device!r} ({type(printer).__name__}) is no print-and-apply PLC: it cannot go silent"
        )
    printer.set_silent(req.on)
    (c.switches.printer_silent.add if req.on else c.switches.printer_silent.discard)(device)


def _printer_flag(flag: str) -> FaultHandler:
    """A ``set_fault`` keyword of the printer simulator (the names differ per kind: see ``FAULTS``)."""

    async def switch(c: Controller, device: str, req: FaultRequest) -> None:
        c._flagged_printer(device).set_fault(**{flag: req.on})

    return switch


def _operator_flag(which: Callable[[Switches], set[str]]) -> FaultHandler:
    async def switch(c: Controller, device: str, req: FaultRequest) -> None:
        (which(c.switches).add if req.on else which(c.switches).discard)(device)
        c.set_operator_rates(device)

    return switch


FAULTS: dict[str, dict[str, FaultHandler]] = {
    "gateway": {"down": _gateway_down, "slow": _gateway_slow, "exception": _light_exception},
    "zpl printer": {  # a Zebra on ZPL II over TCP (docs/printer-zpl.md)
        "offline": _printer_offline,
        "paper_out": _printer_flag("paper_out"),
        "ribbon_out": _printer_flag("ribbon_out"),
        "head_open": _printer_flag("head_open"),
        "paused": _printer_flag("paused"),
    },
    "modbus printer": {  # a print-and-apply PLC over Modbus TCP: the Zebra applicator signals' names
        "offline": _printer_offline,
        "paper_out": _printer_flag("media_out"),
        "ribbon_out": _printer_flag("ribbon_out"),
        "ribbon_low": _printer_flag("ribbon_low"),
        "head_open": _printer_flag("service_required"),  # head open shows as SERVICE REQUIRED alone
        "silent": _plc_silent,
    },
    "station": {
        "wrong_button": _operator_flag(lambda s: s.wrong_button),
        "no_press": _operator_flag(lambda s: s.no_press),
    },
    "opcua PTL": {  # an OPC UA light controller (docs/opcua.md): no "slow", asyncua answers as it answers
        "down": _server_down,
        "exception": _bin_off_bus,  # the OPC UA counterpart of Modbus 0x0B: BadCommunicationError
        "out_of_service": _ptl_out_of_service,
    },
    "opcua printer": {  # an OPC UA print engine (docs/opcua.md)
        "offline": _printer_offline,
        "paper_out": _media_out,
        "out_of_service": _engine_out_of_service,
    },
}


# -- OEM feed knobs --------------------------------------------------------------------------------------------------
def _follow_up(c: Controller, req: FeedRequest, function: str, n: int) -> int:
    """A change or cancel for each of the ``n`` vehicles acknowledged last; how many went out."""
    oem = c.sim.feeds[req.feed]
    options = list(req.options or CHANGE_OPTIONS) if function == "change" else None
    sent = sum(oem.send_function(seq, function, options=options) for seq in oem.acked_recently(n))
    counts = c.switches.follow_ups.setdefault(req.feed, {})
    counts[function] = counts.get(function, 0) + sent
    return sent


def _knob(knob: str, method: str) -> Callable[[Controller, FeedRequest], Any]:
    """Call the feed simulator's ``method`` with the request's value of ``knob``; answer what was applied."""

    def turn(c: Controller, req: FeedRequest) -> Any:
        value = getattr(req, knob)
        getattr(c.sim.feeds[req.feed], method)(value)
        return value

    return turn


def _duplicates(c: Controller, req: FeedRequest) -> int:
    n = req.duplicate_next or 0
    for _ in range(n):
        c.sim.feeds[req.feed].duplicate_next()  # one call marks one of the next broadcasts
    return n


def _line(c: Controller, req: FeedRequest) -> str:
    """The OEM's line stops, or runs again (at ``rate_per_h`` when given)."""
    oem = c.sim.feeds[req.feed]
    if req.line == "stopped":
        oem.stop_line()
    else:
        oem.run_line(req.rate_per_h)
    return str(req.line)


_FEED_ACTIONS: dict[str, Callable[[Controller, FeedRequest], Any]] = {
    "takt_s": _knob("takt_s", "set_takt"),
    "drop_next": _knob("drop_next", "drop_next"),
    "duplicate_next": _duplicates,
    "burst": _knob("burst", "burst"),
    "pause_s": _knob("pause_s", "pause"),
    "change": lambda c, r: _follow_up(c, r, "change", r.change or 0),  # called only when set, like every knob
    "cancel": lambda c, r: _follow_up(c, r, "cancel", r.cancel or 0),
    "line": lambda c, r: _line(c, r),
}
_OPS: dict[str, Callable[[Controller, Any], Awaitable[dict[str, Any]]]] = {
    "state": Controller.state,
    "press": Controller.press,
    "fault": Controller.fault,
    "feed": Controller.feed,
    "operator": Controller.operator,
    "printed": Controller.printed,
}


# -- the socket ----------------------------------------------------------------------------------------------------
def check_endpoint(endpoint: str) -> str:
    """``tcp://127.0.0.1:PORT`` (0 or ``*``: any free port); anything else is refused: no authentication."""
    m = LOOPBACK_ENDPOINT.fullmatch(endpoint)
    if m is None or (m.group(1) != "*" and int(m.group(1)) > 65535):
        raise ValueError(
            f"the sim control channel listens only on tcp://127.0.0.1:PORT (no authentication): {endpoint}"
        )
    return endpoint if m.group(1) not in ("0", "*") else "tcp://127.0.0.1:*"


async def answer(controller: Controller, payload: bytes) -> dict[str, Any]:
    """One request in, one answer out; every failure is an answer with ``ok: false`` and the reason."""
    if refusal := json_refusal(payload, max_bytes=MAX_REQUEST_BYTES, max_depth=MAX_REQUEST_DEPTH):
        return {"id": None, "ok": False, "error": f"request {refusal}"}
    raw_id = _peek_id(payload)
    try:
        req = REQUEST.validate_json(payload)
    except ValidationError as exc:
        return {"id": raw_id, "ok": False, "error": _summarise(exc)}
    try:
        return {"id": req.id, "ok": True, **await controller.handle(req)}
    except (ControlError, ValueError) as exc:
        return {"id": req.id, "ok": False, "error": str(exc)}


class SimControl:
    """The control channel of one running ``SimulatedPlant``: ``await start()``, ``await stop()``."""

    def __init__(self, sim: SimulatedPlant, endpoint: str, *, context: zmq.asyncio.Context | None = None) -> None:
        self._bind = check_endpoint(endpoint)
        self.controller = Controller(sim)
        self.endpoint = ""  # the bound endpoint (port resolved) after start()
        self.requests = 0
        self._ctx = context or zmq.asyncio.Context.instance()
        self._sock: zmq.asyncio.Socket | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> str:
        sock = self._ctx.socket(zmq.ROUTER)
        sock.setsockopt(zmq.LINGER, 0)  # closing the simulators never waits on an engineer's screen
        sock.setsockopt(zmq.MAXMSGSIZE, MAX_REQUEST_BYTES)
        sock.setsockopt(zmq.SNDHWM, 100)  # a screen that stops reading loses answers, never blocks the plant
        sock.setsockopt(zmq.RCVHWM, 100)
        sock.bind(self._bind)
        self.endpoint = sock.getsockopt_string(zmq.LAST_ENDPOINT)
        self._sock = sock
        self._task = asyncio.create_task(self._serve(), name="sim-control")
        return self.endpoint

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.controller.stop()
        if self._sock is not None:
            self._sock.close(linger=0)
            self._sock = None

    async def _serve(self) -> None:
        assert self._sock is not None
        while True:
            frames = await self._sock.recv_multipart()
            if len(frames) < 2:
                continue  # no payload: nothing to answer
            self.requests += 1
            try:
                reply = await answer(self.controller, frames[-1])
            except Exception as exc:  # a simulator bug answers as an error; the channel stays up
                log.exception("sim control: request failed")
                reply = {"id": _peek_id(frames[-1]), "ok": False, "error": f"internal error: {exc!r}"}
            # frames: identity, [empty delimiter from a REQ client], payload; the answer keeps the envelope
            await self._sock.send_multipart([*frames[:-1], json.dumps(reply).encode()])


def _peek_id(payload: bytes) -> int | None:
    if json_refusal(payload, max_bytes=MAX_REQUEST_BYTES, max_depth=MAX_REQUEST_DEPTH):
        return None
    with contextlib.suppress(ValueError):
        obj = json.loads(payload)
        if isinstance(obj, dict) and isinstance(obj.get("id"), int):
            return int(obj["id"])
    return None


def _summarise(exc: ValidationError) -> str:
    """``field: problem`` for each error (pydantic names the field; ``extra="forbid"`` names the extra key)."""
    parts = [f"{'.'.join(str(p) for p in e['loc']) or 'request'}: {e['msg']}" for e in exc.errors()[:4]]
    return "; ".join(parts)
