"""Load the plant file (TOML, or the JSON the demo writes for its simulators) and name the file in errors.

Paths contained: every file or folder the plant file names (``PATH_KEYS``: the SQLite database, and so its lock
file ``<database>.lock`` beside it; the watched inbox with its ``done/`` and ``quarantine/``; the ship notices'
outbox; CURVE key files and folders; OPC UA certificates, keys, trust lists and the users file) is read against the
plant file's folder when relative, whatever the current folder (a service started from elsewhere finds the same
journal), and must lie under the data folder (``[service] data_dir``, itself read against the plant file's folder;
empty: the plant file's folder). One outside it (``../../..``, ``/etc/...``, a symbolic link that leads out) is
refused at load with a ``PlantConfigError`` naming the key and the file, never opened. The shipped demo plant, given
by no path, keeps its database in the current folder (its own folder is inside the installed package) and is not
contained.
What this module must not do: open the database or any file the plant file names, or read the environment.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from plc_io.loopback_ports import free_port
from sequencer.plant import (
    OpcUaServerConfig,
    PlantConfig,
    PlantConfigError,
    describe_errors,
    key_lines,
    nearest_line,
    parse_plant,
)

DEMO_PLANT = "demo.toml"


def demo_plant_path() -> Path:
    return Path(str(resources.files("app") / "plants" / DEMO_PLANT))


def load_plant(path: str | Path | None = None) -> PlantConfig:
    """The plant config from ``path`` (the shipped demo plant when None); PlantConfigError names file and key."""
    p = Path(path) if path is not None else demo_plant_path()
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlantConfigError(f"{p}: cannot read plant file: {exc.strerror}") from exc
    except UnicodeDecodeError:
        raise PlantConfigError(f"{p}: not a plant file (not UTF-8 text)") from None
    if p.suffix == ".json":
        try:
            plant = PlantConfig.model_validate(json.loads(text))
        except ValidationError as exc:
            raise PlantConfigError("\n".join(describe_errors(exc, text, str(p)))) from exc
        except ValueError as exc:
            raise PlantConfigError(f"{p}: not valid JSON: {exc}") from exc
    else:
        plant = parse_plant(text, str(p))
    _check_partners(plant, text, str(p))
    plant = checked_labels(plant, str(p))
    return plant if path is None else contained(plant, p)


def checked_labels(plant: PlantConfig, source: str) -> PlantConfig:
    """Every label layout fits (no field over another, every part number and field within its space, each Data
    Matrix big enough: ``plc_io.zpl_labels.fit``), a template Data Matrix's size fixed; else PlantConfigError."""
    from plc_io.zpl_labels.fit import layout_problems, with_fixed_columns

    plant = with_fixed_columns(plant)
    problems = layout_problems(plant)
    if problems:
        raise PlantConfigError("\n".join(f"{source}: {problem}" for problem in problems))
    return plant


def _check_partners(plant: PlantConfig, text: str, source: str) -> None:
    """``[partners]`` beyond the schema (the VDA mapping, zones), one ``FILE:LINE: key.path: message`` each."""
    if not plant.partners:
        return
    from app.feed.formats.partners import partner_problems

    problems = partner_problems(plant)
    if problems:
        where = key_lines(text)
        lines = []
        for loc, message in problems:
            line = nearest_line(where, loc)
            lines.append(f"{source}:{line}: " if line else f"{source}: ")
            lines[-1] += f"{'.'.join(str(k) for k in loc)}: {message}"
        raise PlantConfigError("\n".join(lines))


_SQLITE_FILE = re.compile(r"(?P<scheme>sqlite(?:\+\w+)?:///)(?P<file>[^?]*)(?P<query>\?.*)?")

# The plant file's keys that name a file or a folder of the service, as paths through the plant (``*``: every entry
# of a table of named devices). ``("service", "database")`` is a URL: only a SQLite file's path is one.
PATH_KEYS: tuple[tuple[str, ...], ...] = (
    ("service", "database"),
    ("service", "inbox", "folder"),  # and its done/ and quarantine/ inside
    ("ship_notices", "outbox"),  # the EDI gateway's outbox for ship notices
    *(("service", curve, key) for curve in ("feed_curve", "hmi_curve") for key in ("secret_key", "allowed_keys")),
    *(("service", "opcua_server", key) for key in ("certificate", "private_key", "trusted", "users_file")),
    *(
        ("devices", kind, "*", "opcua", key)
        for kind in ("ptl", "printers")
        for key in ("certificate", "private_key", "trusted")
    ),
)


