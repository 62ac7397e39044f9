"""The simulators' control channel against a real SimulatedPlant on free ports of 127.0.0.1.

A DEALER (like the engineer's view) and a REQ socket talk to ``SimControl``; every effect is checked on the
simulators themselves or over their real protocols (Modbus exception 0x0B, refused TCP connects, a real asyncua
client reading an OPC UA light controller's and print engine's variables). The state is validated with the
HMI's own model (``ui.engineer.link.SimState``), so both ends of the wire agree. Every wait is a poll with a
deadline; the OEM feed's takt is parked high first, so vehicles come only when a test says.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import zmq
import zmq.asyncio
from asyncua import ua
from asyncua.client.client import Client as UaClient
from pymodbus.client import AsyncModbusTcpClient

from app.config import load_plant, with_free_ports
from hardware_sims.control import SimControl, check_endpoint
from hardware_sims.control_state import printer_face
from hardware_sims.opcua_printer import OpcUaPrinterSim
from hardware_sims.opcua_ptl import OpcUaPtlSim
from hardware_sims.plant import SimulatedPlant
from hardware_sims.printer_plc import PrintedLabel as PlcPrintedLabel
from plc_io.modbus import ptl_map as ptl
from plc_io.opcua import machinery, printer_model, ptl_model
from plc_io.ports import Colour
from plc_io.zpl_labels.layouts import render_label
from sequencer.labels import PartLabel
from ui.engineer.link import Answer, SimState

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
    seat = state.gateways["ptl-seat"]
    assert seat.kind == "modbus" and list(seat.switches) == ["down", "slow"] and not any(seat.switches.values())
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
    assert vin_bars and vin_bars[0].module == 2 and vin_bars[0].h == 50


async def test_printed_answers_whether_a_label_with_that_id_is_on_a_part(plant: Any) -> None:
    sim, _, client = plant
    assert (await client.ask(op="printed", label_id="P-43"))["printed"] == []
    printer = sim.printers["zebra-1"]
    before = len(printer.printed)
    _, writer = await asyncio.open_connection("127.0.0.1", printer.print_port)
    writer.write(render_label(replace(LABEL, label_id="P-43")).encode())
    await writer.drain()
    await printer.wait_printed(before + 1, DEADLINE_S)
    writer.close()
    [found] = (await client.ask(op="printed", label_id="P-43"))["printed"]
    assert found["printer"] == "zebra-1" and found["reprint"] == 0
    refused = await client.ask(op="printed", label_id="")
    assert refused["ok"] is False and "label_id" in refused["error"]


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
    assert state.gateways["ptl-bump"].switches["down"] and state.printers["zebra-1"].switches["offline"]
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
    slow = (await client.state()).gateways["ptl-seat"]
    assert slow.switches["slow"] and slow.slow_s == pytest.approx(0.2)
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


async def test_the_oem_line_stops_and_runs_again_at_a_rate(plant: Any) -> None:
    """The ``line`` knob: the OEM's line stands (no vehicle until it runs again), then runs at the rate given."""
    sim, _, client = plant
    oem = sim.feeds["L1"]
    await until(lambda: oem.counters.generated == 1, "the first vehicle")
    assert (await client.ok(op="feed", feed="L1", line="stopped"))["applied"] == {"line": "stopped"}
    assert oem.line_stopped
    await client.ok(op="feed", feed="L1", burst=2)  # a burst waits for the line too
    assert oem.counters.generated == 1
    await client.ok(op="feed", feed="L1", line="running", rate_per_h=3600)
    assert not oem.line_stopped and oem.knobs["takt_s"] == 1.0
    await until(lambda: oem.counters.generated >= 3, "the burst once the line runs")


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
        # the engine behind the PLC prints what plc_io.zpl_labels.layouts makes of the job's label: that is the preview
        record = PlcPrintedLabel(label_id="P-9", reprint=0, job_id=1, label=LABEL, time=0.0)
        shown = printer_face(sim.printers["zebra-1"]).label(record)  # type: ignore[union-attr]
        assert shown["label_id"] == "P-9" and LABEL.vehicle_id in shown["fields"]
        assert {e["kind"] for e in shown["layout"]["elements"]} == {"text", "code128", "datamatrix"}
    finally:
        client.close()
        await control.stop()
        await sim.stop()


