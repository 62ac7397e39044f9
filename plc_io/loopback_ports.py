"""Free TCP ports on loopback for simulated plants, demo runs and tests, chosen outside the ephemeral range.

A port taken from the OS with ``bind(0)`` comes from the ephemeral range, the same range every outgoing
connection (a database session, a ZeroMQ peer) takes its local port from; between releasing such a port and
listening on it, another process may connect from it and the listen fails ("address in use"). Ports chosen
here lie below the kernel's ephemeral range, so no outgoing connection can hold them, and each is checked by a
real bind and never handed out twice by one process.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

EPHEMERAL_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
LOWEST = 10_000  # below this sit well-known services (PostgreSQL 5432, Modbus 502, OPC UA 4840, ...)
DEFAULT_EPHEMERAL = (32_768, 60_999)  # Linux's default when the kernel's file cannot be read
ATTEMPTS = 200

_handed_out: set[int] = set()


def ephemeral_range() -> tuple[int, int]:
    """The kernel's range for outgoing connections' local ports."""
    try:
        low, high = (int(part) for part in EPHEMERAL_RANGE_FILE.read_text().split())
    except (OSError, ValueError):
        return DEFAULT_EPHEMERAL
    return low, high


def candidate_range() -> range:
    """Ports no outgoing connection is given: below the ephemeral range, or above it if that is too low."""
    low, high = ephemeral_range()
    if low - LOWEST >= 1_000:
        return range(LOWEST, low)
    return range(high + 1, 65_536)


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on now and this process has not handed out before."""
    ports = candidate_range()
    for _ in range(ATTEMPTS):
        port = random.choice(ports)
        if port in _handed_out:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise OSError(f"no free port on {host} among {len(ports)} candidates after {ATTEMPTS} tries")
