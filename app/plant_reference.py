"""The plant file's reference (docs/plant-file.md), generated from the schema in ``sequencer.plant``.

What it is for: one table per section of the plant file with every key, its type and limits, its default and what
it does (the docstring under the key), and an example value (from the shipped demo plant where it sets the key,
else the schema's own example). ``tests/unit/test_plant_reference.py`` fails when the document is out of date;
``jis config reference`` writes it. What it must not do: describe a key by hand (the schema is the one source).
"""

from __future__ import annotations

import json
import tomllib
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from app.config import demo_plant_path
from sequencer.plant import PlantConfig

INTRO = """\
# The plant file

One TOML file describes a sequencing centre: the OEM feeds it serves, the part families and the option rules that
choose a part per vehicle, the parts and their bins, the stations with their pick-to-light devices and printers,
where the service listens and what it writes to. `jis serve --config PLANT.toml` runs the service for it;
`jis config check PLANT.toml` validates a file and prints what it resolved; `jis config schema` prints the JSON
Schema for editors. The shipped demo plant is `app/plants/demo.toml`.

Every key is checked when the file is loaded: an unknown or misspelt key, a value out of range or a reference to
something that does not exist (a station's printer, a part's bin) is an error naming the file and the key path.
Times are in seconds (keys ending `_s`), distances on labels in printer dots (203 dpi: 8 dots a millimetre).

This reference is generated from the schema (`sequencer/plant.py`); `jis config reference --write` writes it again.
"""


