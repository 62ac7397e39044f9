"""Every mistake in docs/cli.md's table, run through the real command line in a subprocess: its exit code, exactly
one line on stderr (the table's, ``…`` standing for any text), no traceback, and no database made on the way.

The table is the one source of truth: a row added to the docs is a test. The rows run in a fresh folder holding
the files the docs describe; ``{bus}`` rows run against a live line's HMI bus.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.config import demo_plant_path, load_plant, with_free_ports
from app.net.curve_keys import write_keypair
from plc_io.loopback_ports import free_port
from sequencer.plant import FeedCurveConfig, PlantConfig
from tests.live import LiveLine

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "cli.md"
SAMPLES = ROOT / "tests" / "samples"
NEVER_MADE = ("none.db", "plant.db", "nofolder", "pki", "../outside.db")  # what a refused command must not leave behind


@dataclass(frozen=True)
class Mistake:
    what: str
    argv: tuple[str, ...]  # after "jis"
    code: int
    stderr: re.Pattern[str]


def mistakes() -> list[Mistake]:
    """The rows of the table under "## Mistakes" in docs/cli.md."""
    section = DOCS.read_text(encoding="utf-8").split("## Mistakes", 1)[1]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) != 4 or not cells[1].startswith("`jis "):
            continue
        what, command, code, message = cells
        pattern = ".*".join(re.escape(part) for part in message.strip("`").split("…"))
        rows.append(Mistake(what, tuple(shlex.split(command.strip("`")))[1:], int(code), re.compile(pattern)))
    return rows


MISTAKES = mistakes()
ON_THE_BUS = [m for m in MISTAKES if "{bus}" in m.argv]


def test_the_docs_table_has_every_kind_of_mistake_the_issue_names() -> None:
    commands = [" ".join(m.argv) for m in MISTAKES]
    for needle in ("--faults gapp", "--speed 0", "--role engineer", "--log-level LOUD", "--station NOPE"):
        assert any(needle in c for c in commands), needle
    assert {m.code for m in MISTAKES} == {2, 3}
    assert len(MISTAKES) >= 40


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The files the docs say every row finds, and a port another program listens on."""
    root = tmp_path_factory.mktemp("mistakes")
    with socket.create_server(("127.0.0.1", free_port())) as busy:
        plant = with_free_ports(load_plant(), database="sqlite:///plant.db")
        hmi = f"tcp://127.0.0.1:{busy.getsockname()[1]}"
        plant = plant.model_copy(update={"service": plant.service.model_copy(update={"hmi_endpoint": hmi})})
        (root / "plant.json").write_text(plant.model_dump_json())
        curve = FeedCurveConfig(secret_key="missing.key_secret", allowed_keys="gateways")
        (root / "curve.json").write_text(with_feed_curve(plant, curve, "oem-l1").model_dump_json())
        write_keypair(root / "keys", "service")  # a real key pair, and L1's gateway allowed: oem-l9 is not there
        write_keypair(root / "gateways", "oem-l1")
        curve = FeedCurveConfig(secret_key="keys/service.key_secret", allowed_keys="gateways")
        (root / "gatekeys.json").write_text(with_feed_curve(plant, curve, "oem-l9").model_dump_json())
        (root / "outside.json").write_text(with_service(plant, database="sqlite:///../outside.db").model_dump_json())
        curve = FeedCurveConfig(secret_key="/etc/jis/keys/service.key_secret", allowed_keys="gateways")
        (root / "keyout.json").write_text(with_feed_curve(plant, curve, "oem-l1").model_dump_json())
        exposed = {"feed_endpoint": f"tcp://0.0.0.0:{free_port()}", "zmq_security": "plant"}
        (root / "exposed.json").write_text(with_service(plant, **exposed).model_dump_json())
        wide = json.loads(with_service(plant, feed_endpoint=exposed["feed_endpoint"]).model_dump_json())
        (root / "devwide.json").write_text(json.dumps(wide))  # written as is: the schema refuses it at load
        text = demo_plant_path().read_text(encoding="utf-8")
        assert "hmi_endpoint" in text
        (root / "bad.toml").write_text(text.replace("hmi_endpoint", "hmi_endpiont"))
        (root / "broadcasts.jsonl").write_bytes((SAMPLES / "broadcasts_feed.jsonl").read_bytes())
        yield root


def with_service(plant: PlantConfig, **changes: object) -> PlantConfig:
    return plant.model_copy(update={"service": plant.service.model_copy(update=changes)})


def with_feed_curve(plant: PlantConfig, curve: FeedCurveConfig, gateway: str) -> PlantConfig:
    """CURVE on the feed, and L1 published by the gateway whose key file is ``gateway``.key."""
    feeds = tuple(f.model_copy(update={"gateway_keys": (gateway,)}) for f in plant.feeds)
    return with_service(plant, feed_curve=curve).model_copy(update={"feeds": feeds})


def run_jis(argv: tuple[str, ...], cwd: Path) -> subprocess.CompletedProcess[str]:
    runtime = cwd / "xdg"  # Qt wants a private runtime folder and says so on stderr otherwise
    runtime.mkdir(mode=0o700, exist_ok=True)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(runtime), "HOME": str(cwd)}
    # The offscreen platform warns of what it cannot do ("does not support propagateSizeHints()"), which a screen
    # on a real display never says: those lines are the test bench's, not the command line's.
    env["QT_LOGGING_RULES"] = "default.warning=false"
    cmd = [sys.executable, "-m", "app.cli.main", *argv]
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=90, check=False)


def assert_refused(mistake: Mistake, done: subprocess.CompletedProcess[str], cwd: Path) -> None:
    said = f"exit {done.returncode}\nstderr:\n{done.stderr}\nstdout:\n{done.stdout[-2000:]}"
    assert "Traceback" not in done.stderr + done.stdout, said
    lines = done.stderr.splitlines()
    assert len(lines) == 1, said
    assert mistake.stderr.fullmatch(lines[0]), f"expected {mistake.stderr.pattern}\n{said}"
    assert done.returncode == mistake.code, said
    assert not [name for name in NEVER_MADE if (cwd / name).exists()], "a refused command made something"


@pytest.mark.parametrize("mistake", [m for m in MISTAKES if m not in ON_THE_BUS], ids=lambda m: m.what)
def test_a_mistake_is_one_line_and_its_exit_code(mistake: Mistake, folder: Path) -> None:
    assert_refused(mistake, run_jis(mistake.argv, folder), folder)


@pytest.mark.parametrize("mistake", ON_THE_BUS, ids=lambda m: m.what)
def test_a_mistake_the_running_line_reveals(mistake: Mistake, folder: Path, tmp_path: Path) -> None:
    with LiveLine(tmp_path) as line:
        argv = tuple(a.replace("{bus}", line.plant.service.hmi_endpoint) for a in mistake.argv)
        assert_refused(mistake, run_jis(argv, folder), folder)


def test_the_demo_faults_are_the_simulators_faults() -> None:
    from app.cli.demo import FAULTS
    from hardware_sims.faults import ALL_FAULTS

    assert FAULTS == ALL_FAULTS