def contained(plant: PlantConfig, plant_file: Path) -> PlantConfig:
    """``plant`` (read from ``plant_file``) with its data folder and every path made absolute against the plant
    file's folder; ``PlantConfigError`` naming the key for a path outside the data folder."""
    folder = plant_file.parent.resolve()
    data_dir = (folder / plant.service.data_dir).resolve() if plant.service.data_dir else folder
    plant = _replaced(plant, ("service", "data_dir"), str(data_dir))
    for where in _set_paths(plant):
        value = _get(plant, where)
        if where == ("service", "database"):
            found = _SQLITE_FILE.fullmatch(value)
            if found is None or found["file"] in ("", ":memory:"):
                continue  # PostgreSQL, or a database in memory: no file of the service's
            file = (folder / found["file"]).resolve()
            _check_inside(file, data_dir, where, plant_file)
            plant = _replaced(plant, where, f"{found['scheme']}{file}{found['query'] or ''}")
            continue
        resolved = (folder / value).resolve()
        _check_inside(resolved, data_dir, where, plant_file)
        plant = _replaced(plant, where, str(resolved))
    return plant


def _check_inside(path: Path, data_dir: Path, where: tuple[str, ...], plant_file: Path) -> None:
    if not path.is_relative_to(data_dir):
        table, key = ".".join(where[:-1]), where[-1]
        raise PlantConfigError(
            f"[{table}] {key} in {plant_file}: {path} is outside the data folder {data_dir} ([service] data_dir): "
            "keep the service's files under it"
        )


def _set_paths(plant: PlantConfig) -> Iterator[tuple[str, ...]]:
    """Each ``PATH_KEYS`` entry the plant sets, with ``*`` spelled out as the device's name."""

    def walk(node: Any, rest: tuple[str, ...], done: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
        if node is None:
            return
        if not rest:
            if node:
                yield done
            return
        head, tail = rest[0], rest[1:]
        if head == "*":
            for name, child in sorted(node.items()):
                yield from walk(child, tail, (*done, name))
        else:
            yield from walk(getattr(node, head), tail, (*done, head))

    for keys in PATH_KEYS:
        yield from walk(plant, keys, ())


def _get(node: Any, where: tuple[str, ...]) -> Any:
    for key in where:
        node = node[key] if isinstance(node, dict) else getattr(node, key)
    return node


def _replaced(node: Any, where: tuple[str, ...], value: Any) -> Any:
    """``node`` with the value at ``where`` replaced (frozen models and their tables copied along the way)."""
    if not where:
        return value
    head, tail = where[0], where[1:]
    if isinstance(node, dict):
        return {**node, head: _replaced(node[head], tail, value)}
    return node.model_copy(update={head: _replaced(getattr(node, head), tail, value)})


def with_free_ports(plant: PlantConfig, database: str | None = None) -> PlantConfig:
    """A copy of ``plant`` with every endpoint moved to a free port on 127.0.0.1 (demo runs and tests)."""
    ptl = {n: d.model_copy(update={"port": free_port()}) for n, d in plant.devices.ptl.items()}
    printers = {
        n: d.model_copy(update={"port": free_port(), "status_port": free_port()})
        for n, d in plant.devices.printers.items()
    }
    service = plant.service.model_copy(
        update={
            "feed_endpoint": f"tcp://127.0.0.1:{free_port()}",
            "hmi_endpoint": f"tcp://127.0.0.1:{free_port()}",
            "hmi_command_endpoint": f"tcp://127.0.0.1:{free_port()}",
            "hmi_snapshot_endpoint": f"tcp://127.0.0.1:{free_port()}",
            **({"database": database} if database else {}),
            **({"opcua_server": _opcua_server_moved(plant.service.opcua_server)} if plant.service.opcua_server else {}),
        }
    )
    devices = plant.devices.model_copy(update={"ptl": ptl, "printers": printers})
    return plant.model_copy(update={"devices": devices, "service": service})


def _opcua_server_moved(server: OpcUaServerConfig) -> OpcUaServerConfig:
    """The line's OPC UA server on 127.0.0.1 at a free port, its URL path kept."""
    path = urlsplit(server.endpoint).path
    return server.model_copy(update={"endpoint": f"opc.tcp://127.0.0.1:{free_port()}{path}"})
