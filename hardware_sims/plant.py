"""The whole simulated plant from one plant file: PTL gateways with their operators, printers and OEM feeds.

Every device listens where the plant file says, so the service connects to it exactly as to real hardware.
All simulators share one sped-up clock. Each OEM feed numbers its own vehicles (its VINs' serials start
``FEED_SERIALS`` apart): two OEM lines never build the same VIN. On stop, the printers' own records of what they
printed are written as JSON lines, so a run can be checked against what the devices saw rather than what the
service believes."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hardware_sims.clock import ScaledClock
from hardware_sims.faults import NOTICE_LOSS_EVERY, WRONG_PICK_RATE, FaultPlan
from hardware_sims.oem_feed import OemFeedSim
from hardware_sims.oem_socket import CurveClientKeys
from hardware_sims.opcua_printer import OpcUaPrinterSim
from hardware_sims.opcua_ptl import OpcUaPtlSim
from hardware_sims.operator import SimulatedOperator
from hardware_sims.printer_plc import PrinterPlcSim
from hardware_sims.ptl_gateway import PtlGatewaySim
from hardware_sims.vehicles import VinFactory
from hardware_sims.zpl_printer import ZplPrinterSim
from sequencer.plant import PlantConfig

log = logging.getLogger(__name__)
startup = logging.getLogger("startup")  # shown at the default level (``python -m hardware_sims`` configures it)

FEED_SERIALS = 100_000  # VIN serials per OEM feed: feed n starts at 1 + n * this


@dataclass
class SimulatedPlant:
    plant: PlantConfig
    speed: float = 100.0
    vehicles: int | None = None
    seed: int | None = None
    print_time_s: float = 0.5
    faults: frozenset[str] = frozenset()
    feed_curve: CurveClientKeys | None = None  # the OEM gateways' CURVE keys, when the service's feed asks for them
    clock: ScaledClock = field(init=False)
    plan: FaultPlan | None = field(init=False, default=None)
    gateways: dict[str, PtlGatewaySim | OpcUaPtlSim] = field(default_factory=dict)
    operators: dict[str, SimulatedOperator] = field(default_factory=dict)
    printers: dict[str, ZplPrinterSim | PrinterPlcSim | OpcUaPrinterSim] = field(default_factory=dict)
    feeds: dict[str, OemFeedSim] = field(default_factory=dict)
    _tasks: list[asyncio.Task[Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.clock = ScaledClock(self.speed)

    async def start(self) -> None:
        sim = self.plant.simulation
        seed = sim.seed if self.seed is None else self.seed
        for name, cfg in self.plant.devices.ptl.items():
            lights = sorted({b.light for s in self.plant.stations if s.ptl == name for b in s.bins})
            gw: PtlGatewaySim | OpcUaPtlSim
            if cfg.protocol == "opcua":  # the simulated plant runs the dev profile (docs/opcua.md)
                gw = OpcUaPtlSim(lights, host=cfg.host, port=cfg.port, name=name)
            else:
                gw = PtlGatewaySim(lights, clock=self.clock, host=cfg.host, port=cfg.port)
            await gw.start()
            self.gateways[name] = gw
        for i, st in enumerate(self.plant.stations):
            op = SimulatedOperator(
                self.gateways[st.ptl],
                clock=self.clock,
                rng=random.Random(seed * 1000 + i),
                reaction_s=sim.operator_reaction_s,
                wrong_rate=WRONG_PICK_RATE if "wrong_pick" in self.faults else 0.0,
                lights=[b.light for b in st.bins],
            )
            self.operators[st.id] = op
            self._tasks.append(asyncio.create_task(op.run(), name=f"operator:{st.id}"))
        for name, pcfg in self.plant.devices.printers.items():
            pr: ZplPrinterSim | PrinterPlcSim | OpcUaPrinterSim
            if pcfg.protocol == "opcua":
                pr = OpcUaPrinterSim(
                    clock=self.clock, host=pcfg.host, port=pcfg.port, print_time_s=self.print_time_s, name=name
                )
            elif pcfg.protocol == "modbus":
                pr = PrinterPlcSim(
                    clock=self.clock,
                    host=pcfg.host,
                    port=pcfg.port,
                    unit_id=pcfg.unit_id,
                    print_time_s=self.print_time_s,
                )
            else:
                pr = ZplPrinterSim(
                    clock=self.clock,
                    host=pcfg.host,
                    port=pcfg.port,
                    status_port=pcfg.status_port,
                    print_time_s=self.print_time_s,
                )
            await pr.start()
            self.printers[name] = pr
        for i, feed in enumerate(self.plant.feeds):
            oem = OemFeedSim(
                self.plant.service.feed_endpoint,
                feed=feed.id,
                clock=self.clock,
                rng=random.Random(seed * 7919 + i),
                vins=VinFactory(first_serial=1 + i * FEED_SERIALS),  # each OEM line numbers its own vehicles
                option_mix=dict(sim.option_mix),
                modulus=feed.modulus,
                start_seq=sim.start_seq % feed.modulus,
                takt_s=feed.takt_s,
                vehicles=self.vehicles,
                line=feed.line,
                curve=self.feed_curve,
            )
            self.feeds[feed.id] = oem
            # OEM lines do not broadcast in lock-step: spread the feeds' takts over one takt
            phase = feed.takt_s * i / len(self.plant.feeds)
            self._tasks.append(asyncio.create_task(self._staggered(oem, phase), name=f"oem:{feed.id}"))
        if self.faults:
            self._start_faults(seed)

    def describe(self) -> list[str]:
        """One line per simulated device and feed: what it is, where it listens (once started)."""
        lines = []
        for name, gw in self.gateways.items():
            lights = ", ".join(str(b.light) for s in self.plant.stations if s.ptl == name for b in s.bins)
            if isinstance(gw, OpcUaPtlSim):
                lines.append(f"{name}: OPC UA pick-to-light controller {gw.url} (bins {lights})")
            else:
                lines.append(f"{name}: Modbus TCP pick-to-light gateway {gw.host}:{gw.port} (unit ids {lights})")
        for name, pr in self.printers.items():
            if isinstance(pr, ZplPrinterSim):
                host = self.plant.devices.printers[name].host
                lines.append(f"{name}: Zebra ZPL printer {host}:{pr.print_port}, JSON status {host}:{pr.status_port}")
            elif isinstance(pr, PrinterPlcSim):
                unit = self.plant.devices.printers[name].unit_id
                lines.append(f"{name}: print-and-apply PLC, Modbus TCP {pr.host}:{pr.port} (unit id {unit})")
            else:
                lines.append(f"{name}: OPC UA print engine {pr.url}")
        for feed_id, oem in self.feeds.items():
            feed = self.plant.feed(feed_id)
            every = f"a broadcast every {feed.takt_s / self.speed:.3g} s" if feed else "broadcasts"
            count = f"{self.vehicles} vehicles" if self.vehicles is not None else "no end"
            lines.append(f"OEM feed {feed_id}: {every} to {oem.endpoint} ({count}, speed {self.speed:g}x)")
        if self.faults:
            lines.append(f"faults injected: {', '.join(sorted(self.faults))}")
        return lines

    def _start_faults(self, seed: int) -> None:
        feed = self.plant.feeds[0]
        self.plan = FaultPlan(
            self.faults,
            self.clock,
            random.Random(seed * 31),
            takt_s=feed.takt_s,
            silence_s=feed.takt_s * (feed.silence_takts + 2),
            line_stop_s=feed.lead_time_s,  # long enough that, counted as running, open racks would run late
        )
        for feed_id, oem in self.feeds.items():
            self._tasks.append(asyncio.create_task(self.plan.run_feed(oem, self.vehicles), name=f"faults:{feed_id}"))
            if "notice_loss" in self.faults:
                oem.notices.lose_every = NOTICE_LOSS_EVERY
        if "devices" in self.faults:
            devices = self.plan.run_devices(
                list(self.gateways.values()), list(self.printers.values()), 20 * feed.takt_s
            )
            self._tasks.append(asyncio.create_task(devices, name="faults:devices"))

    async def _staggered(self, oem: OemFeedSim, phase_s: float) -> None:
        await self.clock.sleep(phase_s)
        await oem.run()

    async def stop(self) -> None:
        for t in self._tasks:
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for oem in self.feeds.values():
            oem.close()
        for pr in self.printers.values():
            await pr.stop()
        for gw in self.gateways.values():
            await gw.stop()

    def write_records(self, path: Path) -> None:
        """The printers' own record of every label printed, one JSON object a line; the faults injected and each
        OEM gateway's acknowledgement figures (``OemFeedSim.ack_figures``) beside."""
        if self.plan is not None:
            lost = sum(oem.notices.lost for oem in self.feeds.values())
            if lost:
                self.plan.injected["notice_loss"] = lost
            path.with_suffix(".faults.json").write_text(json.dumps(self.plan.injected, sort_keys=True))
        path.with_suffix(".feeds.json").write_text(
            json.dumps({feed: oem.ack_figures() for feed, oem in self.feeds.items()}, sort_keys=True)
        )
        with path.open("w", encoding="utf-8") as out:
            for name, pr in self.printers.items():
                for rec in pr.printed:
                    out.write(json.dumps({"printer": name, **_record_fields(rec)}) + "\n")


def _record_fields(rec: Any) -> dict[str, Any]:
    """A printer's record as JSON-ready fields; a label object is flattened to its own fields."""
    fields = {k: getattr(rec, k) for k in rec.__dataclass_fields__ if k != "raw"}
    label = fields.pop("label", None)
    if label is not None:
        fields.update({k: v for k, v in dataclasses.asdict(label).items() if k not in fields})
    return fields
