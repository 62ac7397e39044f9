"""The simulators' control channel against a real SimulatedPlant on free ports of 127.0.0.1.

A DEALER (like the engineer's view) and a REQ socket talk to ``SimControl``; every effect is checked on the
simulators themselves or over their real protocols (Modbus exception 0x0B, refused TCP connects). The state is
validated with the HMI's own model (``ui.engineer_link.SimState``), so both ends of the wire agree. Every wait
is a poll with a deadline; the OEM feed's takt is parked high first, so vehicles come only when a test says.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import zmq
import zmq.asyncio
from pymodbus.client import AsyncModbusTcpClient

from app.config import load_plant, with_free_ports
from hardware_sims.control import SimControl, check_endpoint
from hardware_sims.control_state import printer_face
from hardware_sims.plant import SimulatedPlant
from hardware_sims.printer_plc import PrintedLabel as PlcPrintedLabel
from plc_io import ptl_modbus_map as ptl
from plc_io.ports import Colour
from plc_io.zpl import render_label
from sequencer.labels import PartLabel
from ui.engineer_link import Answer, SimState

DEADLINE_S = 10.0
LABEL = PartLabel(
    label_id="P-42", feed="L1", seq=9991, vehicle_id="WVWZZZ1JZXW000042", part="SEAT-CLOTH-BLK",
    description="Front seat pair", family="seats", rack_no=3, slot=2, plant="SC01",
)  # fmt: skip
PARKED_TAKT_S = 86_400.0  # the longest takt a request may set: no vehicle comes by itself during a test
SPEED = 50.0


async def until(predicate: Callable[[], bool], what: str, within_s: float = DEADLINE_S) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    for _ in range(int(within_s / 0.01) + 1):
        if predicate():
            return
        if loop.time() > deadline:
            break
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


class Client:
    """A DEALER like the engineer's view: one request, one answer, matched by id, bounded by a deadline."""

    def __init__(self, endpoint: str, kind: int = zmq.DEALER) -> None:
        self.sock = zmq.asyncio.Context.instance().socket(kind)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.connect(endpoint)
        self.next_id = 1

    async def raw(self, payload: bytes) -> dict[str, Any]:
        await self.sock.send(payload)
        async with asyncio.timeout(DEADLINE_S):
            return json.loads(await self.sock.recv())

    async def ask(self, **request: Any) -> dict[str, Any]:
        self.next_id += 1
        answer = await self.raw(json.dumps({**request, "id": self.next_id}).encode())
        assert answer["id"] == self.next_id
        return answer

    async def ok(self, **request: Any) -> dict[str, Any]:
        answer = await self.ask(**request)
        assert answer["ok"], answer
        return answer

    async def state(self) -> SimState:
        state = Answer.model_validate(await self.ok(op="state")).state
        assert state is not None
        return state

    def close(self) -> None:
        self.sock.close(linger=0)


@pytest.fixture
async def plant(tmp_path: Path) -> AsyncIterator[tuple[SimulatedPlant, SimControl, Client]]:
    sim = SimulatedPlant(with_free_ports(load_plant(), database=f"sqlite:///{tmp_path / 'x.db'}"), speed=SPEED)
    await sim.start()
    control = SimControl(sim, "tcp://127.0.0.1:0")
    await control.start()
    client = Client(control.endpoint)
    try:
        await client.ok(op="feed", feed="L1", takt_s=PARKED_TAKT_S)
        yield sim, control, client
    finally:
        client.close()
        await control.stop()
        await sim.stop()


def light_up(sim: SimulatedPlant, gateway: str, light: int, token: int) -> None:
    """What the service's driver would write over Modbus: a steady green light with a token."""
    gw = sim.gateways[gateway]
    cmd = ptl.LightCommand(colour=Colour.GREEN, animation=ptl.Animation.STEADY, display=1, token=token)
    gw.model.write(light, ptl.COMMAND.start, ptl.encode_command(cmd), sim.clock.now())


