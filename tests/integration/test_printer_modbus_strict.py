"""The print-and-apply PLC simulator refuses what docs/printer-modbus.md says, row by row of the shared map.

Table-driven from ``plc_io.modbus.printer_map`` (the map the driver and the simulator share): every table, every
applicator signal and every register field is read, and written where the map lets the host write, over a real
socket on 127.0.0.1 with hand-built Modbus TCP frames (``tests.modbus_wire``, independent of pymodbus and of the
simulator's parser). The PLC is this project's, so the rules are the Modbus Application Protocol V1.1b3's:
in range accepted; one past the end of a table (or of the coils the host may write) 02; quantities out of the
standard's range, byte counts that do not match and Write Single Coil values other than 0xFF00/0x0000 03; every
function code the map lacks 01; another unit id 0x0B. The last test does the same through pyModbusTCP.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from pyModbusTCP.client import ModbusClient

from hardware_sims.clock import ManualClock
from hardware_sims.printer_plc import PrinterPlcSim
from plc_io.modbus import printer_map as prn
from plc_io.modbus.ptl_map import Field
from tests.modbus_wire import (
    GATEWAY_TARGET_FAILED,
    ILLEGAL_DATA_ADDRESS,
    ILLEGAL_DATA_VALUE,
    ILLEGAL_FUNCTION,
    PUBLIC_FUNCTIONS,
    SPEC_MAX_QUANTITY,
    USER_DEFINED_FUNCTIONS,
    RawClient,
    bits,
    read,
    registers,
    well_formed,
    write_coils,
    write_registers,
    write_single,
)

UNIT = 1


@dataclass(frozen=True, slots=True)
class TableRules:
    """One Modbus table as the map has it: its read function, write functions, size and writable part."""

    table: prn.Table
    read_code: int
    write_codes: tuple[int, ...]
    size: int
    writable: int


def rules(table: prn.Table) -> TableRules:
    read_code, *writes = prn.FUNCTION_CODES[table]  # read first, then the writes
    size = prn.BIT_TABLE_SIZE if table in prn.BIT_TABLES else prn.REGISTER_BLOCKS[table].count
    writable = {prn.Table.COIL: len(prn.COILS), prn.Table.HOLDING_REGISTER: prn.JOB.count}.get(table, 0)
    return TableRules(table, read_code, tuple(writes), size, writable if writes else 0)


TABLES = [pytest.param(rules(table), id=table.value) for table in prn.Table]
BIT_ROWS = [pytest.param(rules(t), b.address, id=f"{t.value}.{b.name}") for t, bs in prn.BIT_TABLES.items() for b in bs]
BIT_ROWS += [pytest.param(rules(t), prn.BIT_TABLE_SIZE - 1, id=f"{t.value}.reserved") for t in prn.BIT_TABLES]
FIELD_ROWS = [
    pytest.param(rules(t), f, id=f"{t.value}.{f.name}") for t, blk in prn.REGISTER_BLOCKS.items() for f in blk.fields
]
LACKING = [c for c in (*PUBLIC_FUNCTIONS, *USER_DEFINED_FUNCTIONS) if c not in prn.TABLE_OF_FUNCTION]


@pytest.fixture
async def sim() -> AsyncIterator[PrinterPlcSim]:
    async with PrinterPlcSim(clock=ManualClock(), unit_id=UNIT) as plc:
        yield plc


@pytest.fixture
async def wire(sim: PrinterPlcSim) -> AsyncIterator[RawClient]:
    client = await RawClient.open(sim.host, sim.port)
    yield client
    await client.close()


def write_request(code: int, address: int, count: int = 1) -> bytes:
    """A write of ``count`` zeros by function ``code`` (5, 6, 15 or 16)."""
    if code in (5, 6):
        return write_single(code, address, 0)
    return write_coils(address, [0] * count) if code == 15 else write_registers(address, [0] * count)


# -- every table: whole table accepted, one past the end 02 --------------------------------------------------------
@pytest.mark.parametrize("t", TABLES)
async def test_a_table_reads_whole_and_one_past_its_end_is_02(wire: RawClient, t: TableRules) -> None:
    assert await wire.refused(UNIT, read(t.read_code, 0, t.size)) is None
    for address, count in ((0, t.size + 1), (t.size - 1, 2), (t.size, 1)):
        assert await wire.refused(UNIT, read(t.read_code, address, count)) == ILLEGAL_DATA_ADDRESS, (address, count)
    for code in t.write_codes:
        assert await wire.refused(UNIT, write_request(code, 0, 1)) is None
        assert await wire.refused(UNIT, write_request(code, t.writable, 1)) == ILLEGAL_DATA_ADDRESS
        if code in (15, 16):
            assert await wire.refused(UNIT, write_request(code, 0, t.writable)) is None
            assert await wire.refused(UNIT, write_request(code, 1, t.writable)) == ILLEGAL_DATA_ADDRESS
            # the job block fills a function 16 (123 registers): one more is a quantity no request may carry (03)
            too_many = code == 16 and t.writable + 1 > prn.FC16_MAX_REGISTERS
            refusal = ILLEGAL_DATA_VALUE if too_many else ILLEGAL_DATA_ADDRESS
            assert await wire.refused(UNIT, write_request(code, 0, t.writable + 1)) == refusal


# -- every row of the map --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("t", "address"), BIT_ROWS)
async def test_a_signal_reads_and_a_coil_writes(
    wire: RawClient, sim: PrinterPlcSim, t: TableRules, address: int
) -> None:
    sim.set_fault(media_out=True, ribbon_low=True)
    reply = await wire.ask(UNIT, read(t.read_code, address, 1))
    expected = sim.model.read(t.table, address, 1, 0.0)
    assert bits(reply, 1) == [int(v) for v in expected]
    for code in t.write_codes:
        request = write_single(5, address, 0) if code == 5 else write_coils(address, [0])
        accepted = address < t.writable
        assert await wire.refused(UNIT, request) == (None if accepted else ILLEGAL_DATA_ADDRESS)
        if accepted and code == 5:
            assert await wire.ask(UNIT, request) == request  # section 6.5: the echo is the request


@pytest.mark.parametrize(("t", "field"), FIELD_ROWS)
async def test_a_register_field_reads_and_writes_as_the_map_says(
    wire: RawClient, sim: PrinterPlcSim, t: TableRules, field: Field
) -> None:
    current = registers(await wire.ask(UNIT, read(t.read_code, field.address, field.size)))
    assert current == sim.model.read(t.table, field.address, field.size, 0.0)
    if 16 in t.write_codes:
        assert await wire.ask(UNIT, write_registers(field.address, current)) == read(16, field.address, field.size)
        assert await wire.ask(UNIT, write_single(6, field.address, 0x4142)) == write_single(6, field.address, 0x4142)
        assert sim.model.job_registers[field.address] == 0x4142  # the PLC keeps the value; START checks it


# -- quantities, byte counts and coil values: 03, before any address ----------------------------------------------
@pytest.mark.parametrize("t", TABLES)
async def test_quantities_out_of_the_standards_range_are_03_before_any_address(wire: RawClient, t: TableRules) -> None:
    for address in (0, 60_000):
        for count in (0, SPEC_MAX_QUANTITY[t.read_code] + 1):
            assert await wire.refused(UNIT, read(t.read_code, address, count)) == ILLEGAL_DATA_VALUE
        for code in (c for c in t.write_codes if c in SPEC_MAX_QUANTITY):
            for count in (0, SPEC_MAX_QUANTITY[code] + 1):
                assert await wire.refused(UNIT, write_request(code, address, count)) == ILLEGAL_DATA_VALUE
    # the largest quantity the standard allows is a quantity the table is checked against: 02, not 03
    assert await wire.refused(UNIT, read(t.read_code, 0, SPEC_MAX_QUANTITY[t.read_code])) == ILLEGAL_DATA_ADDRESS


async def test_malformed_writes_are_03(wire: RawClient, sim: PrinterPlcSim) -> None:
    assert await wire.refused(UNIT, write_single(5, 0, 0x1234)) == ILLEGAL_DATA_VALUE  # section 6.5: FF00 or 0000
    assert await wire.refused(UNIT, write_single(5, 0, 0x00FF)) == ILLEGAL_DATA_VALUE
    assert await wire.refused(UNIT, write_coils(0, [1], count=9)) == ILLEGAL_DATA_VALUE  # 9 coils need 2 bytes
    assert await wire.refused(UNIT, write_registers(0, [1, 2], byte_count=2)) == ILLEGAL_DATA_VALUE
    assert await wire.refused(UNIT, write_registers(0, [1, 2]) + b"\x00") == ILLEGAL_DATA_VALUE  # a byte too many
    assert sim.model.job_registers[:2] == [0, 0] and sim.requests[5] == sim.requests[16] == 0  # nothing written


# -- function codes the map does not have: 01 ------------------------------------------------------------------
async def test_every_function_code_the_map_lacks_is_01(wire: RawClient) -> None:
    answers = {code: await wire.refused(UNIT, well_formed(code, 0)) for code in LACKING}
    assert answers == dict.fromkeys(LACKING, ILLEGAL_FUNCTION)


async def test_another_unit_id_is_0x0b(wire: RawClient) -> None:
    answers = {unit: await wire.refused(unit, read(4, 0, prn.STATUS.count)) for unit in range(256)}
    assert {unit for unit, code in answers.items() if code is None} == {UNIT}
    assert {code for code in answers.values() if code is not None} == {GATEWAY_TARGET_FAILED}


# -- outside in: another client library ------------------------------------------------------------------------------
async def test_another_client_library_sees_the_same_rules(sim: PrinterPlcSim) -> None:
    """pyModbusTCP: the driver's reads and its job write work; what the map lacks or refuses is refused."""

    def session() -> dict[str, object]:
        plc = ModbusClient(host=sim.host, port=sim.port, unit_id=UNIT, timeout=5.0, auto_open=True)
        seen: dict[str, object] = {
            "coils": plc.read_coils(0, len(prn.COILS)),
            "inputs": plc.read_discrete_inputs(0, len(prn.DISCRETE_INPUTS)),
            "status": plc.read_input_registers(prn.STATUS.start, prn.STATUS.count),
            "job": plc.write_multiple_registers(0, [0] * prn.JOB.count),
            "pause": plc.write_single_coil(prn.COIL_ADDRESS["pause"], True),
        }
        refusals = {
            "read/write (23)": lambda: plc.write_read_multiple_registers(0, [0], 0, 1),
            "identification (43)": lambda: plc.read_device_identification(),
            "coil 4": lambda: plc.write_single_coil(len(prn.COILS), True),
            "input register 11": lambda: plc.read_input_registers(prn.STATUS.count, 1),
            "holding register 123": lambda: plc.write_single_register(prn.JOB.count, 1),
        }
        for name, call in refusals.items():
            seen[name] = (call(), plc.last_except)
        plc.close()
        return seen

    seen = await asyncio.to_thread(session)
    assert seen == {
        "coils": [False] * len(prn.COILS),
        "inputs": [False] * len(prn.DISCRETE_INPUTS),
        "status": prn.encode_status(sim.model.status),
        "job": True,
        "pause": True,
        "read/write (23)": (None, ILLEGAL_FUNCTION),
        "identification (43)": (None, ILLEGAL_FUNCTION),
        "coil 4": (False, ILLEGAL_DATA_ADDRESS),
        "input register 11": (None, ILLEGAL_DATA_ADDRESS),
        "holding register 123": (False, ILLEGAL_DATA_ADDRESS),
    }
    assert sim.model.coils.pause