OUTRO = """\
## Pointing the service at your own devices

The demo plant's devices are the project's simulators on 127.0.0.1. A plant with real devices names them under
`[devices]` and refers to them from its stations; everything else stays as in the demo. This file is a complete
plant (the test of this document loads it): a Banner PICK-IQ chain behind a Modbus TCP gateway for the seats, an
OPC UA pick-to-light controller in the plant profile for the bumpers, a Zebra ZT610 on the network and a
print-and-apply PLC, the journal on PostgreSQL, the feed and the screens authenticated by CURVE, metrics for
Prometheus and the line's OPC UA server for SCADA.

```toml
[plant]
name = "Sequencing Centre North"
code = "SCN1"
timezone = "Europe/Berlin"

[service]
feed_endpoint = "tcp://0.0.0.0:5555"
hmi_endpoint = "tcp://0.0.0.0:5556"
hmi_command_endpoint = "tcp://0.0.0.0:5557"
hmi_snapshot_endpoint = "tcp://0.0.0.0:5558"
database = "postgresql+psycopg://jis@db.plant.local/jis"
data_dir = "/etc/jis"                             # every file named below lies under it, or the file is refused
metrics_host = "0.0.0.0"
metrics_port = 9108
zmq_security = "plant"                            # the default: CURVE on every surface beyond loopback

[service.feed_curve]
secret_key = "/etc/jis/keys/service.key_secret"   # jis feed-keys --out /etc/jis/keys --name service
allowed_keys = "/etc/jis/keys/gateways"           # the OEM gateways' public keys

[service.hmi_curve]
secret_key = "/etc/jis/keys/service.key_secret"
allowed_keys = "/etc/jis/keys/screens"

[service.opcua_server]
endpoint = "opc.tcp://0.0.0.0:4840/jis/line"
security = "plant"
certificate = "/etc/jis/pki/line/cert.der"        # jis certs --out /etc/jis/pki --name line
private_key = "/etc/jis/pki/line/key.pem"
trusted = "/etc/jis/pki/line/trusted"             # SCADA and MES client certificates
users_file = "/etc/jis/opcua-users.toml"

[[feeds]]
id = "L1"
name = "Trim line 1"
line = "A1"            # the line code the OEM's messages carry
dock = "D04"
takt_s = 58
lead_time_s = 9000
gateway_keys = ["oem-l1"]   # /etc/jis/keys/gateways/oem-l1.key: the only gateway that may publish L1

[[families]]
id = "seats"
station = "ST-SEAT"
rack_capacity = 6

[[families]]
id = "bumper"
station = "ST-BUMP"
rack_capacity = 8
reverse_load = true    # LIFO rack: unloads in sequence

[[options]]
family = "seats"
all_of = ["S1"]
part = "SEAT-CLOTH-BLK"

[[options]]
family = "bumper"
all_of = ["P040"]
part = "BMP-040"

[[parts]]
number = "SEAT-CLOTH-BLK"
family = "seats"
description = "Front seat pair, cloth, black"
bin = "SEAT-01"

[[parts]]
number = "BMP-040"
family = "bumper"
description = "Front bumper, paint 040 white"
bin = "BMP-01"

[[stations]]
id = "ST-SEAT"
ptl = "dxm-seat"
printer = "zt610-seat"
bins = [{ id = "SEAT-01", light = 1 }]

[[stations]]
id = "ST-BUMP"
ptl = "ptl-bump"
printer = "pa-bump"
bins = [{ id = "BMP-01", light = 1 }]

[devices.ptl.dxm-seat]        # Banner DXM: Modbus TCP, unit id = light
protocol = "modbus"
host = "10.20.1.31"
port = 502
timeout_s = 0.5

[devices.ptl.ptl-bump]        # an OPC UA pick-to-light controller (docs/opcua.md)
protocol = "opcua"
host = "10.20.1.32"
port = 4840
[devices.ptl.ptl-bump.opcua]
security = "plant"
certificate = "/etc/jis/pki/service/cert.der"
private_key = "/etc/jis/pki/service/key.pem"
trusted = "/etc/jis/pki/service/trusted"          # the controller's server certificate
user = "jis"
password_env = "JIS_PTL_BUMP_PASSWORD"            # the password comes from the environment, never the file

[devices.printers.zt610-seat]  # Zebra ZT610: ZPL on 9100, status on 9200
protocol = "zpl"
host = "10.20.1.41"
port = 9100
status_port = 9200

[devices.printers.pa-bump]     # print-and-apply PLC in front of the engine (docs/printer-modbus.md)
protocol = "modbus"
host = "10.20.1.42"
port = 502
unit_id = 1

[notify.routes.1]
webhooks = ["https://alerts.plant.local/jis"]
email_to = ["shift-lead@plant.local"]
```

Check it before the first start: `jis config check PLANT.toml` prints the feeds, stations and devices with their
endpoints and security profiles, and the database, as the service will use them.
"""


@dataclass(frozen=True)
class Section:
    """One table of the plant file: its TOML header, the model behind it and where it comes from."""

    header: str
    model: type[BaseModel]
    path: tuple[str, ...]  # keys from the top; "[]" an entry of an array of tables, NAME / INT a named table
    doc: str


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _models_in(arg)


def _table_shape(annotation: Any) -> str:
    """How a nested model appears in TOML: a plain table, an array of tables or tables keyed by name."""
    origin = typing.get_origin(annotation)
    if origin in (types.UnionType, typing.Union):
        return _table_shape(next(a for a in typing.get_args(annotation) if a is not type(None)))
    if origin is tuple:
        return "array"
    if origin is dict:
        return "named"
    return "table"


def sections(model: type[BaseModel] = PlantConfig, path: tuple[str, ...] = ()) -> Iterator[Section]:
    """Every section of the plant file, depth first, in the schema's order."""
    for name, field in model.model_fields.items():
        for sub in _models_in(field.annotation):
            shape = _table_shape(field.annotation)
            key_type = "INT" if typing.get_args(field.annotation)[:1] == (int,) else "NAME"
            sub_path = {"table": (*path, name), "array": (*path, name, "[]"), "named": (*path, name, key_type)}[shape]
            key = ".".join(p for p in sub_path if p != "[]")
            header = f"[[{key}]]" if shape == "array" else f"[{key}]"
            yield Section(header, sub, sub_path, field.description or "")
            yield from sections(sub, sub_path)


