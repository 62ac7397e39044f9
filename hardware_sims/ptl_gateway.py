"""A simulated pick-to-light gateway: Banner PICK-IQ lights behind a DXM700-style Modbus TCP gateway.

Two layers. ``GatewayModel`` is the pure behaviour of every light (command, confirm latch + counter, identity,
sensor and failsafe config, offline flag); it is told the time and never opens a socket, so it is unit-tested
without one. ``PtlGatewaySim`` is the thin pymodbus TCP server on 127.0.0.1 whose UNIT ID SELECTS THE LIGHT,
plus the fault switches a test or the demo flips. Both use ``plc_io.modbus.ptl_map``, the driver's own map.

Device behaviour modelled (docs/ptl-modbus.md):
- a touch latches the confirm and counts it (u16, wrapping) and captures the token that was lit; the host
  clears the latch by writing 0 (Banner DXM "unlatch via Modbus"); the host may not set it;
- an unknown unit id or a light switched offline answers exception 0x0B (gateway target failed to respond);
- an address outside the map or a read-only register written answers 0x02, a value out of range 0x03;
- failsafe: a light whose host traffic stopped for its watchdog time goes dark (mode LIGHTS_OFF) or holds.

Must not: read the wall clock or sleep directly (the injected clock does both), or be imported by
production code (import-linter forbids it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import NamedTuple, cast

from pymodbus.constants import ExcCodes
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from hardware_sims.clock import Clock
from plc_io.modbus import ptl_map as ptl
from plc_io.modbus import registers as reg
from plc_io.ports import Colour

GATEWAY_NO_RESPONSE = 0x0B  # Modbus exception: gateway target device failed to respond
ILLEGAL_ADDRESS = 0x02
ILLEGAL_VALUE = 0x03
FLASHING = frozenset({ptl.Animation.FLASH, ptl.Animation.TWO_COLOUR_FLASH})
COMMAND_FIELDS = tuple(f.name for f in ptl.COMMAND.fields)


class ModbusFault(Exception):
    """What the gateway answers instead of data: a Modbus exception code."""

    def __init__(self, code: int, detail: str) -> None:
        super().__init__(f"exception 0x{code:02X}: {detail}")
        self.code = code


class Lit(NamedTuple):
    """What an operator sees on a light."""

    colour: Colour
    flash: bool
    display: int
    token: int


def default_values(unit: int, *, failsafe: ptl.FailsafeMode, watchdog_ms: int) -> reg.Values:
    """A fresh light as it leaves the box: dark, touch sensor on, identity in Banner's layout."""
    identity = ptl.Identity(
        model_number=0x0002_A734,  # Banner 209995's own example value (173876)
        model_version=102,
        model_name="PTL110-SIM",
        config_number=0x0001_6D43,
        config_version=100,
        date_code="SIM-2024",
        serial_number=f"SIM{unit:05d}",
    )
    values = reg.decode_block(ptl.IDENTITY, ptl.encode_identity(identity))
    values |= reg.decode_block(ptl.COMMAND, ptl.encode_command(ptl.CLEAR))
    values |= {"latched": 0, "counter": 0, "pressed_token": 0}
    values |= {"failsafe": int(failsafe), "watchdog_ms": watchdog_ms}
    values |= {"touch_output": 1, "touch_on_delay_ms": 0, "optical_output": 1, "optical_on_delay_ms": 0}
    values |= {"device_id": unit, "baud": 192, "parity": 0, "stop_bits": 1}
    return values


@dataclass
class SimLight:
    unit: int
    values: reg.Values
    last_traffic: float
    offline: bool = False
    reads: int = 0
    writes: int = 0


