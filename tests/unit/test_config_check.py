"""``jis config``: check a plant file and show what the service will use, print its schema and its reference.

What ``check`` promises (docs/cli.md, "Checking a plant file"): the resolved plant in one block or one JSON object
(the database as the service opens it, the served endpoints with their CURVE state, the line server and its trust
list, feeds, stations, devices with addresses and security profiles), and exit 2 with the first problem on stderr
when a valid file names something ``jis serve`` would not find.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from app.cli import config as config_cli
from app.net.certs import create_application_certificate
from app.net.curve_keys import write_keypair
from app.plant_reference import reference_markdown, schema_json
from plc_io.opcua.security import hash_password
from tests.plants import DEMO_PLANT

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "plant-file.md"


def example_plant() -> str:
    """The complete plant of docs/plant-file.md: real devices, CURVE, the line server, PostgreSQL."""
    found = re.search(r"```toml\n(.*?)```", REFERENCE.read_text(encoding="utf-8"), re.S)
    assert found is not None
    return found.group(1)


def test_the_demo_plant_resolves_to_what_the_service_uses(
    jis: Callable[..., int], capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert jis("config", "check") == 0
    out = capsys.readouterr().out
    assert f"database      sqlite:///{tmp_path / 'jis-demo.db'}: SQLite, not there yet" in out
    for shown in (
        "feed          tcp://127.0.0.1:5555 (OEM gateways publish here); CURVE off",
        "HMI bus       tcp://127.0.0.1:5556, snapshots tcp://127.0.0.1:5558",
        "line server   off",
        "ptl-seat: pick-to-light, Modbus TCP 127.0.0.1:5020, time-out 1 s; stations ST-SEAT",
        "zebra-1: printer, ZPL over TCP 127.0.0.1:9100, status 127.0.0.1:9200 (JSON)",
        'ST-BUMP "Bumper sequencing": bumper (racks of 8); ptl-bump: BMP-01 light 1',
        "problems      none",
    ):
        assert shown in out, out
    assert jis("config", "check", str(DEMO_PLANT), "--json") == 0
    resolved = json.loads(capsys.readouterr().out)
    assert resolved["database"]["url"] == f"sqlite:///{DEMO_PLANT.parent / 'jis-demo.db'}"  # beside the plant file
    assert [d["name"] for d in resolved["devices"]] == ["ptl-seat", "ptl-bump", "zebra-1"]
    assert resolved["problems"] == []


def test_a_valid_file_naming_what_is_not_there_lists_it_and_exits_2(
    jis: Callable[..., int], capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JIS_PTL_BUMP_PASSWORD", raising=False)
    (tmp_path / "north.toml").write_text(example_plant(), encoding="utf-8")
    assert jis("config", "check", str(tmp_path / "north.toml"), "--json") == 2
    captured = capsys.readouterr()
    problems = json.loads(captured.out)["problems"]
    assert captured.err.startswith(f"jis config: {tmp_path / 'north.toml'}: {problems[0]} (and ")
    assert len(captured.err.splitlines()) == 1
    sections = {p.split(" ", 1)[0] for p in problems}
    assert sections == {
        "[service.feed_curve]", "[service.hmi_curve]", "[service.opcua_server]", "[devices.ptl.ptl-bump]"
    }  # fmt: skip
    unset = "environment variable JIS_PTL_BUMP_PASSWORD is not set"
    assert f"[devices.ptl.ptl-bump] opcua password_env: {unset}" in problems


def test_a_line_server_with_everything_in_place_shows_its_trust_list(
    jis: Callable[..., int], capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # relative key and certificate paths are the plant file's folder's (here: the same)
    made = create_application_certificate(Path("pki/line"), "line", "urn:sc01:jis:line")
    Path("pki/line/users.toml").write_text(f'[users]\nscada = "{hash_password("pw")}"\n', encoding="utf-8")
    write_keypair(Path("keys"), "service")
    write_keypair(Path("keys/screens"), "panel")
    text = DEMO_PLANT.read_text(encoding="utf-8").replace('database = "sqlite:///jis-demo.db"', "")
    text = text.replace("[service]\n", "[service]\nmetrics_port = 5556\n", 1)  # the HMI bus's port: a problem
    text += (
        '\n[service.hmi_curve]\nsecret_key = "keys/service.key_secret"\nallowed_keys = "keys/screens"\n'
        '\n[service.opcua_server]\nendpoint = "opc.tcp://0.0.0.0:4840/jis/line"\ncertificate = "pki/line/line.der"\n'
        'private_key = "pki/line/line.key.pem"\ntrusted = "pki/line/trusted"\nusers_file = "pki/line/users.toml"\n'
    )
    Path("plant.toml").write_text(text, encoding="utf-8")
    assert jis("config", "check", "plant.toml") == 2
    captured = capsys.readouterr()
    assert captured.err == "jis config: plant.toml: [service]: 2 endpoints on port 5556\n"
    line = next(ln for ln in captured.out.splitlines() if ln.startswith("line server"))
    here = tmp_path.resolve()  # shown as the service will use them: absolute
    assert f"certificate {here}/pki/line/line.der (urn:sc01:jis:line, sha256 {made.thumbprint[:16]}, until " in line
    assert (
        f"trust list {here}/pki/line/trusted: 0 client(s) trusted, 0 refused in {here}/pki/line/rejected/certs" in line
    )
    assert f"users file {here}/pki/line/users.toml: 1 user(s); required: jis serve stops without it" in line
    assert (
        f"CURVE on: key pair {here}/keys/service.key_secret, 1 key(s) allowed from {here}/keys/screens" in captured.out
    )


def test_schema_and_reference_are_the_generated_ones(
    jis: Callable[..., int], capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert jis("config", "schema") == 0
    assert json.loads(capsys.readouterr().out) == json.loads(schema_json())
    assert jis("config", "reference") == 0
    assert capsys.readouterr().out == reference_markdown()
    target = tmp_path / "docs" / "plant-file.md"
    target.parent.mkdir()
    monkeypatch.setattr(config_cli, "REFERENCE", target)
    assert jis("config", "reference", "--write") == 0
    assert target.read_text(encoding="utf-8") == reference_markdown()


def test_the_inbox_and_the_partners_are_in_the_account_and_a_folder_out_of_reach_is_a_problem(
    tmp_path: Path,
) -> None:
    from app.config import load_plant
    from app.plant_check import resolve, served_endpoints
    from app.plant_check import text as account_text

    text = DEMO_PLANT.read_text() + '\n[partners.vw]\nformat = "edifact"\n'
    inbox = f'[service.inbox]\nfolder = "{tmp_path / "inbox"}"\npoll_interval_s = 5\n'
    path = tmp_path / "plant.toml"
    path.write_text(text.replace("[[feeds]]", inbox + "\n[[feeds]]", 1))
    plant = load_plant(path)
    resolved = resolve(plant, str(path))
    assert resolved.account["inbox"] == {"folder": str(tmp_path / "inbox"), "poll_interval_s": 5.0, "routes": []}
    assert resolved.account["partners"] == {"vw": {"format": "edifact", "test_indicator": "refuse"}}
    assert resolved.problems == []
    assert f"inbox {tmp_path / 'inbox'} (partner files, every 5 s)" in served_endpoints(plant)
    block = account_text(resolved).splitlines()
    assert any(ln.startswith("inbox") and ln.endswith(f"{tmp_path / 'inbox'}, every 5 s") for ln in block)
    assert any(ln.startswith("partners") and ln.endswith("vw: edifact, test files: refuse") for ln in block)
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    path.write_text(
        text.replace("[[feeds]]", inbox.replace(str(tmp_path / "inbox"), str(blocked / "in")) + "\n[[feeds]]", 1)
    )
    (problem,) = resolve(load_plant(path), str(path)).problems
    assert problem == f"[service.inbox] folder {blocked / 'in'}: {blocked} is not a folder this user can write in"
