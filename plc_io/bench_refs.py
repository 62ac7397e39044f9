"""Raw library reference operations for the benchmarks: what one bare pymodbus write costs on this machine.

The service's figures are reported as ratios against these, measured in the same run, because the machines are
shared and their speed swings. Lives in plc_io because only plc_io may import pymodbus.
"""

from __future__ import annotations

import time

from pymodbus.client import AsyncModbusTcpClient


async def raw_write_register_ms(
    host: str, port: int, *, unit: int, address: int, value: int, n: int = 200
) -> list[float]:
    """Round-trip times (ms) of ``n`` single-register writes with a plain pymodbus client."""
    client = AsyncModbusTcpClient(host, port=port, timeout=2)
    await client.connect()
    try:
        times = []
        for _ in range(n):
            start = time.perf_counter()
            await client.write_register(address, value, device_id=unit)
            times.append((time.perf_counter() - start) * 1000)
        return times
    finally:
        client.close()