@dataclass
class GatewayModel:
    """The lights behind one gateway. Pure: every call that depends on time is given ``now``."""

    lights: dict[int, SimLight]
    on_change: Callable[[], None] | None = None
    version: int = 0

    @classmethod
    def build(
        cls,
        units: Sequence[int],
        *,
        now: float,
        failsafe: ptl.FailsafeMode = ptl.FailsafeMode.LIGHTS_OFF,
        watchdog_s: float = 0.0,
    ) -> GatewayModel:
        if not units or any(u not in range(1, 248) for u in units) or len(set(units)) != len(units):
            raise ValueError(f"light unit ids must be unique in 1..247, got {list(units)}")
        watchdog_ms = round(watchdog_s * 1000)
        return cls({u: SimLight(u, default_values(u, failsafe=failsafe, watchdog_ms=watchdog_ms), now) for u in units})

    # -- the host side: Modbus requests -------------------------------------------------------------------
    def read(self, unit: int, address: int, count: int, now: float) -> list[int]:
        light = self._reach(unit, now)
        light.reads += 1
        image = _image(light.values)
        if any(a not in image for a in range(address, address + count)):
            raise ModbusFault(ILLEGAL_ADDRESS, f"{address}+{count} is outside the map")
        return [image[a] for a in range(address, address + count)]

    def write(self, unit: int, address: int, registers: Sequence[int], now: float) -> None:
        """All-or-nothing: one request (e.g. the 5-register command block) changes the light atomically."""
        light = self._reach(unit, now)
        light.writes += 1
        span = range(address, address + len(registers))
        fields = {ptl.field_at(a) for a in span}
        if None in fields or not all(f.writable for f in fields if f):
            raise ModbusFault(ILLEGAL_ADDRESS, f"{address}+{len(registers)} is not writable")
        image = _image(light.values) | dict(zip(span, registers, strict=True))
        updates = _decode_touched(image, {ptl.block_at(a) for a in span})
        if any(updates[f.name] not in f.writes for f in fields if f and f.kind is not reg.Kind.ASCII):
            raise ModbusFault(ILLEGAL_VALUE, f"value not accepted at {address}")
        self._apply(light, updates)

    # -- the plant side: operator, fault switches, observers ------------------------------------------------
    def press(self, unit: int, now: float) -> None:
        """A touch: latch, count (u16 wrapping), capture the lit token. Works while the light is offline."""
        light = self.lights[unit]
        self._expire(light, now)
        if light.values["touch_output"] == ptl.SensorOutput.DISABLED:
            return
        counter = (int(light.values["counter"]) + 1) % reg.COUNTER_MODULUS
        self._apply(light, {"latched": 1, "counter": counter, "pressed_token": light.values["token"]})

    def lit(self, unit: int, now: float) -> Lit:
        light = self.lights[unit]
        self._expire(light, now)
        v = light.values
        animation = ptl.Animation(int(v["animation"]))
        colour = Colour(int(v["colour"])) if animation is not ptl.Animation.OFF else Colour.OFF
        return Lit(colour, animation in FLASHING, int(v["display"]), int(v["token"]))

    def confirm(self, unit: int) -> ptl.Confirm:
        v = self.lights[unit].values
        return ptl.Confirm(latched=bool(v["latched"]), counter=int(v["counter"]), pressed_token=int(v["pressed_token"]))

    def set_offline(self, unit: int, offline: bool) -> None:
        self.lights[unit].offline = offline
        self._changed()

    # -- internals ----------------------------------------------------------------------------------------
    def _reach(self, unit: int, now: float) -> SimLight:
        light = self.lights.get(unit)
        if light is None or light.offline:
            raise ModbusFault(GATEWAY_NO_RESPONSE, f"unit {unit} does not answer on the RS-485 chain")
        self._expire(light, now)
        light.last_traffic = now
        return light

    def _expire(self, light: SimLight, now: float) -> None:
        """The failsafe (ifm AL1340 style): host silence past the watchdog time turns the light off."""
        watchdog_s = int(light.values["watchdog_ms"]) / 1000
        if not watchdog_s or now - light.last_traffic <= watchdog_s:
            return
        if light.values["failsafe"] == ptl.FailsafeMode.LIGHTS_OFF and light.values["animation"]:
            self._apply(light, reg.decode_block(ptl.COMMAND, ptl.encode_command(ptl.CLEAR)))

    def _apply(self, light: SimLight, updates: reg.Values) -> None:
        if any(light.values[k] != v for k, v in updates.items()):
            light.values |= updates
            self._changed()

    def _changed(self) -> None:
        self.version += 1
        if self.on_change is not None:
            self.on_change()


def _image(values: reg.Values) -> dict[int, int]:
    """Every register of a light, by protocol address."""
    return {
        block.start + i: register for block in ptl.BLOCKS for i, register in enumerate(reg.encode_block(block, values))
    }


