"""Load the plant file (TOML, or the JSON the demo writes for its simulators) and name the file in errors."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import ValidationError

from plc_io.loopback_ports import free_port
from sequencer.plant import OpcUaServerConfig, PlantConfig, PlantConfigError, describe_errors, parse_plant

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
    if p.suffix == ".json":
        try:
            return PlantConfig.model_validate(json.loads(text))
        except ValidationError as exc:
            raise PlantConfigError("\n".join(describe_errors(exc, text, str(p)))) from exc
        except ValueError as exc:
            raise PlantConfigError(f"{p}: not valid JSON: {exc}") from exc
    return parse_plant(text, str(p))


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