# -- state ---------------------------------------------------------------------------------------------------------
async def test_state_shows_every_device_in_the_shape_the_hmi_reads(plant: Any) -> None:
    sim, _, client = plant
    light_up(sim, "ptl-seat", 2, token=77)
    state = await client.state()
    assert state.plant == sim.plant.plant.name and state.speed == SPEED
    assert set(state.gateways) == {"ptl-seat", "ptl-bump"}
    lit = {x.light: x for x in state.gateways["ptl-seat"].lights}
    assert (lit[2].colour, lit[2].token, lit[2].bin, lit[2].station) == ("green", 77, "SEAT-02", "ST-SEAT")
    assert lit[1].colour == "off" and not lit[1].latched
    zebra = state.printers["zebra-1"]
    assert zebra.protocol == "zpl" and zebra.printed == 0 and not any(zebra.switches.values())
    assert list(zebra.switches) == ["offline", "paper_out", "ribbon_out", "head_open", "paused"]
    assert state.feeds["L1"].knobs.takt_s == PARKED_TAKT_S and state.feeds["L1"].plant_takt_s == 60
    assert state.stations["ST-SEAT"].auto and state.stations["ST-SEAT"].gateway == "ptl-seat"


async def test_a_printed_label_comes_with_its_layout(plant: Any) -> None:
    sim, _, client = plant
    printer = sim.printers["zebra-1"]
    _, writer = await asyncio.open_connection("127.0.0.1", printer.print_port)
    writer.write(render_label(LABEL).encode())
    await writer.drain()
    await printer.wait_printed(1, DEADLINE_S)
    writer.close()
    shown = (await client.state()).printers["zebra-1"].labels[-1]
    assert shown.label_id == "P-42" and "WVWZZZ1JZXW000042" in shown.fields
    kinds = {e.kind for e in shown.layout.elements}
    assert kinds == {"text", "code128", "datamatrix"} and (shown.layout.width, shown.layout.height) == (812, 609)
    vin_bars = [e for e in shown.layout.elements if e.kind == "code128" and e.data == "IWVWZZZ1JZXW000042"]
    assert vin_bars and vin_bars[0].module == 2 and vin_bars[0].h == 60


# -- press, faults ---------------------------------------------------------------------------------------------------
async def test_press_latches_and_counts_like_a_finger(plant: Any) -> None:
    sim, _, client = plant
    light_up(sim, "ptl-bump", 3, token=5)
    await client.ok(op="press", device="ptl-bump", light=3)
    confirm = sim.gateways["ptl-bump"].model.confirm(3)
    assert (confirm.latched, confirm.counter, confirm.pressed_token) == (True, 1, 5)
    lit = {x.light: x for x in (await client.state()).gateways["ptl-bump"].lights}
    assert lit[3].latched and lit[3].counter == 1


async def test_light_exception_answers_modbus_0x0b_until_switched_back(plant: Any) -> None:
    sim, _, client = plant
    gw = sim.gateways["ptl-seat"]
    modbus = AsyncModbusTcpClient("127.0.0.1", port=gw.port, timeout=2, retries=0)
    await modbus.connect()
    try:
        await client.ok(op="fault", device="ptl-seat", name="exception", light=3, on=True)
        refused = await modbus.read_holding_registers(ptl.COMMAND.start, count=1, device_id=3)
        assert refused.isError() and refused.exception_code == 0x0B
        assert (await modbus.read_holding_registers(ptl.COMMAND.start, count=1, device_id=2)).isError() is False
        assert [x.offline for x in (await client.state()).gateways["ptl-seat"].lights] == [False, False, True, False]
        await client.ok(op="fault", device="ptl-seat", name="exception", light=3, on=False)
        assert not (await modbus.read_holding_registers(ptl.COMMAND.start, count=1, device_id=3)).isError()
    finally:
        modbus.close()