def _decode_touched(image: dict[int, int], blocks: set[reg.Block | None]) -> reg.Values:
    updates: reg.Values = {}
    for block in blocks:
        assert block is not None  # every written address was checked to be inside a field
        try:
            updates |= reg.decode_block(block, [image[a] for a in range(block.start, block.end)])
        except ValueError as exc:
            raise ModbusFault(ILLEGAL_VALUE, str(exc)) from exc
    return updates


class PtlGatewaySim:
    """The gateway on the network: a pymodbus TCP server over ``GatewayModel``, with fault switches."""

    def __init__(
        self,
        lights: Sequence[int],
        *,
        clock: Clock,
        host: str = "127.0.0.1",
        port: int = 0,
        failsafe: ptl.FailsafeMode = ptl.FailsafeMode.LIGHTS_OFF,
        watchdog_s: float = 0.0,
    ) -> None:
        self.model = GatewayModel.build(lights, now=clock.now(), failsafe=failsafe, watchdog_s=watchdog_s)
        self.model.on_change = self._notify
        self.host = host
        self.port = port
        self._clock = clock
        self._slow_s = 0.0
        self._server: ModbusTcpServer | None = None
        self._changed = asyncio.Event()

    @property
    def lights(self) -> tuple[int, ...]:
        return tuple(self.model.lights)

    @property
    def version(self) -> int:
        """Bumped on every visible change (a light, a latch, an offline flag)."""
        return self.model.version

    async def start(self) -> int:
        """Listen on ``host``:``port`` (0: any free port) and return the bound port."""
        await self._listen()
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()  # closes the listener and every open connection
            self._server = None

    # -- plant side -----------------------------------------------------------------------------------------
    def press(self, light: int) -> None:
        self.model.press(light, self._clock.now())

    def lit(self, light: int) -> Lit:
        return self.model.lit(light, self._clock.now())

    async def wait_changed(self, since: int) -> int:
        """Wait until ``version`` differs from ``since``; return the new version."""
        while self.model.version == since:
            await self._changed.wait()
        return self.model.version

    # -- fault switches -------------------------------------------------------------------------------------
    def set_offline(self, light: int, offline: bool) -> None:
        """The light stops answering on its chain (cable cut); the gateway answers 0x0B for it."""
        self.model.set_offline(light, offline)

    async def set_gateway_down(self, down: bool) -> None:
        """Down: drop every connection and stop listening (connects are refused). Up: listen on the same port."""
        if down:
            await self.stop()
        elif self._server is None:
            await self._listen()

    def set_slow(self, seconds: float) -> None:
        """Delay every answer by ``seconds`` of simulated time (an overloaded gateway or a long chain)."""
        self._slow_s = max(0.0, seconds)

    # -- the thin server ------------------------------------------------------------------------------------
    async def _listen(self) -> None:
        devices = [self._device(unit) for unit in (*self.model.lights, 0)]  # id 0: every other unit id
        server = ModbusTcpServer(devices, address=(self.host, self.port))
        await server.serve_forever(background=True)
        self._server = server
        self.port = cast(asyncio.Server, server.transport).sockets[0].getsockname()[1]

    def _device(self, unit: int) -> SimDevice:
        # pymodbus 3.16 SimDevice: one flat register block over the whole map; the action answers every
        # request from the model, so the model alone decides data and exception codes.
        registers = SimData(address=0, count=ptl.MAP_END, datatype=DataType.REGISTERS)
        return SimDevice(id=unit, simdata=[registers], action=partial(self._action, unit))

    async def _action(
        self,
        unit: int,
        function_code: int,
        start_address: int,
        address: int,
        count: int,
        registers: list[int],
        set_values: list[int] | list[bool] | None,
    ) -> ExcCodes | None:
        if self._slow_s:
            await self._clock.sleep(self._slow_s)
        now = self._clock.now()
        try:
            if set_values is None:
                offset = address - start_address
                registers[offset : offset + count] = self.model.read(unit, address, count, now)
            else:
                self.model.write(unit, address, [int(v) for v in set_values], now)
        except ModbusFault as fault:
            return ExcCodes(fault.code)
        return None

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()  # waiters hold the old, set event; new waiters wait for the next change
