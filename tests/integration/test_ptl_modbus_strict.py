"""The PTL gateway simulator refuses what a Banner DXM / PICK-IQ chain refuses, row by row of the shared map.

Table-driven from ``plc_io.modbus.ptl_map`` (the map the driver and the simulator share): every block and every
field is read and written over a real socket on 127.0.0.1 with hand-built Modbus TCP frames (``tests.modbus_wire``,
independent of pymodbus and of the simulator's parser), and the answers are held to Modbus Application Protocol
V1.1b3: in range accepted; one register past a block 02; quantities out of the standard's range 03; every
function code the map lacks 01; read-only registers and values the map does not allow 03; a unit id with no
light, or an offline light, 0x0B (never 0x0A). The last test does the same through another client library
(pyModbusTCP). docs/ptl-modbus.md states each rule with its source.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from pyModbusTCP.client import ModbusClient

from hardware_sims.clock import ManualClock
from hardware_sims.ptl_gateway import PtlGatewaySim
from plc_io.modbus import ptl_map as ptl
from plc_io.ports import Colour
from tests.modbus_wire import (
    GATEWAY_TARGET_FAILED,
    ILLEGAL_DATA_ADDRESS,
    ILLEGAL_DATA_VALUE,
    ILLEGAL_FUNCTION,
    PUBLIC_FUNCTIONS,
    SPEC_MAX_QUANTITY,
    USER_DEFINED_FUNCTIONS,
    RawClient,
    read,
    registers,
    well_formed,
    write_registers,
    write_single,
)

LIGHT, OTHER, OFFLINE = 1, 2, 3
BLOCKS = [pytest.param(block, id=block.name) for block in ptl.BLOCKS]
FIELDS = [pytest.param(block, f, id=f"{block.name}.{f.name}") for block in ptl.BLOCKS for f in block.fields]
LACKING = [c for c in (*PUBLIC_FUNCTIONS, *USER_DEFINED_FUNCTIONS) if c not in ptl.FUNCTION_CODES]


@pytest.fixture
async def sim() -> AsyncIterator[PtlGatewaySim]:
    gateway = PtlGatewaySim((LIGHT, OTHER, OFFLINE), clock=ManualClock())
    await gateway.start()
    gateway.set_offline(OFFLINE, True)
    yield gateway
    await gateway.stop()


@pytest.fixture
async def wire(sim: PtlGatewaySim) -> AsyncIterator[RawClient]:
    client = await RawClient.open(sim.host, sim.port)
    yield client
    await client.close()


def refused_value(field: ptl.Field) -> int | None:
    """The smallest register value the map does not let the host write into a one-register field, if any."""
    if field.size != 1 or field.kind is ptl.Kind.ASCII:
        return None
    return next((v for v in range(0x1_0000) if v not in field.writes), None)


# -- every block: in range accepted, one past either end 02 ----------------------------------------------------
@pytest.mark.parametrize("block", BLOCKS)
async def test_a_block_reads_whole_and_one_register_past_either_end_is_02(
    wire: RawClient, sim: PtlGatewaySim, block: ptl.Block
) -> None:
    whole = await wire.ask(LIGHT, read(3, block.start, block.count))
    assert registers(whole) == sim.model.read(LIGHT, block.start, block.count, 0.0)
    for address, count in (
        (block.start, block.count + 1),  # starts inside, runs one past the end
        (block.end - 1, 2),
        (block.end, 1),  # the first address after the block
        (block.start - 1, 1),  # the one before it
        (block.start - 1, block.count + 1),
    ):
        assert await wire.refused(LIGHT, read(3, address, count)) == ILLEGAL_DATA_ADDRESS, (address, count)
    assert await wire.refused(LIGHT, write_registers(block.end - 1, [0, 0])) == ILLEGAL_DATA_ADDRESS
    assert await wire.refused(LIGHT, write_single(6, block.end, 0)) == ILLEGAL_DATA_ADDRESS


# -- every field: read; written back if the map lets the host write it, else 03; refused values 03 -----------
@pytest.mark.parametrize(("block", "field"), FIELDS)
async def test_a_field_reads_and_writes_as_the_map_says(
    wire: RawClient, sim: PtlGatewaySim, block: ptl.Block, field: ptl.Field
) -> None:
    current = registers(await wire.ask(LIGHT, read(3, field.address, field.size)))
    expected = None if field.writable else ILLEGAL_DATA_VALUE
    assert await wire.refused(LIGHT, write_registers(field.address, current)) == expected
    if field.size == 1:
        assert await wire.refused(LIGHT, write_single(6, field.address, current[0])) == expected
    if (bad := refused_value(field)) is not None and field.writable:
        before = sim.model.read(LIGHT, block.start, block.count, 0.0)
        assert await wire.refused(LIGHT, write_single(6, field.address, bad)) == ILLEGAL_DATA_VALUE
        assert await wire.refused(LIGHT, write_registers(field.address, [bad])) == ILLEGAL_DATA_VALUE
        assert sim.model.read(LIGHT, block.start, block.count, 0.0) == before  # a refused write changes nothing


async def test_the_echo_of_a_write_is_the_one_the_standard_defines(wire: RawClient, sim: PtlGatewaySim) -> None:
    command = ptl.encode_command(ptl.LightCommand(colour=Colour.RED, animation=ptl.Animation.FLASH, display=7, token=9))
    assert await wire.ask(LIGHT, write_registers(ptl.COMMAND.start, command)) == read(16, ptl.COMMAND.start, 5)
    assert await wire.ask(LIGHT, write_single(6, ptl.COMMAND.start + 2, 8)) == write_single(6, ptl.COMMAND.start + 2, 8)
    assert sim.lit(LIGHT) == (Colour.RED, True, 8, 9)


# -- quantities: 03, and checked before the address ------------------------------------------------------------
@pytest.mark.parametrize("block", BLOCKS)
async def test_quantities_out_of_the_standards_range_are_03_before_any_address(
    wire: RawClient, block: ptl.Block
) -> None:
    for address in (block.start, 60_000):  # in the block, and nowhere near the map: quantity first (section 6)
        for count in (0, SPEC_MAX_QUANTITY[3] + 1):
            assert await wire.refused(LIGHT, read(3, address, count)) == ILLEGAL_DATA_VALUE
        for values in ([], [0] * (SPEC_MAX_QUANTITY[16] + 1)):
            assert await wire.refused(LIGHT, write_registers(address, values)) == ILLEGAL_DATA_VALUE
    mismatched = write_registers(block.start, [0, 0], byte_count=3)
    assert await wire.refused(LIGHT, mismatched) == ILLEGAL_DATA_VALUE
    assert await wire.refused(LIGHT, read(3, block.start, 1)[:-1]) == ILLEGAL_DATA_VALUE  # a PDU one byte short
    assert await wire.refused(LIGHT, read(3, block.start, 1) + b"\x00") == ILLEGAL_DATA_VALUE  # one byte too many


async def test_the_largest_quantities_the_standard_allows_reach_the_address_check(wire: RawClient) -> None:
    # 125 registers from 1000 cover 1000-1124: the identity block ends at 1053, so the address is wrong, not the count
    assert await wire.refused(LIGHT, read(3, ptl.IDENTITY.start, SPEC_MAX_QUANTITY[3])) == ILLEGAL_DATA_ADDRESS
    assert await wire.refused(LIGHT, write_registers(2000, [0] * SPEC_MAX_QUANTITY[16])) == ILLEGAL_DATA_ADDRESS


# -- function codes the map does not have: 01 ------------------------------------------------------------------
@pytest.mark.parametrize("block", BLOCKS)
async def test_every_function_code_the_map_lacks_is_01(wire: RawClient, block: ptl.Block) -> None:
    assert {code: await wire.refused(LIGHT, well_formed(code, block.start)) for code in LACKING} == dict.fromkeys(
        LACKING, ILLEGAL_FUNCTION
    )


# -- unit ids: 0x0B for every one with no light answering, never 0x0A --------------------------------------------
async def test_a_unit_id_with_no_light_answering_is_0x0b_never_0x0a(wire: RawClient) -> None:
    answers = {unit: await wire.refused(unit, read(3, ptl.CONFIRM.start, ptl.CONFIRM.count)) for unit in range(256)}
    assert {unit for unit, code in answers.items() if code is None} == {LIGHT, OTHER}
    assert {code for code in answers.values() if code is not None} == {GATEWAY_TARGET_FAILED}
    # the gateway forwards before anything parses the request: a lacking function code or a bad quantity to a
    # unit with no light answering is 0x0B as well
    assert await wire.refused(OFFLINE, well_formed(4, ptl.CONFIRM.start)) == GATEWAY_TARGET_FAILED
    assert await wire.refused(9, read(3, ptl.CONFIRM.start, 0)) == GATEWAY_TARGET_FAILED


# -- outside in: another client library sees the same device ---------------------------------------------------
async def test_another_client_library_sees_the_same_rules(sim: PtlGatewaySim) -> None:
    """pyModbusTCP (its own framing and codecs): what the driver does works, what the map lacks is refused."""

    def session() -> dict[str, object]:
        light = ModbusClient(host=sim.host, port=sim.port, unit_id=LIGHT, timeout=5.0, auto_open=True)
        nobody = ModbusClient(host=sim.host, port=sim.port, unit_id=9, timeout=5.0, auto_open=True)
        command = ptl.encode_command(
            ptl.LightCommand(colour=Colour.GREEN, animation=ptl.Animation.STEADY, display=3, token=0x12345)
        )
        seen: dict[str, object] = {
            "write command": light.write_multiple_registers(ptl.COMMAND.start, command),
            "read confirm": light.read_holding_registers(ptl.CONFIRM.start, ptl.CONFIRM.count),
        }
        refusals = {
            "input registers (4)": lambda: light.read_input_registers(ptl.CONFIRM.start, 1),
            "coils (1)": lambda: light.read_coils(0, 1),
            "read/write (23)": lambda: light.write_read_multiple_registers(2000, [0], 2010, 4),
            "past the block": lambda: light.read_holding_registers(ptl.COMMAND.start, ptl.COMMAND.count + 1),
            "read-only counter": lambda: light.write_single_register(ptl.CONFIRM.start + 1, 5),
            "colour 9": lambda: light.write_single_register(ptl.COMMAND.start, 9),
            "no light at 9": lambda: nobody.read_holding_registers(ptl.CONFIRM.start, 1),
        }
        for name, call in refusals.items():
            client = nobody if name == "no light at 9" else light
            seen[name] = (call(), client.last_except)
        light.close()
        nobody.close()
        return seen

    seen = await asyncio.to_thread(session)
    assert sim.lit(LIGHT) == (Colour.GREEN, False, 3, 0x12345)
    assert seen == {
        "write command": True,
        "read confirm": [0, 0, 0, 0],
        "input registers (4)": (None, ILLEGAL_FUNCTION),
        "coils (1)": (None, ILLEGAL_FUNCTION),
        "read/write (23)": (None, ILLEGAL_FUNCTION),
        "past the block": (None, ILLEGAL_DATA_ADDRESS),
        "read-only counter": (False, ILLEGAL_DATA_VALUE),
        "colour 9": (False, ILLEGAL_DATA_VALUE),
        "no light at 9": (None, GATEWAY_TARGET_FAILED),
    }