async def connects(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return False
    writer.close()
    return True


async def test_gateway_down_and_printer_offline_refuse_connections(plant: Any) -> None:
    sim, _, client = plant
    gw_port, pr_port = sim.gateways["ptl-bump"].port, sim.printers["zebra-1"].print_port
    await client.ok(op="fault", device="ptl-bump", name="down", on=True)
    await client.ok(op="fault", device="zebra-1", name="offline", on=True)
    assert not await connects(gw_port) and not await connects(pr_port)
    state = await client.state()
    assert state.gateways["ptl-bump"].down and state.printers["zebra-1"].switches["offline"]
    await client.ok(op="fault", device="ptl-bump", name="down", on=False)
    await client.ok(op="fault", device="zebra-1", name="offline", on=False)
    assert await connects(gw_port) and await connects(pr_port)


async def test_printer_flags_and_slow_gateway_switch_both_ways(plant: Any) -> None:
    sim, _, client = plant
    model = sim.printers["zebra-1"].model
    for name in ("paper_out", "ribbon_out", "head_open", "paused"):
        await client.ok(op="fault", device="zebra-1", name=name, on=True)
        assert getattr(model, name) and (await client.state()).printers["zebra-1"].switches[name]
        await client.ok(op="fault", device="zebra-1", name=name, on=False)
        assert not getattr(model, name)
    await client.ok(op="fault", device="ptl-seat", name="slow", on=True, seconds=0.2)
    assert sim.gateways["ptl-seat"]._slow_s == pytest.approx(0.2 * SPEED)  # simulated seconds
    assert (await client.state()).gateways["ptl-seat"].slow_s == pytest.approx(0.2)
    await client.ok(op="fault", device="ptl-seat", name="slow", on=False)
    assert sim.gateways["ptl-seat"]._slow_s == 0


async def test_operator_faults_set_and_restore_the_rates(plant: Any) -> None:
    sim, _, client = plant
    op = sim.operators["ST-SEAT"]
    await client.ok(op="fault", device="ST-SEAT", name="wrong_button", on=True)
    assert op._wrong_rate > 0 and op._miss_rate == 0
    await client.ok(op="fault", device="ST-SEAT", name="no_press", on=True)
    assert (op._wrong_rate, op._miss_rate) == (0.0, 1.0)
    state = (await client.state()).stations["ST-SEAT"]
    assert state.wrong_button and state.no_press
    for name in ("no_press", "wrong_button"):
        await client.ok(op="fault", device="ST-SEAT", name=name, on=False)
    assert (op._wrong_rate, op._miss_rate) == (0.0, 0.0)


async def test_operator_off_means_pressing_by_hand_and_back_on_serves_again(plant: Any) -> None:
    sim, control, client = plant
    op = sim.operators["ST-SEAT"]
    await client.ok(op="operator", station="ST-SEAT", auto=False)
    assert control.controller._operator_task("ST-SEAT") is None
    light_up(sim, "ptl-seat", 1, token=11)
    await client.ok(op="press", device="ptl-seat", light=1)  # the engineer's finger
    assert op.presses == 0 and sim.gateways["ptl-seat"].model.confirm(1).counter == 1
    assert not (await client.state()).stations["ST-SEAT"].auto
    gw = sim.gateways["ptl-seat"]
    gw.model.write(1, ptl.COMMAND.start, ptl.encode_command(ptl.CLEAR), sim.clock.now())  # the service clears it
    await client.ok(op="operator", station="ST-SEAT", auto=True)
    light_up(sim, "ptl-seat", 2, token=12)
    await until(lambda: op.presses == 1, "the simulated operator pressing again")
    assert gw.model.confirm(2).pressed_token == 12


# -- OEM feed knobs -------------------------------------------------------------------------------------------------
async def test_feed_knobs_burst_gap_duplicate_pause_and_takt(plant: Any) -> None:
    sim, _, client = plant
    oem = sim.feeds["L1"]
    await until(lambda: oem.counters.generated == 1, "the first vehicle")  # sent at start, then the parked takt
    answer = await client.ok(op="feed", feed="L1", drop_next=2, burst=3)
    assert answer["applied"] == {"drop_next": 2, "burst": 3}
    await until(lambda: oem.counters.generated == 4, "a burst of three vehicles back to back")
    assert oem.counters.dropped == 2
    await client.ok(op="feed", feed="L1", duplicate_next=2, pause_s=30)
    knobs = (await client.state()).feeds["L1"].knobs
    assert (knobs.duplicate_next, knobs.pause_s, knobs.burst) == (2, 30, 0)
    await client.ok(op="feed", feed="L1", takt_s=0.5)  # the vehicle being waited for takes the new takt
    await until(lambda: oem.counters.generated >= 5, "a vehicle at the new takt")


async def test_change_and_cancel_go_only_to_acknowledged_vehicles(plant: Any) -> None:
    _, _, client = plant
    answer = await client.ok(op="feed", feed="L1", change=2, cancel=1)
    assert answer["applied"] == {"change": 0, "cancel": 0}  # nothing acknowledged: no service is running
    assert (await client.state()).feeds["L1"].follow_ups == {"change": 0, "cancel": 0}


# -- what is refused -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("request_", "error"),
    [
        ({"op": "press", "device": "ptl-seat", "light": 1, "finger": 2}, "Extra inputs are not permitted"),
        ({"op": "reboot"}, "does not match any of the expected tags"),
        ({"op": "press", "device": "nowhere", "light": 1}, "no PTL gateway 'nowhere'"),
        ({"op": "press", "device": "ptl-seat", "light": 9}, "has no light 9"),
        ({"op": "fault", "device": "zebra-1", "name": "on_fire", "on": True}, "has no fault 'on_fire'"),
        ({"op": "fault", "device": "ghost", "name": "down", "on": True}, "no device 'ghost'"),
        ({"op": "feed", "feed": "L1"}, "at least one knob"),
        ({"op": "feed", "feed": "L1", "takt_s": -1}, "greater than 0"),
        ({"op": "feed", "feed": "L9", "burst": 1}, "no feed 'L9'"),
        ({"op": "operator", "station": "ST-X", "auto": False}, "no simulated operator"),
    ],
)
async def test_bad_requests_are_answered_with_the_reason(plant: Any, request_: dict[str, Any], error: str) -> None:
    _, _, client = plant
    answer = await client.ask(**request_)
    assert not answer["ok"] and error in answer["error"], answer


