"""docs/opcua.md's commissioning of the line server, step by step, as a commissioning engineer follows it.

Every ``jis`` command of the section "Commissioning, step by step" runs as written (in a folder of the test's own,
with its ports), in the order written; the plant file's ``[service.opcua_server]`` block is the one the docs show,
moved to a free port. The SCADA client is a plain asyncua client configured by hand (not the project's own
``apply_client_security``): refused with an empty trust list, its certificate found in ``rejected/certs``, trusted
with ``jis certs trust``, in without a restart of ``jis serve``, and out again with ``jis certs reject``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from asyncua import ua
from asyncua.client.client import Client
from asyncua.crypto import security_policies
from asyncua.ua.uaerrors import UaError, UaStatusCodeError

from app.config import demo_plant_path
from app.net.certs import create_application_certificate, thumbprint
from plc_io.loopback_ports import free_port
from plc_io.opcua.security import hash_password, load_certificate

pytestmark = pytest.mark.e2e

DOC = Path(__file__).resolve().parents[2] / "docs" / "opcua.md"
USER, PASSWORD = "scada", "line side view"
UP_S = 90.0  # jis serve and its line server up, on a loaded machine


def section() -> str:
    text = DOC.read_text(encoding="utf-8")
    return text.split("### Commissioning, step by step", 1)[1].split("**Addressing.**", 1)[0]


def documented_commands() -> list[str]:
    """The ``jis`` command lines of the section's ``sh`` blocks, in order."""
    blocks = re.findall(r"```sh\n(.*?)```", section(), re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip().startswith("jis ")]


