"""The service log's bounds on real sockets: out of file descriptors, a failing accept loop logs its error once and
then a count, not megabytes; a log file rotates at its size. The process that runs out of descriptors is a child
(``python -c``), so the test's own process keeps its limit."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from app import logjson

WAIT_S = 20.0
ACCEPTS = 20_000  # attempts of the child's accept loop while out of descriptors

CHILD = r"""
import asyncio, errno, logging, resource, socket, sys
from app.logjson import configure

configure("WARNING", filename=sys.argv[1])
log = logging.getLogger("app.accept")
errors = 0


def counted(loop, context):
    global errors
    errors += 1
    loop.default_exception_handler(context)


async def main():
    asyncio.get_running_loop().set_exception_handler(counted)
    server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    raw = socket.create_server(("127.0.0.1", 0))
    raw.setblocking(False)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (128, hard))
    hog = []
    try:
        while True:
            hog.append(socket.socket())
    except OSError:
        pass
    print(server.sockets[0].getsockname()[1], raw.getsockname()[1], flush=True)
    sys.stdin.readline()  # the test has connected its clients
    failed = 0
    for _ in range(int(sys.argv[2])):  # a naive accept loop: each failure logged
        try:
            raw.accept()
        except OSError as exc:
            if exc.errno != errno.EMFILE:
                raise
            failed += 1
            log.error("accept failed: %s", exc)
    await asyncio.sleep(2.5)  # asyncio's own accept, retried each second, logs each failure with a traceback
    print(failed, errors, flush=True)


asyncio.run(main())
"""


def test_out_of_descriptors_the_accept_errors_are_logged_once_and_counted(tmp_path: Path) -> None:
    log_file = tmp_path / "service.log"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(log_file), str(ACCEPTS)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    clients: list[socket.socket] = []
    try:
        assert child.stdout is not None and child.stdin is not None
        ports = [int(p) for p in child.stdout.readline().split()]
        for port in ports:
            for _ in range(4):
                clients.append(socket.create_connection(("127.0.0.1", port), timeout=WAIT_S))
        child.stdin.write("go\n")
        child.stdin.flush()
        failed, errors = (int(n) for n in child.stdout.readline().split())
        assert child.wait(WAIT_S) == 0
    finally:
        child.kill()
        for c in clients:
            c.close()
    text = log_file.read_text()
    assert failed == ACCEPTS and errors >= 2  # the loop failed each time; asyncio's own accept, hundreds of times
    assert text.count("accept failed: [Errno 24] Too many open files") == 2  # once, then once with the count
    assert f"accept failed: [Errno 24] Too many open files (repeated {ACCEPTS - 1} times in" in text
    assert text.count("socket.accept() out of system resource") == 2  # its traceback once, then its count
    assert f"laddr=('127.0.0.1', {ports[0]})> (repeated {errors - 1} times in" in text  # its context, then the count
    assert len(text) < 16_384  # 20,000 failures: a few lines, not megabytes


def test_a_log_file_rotates_at_its_size_and_keeps_its_backups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logjson, "LOG_FILE_BYTES", 4096)
    log_file = tmp_path / "service.log"
    handler = logjson.log_handler(str(log_file))
    handler.setFormatter(logging.Formatter(logjson.TEXT_FORMAT))
    try:
        for i in range(2_000):
            handler.handle(logging.LogRecord("app.x", logging.WARNING, __file__, 1, "line %d %s", (i, "x" * 60), None))
    finally:
        handler.close()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["service.log", *(f"service.log.{n}" for n in range(1, logjson.LOG_FILE_BACKUPS + 1))]
    assert all(p.stat().st_size <= 4096 for p in tmp_path.iterdir())
    assert "line 1999 " in log_file.read_text()