async def test_garbage_is_answered_and_the_channel_stays_up(plant: Any) -> None:
    _, control, client = plant
    for junk in (b"not json", b"[1, 2]", b'{"id": 5}'):
        answer = await client.raw(junk)
        assert answer["ok"] is False and answer["error"]
    assert (await client.state()).plant
    assert control.requests >= 4


async def test_a_req_socket_gets_its_answer_through_the_envelope(plant: Any) -> None:
    _, control, _ = plant
    req = Client(control.endpoint, zmq.REQ)
    try:
        assert (await req.ok(op="state"))["state"]["plant"]
    finally:
        req.close()


@pytest.mark.parametrize(
    "endpoint",
    ["tcp://0.0.0.0:5599", "tcp://*:5599", "tcp://192.168.1.5:5599", "ipc:///tmp/x", "tcp://127.0.0.1:70000"],
)
def test_only_loopback_is_accepted(endpoint: str) -> None:
    with pytest.raises(ValueError, match=r"127\.0\.0\.1"):
        check_endpoint(endpoint)


def test_port_zero_means_any_free_port() -> None:
    assert check_endpoint("tcp://127.0.0.1:0") == "tcp://127.0.0.1:*"
    assert check_endpoint("tcp://127.0.0.1:5599") == "tcp://127.0.0.1:5599"