# -- OPC UA devices ----------------------------------------------------------------------------------------------
class UaSession:
    """A real asyncua client session on a simulator (dev profile: anonymous, no security); every call bounded."""

    def __init__(self, client: UaClient, ns: int) -> None:
        self.client, self.ns = client, ns

    async def read(self, path: str) -> Any:
        async with asyncio.timeout(DEADLINE_S):
            return await self.client.get_node(machinery.node_id(self.ns, path)).read_value()

    async def read_until(self, path: str, want: Any) -> None:
        """Poll one variable until it reads ``want`` (the simulators publish a change asynchronously)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + DEADLINE_S
        while (seen := await self.read(path)) != want:
            if loop.time() > deadline:
                raise AssertionError(f"{path} reads {seen!r}, not {want!r}")
            await asyncio.sleep(0.02)

    async def call(self, parent: str, method: str, arguments: list[ua.Variant]) -> Any:
        async with asyncio.timeout(DEADLINE_S):
            node = self.client.get_node(machinery.node_id(self.ns, parent))
            return await node.call_method(machinery.node_id(self.ns, machinery.join(parent, method)), *arguments)


@contextlib.asynccontextmanager
async def opc_ua(url: str, namespace_uri: str) -> AsyncIterator[UaSession]:
    client = UaClient(url, timeout=2.0)
    async with asyncio.timeout(DEADLINE_S):
        await client.connect()
    try:
        yield UaSession(client, await client.get_namespace_index(namespace_uri))
    finally:
        async with asyncio.timeout(DEADLINE_S):
            await client.disconnect()


@contextlib.asynccontextmanager
async def opcua_plant(*, ptl: bool = False, printers: bool = False) -> AsyncIterator[tuple[SimulatedPlant, Client]]:
    """The demo plant with its light controllers and/or printers speaking OPC UA (each server takes seconds)."""
    plant = with_free_ports(load_plant())
    kinds = {"ptl": ptl, "printers": printers}
    devices = plant.devices.model_copy(
        update={
            kind: {n: d.model_copy(update={"protocol": "opcua"}) for n, d in getattr(plant.devices, kind).items()}
            for kind, on in kinds.items()
            if on
        }
    )
    sim = SimulatedPlant(plant.model_copy(update={"devices": devices}), speed=SPEED)
    await sim.start()
    control = SimControl(sim, "tcp://127.0.0.1:0")
    client = Client(await control.start())
    try:
        yield sim, client
    finally:
        client.close()
        await control.stop()
        await sim.stop()


async def test_opc_ua_light_controller_is_shown_pressed_and_switched_over_the_channel() -> None:
    """Lights as lit with their bins, a press, a light off the bus, out of service and the server off the network:
    each shows in the state and to a real OPC UA client; "slow" (no such thing on OPC UA) is refused by name."""
    async with opcua_plant(ptl=True) as (sim, client):
        await _switch_opc_ua_light_controller(sim, client)


async def _switch_opc_ua_light_controller(sim: SimulatedPlant, client: Client) -> None:
    ptl = sim.gateways["ptl-seat"]
    assert isinstance(ptl, OpcUaPtlSim)
    await client.ok(op="operator", station="ST-SEAT", auto=False)  # only the engineer presses here
    ptl.board.light(2, ptl_model.LightState(colour=Colour.GREEN, blink=True, display=1, token=77))  # as the driver does
    seat = (await client.state()).gateways["ptl-seat"]
    assert (seat.kind, seat.port) == ("opcua", ptl.port) and seat.switches == {"down": False, "out_of_service": False}
    lit = {x.light: x for x in seat.lights}
    assert (lit[2].colour, lit[2].flash, lit[2].token) == ("green", True, 77) and not lit[2].latched
    assert (lit[2].bin, lit[2].station) == ("SEAT-02", "ST-SEAT") and lit[1].colour == "off"
    await client.ok(op="press", device="ptl-seat", light=2)
    assert (ptl.board.bins[2].counter, ptl.board.bins[2].confirm_token) == (1, 77)
    lit = {x.light: x for x in (await client.state()).gateways["ptl-seat"].lights}
    assert lit[2].latched and lit[2].counter == 1  # pressed, not yet acknowledged by a host
    async with opc_ua(ptl.url, ptl_model.PTL_NAMESPACE_URI) as ua_client:
        await ua_client.read_until(ptl_model.bin_path(2, "ConfirmCounter"), 1)
        await client.ok(op="fault", device="ptl-seat", name="exception", light=3, on=True)
        await ua_client.read_until(ptl_model.bin_path(3, "Online"), False)
        assert [x.offline for x in (await client.state()).gateways["ptl-seat"].lights] == [False, False, True, False]
        await client.ok(op="fault", device="ptl-seat", name="exception", on=False)  # no light: every light
        await ua_client.read_until(ptl_model.bin_path(3, "Online"), True)
        await client.ok(op="fault", device="ptl-seat", name="out_of_service", on=True)
        await ua_client.read_until(machinery.state_path(ptl_model.PTL_ROOT), ua.LocalizedText("OutOfService"))
        assert (await client.state()).gateways["ptl-seat"].switches["out_of_service"]
        await client.ok(op="fault", device="ptl-seat", name="out_of_service", on=False)
        await ua_client.read_until(
            machinery.state_path(ptl_model.PTL_ROOT), ua.LocalizedText("Executing")
        )  # light 2 is lit
    await client.ok(op="fault", device="ptl-seat", name="down", on=True)
    assert not await connects(ptl.port) and (await client.state()).gateways["ptl-seat"].switches["down"]
    await client.ok(op="fault", device="ptl-seat", name="down", on=False)
    assert await connects(ptl.port) and not (await client.state()).gateways["ptl-seat"].switches["down"]
    refused = await client.ask(op="fault", device="ptl-seat", name="slow", on=True)
    want = "opcua PTL ptl-seat has no fault 'slow'; it has down, exception, out_of_service"
    assert not refused["ok"] and want in refused["error"], refused
    refused = await client.ask(op="fault", device="ptl-seat", name="exception", light=9, on=True)
    assert not refused["ok"] and "ptl-seat has no light 9" in refused["error"], refused


async def test_opc_ua_printer_is_shown_and_switched_over_the_channel() -> None:
    """Media out (and back to the media it had), out of service and off the network: each shows in the state and
    to a real OPC UA client, as does a label printed from a job order; the Zebra's and the PLC's own switches are
    refused by name."""
    async with opcua_plant(printers=True) as (sim, client):
        await _switch_opc_ua_printer(sim, client)


async def _switch_opc_ua_printer(sim: SimulatedPlant, client: Client) -> None:
    engine = sim.printers["zebra-1"]
    assert isinstance(engine, OpcUaPrinterSim)
    engine.set_media(123)
    shown = (await client.state()).printers["zebra-1"]
    assert (shown.protocol, shown.port, shown.status_port) == ("opcua", engine.port, 0)
    assert (shown.printed, shown.queued, shown.labels) == (0, 0, ())
    assert shown.switches == {"offline": False, "paper_out": False, "out_of_service": False}
    module = printer_model.PRINTER_MODULE
    async with opc_ua(engine.url, printer_model.PRINTER_NAMESPACE_URI) as ua_client:
        await ua_client.read_until(machinery.join(module, "LabelsRemaining"), 123)
        await client.ok(op="fault", device="zebra-1", name="paper_out", on=True)
        await ua_client.read_until(machinery.join(module, "MediaOut"), True)
        assert (await client.state()).printers["zebra-1"].switches["paper_out"]
        await client.ok(op="fault", device="zebra-1", name="paper_out", on=True)  # twice: the 123 are not forgotten
        await client.ok(op="fault", device="zebra-1", name="paper_out", on=False)
        await ua_client.read_until(machinery.join(module, "LabelsRemaining"), 123)
        assert not await ua_client.read(machinery.join(module, "MediaOut"))
        await client.ok(op="fault", device="zebra-1", name="out_of_service", on=True)
        await ua_client.read_until(machinery.state_path(printer_model.PRINTER_ROOT), ua.LocalizedText("OutOfService"))
        assert (await client.state()).printers["zebra-1"].switches == {
            "offline": False, "paper_out": False, "out_of_service": True,
        }  # fmt: skip
        await client.ok(op="fault", device="zebra-1", name="out_of_service", on=False)
        await ua_client.read_until(machinery.state_path(printer_model.PRINTER_ROOT), ua.LocalizedText("NotExecuting"))
        status = await ua_client.call(
            printer_model.JOB_CONTROL, "StoreAndStart", printer_model.encode_store("P-42#0", render_label(LABEL))
        )
        assert printer_model.decode_status([status]) == printer_model.ReturnStatus.NO_ERROR
        await engine.wait_printed(1, DEADLINE_S)
    printed = (await client.state()).printers["zebra-1"]
    assert (printed.printed, printed.queued) == (1, 0) and printed.labels[-1].label_id == "P-42"
    assert LABEL.vehicle_id in printed.labels[-1].fields
    assert {e.kind for e in printed.labels[-1].layout.elements} == {"text", "code128", "datamatrix"}
    await client.ok(op="fault", device="zebra-1", name="offline", on=True)
    assert not await connects(engine.port) and (await client.state()).printers["zebra-1"].switches["offline"]
    await client.ok(op="fault", device="zebra-1", name="offline", on=False)
    assert await connects(engine.port) and not (await client.state()).printers["zebra-1"].switches["offline"]
    for name in ("ribbon_out", "ribbon_low", "head_open", "paused", "silent"):
        refused = await client.ask(op="fault", device="zebra-1", name=name, on=True)
        want = f"opcua printer zebra-1 has no fault {name!r}; it has offline, paper_out, out_of_service"
        assert not refused["ok"] and want in refused["error"], refused
    await client.ok(op="fault", device="ST-SEAT", name="wrong_button", on=True)  # its operator is simulated
    assert (await client.state()).stations["ST-SEAT"].wrong_button