def _type_name(annotation: Any) -> str:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is Literal:
        return " \\| ".join(json.dumps(a) for a in args)
    if origin in (types.UnionType, typing.Union):
        return " or ".join(_type_name(a) for a in args if a is not type(None)) + " (optional)"
    if origin is tuple:
        return (
            f"list of {_type_name(args[0])}"
            if len(args) == 2 and args[1] is Ellipsis
            else "[" + ", ".join(_type_name(a) for a in args) + "]"
        )
    if origin is dict:
        return "table" if args[1] is Any else f"table of {_type_name(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "table"
    return {str: "string", int: "integer", float: "number", bool: "boolean"}.get(annotation, str(annotation))


LIMITS = (("ge", "≥ {}"), ("gt", "> {}"), ("le", "≤ {}"), ("lt", "< {}"), ("min_length", "at least {}"),
          ("max_length", "at most {}"))  # fmt: skip


def _limits(field: FieldInfo) -> str:
    """The constraints pydantic keeps as metadata objects (annotated-types), read by their attribute names."""
    return ", ".join(text.format(getattr(m, attr)) for m in field.metadata for attr, text in LIMITS if hasattr(m, attr))


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        value = list(value)
    if isinstance(value, dict) and not value:
        return "{}"
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, int | float) else repr(value)


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "absent"
    if isinstance(value, BaseModel):
        return "its defaults"
    return f"`{_toml(value)}`"


def _demo_values(data: Any, path: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    """The demo plant's tables at ``path`` (every entry of an array or of named tables)."""
    if not path:
        if isinstance(data, dict):
            yield data
        return
    head, rest = path[0], path[1:]
    if head in ("[]", "NAME", "INT"):
        entries = data.values() if isinstance(data, dict) else data if isinstance(data, list) else []
        for entry in entries:
            yield from _demo_values(entry, rest)
    elif isinstance(data, dict) and head in data:
        yield from _demo_values(data[head], rest)


def _example(field: FieldInfo, name: str, demo: list[dict[str, Any]]) -> str:
    for table in demo:
        if (name in table and not isinstance(table[name], dict | list)) or (
            name in table and isinstance(table[name], list) and not any(isinstance(v, dict) for v in table[name])
        ):
            return f"`{name} = {_toml(table[name])}`"
    if field.examples:
        return f"`{name} = {_toml(field.examples[0])}`"
    return ""


def _markdown(text: str) -> str:
    """Docstrings quote code as reStructuredText does (double backticks); Markdown takes single ones."""
    return text.replace("``", "`")


def reference_markdown() -> str:
    """docs/plant-file.md as it must read for the schema in this tree."""
    demo = tomllib.loads(demo_plant_path().read_text(encoding="utf-8"))
    out = [INTRO]
    top = Section("top level", PlantConfig, (), "The file's sections.")
    for section in (top, *sections()):
        out.append(f"## `{section.header}`\n" if section.model is not PlantConfig else "## Sections\n")
        model_doc = " ".join((section.model.__doc__ or "").split())
        out.append(_markdown(model_doc or section.doc) + "\n")
        out.append("| key | type | default | what it does | example |\n|---|---|---|---|---|")
        tables = list(_demo_values(demo, section.path))
        for name, field in section.model.model_fields.items():
            kind = _type_name(field.annotation)
            limits = f", {_limits(field)}" if _limits(field) else ""
            description = _markdown(" ".join((field.description or "").split())).replace("|", "\\|")
            example = _example(field, name, tables)
            out.append(f"| `{name}` | {kind}{limits} | {_default(field)} | {description} | {example} |")
        out.append("")
    out.append(OUTRO)
    return "\n".join(out).rstrip() + "\n"


def schema_json() -> str:
    """The plant file's JSON Schema (for editors: Even Better TOML, VS Code, JetBrains)."""
    return json.dumps(PlantConfig.model_json_schema(), indent=2) + "\n"
