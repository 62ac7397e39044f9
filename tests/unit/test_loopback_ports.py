"""Free loopback ports for simulated plants: outside the ephemeral range, never handed out twice, never a
port somebody listens on (the CI failure: a simulator's listen lost its port to an outgoing connection)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from plc_io import loopback_ports
from plc_io.loopback_ports import candidate_range, ephemeral_range, free_port


def test_ports_lie_outside_the_range_outgoing_connections_take_theirs_from() -> None:
    low, high = ephemeral_range()
    ports = [free_port() for _ in range(50)]
    assert all(not low <= p <= high for p in ports)
    assert len(set(ports)) == len(ports)


def test_an_outgoing_connection_never_holds_a_chosen_port() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        clients = [socket.create_connection(server.getsockname()) for _ in range(20)]
        try:
            local_ports = {c.getsockname()[1] for c in clients}
            assert not local_ports & set(candidate_range())
        finally:
            for c in clients:
                c.close()


def test_a_port_somebody_listens_on_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.create_server(("127.0.0.1", free_port())) as taken:
        busy = taken.getsockname()[1]
        spare = free_port()
        monkeypatch.setattr(loopback_ports, "candidate_range", lambda: [busy, spare])
        monkeypatch.setattr(loopback_ports, "_handed_out", set())
        assert free_port() == spare
        with pytest.raises(OSError, match="no free port"):
            free_port()  # the spare is handed out, the other one is listened on


def test_no_port_left_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    monkeypatch.setattr(loopback_ports, "candidate_range", lambda: range(port, port + 1))
    with pytest.raises(OSError, match="no free port"):
        free_port()


def test_an_unreadable_kernel_range_falls_back_to_linux_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(loopback_ports, "EPHEMERAL_RANGE_FILE", tmp_path / "missing")
    assert ephemeral_range() == loopback_ports.DEFAULT_EPHEMERAL
    assert candidate_range() == range(loopback_ports.LOWEST, 32_768)
