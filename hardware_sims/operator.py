"""A simulated operator at one pick-to-light station: sees a bin light up, reaches in, presses its confirm.

It watches the gateway model (no Modbus: the operator is on the plant side of the lights). When a light shows
a token it has not served, it waits a reaction time drawn from its seeded ``random.Random`` (uniform in
``reaction_s``, SIMULATED seconds on the injected clock), then presses that light. With ``miss_rate`` it never
presses for that token (walked away); with ``wrong_rate`` it presses another, unlit light first and tries the
right one again only once the light has turned red (the slot is blocked) and back to green (a lead corrected
it), or after a few reaction times if it never turned red. It presses at most once per lit token, even if the
light is re-lit with the same token after a reconnect or a failsafe, and never presses a red (blocked) light;
but a light it pressed that then turns red (its press came while the slot was being blocked, so it did not
count) is pressed again once a lead has corrected it and it is green again. And a light it pressed that went
dark (or showed another pick) and is green again with the same token, ``PATIENCE_REACTIONS`` slowest reactions
after the press, did not take it: a vehicle held just as it was pressed comes back with the same token after its
release. It is pressed again. A light that simply stays green is not: its clear may not have reached it (a light
cut off its bus), and a second press there would be a wrong pick.
``lights`` limits it to its own station's bins when stations share a gateway (default: every light of it).
``scan``: the station's family is confirmed by a scan too: when it picks, it holds the part under the station's
reader (``scan(light)``) and presses the light only if ``press`` (a ``both`` family), not for ``scan`` alone. For
``scan`` alone, a light still lit with the token it scanned for ``RESCAN_REACTIONS`` slowest reactions after the
scan (the read did not count: a no-read, a garbled label) is scanned again. Not for ``both``: there the light is
most likely still lit because its press is on its way (a poll away), and a second scan arriving after the pick
moved on would be another part's wrong pick.

Must not: read the wall clock or sleep directly, draw randomness from anywhere but its ``rng``, or talk to
the service.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Protocol

from hardware_sims.clock import Clock
from hardware_sims.ptl_gateway import Lit
from plc_io.ports import Colour

PATIENCE_REACTIONS = 5  # slowest reactions after a press before a light back with its token is pressed again
# slowest reactions after a scan before a light still lit with its token is scanned again: well past the device
# round trip (the clear of a picked bin reaches the light a poll or two later), or the second scan would reach the
# core after the pick moved on: another part's wrong pick
RESCAN_REACTIONS = 15


class Lights(Protocol):
    """The plant side of a light controller, all an operator sees and touches: ``PtlGatewaySim`` (Modbus) and
    ``OpcUaPtlSim`` both are one."""

    @property
    def lights(self) -> tuple[int, ...]: ...

    @property
    def version(self) -> int: ...

    def lit(self, light: int) -> Lit: ...

    def press(self, light: int) -> None: ...

    async def wait_changed(self, since: int) -> int: ...


class SimulatedOperator:
    def __init__(
        self,
        gateway: Lights,
        *,
        clock: Clock,
        rng: random.Random,
        reaction_s: tuple[float, float] = (2.0, 6.0),
        wrong_rate: float = 0.0,
        miss_rate: float = 0.0,
        lights: Sequence[int] | None = None,
        scan: Callable[[int], None] | None = None,
        press: bool = True,
    ) -> None:
        lo, hi = reaction_s  # hi > 0: a zero reaction on a ManualClock never yields, so wrong presses would spin
        if (
            not 0 <= lo <= hi
            or hi <= 0
            or not 0 <= wrong_rate <= 1
            or not 0 <= miss_rate <= 1
            or wrong_rate + miss_rate > 1
        ):
            raise ValueError(f"bad operator settings: reaction_s={reaction_s}, {wrong_rate=}, {miss_rate=}")
        self._gateway, self._clock, self._rng = gateway, clock, rng
        self._scan, self._press = scan, press
        self._rescans = scan is not None and not press  # a scan alone confirms: one that did not count is redone
        self.scans = 0
        self._lights = tuple(lights) if lights is not None else gateway.lights  # this station's bins
        self._reaction_s, self._wrong_rate, self._miss_rate = (lo, hi), wrong_rate, miss_rate
        # light -> (token last pressed or given up there, when, seen showing something else since)
        self._served: dict[int, tuple[int, float, bool]] = {}
        self._after_wrong: dict[int, tuple[int, float, bool]] = {}  # light -> (token, since, seen red)
        self.presses = 0
        self.wrong_presses = 0
        self.misses = 0
        self.next_press_at: float | None = None  # simulated time of the press being waited for, if any

    async def run(self) -> None:
        """Serve lit bins one at a time, in light order, until cancelled."""
        while True:
            seen = self._gateway.version
            self._watch_red()
            target = self._next_target()
            if target is None:
                if self._after_wrong or self._waiting():  # on every change, and now and then regardless
                    await _first_of(self._gateway.wait_changed(seen), self._clock.sleep(self._reaction_s[1]))
                else:
                    await self._gateway.wait_changed(seen)
                continue
            await self._serve(*target)

    def _next_target(self) -> tuple[int, int] | None:
        for light in self._lights:
            lit = self._gateway.lit(light)
            if lit.colour is Colour.GREEN and self._unserved(light, lit.token) and self._may_press(light, lit):
                return light, lit.token
        return None

    def _unserved(self, light: int, token: int) -> bool:
        served = self._served.get(light)
        if served is None or served[0] != token:
            return True
        _, pressed_at, went_away = served
        if went_away:
            return self._clock.now() - pressed_at > PATIENCE_REACTIONS * self._reaction_s[1]
        return self._rescans and self._clock.now() - pressed_at > RESCAN_REACTIONS * self._reaction_s[1]

    def _waiting(self) -> bool:
        """A light it pressed went away and is back with that token: pressed again once patience runs out (or,
        scanning alone, a light still lit with the token it scanned for: scanned again)."""
        return any(
            (went_away or self._rescans)
            and self._gateway.lit(light).colour is Colour.GREEN
            and self._gateway.lit(light).token == token
            for light, (token, _, went_away) in self._served.items()
        )

    def _may_press(self, light: int, lit: Lit) -> bool:
        """After a wrong press, wait for the correction: red (blocked), then green again."""
        pending = self._after_wrong.get(light)
        if pending is None or pending[0] != lit.token:
            self._after_wrong.pop(light, None)
            return True
        _, since, seen_red = pending
        if seen_red or self._clock.now() - since > 5 * self._reaction_s[1]:
            del self._after_wrong[light]
            return True
        return False

    def _watch_red(self) -> None:
        for light, (token, since, _) in list(self._after_wrong.items()):
            lit = self._gateway.lit(light)
            if lit.colour is Colour.RED and lit.token == token:
                self._after_wrong[light] = (token, since, True)
        for light, (token, pressed_at, went_away) in list(self._served.items()):
            lit = self._gateway.lit(light)
            if lit.colour is Colour.RED and lit.token == token:  # blocked after the press: it did not count
                del self._served[light]
            elif not went_away and (lit.colour is Colour.OFF or lit.token != token):
                self._served[light] = (token, pressed_at, True)

    async def _serve(self, light: int, token: int) -> None:
        delay = self._rng.uniform(*self._reaction_s)
        self.next_press_at = self._clock.now() + delay
        try:
            await self._clock.sleep(delay)
        finally:
            self.next_press_at = None
        if not self._still_lit(light, token):
            return  # cleared or re-lit while reaching: look again
        roll = self._rng.random()
        if roll < self._miss_rate:
            self.misses += 1
            self._served[light] = (token, self._clock.now(), False)
        elif roll < self._miss_rate + self._wrong_rate and (wrong := self._unlit_other(light)) is not None:
            self.wrong_presses += 1
            self._after_wrong[light] = (token, self._clock.now(), False)
            self._gateway.press(wrong)
        else:
            before = self._served.get(light)
            again = before is not None and before[0] == token and not before[2]  # still lit since it was served
            self._served[light] = (token, self._clock.now(), False)
            if self._scan is not None:
                self.scans += 1
                self._scan(light)
                if again:
                    return  # the same lit pick scanned again: its press (if it needs one) was made the first time
            if self._press or self._scan is None:
                self.presses += 1
                self._gateway.press(light)

    def _still_lit(self, light: int, token: int) -> bool:
        lit = self._gateway.lit(light)
        return lit.colour is Colour.GREEN and lit.token == token

    def _unlit_other(self, light: int) -> int | None:
        others = [other for other in self._lights if self._gateway.lit(other).colour is Colour.OFF]
        return self._rng.choice(others) if others else None


async def _first_of(*aws: Coroutine[Any, Any, Any]) -> None:
    tasks = [asyncio.ensure_future(a) for a in aws]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
