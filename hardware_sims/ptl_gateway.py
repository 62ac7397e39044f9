"""A simulated pick-to-light gateway: Banner PICK-IQ lights behind a DXM700-style Modbus TCP gateway.

Two layers. ``GatewayModel`` is the pure behaviour of every light (command, confirm latch + counter, identity,
sensor and failsafe config, offline flag); it is told the time and never opens a socket, so it is unit-tested
without one. ``PtlGatewaySim`` puts it behind ``hardware_sims.modbus_server`` on 127.0.0.1, where the UNIT ID
SELECTS THE LIGHT, plus the fault switches a test or the demo flips. Both use ``plc_io.modbus.ptl_map``, the
driver's own map.

Device behaviour modelled (docs/ptl-modbus.md, with the manual each rule follows):
- a touch latches the confirm and counts it (u16, wrapping) and captures the token that was lit; the host
  clears the latch by writing 0 (Banner DXM "unlatch via Modbus"); the host may not set it;
- only holding registers: function codes 3, 6 and 16; any other answers 01, a quantity out of range 03;
- a unit id with no light, or a light switched offline, answers 0x0B (gateway target failed to respond): the DXM
  routes every unit id to its RS-485 chain and waits out its timeout for one that does not answer, it has no
  unit-id table that could make it answer 0x0A (gateway path unavailable);
- an address outside the map's blocks (a request that starts in a block and runs past its end too) answers
  0x02; a value the map does not allow, or a write to a read-only register, 0x03;
- failsafe: a light whose host traffic stopped for its watchdog time goes dark (mode LIGHTS_OFF) or holds.

Must not: read the wall clock or sleep directly (the injected clock does both), or be imported by
production code (import-linter forbids it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from hardware_sims.clock import Clock
from hardware_sims.modbus_pdu import ExceptionCode, ModbusFault, Request
from hardware_sims.modbus_server import Device, ModbusSimServer
from plc_io.modbus import ptl_map as ptl
from plc_io.modbus import registers as reg
from plc_io.ports import Colour

GATEWAY_NO_RESPONSE = ExceptionCode.GATEWAY_TARGET_FAILED_TO_RESPOND
ILLEGAL_ADDRESS = ExceptionCode.ILLEGAL_DATA_ADDRESS
ILLEGAL_VALUE = ExceptionCode.ILLEGAL_DATA_VALUE
FLASHING = frozenset({ptl.Animation.FLASH, ptl.Animation.TWO_COLOUR_FLASH})
COMMAND_FIELDS = tuple(f.name for f in ptl.COMMAND.fields)


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
    def reach(self, unit: int, now: float) -> SimLight:
        """The light at ``unit``, refreshed by this request (its watchdog), or 0x0B if none answers there."""
        light = self.lights.get(unit)
        if light is None or light.offline:
            raise ModbusFault(GATEWAY_NO_RESPONSE, f"unit {unit} does not answer on the RS-485 chain")
        self._expire(light, now)
        light.last_traffic = now
        return light

    def read(self, unit: int, address: int, count: int, now: float) -> list[int]:
        """Registers ``address``.. of one light: every one inside a block of the map, else 0x02."""
        light = self.reach(unit, now)
        light.reads += 1
        image = _image(light.values)
        if any(a not in image for a in range(address, address + count)):
            raise ModbusFault(ILLEGAL_ADDRESS, f"{address}+{count} is outside the map")
        return [image[a] for a in range(address, address + count)]

    def write(self, unit: int, address: int, registers: Sequence[int], now: float) -> None:
        """All-or-nothing: one request (e.g. the 5-register command block) changes the light atomically.
        An address outside the map's blocks is 0x02; a read-only register or a value the map refuses 0x03."""
        light = self.reach(unit, now)
        light.writes += 1
        span = range(address, address + len(registers))
        fields = {ptl.field_at(a) for a in span}
        if None in fields:
            raise ModbusFault(ILLEGAL_ADDRESS, f"{address}+{len(registers)} is outside the map")
        read_only = sorted(f.name for f in fields if f and not f.writable)
        if read_only:
            raise ModbusFault(ILLEGAL_VALUE, f"read-only: {', '.join(read_only)}")
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
    """The gateway on the network: ``GatewayModel`` behind a strict Modbus TCP server, with fault switches."""

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
        self._clock = clock
        self._slow_s = 0.0
        device = Device(functions=frozenset(ptl.FUNCTION_CODES), reach=self._reach, serve=self._serve)
        self._server = ModbusSimServer(device, host=host, port=port)
        self._changed = asyncio.Event()

    @property
    def host(self) -> str:
        return self._server.host

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def lights(self) -> tuple[int, ...]:
        return tuple(self.model.lights)

    @property
    def version(self) -> int:
        """Bumped on every visible change (a light, a latch, an offline flag)."""
        return self.model.version

    async def start(self) -> int:
        """Listen on ``host``:``port`` (0: any free port) and return the bound port."""
        return await self._server.start()

    async def stop(self) -> None:
        self._server.stop()  # closes the listener and every open connection

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
        elif not self._server.listening:
            await self._server.start()

    def set_slow(self, seconds: float) -> None:
        """Delay every answer by ``seconds`` of simulated time (an overloaded gateway or a long chain)."""
        self._slow_s = max(0.0, seconds)

    # -- the device behind the server -------------------------------------------------------------------------
    async def _reach(self, unit: int) -> None:
        if self._slow_s:
            await self._clock.sleep(self._slow_s)
        self.model.reach(unit, self._clock.now())

    async def _serve(self, request: Request) -> list[int] | None:
        now = self._clock.now()
        if request.values is None:
            return self.model.read(request.unit, request.address, request.count, now)
        self.model.write(request.unit, request.address, request.values, now)
        return None

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()  # waiters hold the old, set event; new waiters wait for the next change
