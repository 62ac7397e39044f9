"""``jis sim ptl|printer|scanner|oem`` run one device alone, so a real service or device can pair with one
simulator."""

from __future__ import annotations

import json
import select
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


def test_a_barcode_reader_alone_reads_what_is_typed_and_takes_its_faults():
    """``jis sim scanner``: each stdin line is a read sent to the connected client, CR LF ended; ``!noread on``
    switches the no-read fault (docs/scanner-tcp.md)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli.main", "sim", "scanner"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdin is not None

    def type_in(line: str) -> None:
        proc.stdin.write(line + "\n")  # type: ignore[union-attr]
        proc.stdin.flush()  # type: ignore[union-attr]

    try:
        ready = json.loads(proc.stdout.readline())
        assert ready["device"] == "scanner"
        with socket.create_connection(("127.0.0.1", int(ready["address"])), timeout=10) as conn:
            conn.settimeout(10)
            reader = conn.makefile("rb")
            type_in("WARM")  # a read before the reader took the connection reaches no one: "WARM" until one does
            for _ in range(50):
                ready_to_read, _, _ = select.select([conn], [], [], 0.2)
                if ready_to_read:
                    break
                type_in("WARM")
            for line in ("PBMP-040+HB0001", "!noread on", "PBMP-040+HB0002"):
                type_in(line)
            reads = []
            while len(reads) < 2:
                got = reader.readline()
                assert got, "the reader closed the connection"
                if got != b"WARM\r\n":
                    reads.append(got)
            assert reads == [b"PBMP-040+HB0001\r\n", b"NOREAD\r\n"]
    finally:
        proc.stdin.close()
        proc.terminate()
        assert proc.wait(timeout=20) == 0