def server_block() -> str:
    """The ``[service.opcua_server]`` block the docs show."""
    found = re.search(r"```toml\n(\[service\.opcua_server\]\n.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert found is not None
    return found.group(1)


def plant_file(folder: Path, port: int) -> None:
    """The demo plant on free ports (its devices answer nowhere: they are not what this is about), with the docs'
    line server at ``port``."""
    text = demo_plant_path().read_text(encoding="utf-8")
    for key in ("feed_endpoint", "hmi_endpoint"):
        text = re.sub(rf'{key} = "tcp://127.0.0.1:\d+"', f'{key} = "tcp://127.0.0.1:{free_port()}"', text)
    more = f'hmi_command_endpoint = "tcp://127.0.0.1:{free_port()}"\n'
    more += f'hmi_snapshot_endpoint = "tcp://127.0.0.1:{free_port()}"\n'
    text = text.replace("[service]\n", f"[service]\n{more}", 1)
    text = re.sub(r"\bport = \d+", lambda _: f"port = {free_port()}", text)
    text = re.sub(r"\bstatus_port = \d+", lambda _: f"status_port = {free_port()}", text)
    block = server_block().replace("opc.tcp://sc01-jis:4840/", f"opc.tcp://127.0.0.1:{port}/")
    (folder / "plant.toml").write_text(f"{text}\n{block}", encoding="utf-8")


def jis(folder: Path, command: str, **subs: str) -> str:
    """One documented command, run as written (``THUMBPRINT`` and the like replaced by ``subs``)."""
    assert command in documented_commands(), f"not a step of docs/opcua.md: {command}"
    argv = [subs.get(word, word) for word in shlex.split(command)]
    done = subprocess.run(
        [sys.executable, "-m", "app.cli.main", *argv[1:]], cwd=folder, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, (command, done.stderr)
    return done.stdout


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """``jis serve --config plant.toml`` as the docs start it, its stderr in a file; stopped with SIGTERM."""
    err = folder / "serve.err"
    command = documented_commands()[1]
    assert command == "jis serve --config plant.toml"
    with err.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli.main", *shlex.split(command)[1:]],
            cwd=folder, stdout=subprocess.DEVNULL, stderr=sink, process_group=0,
        )  # fmt: skip
    try:
        yield proc, err
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


async def scada(url: str, folder: Path) -> Client:
    """The SCADA system: its own certificate, the server's pinned, Sign & Encrypt, user ``scada``."""
    cert, key = folder / "pki" / "scada" / "scada.der", folder / "pki" / "scada" / "scada.key.pem"
    client = Client(url, timeout=5.0)
    client.application_uri = "urn:scada01:scada"
    await client.set_security(
        security_policies.SecurityPolicyBasic256Sha256,
        str(cert),
        str(key),
        server_certificate=str(folder / "pki" / "jis-line" / "jis-line.der"),
        mode=ua.MessageSecurityMode.SignAndEncrypt,
    )
    client.set_user(USER)
    client.set_password(PASSWORD)
    await client.connect()
    return client


async def refused(url: str, folder: Path) -> str:
    """The status a connection attempt ends with ("" when it got in, and then it is closed again)."""
    try:
        client = await scada(url, folder)
    except UaStatusCodeError as exc:
        return type(exc).__name__
    await client.disconnect()
    return ""


async def first_answer(url: str, folder: Path, proc: subprocess.Popen[bytes], err: Path) -> str:
    """Knock until the server answers (it starts a few seconds after jis serve): the status of that answer."""
    deadline = time.monotonic() + UP_S
    while time.monotonic() < deadline:
        assert proc.poll() is None, said(err)
        try:
            return await refused(url, folder)
        except (OSError, TimeoutError, UaError):  # not listening yet
            await asyncio.sleep(0.5)
    raise AssertionError(f"the line server never answered; jis serve said:\n{said(err)[-3000:]}")


def said(err: Path) -> str:
    """What jis serve said on stderr so far."""
    return err.read_text(encoding="utf-8", errors="replace")


async def read_plant(client: Client) -> str:
    ns = await client.get_namespace_index("urn:jis-sequencer:line")
    return str(await client.get_node(ua.NodeId(ua.String("Line/Plant"), ua.Int16(ns))).read_value())


async def test_the_commissioning_steps_of_the_docs(tmp_path: Path) -> None:
    commands = documented_commands()
    assert [c.split()[1:3] for c in commands] == [
        ["certs", "--out"], ["serve", "--config"], ["certs", "list"], ["certs", "trust"], ["certs", "reject"]
    ]  # fmt: skip
    # 1. the server's certificate, key and empty trust list
    jis(tmp_path, commands[0])
    line = tmp_path / "pki" / "jis-line"
    assert (line / "jis-line.der").is_file() and (line / "trusted" / "certs").is_dir()
    assert not list((line / "trusted" / "certs").iterdir())
    # 2. the users file; 3. the plant file's [service.opcua_server] as the docs show it, then jis serve
    (line / "users.toml").write_text(f'[users]\n{USER} = "{hash_password(PASSWORD)}"\n', encoding="utf-8")
    port = free_port()
    plant_file(tmp_path, port)
    url = f"opc.tcp://127.0.0.1:{port}/jis/line"
    made = create_application_certificate(tmp_path / "pki" / "scada", "scada", "urn:scada01:scada")
    thumb = made.thumbprint[:16]
    with serving(tmp_path) as (proc, err):
        # 4. the SCADA client is refused; its certificate lands in rejected/certs, said once in the log
        assert await first_answer(url, tmp_path, proc, err) == "BadCertificateUntrusted"
        assert await refused(url, tmp_path) == "BadCertificateUntrusted"
        rejected = list((line / "rejected" / "certs").iterdir())
        assert [thumbprint(load_certificate(p)) for p in rejected] == [made.thumbprint]
        log = said(err)
        assert f"startup: OPC UA {url} (plant profile" in log and "0 client certificate(s)" in log
        assert log.count(f"refused the certificate of scada (urn:scada01:scada, sha256 {thumb})") == 1, log
        # 5. look at it and trust it
        assert thumb in jis(tmp_path, commands[2]).split("rejected (1)", 1)[1]
        jis(tmp_path, commands[3], THUMBPRINT=thumb)
        assert not list((line / "rejected" / "certs").iterdir())
        # 6. in, without a restart
        client = await scada(url, tmp_path)
        try:
            assert await read_plant(client) == "Sequencing Centre Demo"
            # 7. out again: disconnected within a second or so, refused from then on
            jis(tmp_path, commands[4], THUMBPRINT=thumb)
            deadline = time.monotonic() + 10
            while True:
                try:
                    await asyncio.wait_for(read_plant(client), 2)
                except (UaError, OSError, TimeoutError, ConnectionError):
                    break
                assert time.monotonic() < deadline, "a rejected client is still connected"
                await asyncio.sleep(0.2)
        finally:
            with contextlib.suppress(Exception):
                await client.disconnect()
        assert await refused(url, tmp_path) == "BadCertificateUntrusted"
        assert proc.poll() is None, "jis serve ran on throughout"


@pytest.mark.parametrize("optional", [False, True])
def test_a_line_server_that_does_not_start_stops_jis_serve_unless_optional(tmp_path: Path, optional: bool) -> None:
    """Its trust-list folder is not there (the engineer skipped ``jis certs``): one line saying so and exit 2; with
    ``optional = true`` an ERROR in the log, and the line runs on."""
    line = tmp_path / "pki" / "jis-line"
    create_application_certificate(line, "jis-line", "urn:sc01-jis:jis:jis-line")
    (line / "users.toml").write_text(f'[users]\n{USER} = "{hash_password(PASSWORD)}"\n', encoding="utf-8")
    shutil.rmtree(line / "trusted")
    port = free_port()
    plant_file(tmp_path, port)
    if optional:
        plant = tmp_path / "plant.toml"
        plant.write_text(plant.read_text().replace("optional = false", "optional = true"), encoding="utf-8")
    with serving(tmp_path) as (proc, err):
        if not optional:
            assert proc.wait(UP_S) == 2
            last = said(err).strip().splitlines()[-1]
            assert last == (
                f"jis serve: [service.opcua_server] in plant.toml: the line OPC UA server at "
                f"opc.tcp://127.0.0.1:{port}/jis/line did not start: trust list folder "
                f"{(line / 'trusted').resolve()} does not exist (or set optional = true to run the line without it)"
            )
            assert "Traceback" not in said(err)
            return
        deadline = time.monotonic() + UP_S
        while "did not start" not in said(err):
            assert proc.poll() is None and time.monotonic() < deadline, said(err)
            time.sleep(0.2)
        time.sleep(1.0)
        assert proc.poll() is None, said(err)
        assert "ERROR app.service.runtime: the line OPC UA server at" in said(err)
        assert "the line runs on without it ([service.opcua_server] optional)" in said(err)
