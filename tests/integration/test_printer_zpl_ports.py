"""The Zebra simulator's two ports held to Zebra's documentation, over real sockets on 127.0.0.1.

- Print port (9100): ZPL; bidirectional, ``~HS`` answered on the connection that asked, not at all while media out,
  ribbon out or head open; ``~HQES`` answered always (ZPL II Programming Guide, ``~HS`` and ``~HQ``).
- Status port (9200), as a real Link-OS Zebra has it: JSON only (Zebra Programming Guide, "JSON": "If you connect
  to port 9200, the printer ONLY accepts JSON commands. CPCL, SGD, ZPL, and other command languages are not
  supported."). ``~HS``, ``~HQES`` and formats sent there are dropped unanswered; the SGD ``device.host_status``
  asked in JSON answers the ``~HS`` strings without STX/ETX, with the same silence; ``zpl.system_error`` answers
  the ``~HQES`` error flags always.
Absence is proved by order, not by waiting: a later question on the same connection is answered first.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from hardware_sims.clock import ManualClock
from hardware_sims.zpl_printer import ZplPrinterSim
from plc_io.zpl.status import error_names, format_host_status, parse_system_error, split_frames
from tests.devices import until

DEADLINE_S = 5.0
GETVAR = b'{}{"device.host_status":null}'
FORMAT = b"^XA^FO20,20^A0N,40,40^FDhello^FS^XZ"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def zebra(clock: ManualClock) -> AsyncIterator[ZplPrinterSim]:
    async with ZplPrinterSim(
        clock=clock,
        print_time_s=1.0,
    ) as sim:
        yield sim


async def connect(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", port)


async def json_answer(reader: asyncio.StreamReader) -> dict[str, str]:
    async with asyncio.timeout(DEADLINE_S):
        data = b""
        while not data.endswith(b"}"):
            data += await reader.read(4096)
    answer: dict[str, str] = json.loads(data)
    return answer


async def test_the_status_port_takes_json_only(zebra: ZplPrinterSim, clock: ManualClock) -> None:
    reader, writer = await connect(zebra.status_port)
    try:
        writer.write(b"~HS" + b"~HQES" + FORMAT + b'! U1 getvar "device.host_status"\r\n' + GETVAR)
        answer = await json_answer(reader)  # the first bytes back are the JSON answer: nothing else was answered
        expected = [frame.decode() for frame in split_frames(format_host_status(zebra.model.status()))]
        assert answer == {"device.host_status": "\r\n".join(expected)}
        clock.advance(5.0)
        await zebra.wait_until(lambda m: True, DEADLINE_S)
        assert zebra.printed == [] and not zebra.model.queue  # a format sent to the status port never prints
    finally:
        writer.close()


async def test_host_status_in_json_is_silent_when_hs_is(zebra: ZplPrinterSim) -> None:
    reader, writer = await connect(zebra.status_port)
    try:
        zebra.set_fault(paper_out=True)
        writer.write(GETVAR)
        await until(lambda: zebra.model.silent_polls == 1, "the question asked and left unanswered")
        zebra.set_fault(paper_out=False)
        writer.write(GETVAR)
        answer = await json_answer(reader)
        assert answer["device.host_status"].split(",")[1] == "0"  # the one answer is the second: paper in
        assert zebra.model.status_answers == 1
    finally:
        writer.close()


@pytest.mark.parametrize("fault", ["paper_out", "ribbon_out", "head_open"])
async def test_the_print_port_answers_hs_except_in_the_documented_faults_and_hqes_always(
    zebra: ZplPrinterSim, fault: str
) -> None:
    reader, writer = await connect(zebra.print_port)
    try:
        zebra.set_fault(**{fault: True})
        writer.write(b"~HS~HQES")
        async with asyncio.timeout(DEADLINE_S):
            answer = await reader.readuntil(b"\x03\r\n")
        assert answer.startswith(b"\x02\r\nPRINTER STATUS")  # ~HQES answered first: ~HS was not answered at all
        zebra.set_fault(**{fault: False})
        writer.write(b"~HS")
        async with asyncio.timeout(DEADLINE_S):
            frames = [await reader.readuntil(b"\x03\r\n") for _ in range(3)]
        assert b"".join(frames) == format_host_status(zebra.model.status())
    finally:
        writer.close()


@pytest.mark.parametrize("fault", ["paper_out", "ribbon_out", "head_open"])
async def test_the_error_flags_answer_in_json_while_the_host_status_is_silent(zebra: ZplPrinterSim, fault: str) -> None:
    reader, writer = await connect(zebra.status_port)
    try:
        zebra.set_fault(**{fault: True})
        writer.write(GETVAR + b'{}{"zpl.system_error":null}')
        answer = await json_answer(reader)  # the first answer is the second question's: the first got none
        assert list(answer) == ["zpl.system_error"]
        assert error_names(parse_system_error(answer["zpl.system_error"])) == error_names(zebra.model.error_mask())
        assert zebra.model.silent_polls == 1
    finally:
        writer.close()
