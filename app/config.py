"""Load the plant file (TOML, or the JSON the demo writes for its simulators) and name the file in errors.

A relative SQLite path in a plant file (``database = "sqlite:///jis.db"``) is the file's neighbour, whatever the
current folder: a service started from elsewhere finds the same journal. The shipped demo plant, given by no
path, keeps its database in the current folder (its own folder is inside the installed package).
What this module must not do: open the database, or read the environment.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
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
    return plant if path is None else _database_beside(plant, p.parent)


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


def _database_beside(plant: PlantConfig, folder: Path) -> PlantConfig:
    """``plant`` with a relative SQLite file in ``[service] database`` made absolute against ``folder``."""
    found = _SQLITE_FILE.fullmatch(plant.service.database)
    if found is None or found["file"] in ("", ":memory:") or Path(found["file"]).is_absolute():
        return plant
    database = f"{found['scheme']}{(folder / found['file']).resolve()}{found['query'] or ''}"
    return plant.model_copy(update={"service": plant.service.model_copy(update={"database": database})})


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