# -- the simulator process ------------------------------------------------------------------------------------------
def test_the_sim_process_opens_its_control_channel_and_announces_it(tmp_path: Path) -> None:
    config = tmp_path / "plant.json"
    config.write_text(with_free_ports(load_plant()).model_dump_json())
    cmd = [sys.executable, "-m", "hardware_sims", "plant", "--config", str(config), "--speed", "20"]
    proc = subprocess.Popen([*cmd, "--control", "tcp://127.0.0.1:0"], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        ready = json.loads(proc.stdout.readline())
        assert ready["ready"] and ready["control"].startswith("tcp://127.0.0.1:")
        sock = zmq.Context.instance().socket(zmq.REQ)
        sock.setsockopt(zmq.LINGER, 0)
        sock.setsockopt(zmq.RCVTIMEO, int(DEADLINE_S * 1000))
        sock.connect(ready["control"])
        sock.send_json({"op": "state"})
        assert SimState.model_validate(sock.recv_json()["state"]).stations  # type: ignore[index]
        sock.close(linger=0)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    refused = subprocess.run(
        [*cmd, "--control", "tcp://0.0.0.0:5599"], capture_output=True, text=True, timeout=60, env=dict(os.environ)
    )
    assert refused.returncode == 2 and "127.0.0.1" in refused.stderr


async def test_a_modbus_print_and_apply_printer_has_its_own_switches(tmp_path: Path) -> None:
    plant = with_free_ports(load_plant())
    printers = {n: d.model_copy(update={"protocol": "modbus"}) for n, d in plant.devices.printers.items()}
    plant = plant.model_copy(update={"devices": plant.devices.model_copy(update={"printers": printers})})
    sim = SimulatedPlant(plant, speed=SPEED)
    await sim.start()
    control = SimControl(sim, "tcp://127.0.0.1:0")
    client = Client(await control.start())
    try:
        zebra = (await client.state()).printers["zebra-1"]
        assert zebra.protocol == "modbus" and zebra.status_port == 0
        assert list(zebra.switches) == ["offline", "paper_out", "ribbon_out", "ribbon_low", "head_open", "silent"]
        model = sim.printers["zebra-1"].model
        for name, flag in (("paper_out", "media_out"), ("head_open", "service_required"), ("ribbon_low", "ribbon_low")):
            await client.ok(op="fault", device="zebra-1", name=name, on=True)
            assert getattr(model, flag) and (await client.state()).printers["zebra-1"].switches[name]
            await client.ok(op="fault", device="zebra-1", name=name, on=False)
        await client.ok(op="fault", device="zebra-1", name="silent", on=True)
        assert (await client.state()).printers["zebra-1"].switches["silent"]
        await client.ok(op="fault", device="zebra-1", name="silent", on=False)
        refused = await client.ask(op="fault", device="zebra-1", name="paused", on=True)
        assert not refused["ok"] and "modbus printer zebra-1 has no fault 'paused'" in refused["error"]
        # the engine behind the PLC prints what plc_io.zpl makes of the job's label: that is the preview
        record = PlcPrintedLabel(label_id="P-9", reprint=0, job_id=1, label=LABEL, time=0.0)
        shown = printer_face(sim.printers["zebra-1"]).label(record)  # type: ignore[union-attr]
        assert shown["label_id"] == "P-9" and LABEL.vehicle_id in shown["fields"]
        assert {e["kind"] for e in shown["layout"]["elements"]} == {"text", "code128", "datamatrix"}
    finally:
        client.close()
        await control.stop()
        await sim.stop()


async def test_opc_ua_devices_refuse_every_switch_naming_the_device_and_what_it_takes(tmp_path: Path) -> None:
    """OPC UA light controllers and printers have no switches on the channel: every fault and press is refused
    with the device, its kind and the kinds that do take faults; the channel stays up and stations still switch."""
    plant = with_free_ports(load_plant())
    ptls = {n: d.model_copy(update={"protocol": "opcua"}) for n, d in plant.devices.ptl.items()}
    printers = {n: d.model_copy(update={"protocol": "opcua"}) for n, d in plant.devices.printers.items()}
    devices = plant.devices.model_copy(update={"ptl": ptls, "printers": printers})
    sim = SimulatedPlant(plant.model_copy(update={"devices": devices}), speed=SPEED)
    await sim.start()
    control = SimControl(sim, "tcp://127.0.0.1:0")
    client = Client(await control.start())
    takers = "it has none (the control channel switches faults on: gateway, zpl printer, modbus printer, station)"
    try:
        for name in ("down", "slow", "exception"):
            refused = await client.ask(op="fault", device="ptl-seat", name=name, on=True, light=1)
            assert not refused["ok"] and f"opcua PTL ptl-seat has no fault {name!r}; {takers}" in refused["error"]
        for name in ("offline", "paper_out", "ribbon_out", "head_open", "paused", "silent"):
            refused = await client.ask(op="fault", device="zebra-1", name=name, on=True)
            assert not refused["ok"] and f"opcua printer zebra-1 has no fault {name!r}; {takers}" in refused["error"]
        refused = await client.ask(op="press", device="ptl-seat", light=1)
        assert not refused["ok"] and "PTL 'ptl-seat' (OpcUaPtlSim)" in refused["error"]
        await client.ok(op="fault", device="ST-SEAT", name="wrong_button", on=True)  # its operator is simulated
        assert (await client.state()).stations["ST-SEAT"].wrong_button
    finally:
        client.close()
        await control.stop()
        await sim.stop()
