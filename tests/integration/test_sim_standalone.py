"""``jis sim ptl|printer|oem`` run one device alone, so a real service or device can pair with a single simulator."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest

from tests.plants import DEMO_PLANT


def start(*args: str) -> tuple[subprocess.Popen[str], dict]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli.main", "sim", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line, proc.stderr.read() if proc.stderr else "no ready line"
    return proc, json.loads(line)


def accepts(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        return True


@pytest.mark.parametrize(
    ("args", "ports"),
    [
        (("ptl", "--lights", "1,2,3"), lambda a: [int(a)]),
        (("printer", "--protocol", "zpl"), lambda a: [a["print"], a["status"]]),
        (("printer", "--protocol", "modbus"), lambda a: [int(a)]),
    ],
)
def test_one_device_alone_listens_and_stops_on_sigterm(args, ports):
    proc, ready = start(*args)
    try:
        assert ready["ready"] is True
        assert all(accepts(p) for p in ports(ready["address"]))
    finally:
        proc.terminate()
        assert proc.wait(timeout=20) == 0


def test_an_oem_feed_alone_points_at_the_service_endpoint():
    proc, ready = start("oem", "--config", str(DEMO_PLANT), "--endpoint", "tcp://127.0.0.1:9", "--vehicles", "1")
    try:
        assert ready["address"] == "tcp://127.0.0.1:9"
    finally:
        proc.terminate()
        assert proc.wait(timeout=20) == 0
