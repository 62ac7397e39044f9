"""A line whose picks are confirmed by scans, end to end: the demo-scan plant (seats light+scan, bumpers scan-only),
the simulated plant (its operators scan through the TCP reader simulators) and the real service on loopback.
A no-read on the bumper reader asks for a scan again and the operator's second scan confirms; duplicate reads on
the seat reader are one read each; every vehicle completes; ``jis trace`` answers from the journal."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from app.cli.main import main
from app.config import load_plant, with_free_ports
from app.service.runtime import Service, scaled_clock
from hardware_sims.plant import SimulatedPlant
from hardware_sims.scanner import NOREAD
from tests.databases import fresh_database
from tests.devices import until

SCAN_PLANT = Path(__file__).resolve().parents[2] / "app" / "plants" / "demo-scan.toml"
VEHICLES = 8
SPEED = 50.0


async def test_a_scanning_line_completes_every_vehicle_and_traces_its_parts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with fresh_database(tmp_path, "scan.db") as database:
        plant = with_free_ports(load_plant(SCAN_PLANT), database=database)
        sim = SimulatedPlant(plant, speed=SPEED, vehicles=VEHICLES)
        await sim.start()
        bump, seat = sim.scanners["scan-bump"], sim.scanners["scan-seat"]
        await bump.set_fault("noread", True)
        await seat.set_fault("duplicate", True)
        service = Service(plant, clock=scaled_clock(SPEED))
        task = asyncio.create_task(service.run())
        try:
            await until(lambda: NOREAD in bump.sent, "the bumper reader's no-read", within_s=60)
            await bump.set_fault("noread", False)
            line = service.sequencing.core.state
            await until(lambda: line.vehicles_completed == VEHICLES, f"{VEHICLES} vehicles completed", within_s=120)
            assert line.deviations.counts["scan_unreadable"] >= 1
            assert line.deviations.counts["wrong_pick"] == 0
            assert line.deviations.counts["serial_repeated"] == 0
            assert service.devices.scanners["scan-seat"].duplicates >= VEHICLES  # each seat read sent twice
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await sim.stop()

        args = ["trace", "--config", str(SCAN_PLANT), "--database", database, "--json"]
        assert main([*args, "--serial", "00000001"]) == 0
        (first,) = json.loads(capsys.readouterr().out)["traces"]
        assert (first["family"], first["serial"]) == ("seats", "00000001")
        assert main([*args, first["vehicle_id"]]) == 0
        mine = json.loads(capsys.readouterr().out)["traces"]
        assert sorted(t["family"] for t in mine) == ["bumper", "seats"]
        assert all(t["vehicle_id"] == first["vehicle_id"] for t in mine)
        bumper = next(t for t in mine if t["family"] == "bumper")
        assert main([*args, "--batch", bumper["batch"]]) == 0
        batch = json.loads(capsys.readouterr().out)["traces"]
        assert first["vehicle_id"] in {t["vehicle_id"] for t in batch}
        assert len(batch) <= VEHICLES
        assert main([*args, "--serial", "no-such-serial"]) == 1
        assert json.loads(capsys.readouterr().out)["traces"] == []
