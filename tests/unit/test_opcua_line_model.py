"""The line's OPC UA model (``plc_io.line_server.model``), its config and its docs: no sockets."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest

from app.config import with_free_ports
from app.proof.demo import _with_line_server
from plc_io.line_server import model
from plc_io.line_server.server import LineServer, load_users
from plc_io.opcua.security import ServerSecurity, hash_password
from sequencer.plant import OpcUaServerConfig, PlantConfigError, parse_plant
from sequencer.views import DeviationView, FeedView
from tests.line_views import picture

DOC = Path(__file__).resolve().parents[2] / "docs" / "opcua.md"
TABLES: dict[str, tuple[tuple[Any, ...], ...]] = {
    "Line": model.LINE_VARIABLES,
    "Line/Feeds/<feed>": model.FEED_VARIABLES,
    "Line/Stations/<station>": model.STATION_VARIABLES,
    "Line/Racks/<family>/<feed>-<rack_no>": model.RACK_VARIABLES,
    "Line/Devices/<device>": model.DEVICE_VARIABLES,
    "Line/Alarms": model.ALARM_VARIABLES,
    "Line/KPIs": model.KPI_VARIABLES,
    "Line/Counters": model.COUNTER_VARIABLES,
}


def variables_of(values: dict[str, model.Value], obj: str) -> dict[str, str]:
    return {p.removeprefix(f"{obj}/"): v.vtype.name for p, v in values.items() if p.rsplit("/", 1)[0] == obj}


def test_every_object_has_exactly_the_variables_of_its_table() -> None:
    gap = DeviationView(id=1, kind="gap", priority=1, at=0.0, feed="L1", seq=4, vehicle_id="", station="", message="")
    values = model.flatten(picture(3, alarms=(gap,)))
    objects = {
        "Line": "Line",
        "Line/Feeds/L1": "Line/Feeds/<feed>",
        "Line/Stations/ST-SEAT": "Line/Stations/<station>",
        "Line/Racks/seats/L1-1": "Line/Racks/<family>/<feed>-<rack_no>",
        "Line/Alarms": "Line/Alarms",
        "Line/KPIs": "Line/KPIs",
        "Line/Counters": "Line/Counters",
    }
    for obj, table in objects.items():
        assert variables_of(values, obj) == {row[0]: row[1].name for row in TABLES[table]}, obj
    assert model.object_paths(values) >= {"Line/Racks", "Line/Racks/seats", "Line/Racks/seats/L1-1"}
    assert {p for p, v in values.items() if isinstance(v.value, list)} == {
        "Line/Stations/ST-SEAT/NextVehicles",
        "Line/Alarms/List",
    }


def test_none_becomes_minus_one_nan_or_the_null_date() -> None:
    feed = FeedView(id="L/2", name="", last_seq=None, last_broadcast_at=None, broadcasts=0, gaps=0, duplicates=0)
    view = picture(1).model_copy(update={"feeds": (feed,), "stations": ()})
    values = model.flatten(view)
    assert values["Line/Feeds/L_2/LastSeq"].value == -1  # '/' in a plant id cannot split the path
    assert values["Line/Feeds/L_2/LastBroadcastAt"].value == model.NULL_DATE
    assert values["Line/Feeds/L_2/State"].value == "waiting"
    assert math.isnan(values["Line/KPIs/OnTimeRate"].value)  # type: ignore[arg-type]


def test_only_changed_values_are_written_and_nan_equals_nan() -> None:
    before = model.flatten(picture(1, fill=1))
    assert model.changed(before, model.flatten(picture(1, fill=1))) == {}
    after = model.changed(before, model.flatten(picture(1, fill=2)))
    assert set(after) == {"Line/Stations/ST-SEAT/Slot", "Line/Racks/seats/L1-1/Fill"}


def test_an_entry_of_the_hmi_bus_is_the_object_the_whole_picture_flattens_to() -> None:
    """The server takes changed entries one at a time (``entry_object``): each gives the variables ``flatten``
    gives its object, a feed's state from the alarms on it."""
    gap = DeviationView(id=1, kind="gap", priority=1, at=0.0, feed="L1", seq=4, vehicle_id="", station="", message="")
    view = picture(3, alarms=(gap,))
    whole = model.flatten(view)
    for entry in (*view.feeds, *view.stations, *view.racks):
        path, variables = model.entry_object(entry, (gap,))
        assert model.variables({path: variables}) == {p: v for p, v in whole.items() if p.rsplit("/", 1)[0] == path}
    assert model.entry_object(view.feeds[0], (gap,))[1]["State"].value == "gap"
    assert model.entry_object(view.feeds[0])[1]["State"].value == "receiving"


