"""The pick-to-light drivers' outbox: the desired state of every light, and which lights still await a send.

Commands coalesce per light (a later show or clear for a light replaces an unsent earlier one), so the outbox is
bounded by the number of lights; a light outside the plant's allowed addresses, or not configured, is refused
(Modbus has no security of its own: the plant file restricts what a driver may write). Shared by the Modbus and
OPC UA drivers so the two keep the same guarantees.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

from plc_io.ports import DeviceError, OutboxFull

S = TypeVar("S")


class LightOutbox(Generic[S]):
    def __init__(
        self, device: str, lights: Iterable[int], cleared: S, *, size: int, allowed: Iterable[int] | None = None
    ) -> None:
        self._device = device
        self._size = size
        self.allowed = frozenset(allowed) if allowed is not None else None
        self.desired: dict[int, S] = dict.fromkeys(lights, cleared)
        self.unsent: dict[int, None] = {}  # an ordered set: lights whose desired state is not yet sent

    def check_allowed(self, light: int, what: str = "write") -> None:
        if self.allowed is not None and light not in self.allowed:
            raise DeviceError(f"{self._device}: light {light} is not in allowed_lights; {what} refused")

    def put(self, light: int, state: S) -> None:
        """Make ``state`` the light's desired state; raises DeviceError or OutboxFull, never drops."""
        self.check_allowed(light)
        if light not in self.desired:
            raise DeviceError(f"{self._device}: light {light} is not configured on this controller")
        if light not in self.unsent and len(self.unsent) >= self._size:
            raise OutboxFull(f"{self._device}: outbox full ({self._size} lights pending)")
        self.desired[light] = state
        self.unsent[light] = None
