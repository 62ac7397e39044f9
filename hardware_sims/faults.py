"""Fault injection for the simulated plant: what goes wrong at a sequencing centre, on a seeded schedule.

Feed faults act on the OEM simulator (gap, duplicate, change, cancel, hold + release, silence, malformed);
``wrong_pick`` makes the simulated operators press a wrong bin now and then; ``devices`` takes a PTL gateway
down and puts a printer out of paper for a while; ``notice_loss`` makes the OEM's gateway lose ship notices
(``hardware_sims.oem_notices``: the first arrival of every ``NOTICE_LOSS_EVERY``-th one); ``line_stop`` stands the OEM's
line once, half-way, for ``line_stop_s`` (the plant: the feed's lead time; its ``LINE`` status says so, so the
service raises no false late). The wrap-around needs no
injection: the demo plant starts near the modulus. Every fault is drawn from one seeded ``random.Random`` per
vehicle, so a run is repeatable.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hardware_sims.clock import Clock
from hardware_sims.oem_feed import OemFeedSim
from hardware_sims.opcua_printer import FULL_ROLL, OpcUaPrinterSim
from hardware_sims.opcua_ptl import OpcUaPtlSim
from hardware_sims.printer_plc import PrinterPlcSim
from hardware_sims.ptl_gateway import PtlGatewaySim
from hardware_sims.zpl_printer import ZplPrinterSim

log = logging.getLogger(__name__)

FEED_FAULTS = ("gap", "duplicate", "change", "cancel", "hold", "silence", "malformed")
ALL_FAULTS = (*FEED_FAULTS, "wrong_pick", "devices", "notice_loss", "line_stop")
NOTICE_LOSS_EVERY = 3  # notice_loss: the OEM's gateway loses the first arrival of every third ship notice

# fault -> chance per vehicle broadcast (silence and devices are placed once or twice per run instead)
RATES: dict[str, float] = {
    "gap": 0.03,
    "duplicate": 0.03,
    "change": 0.03,
    "cancel": 0.02,
    "hold": 0.02,
    "malformed": 0.01,
}
WRONG_PICK_RATE = 0.02


def parse_faults(text: str) -> frozenset[str]:
    """``all``, ``none`` or a comma list; an unknown name is an error naming it."""
    names = {n.strip() for n in text.split(",") if n.strip()}
    if names == {"all"}:
        return frozenset(ALL_FAULTS)
    if names <= {"none", ""}:
        return frozenset()
    unknown = names - set(ALL_FAULTS)
    if unknown:
        raise ValueError(f"unknown fault(s) {', '.join(sorted(unknown))}; choose from all, {', '.join(ALL_FAULTS)}")
    return frozenset(names)


@dataclass
class FaultPlan:
    faults: frozenset[str]
    clock: Clock
    rng: random.Random
    takt_s: float
    silence_s: float
    line_stop_s: float = 0.0  # line_stop: how long the OEM's line stands (0: two silences)
    injected: dict[str, int] = field(default_factory=dict)

    def _count(self, kind: str) -> None:
        self.injected[kind] = self.injected.get(kind, 0) + 1

    async def run_feed(self, oem: OemFeedSim, vehicles: int | None) -> None:
        """Before each broadcast, maybe arrange a fault; follow-ups go to vehicles already acknowledged."""
        releases: list[tuple[int, int]] = []  # (release after this many broadcasts, seq)
        silence_at = {max(5, (vehicles or 200) // 3)} if "silence" in self.faults else set()
        stop_at = {max(6, (vehicles or 200) // 2)} if "line_stop" in self.faults else set()
        seen = 0
        while vehicles is None or seen < vehicles:
            await self.clock.sleep(self.takt_s / 4)
            if oem.counters.generated == seen:
                continue
            seen = oem.counters.generated
            for due, seq in [r for r in releases if r[0] <= seen]:
                releases.remove((due, seq))
                if oem.send_function(seq, "release"):
                    self._count("release")
            if silence_at and seen >= min(silence_at):
                silence_at.clear()
                oem.pause(self.silence_s)
                self._count("silence")
            if stop_at and seen >= min(stop_at):  # the OEM's line stands (LINE "stopped"), then runs again
                stop_at.clear()
                oem.stop_line()
                self._count("line_stop")
                await self.clock.sleep(self.line_stop_s or self.silence_s * 2)
                oem.run_line()
            for kind, action in self._feed_actions(oem, releases, seen).items():
                if kind in self.faults and self.rng.random() < RATES[kind] and action():
                    self._count(kind)

    def _feed_actions(
        self, oem: OemFeedSim, releases: list[tuple[int, int]], seen: int
    ) -> dict[str, Callable[[], bool]]:
        recent = oem.acked_recently(4)
        target = recent[0] if recent else None

        def follow_up(function: str, **kw: Any) -> bool:
            return target is not None and oem.send_function(target, function, **kw)

        def hold() -> bool:
            if follow_up("hold") and target is not None:
                releases.append((seen + 3, target))
                return True
            return False

        return {
            "gap": lambda: _do(oem.drop_next, 1 + self.rng.randrange(2)),
            "duplicate": lambda: _do(oem.duplicate_next),
            "change": lambda: follow_up("change", options=["S3", "P1A2", "PDC"]),
            "cancel": lambda: follow_up("cancel"),
            "hold": hold,
            "malformed": lambda: _do(oem.send_raw, [b"BCAST", b'{"feed": "L1", "seq": "not a number"}']),
        }

    async def run_devices(
        self,
        gateways: list[PtlGatewaySim | OpcUaPtlSim],
        printers: list[ZplPrinterSim | PrinterPlcSim | OpcUaPrinterSim],
        period_s: float,
    ) -> None:
        """Once a period: a gateway goes down for a while, then a printer runs out of paper for a while."""
        while True:
            await self.clock.sleep(period_s)
            gw = self.rng.choice(gateways)
            await _gateway_down(gw, True)
            self._count("gateway_down")
            await self.clock.sleep(self.takt_s * (1 + self.rng.random()))
            await _gateway_down(gw, False)
            await self.clock.sleep(period_s)
            printer = self.rng.choice(printers)
            _paper_out(printer, True)
            self._count("paper_out")
            await self.clock.sleep(self.takt_s * (1 + self.rng.random()))
            _paper_out(printer, False)


async def _gateway_down(gw: PtlGatewaySim | OpcUaPtlSim, down: bool) -> None:
    if isinstance(gw, OpcUaPtlSim):
        await gw.set_offline(down)
    else:
        await gw.set_gateway_down(down)


def _paper_out(printer: ZplPrinterSim | PrinterPlcSim | OpcUaPrinterSim, on: bool) -> None:
    """Media out on whichever printer it is; an OPC UA engine is given an empty, then a full, roll."""
    if isinstance(printer, PrinterPlcSim):
        printer.set_fault(media_out=on)
    elif isinstance(printer, OpcUaPrinterSim):
        printer.set_media(0 if on else FULL_ROLL)
    else:
        printer.set_fault(paper_out=on)


def _do(fn: Callable[..., Any], *args: Any) -> bool:
    fn(*args)
    return True
