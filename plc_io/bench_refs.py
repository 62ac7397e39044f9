"""Raw library reference operations for the benchmarks: what one bare pymodbus write or one bare ZPL ``~HS``
round trip costs on this machine, with no driver around it.

The service's figures are reported as ratios against these, measured in the same run, because the machines are
shared and their speed swings. Lives in plc_io because only plc_io may import pymodbus.
"""

from __future__ import annotations

import asyncio
import time

from pymodbus.client import AsyncModbusTcpClient

from plc_io.zpl.status import ETX, HOST_STATUS


async def raw_write_register_ms(
    host: str, port: int, *, unit: int, address: int, value: int, n: int = 200
) -> list[float]:
    """Round-trip times (ms) of ``n`` single-register writes with a plain pymodbus client."""
    writer = RawRegisterWriter(host, port, unit=unit, address=address, value=value)
    await writer.open()
    try:
        return [await writer.write_ms() for _ in range(n)]
    finally:
        writer.close()


class RawRegisterWriter:
    """One plain pymodbus client kept open, so a benchmark can sample a raw write now and then during a run."""

    def __init__(self, host: str, port: int, *, unit: int, address: int, value: int) -> None:
        self._client = AsyncModbusTcpClient(host, port=port, timeout=2)
        self._unit, self._address, self._value = unit, address, value

    async def open(self) -> None:
        await self._client.connect()

    async def write_ms(self) -> float:
        start = time.perf_counter()
        await self._client.write_register(self._address, self._value, device_id=self._unit)
        return (time.perf_counter() - start) * 1000

    def close(self) -> None:
        self._client.close()


async def raw_zpl_status_ms(host: str, port: int, *, n: int = 100, timeout_s: float = 2.0) -> list[float]:
    """Round-trip times (ms) of ``n`` bare ``~HS`` queries (three STX...ETX strings back) on a printer's raw print
    port (9100: a Zebra's JSON status port 9200 ignores ZPL), over one plain TCP connection."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout_s)
    try:
        times = []
        for _ in range(n):
            start = time.perf_counter()
            writer.write(HOST_STATUS)
            await writer.drain()
            for _ in range(3):
                await asyncio.wait_for(reader.readuntil(ETX), timeout_s)
            times.append((time.perf_counter() - start) * 1000)
        return times
    finally:
        writer.close()
        await writer.wait_closed()
