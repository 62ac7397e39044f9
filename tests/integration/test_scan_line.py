"""A line whose picks are confirmed by scans, end to end: the demo-scan plant (seats light+scan, bumpers scan-only),
the simulated plant (its operators scan through the TCP reader simulators) and the real service on loopback.
A no-read on the bumper reader asks for a scan again and the operator's second scan confirms; duplicate reads on
the seat reader are one read each; every vehicle completes; ``jis trace`` answers from the journal."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import zmq
import zmq.asyncio
from argon2 import PasswordHasher, profiles

from app.cli.main import main
from app.config import load_plant, with_free_ports
from app.hmi.accounts import AccountStore
from app.service.runtime import Service, scaled_clock
from hardware_sims.plant import SimulatedPlant
from hardware_sims.scanner import NOREAD
from tests.databases import fresh_database
from tests.devices import until

SCAN_PLANT = Path(__file__).resolve().parents[2] / "app" / "plants" / "demo-scan.toml"
VEHICLES = 8
SPEED = 50.0
LEAD, LEAD_PW = "lars", "lead-pw-1234"


async def ask(sock: zmq.asyncio.Socket, request: dict[str, object]) -> dict[str, object]:
    await sock.send(json.dumps(request).encode())
    async with asyncio.timeout(30):
        answer: dict[str, object] = json.loads(await sock.recv())
    return answer


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
        accounts = AccountStore.open(database, hasher=PasswordHasher.from_parameters(profiles.CHEAPEST))
        accounts.add_user(LEAD, "lead", LEAD_PW)
        accounts.close()
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
            asked = await lead_asks_the_cockpit_question(plant.service.hmi_command_endpoint)
            assert asked["ok"] is True, asked
            (traced,) = asked["result"]["traces"]  # type: ignore[index]
            assert (traced["family"], traced["serial"]) == ("seats", "00000002")
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


async def lead_asks_the_cockpit_question(endpoint: str) -> dict[str, object]:
    """What the cockpit's trace pane sends (``TraceParts``) and the real service answers."""
    ctx = zmq.asyncio.Context()
    sock = ctx.socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(endpoint)
    try:
        token = (await ask(sock, {"op": "login", "user": LEAD, "password": LEAD_PW}))["token"]
        request = {"op": "intent", "token": token, "type": "TraceParts", "fields": {"serial": "00000002"}}
        return await ask(sock, request | {"reason": "recall check"})
    finally:
        sock.close(0)
        ctx.term()
