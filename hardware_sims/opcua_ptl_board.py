"""The pure behaviour of a simulated OPC UA pick-to-light controller's bins: ``LightBoard``.

What each bin shows, the confirm counter with the token lit at the press, the host's acknowledged counter,
lights off the bus, the machine out of service (docs/opcua.md). A press latches locally even while the light is
off its bus; Light, Clear and Acknowledge on a light off the bus are refused with BadCommunicationError (the
OPC UA counterpart of Modbus 0x0B); out of service, Light is refused with BadInvalidState; ``restart`` is a
power cycle (lights dark, counters 0). ``on_change`` tells the host what to publish.

Must not: open a socket, touch the address space (``hardware_sims.opcua_ptl`` publishes it), or keep time: there
is no time-dependent behaviour, so no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from asyncua.ua.status_codes import StatusCodes

from hardware_sims.opcua_sim_server import MethodRefused
from hardware_sims.ptl_gateway import Lit
from plc_io.opcua import machinery, ptl_model
from plc_io.ports import Colour

S = StatusCodes


class LightOffline(Exception):
    """The light does not answer on the controller's bus."""


@dataclass
class BinLight:
    light: int
    shown: ptl_model.LightState = ptl_model.CLEAR
    counter: int = 0
    confirm_token: int = 0
    acknowledged: int = 0
    online: bool = True

    def values(self) -> dict[str, object]:
        """Variable name -> value, as ``BIN_VARIABLES`` names them."""
        return {
            "Colour": int(self.shown.colour),
            "Blink": self.shown.blink,
            "Display": self.shown.display,
            "Token": self.shown.token,
            "ConfirmCounter": self.counter,
            "ConfirmToken": self.confirm_token,
            "AcknowledgedCounter": self.acknowledged,
            "Confirmed": self.counter != self.acknowledged,
            "Online": self.online,
        }


@dataclass
class LightBoard:
    """The bins of one controller. ``on_change(light)`` after each visible change (None: the machine state)."""

    bins: dict[int, BinLight]
    out_of_service: bool = False
    version: int = 0
    on_change: Callable[[int | None], None] | None = None

    @classmethod
    def build(cls, lights: Sequence[int]) -> LightBoard:
        if not lights or len(set(lights)) != len(lights) or any(n not in ptl_model.LIGHT_NUMBERS for n in lights):
            raise ValueError(f"lights must be unique numbers in 1..247, got {list(lights)}")
        return cls({n: BinLight(n) for n in lights})

    @property
    def state(self) -> machinery.MachineryItemState:
        if self.out_of_service:
            return machinery.MachineryItemState.OUT_OF_SERVICE
        lit = any(b.shown.colour is not Colour.OFF for b in self.bins.values())
        return machinery.MachineryItemState.EXECUTING if lit else machinery.MachineryItemState.NOT_EXECUTING

    # -- the host side (methods) ----------------------------------------------------------------------------------
    def light(self, light: int, state: ptl_model.LightState) -> None:
        if self.out_of_service:
            raise MethodRefused(S.BadInvalidState, "the controller is out of service")
        target = self._reach(light)
        if target.shown != state:  # idempotent: the same command twice changes nothing
            target.shown = state
            self._changed(light)

    def acknowledge(self, light: int, counter: int) -> None:
        target = self._reach(light)
        if not ptl_model.acknowledge_accepts(target.acknowledged, target.counter, counter):
            raise MethodRefused(S.BadOutOfRange, f"cannot acknowledge {counter}: ConfirmCounter is {target.counter}")
        if target.acknowledged != counter:
            target.acknowledged = counter
            self._changed(light)

    # -- the plant side -------------------------------------------------------------------------------------------
    def press(self, light: int) -> None:
        """A touch: count it (UInt32, wrapping) and capture the lit token. Latches even off the bus."""
        target = self.bins[light]
        target.counter = (target.counter + 1) % ptl_model.COUNTER_MODULUS
        target.confirm_token = target.shown.token
        self._changed(light)

    def lit(self, light: int) -> Lit:
        shown = self.bins[light].shown
        return Lit(shown.colour, shown.blink, shown.display, shown.token)

    def set_online(self, light: int, online: bool) -> None:
        self.bins[light].online = online
        self._changed(light)

    def set_out_of_service(self, out: bool) -> None:
        self.out_of_service = out
        self._changed(None)

    def restart(self) -> None:
        """Power cycle: every light dark, counters and acknowledgements back to 0."""
        for light in self.bins:
            self.bins[light] = BinLight(light, online=self.bins[light].online)
            self._changed(light)

    def _reach(self, light: int) -> BinLight:
        target = self.bins.get(light)
        if target is None or not target.online:
            raise MethodRefused(S.BadCommunicationError, f"light {light} does not answer on the bus")
        return target

    def _changed(self, light: int | None) -> None:
        self.version += 1
        if self.on_change is not None:
            self.on_change(light)