PLANT = """
[plant]
name = "P"
code = "P1"
[service.opcua_server]
{server}
[[feeds]]
id = "L1"
[[families]]
id = "f"
station = "S"
rack_capacity = 2
[[parts]]
number = "P1"
family = "f"
bin = "B1"
[[stations]]
id = "S"
ptl = "ptl"
printer = "zpl"
bins = [{{id = "B1", light = 1}}]
[devices.ptl.ptl]
port = 1
[devices.printers.zpl]
port = 2
"""


@pytest.mark.parametrize(
    ("server", "problem"),
    [
        ('security = "plant"', "the plant profile needs certificate, private_key, trusted, users_file"),
        ('security = "dev"\nendpoint = "opc.tcp://0.0.0.0:4840/jis/line"', "listens on 127.0.0.1 only"),
        ('security = "dev"\nendpoint = "http://127.0.0.1:4840/"', "expected opc.tcp://HOST:PORT/PATH"),
        ('security = "dev"\nendpoint = "opc.tcp://127.0.0.1/jis"', "expected opc.tcp://HOST:PORT/PATH"),
        ('security = "dev"\npolicies = []', "at least 1"),
    ],
)
def test_the_plant_file_refuses_an_unsafe_or_incomplete_server(server: str, problem: str) -> None:
    with pytest.raises(PlantConfigError, match=re.escape(problem)):
        parse_plant(PLANT.format(server=server), "plant.toml")


def test_free_ports_move_the_server_and_keep_its_path_and_the_demo_turns_it_on() -> None:
    plant = parse_plant(PLANT.format(server='security = "dev"\nendpoint = "opc.tcp://127.0.0.1:4840/scada"'))
    moved = with_free_ports(plant).service.opcua_server
    assert moved is not None and moved.endpoint.endswith("/scada") and ":4840/" not in moved.endpoint
    plain = plant.model_copy(update={"service": plant.service.model_copy(update={"opcua_server": None})})
    demo = _with_line_server(plain).service.opcua_server
    assert demo is not None and demo.security == "dev"
    assert _with_line_server(plant).service.opcua_server == plant.service.opcua_server  # the plant file's wins


def test_the_users_file_holds_scrypt_hashes_only(tmp_path: Path) -> None:
    good = tmp_path / "users.toml"
    good.write_text(f'[users]\nmes = "{hash_password("secret", salt=bytes(16))}"\n')
    table = load_users(good)
    assert table.check("mes", "secret") and not table.check("mes", "wrong") and not table.check("x", "secret")
    plain = tmp_path / "plain.toml"
    plain.write_text('[users]\nmes = "secret"\n')  # a password in clear is refused, not taken as a hash
    with pytest.raises(PlantConfigError, match="scrypt"):
        load_users(plain)
    with pytest.raises(PlantConfigError, match="cannot read"):
        load_users(tmp_path / "missing.toml")


def test_the_unsecured_server_refuses_to_listen_beyond_loopback() -> None:
    with pytest.raises(ValueError, match=r"127\.0\.0\.1 only"):
        LineServer("opc.tcp://10.0.0.5:4840/jis/line", ServerSecurity())
    cfg = OpcUaServerConfig(security="dev")
    assert LineServer.from_config(cfg).endpoint == cfg.endpoint


def _doc_tables() -> dict[str, dict[str, str]]:
    """``### `Line/...` `` heading -> {variable: type} from the table under it, in the line server's section."""
    section = DOC.read_text(encoding="utf-8").split("## The line's OPC UA server", 1)[1].split("\n## ", 1)[0]
    tables: dict[str, dict[str, str]] = {}
    heading = ""
    for line in section.splitlines():
        if m := re.match(r"### `([^`]+)`", line):
            heading = m.group(1)
            tables[heading] = {}
        elif heading and (m := re.match(r"\| `(\w+)` \| (\w+(?:\[\])?) \|", line)):
            tables[heading][m.group(1)] = m.group(2)
    return tables


def test_docs_tables_match_the_model() -> None:
    expected = {
        heading: {row[0]: row[1].name + ("[]" if row[0] in model.ARRAYS else "") for row in rows}
        for heading, rows in TABLES.items()
    }
    assert _doc_tables() == expected
    assert model.NAMESPACE in DOC.read_text(encoding="utf-8")
