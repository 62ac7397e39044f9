"""What a plant file resolves to, as the service will use it: ``jis config check`` prints it, ``jis serve`` says its
endpoints at start-up from it.

What it is for: ``resolve`` turns a loaded plant file into one JSON-ready account: the plant, the database URL as the
service opens it (a relative SQLite path beside the plant file), the endpoints it serves with their CURVE state, the
line's OPC UA server with its trust list, the feeds, the stations with their bins and devices, and each device with
its address and security profile; and ``problems``, what would stop ``jis serve`` although the file is valid (a key,
certificate or trust-list folder that cannot be read, a database folder that is not there, an environment variable
that holds no password, two endpoints on one port). ``text`` writes that account as one readable block;
``served_endpoints`` are the start-up lines of ``jis serve``. Relative key and certificate paths are read from the
current folder, as the service reads them.
What it must not do: open a socket or a database, write a file, or print (the command line prints); it reads key,
certificate and users files only to see that the service will be able to.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sequencer.plant import OpcUaServerConfig, OpcUaSettings, PlantConfig

JsonDict = dict[str, Any]
CURVE_OFF = "CURVE off: anyone who reaches it may connect"
DEFAULT_PATHS = {"ptl": "jis/ptl", "printers": "jis/printer"}  # app.service.devices: a device kind's URL path
KINDS = {"ptl": "pick-to-light", "printers": "printer"}


@dataclass
class Resolved:
    """The account of one plant file; ``problems`` empty when ``jis serve`` would find everything it needs."""

    source: str
    account: JsonDict
    problems: list[str] = field(default_factory=list)

    def as_json(self) -> JsonDict:
        return {"file": self.source, **self.account, "problems": self.problems}


def resolve(plant: PlantConfig, source: str) -> Resolved:
    """The account of ``plant`` (loaded from ``source``, its database already beside it: ``app.config.load_plant``)."""
    problems: list[str] = []
    svc = plant.service
    account: JsonDict = {
        "plant": {"name": plant.plant.name, "code": plant.plant.code, "timezone": plant.plant.timezone},
        "database": _database(svc.database, problems),
        "feed": {"endpoint": svc.feed_endpoint, "curve": _curve("feed_curve", svc.feed_curve, problems)},
        "hmi": {
            "bus": svc.hmi_endpoint,
            "snapshots": svc.hmi_snapshot_endpoint,
            "commands": svc.hmi_command_endpoint,
            "curve": _curve("hmi_curve", svc.hmi_curve, problems),
        },
        "metrics": f"http://{svc.metrics_host}:{svc.metrics_port}/metrics" if svc.metrics_port else None,
        "line_server": _line_server(svc.opcua_server, problems) if svc.opcua_server else None,
        "inbox": _inbox(svc.inbox, problems) if svc.inbox else None,
        "partners": {
            name: {"format": p.format, "test_indicator": p.test_indicator} for name, p in plant.partners.items()
        },
        "feeds": [_feed(f) for f in plant.feeds],
        "stations": [_station(plant, s.id) for s in plant.stations],
        "devices": [*_devices(plant, "ptl", problems), *_devices(plant, "printers", problems)],
    }
    problems += _shared_ports(plant)
    return Resolved(source, account, problems)


# -- the parts -----------------------------------------------------------------------------------------------------
def _database(url: str, problems: list[str]) -> JsonDict:
    from app.persist.database import DatabaseUrlError, check_database, safe_url

    shown = safe_url(url)
    try:
        check_database(url, must_exist=False, probe=False)
    except DatabaseUrlError as exc:
        problems.append(f"[service] database: {exc}")
        return {"url": shown, "state": "unusable"}
    if url.startswith("sqlite"):
        scheme, _, rest = url.partition(":///")
        file, query = rest.partition("?")[::2]
        if file in ("", ":memory:"):
            return {"url": shown, "backend": "SQLite", "state": "in memory: gone when the service stops"}
        path = Path(file).resolve()  # a relative path is the current folder's, where the service opens it
        state = "there" if path.is_file() else "not there yet: jis serve makes it"
        return {"url": f"{scheme}:///{path}{'?' + query if query else ''}", "backend": "SQLite", "state": state}
    return {"url": shown, "backend": "PostgreSQL", "state": "not asked here (jis serve asks it when it starts)"}


def _curve(key: str, curve: Any, problems: list[str]) -> JsonDict:
    if curve is None:
        return {"state": "off"}
    from app.net.curve_keys import FeedKeyError, load_curve_server

    state: JsonDict = {"state": "on", "secret_key": curve.secret_key, "allowed_keys": curve.allowed_keys}
    try:
        state["allowed"] = len(load_curve_server(curve.secret_key, curve.allowed_keys).allowed)
    except FeedKeyError as exc:
        problems.append(f"[service.{key}] {exc}")
    return state


def _line_server(cfg: OpcUaServerConfig, problems: list[str]) -> JsonDict:
    where = "[service.opcua_server]"
    server: JsonDict = {"endpoint": cfg.endpoint, "security": cfg.security, "optional": cfg.optional}
    if cfg.security == "dev":
        return server
    server["policies"] = list(cfg.policies)
    server["certificate"] = _certificate(where, "certificate", cfg.certificate, problems)
    server["private_key"] = _file(where, "private_key", cfg.private_key, problems)
    server["trust_list"] = _trust_list(where, cfg.trusted, problems)
    server["users_file"] = cfg.users_file
    server["users"] = _users(where, cfg.users_file, problems)
    return server


def _certificate(where: str, key: str, path: str | None, problems: list[str]) -> JsonDict | None:
    if path is None:
        return None
    from app.net.certs import load_certificate, thumbprint
    from plc_io.opcua.trust_folders import application_uri

    try:
        cert = load_certificate(Path(path))
    except (OSError, ValueError) as exc:
        problems.append(f"{where} {key} {path}: cannot read a certificate there: {_reason(exc)}")
        return {"path": path}
    uri = application_uri(cert)
    if not uri:
        problems.append(f"{where} {key} {path}: no ApplicationUri in its subjectAltName (OPC 10000-6 §6.2.2)")
    until = cert.not_valid_after_utc.date().isoformat()
    return {"path": path, "uri": uri, "sha256": thumbprint(cert)[:16], "valid_until": until}


def _file(where: str, key: str, path: str | None, problems: list[str]) -> str | None:
    if path is not None and not os.access(path, os.R_OK):
        problems.append(f"{where} {key} {path}: no file this user can read there")
    return path


def _trust_list(where: str, path: str | None, problems: list[str]) -> JsonDict | None:
    if path is None:
        return None
    from plc_io.opcua.trust_folders import TrustFolders

    folders = TrustFolders.of(Path(path))
    if not folders.trusted.is_dir():
        problems.append(f"{where} trusted {path}: no trust-list folder there (jis certs makes one)")
    trusted, rejected = len(folders.trusted_list()), len(folders.rejected_list())
    return {"folder": path, "trusted": trusted, "rejected": rejected, "rejected_folder": str(folders.rejected_certs)}


def _users(where: str, path: str | None, problems: list[str]) -> int | None:
    if path is None:
        return None
    import tomllib

    try:
        users = tomllib.loads(Path(path).read_text(encoding="utf-8")).get("users")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        problems.append(f"{where} users_file {path}: cannot read it: {_reason(exc)}")
        return None
    if not isinstance(users, dict) or not all(isinstance(v, str) and v.startswith("scrypt$") for v in users.values()):
        problems.append(f'{where} users_file {path}: expected a [users] table of NAME = "scrypt$..." hashes')
        return None
    return len(users)


def _inbox(cfg: Any, problems: list[str]) -> JsonDict:
    folder = Path(cfg.folder)
    there = folder if folder.exists() else next((p for p in folder.parents if p.exists()), Path("."))
    if not there.is_dir() or not os.access(there, os.W_OK | os.X_OK):
        problems.append(f"[service.inbox] folder {cfg.folder}: {there} is not a folder this user can write in")
    routes = [{"pattern": r.pattern, "partner": r.partner, "feed": r.feed, "format": r.format} for r in cfg.routes]
    return {"folder": cfg.folder, "poll_interval_s": cfg.poll_interval_s, "routes": routes}


def _feed(feed: Any) -> JsonDict:
    return {
        "id": feed.id, "name": feed.name, "modulus": feed.modulus, "takt_s": feed.takt_s,
        "lead_time_s": feed.lead_time_s, "silent_after_s": feed.takt_s * feed.silence_takts,
        "on_out_of_order": feed.on_out_of_order, "line": feed.line, "dock": feed.dock,
    }  # fmt: skip


def _station(plant: PlantConfig, station_id: str) -> JsonDict:
    station = next(s for s in plant.stations if s.id == station_id)
    families = [f for f in plant.families if f.station == station.id]
    return {
        "id": station.id,
        "name": station.name,
        "families": [{"id": f.id, "rack_capacity": f.rack_capacity} for f in families],
        "ptl": station.ptl,
        "bins": {b.id: b.light for b in station.bins},
        "printer": station.printer,
    }


def _devices(plant: PlantConfig, kind: str, problems: list[str]) -> Iterator[JsonDict]:
    configured: dict[str, Any] = getattr(plant.devices, kind)
    for name, cfg in configured.items():
        where = f"[devices.{kind}.{name}]"
        users = [s.id for s in plant.stations if (s.ptl if kind == "ptl" else s.printer) == name]
        device: JsonDict = {"name": name, "kind": KINDS[kind], "protocol": cfg.protocol, "timeout_s": cfg.timeout_s}
        device |= _address(kind, cfg)
        if cfg.protocol == "opcua":
            device["security"] = _client_security(where, cfg.opcua, problems)
        device["stations"] = users
        if not users:
            problems.append(f"{where}: no station uses it")
        yield device


def _address(kind: str, cfg: Any) -> JsonDict:
    if cfg.protocol == "opcua":
        return {"address": f"opc.tcp://{cfg.host}:{cfg.port}/{cfg.opcua.path or DEFAULT_PATHS[kind]}"}
    address: JsonDict = {"address": f"{cfg.host}:{cfg.port}"}
    if cfg.protocol == "zpl":
        address["status"] = f"{cfg.host}:{cfg.status_port} (JSON)" if cfg.status_port else "on the print port"
    if kind == "printers" and cfg.protocol == "modbus":
        address["unit_id"] = cfg.unit_id
    return address


def _client_security(where: str, settings: OpcUaSettings, problems: list[str]) -> JsonDict:
    security: JsonDict = {"profile": settings.security}
    if settings.security == "dev":
        return security
    security["policy"] = settings.policy
    security["certificate"] = _certificate(f"{where} opcua", "certificate", settings.certificate, problems)
    security["private_key"] = _file(f"{where} opcua", "private_key", settings.private_key, problems)
    security["trust_list"] = _trust_list(f"{where} opcua", settings.trusted, problems)
    security["user"] = settings.user
    if settings.password_env:
        there = settings.password_env in os.environ
        security["password"] = f"${settings.password_env} ({'set' if there else 'not set'})"
        if not there:
            problems.append(f"{where} opcua password_env: environment variable {settings.password_env} is not set")
    return security


def _shared_ports(plant: PlantConfig) -> list[str]:
    """Two of the service's listeners on one port: the second bind would fail."""
    from app.net.endpoints import listen_address

    ports = Counter(address[1] for _, endpoint in listeners(plant) if (address := listen_address(endpoint)) is not None)
    return [f"[service]: {n} endpoints on port {port}" for port, n in sorted(ports.items()) if n > 1]


def listeners(plant: PlantConfig) -> Iterator[tuple[str, str]]:
    """(plant-file key, endpoint) of every port the service listens on."""
    svc = plant.service
    yield from ((k, getattr(svc, k)) for k in ("feed_endpoint", "hmi_endpoint", "hmi_command_endpoint"))
    yield "hmi_snapshot_endpoint", svc.hmi_snapshot_endpoint
    if svc.metrics_port:
        yield "metrics_port", f"tcp://{svc.metrics_host}:{svc.metrics_port}"
    if svc.opcua_server is not None:
        yield "opcua_server.endpoint", svc.opcua_server.endpoint


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or " ".join(str(exc).split())


# -- in words --------------------------------------------------------------------------------------------------
def served_endpoints(plant: PlantConfig) -> list[str]:
    """The lines ``jis serve`` says when it is up: where it serves, and how each endpoint is secured."""
    svc = plant.service
    hmi = _curve_words(svc.hmi_curve)
    lines = [f"feed {svc.feed_endpoint} (OEM gateways publish here; {_curve_words(svc.feed_curve)})"]
    lines.append(f"HMI bus {svc.hmi_endpoint}, snapshots {svc.hmi_snapshot_endpoint} ({hmi})")
    lines.append(f"HMI commands {svc.hmi_command_endpoint} (logins and manual operations; {hmi})")
    if svc.metrics_port:
        lines.append(f"metrics http://{svc.metrics_host}:{svc.metrics_port}/metrics")
    if svc.inbox is not None:
        lines.append(f"inbox {svc.inbox.folder} (partner files, every {svc.inbox.poll_interval_s:g} s)")
    return lines


def _curve_words(curve: Any) -> str:
    return f"CURVE: only the keys in {curve.allowed_keys}" if curve is not None else CURVE_OFF


def text(resolved: Resolved) -> str:
    """The account as one block of labelled lines, for a person."""
    a = resolved.account
    plant, db = a["plant"], a["database"]
    rows: list[tuple[str, str]] = [
        ("plant file", f"{resolved.source}: valid"),
        ("plant", f"{plant['name']} ({plant['code']}), time zone {plant['timezone']}"),
        ("database", f"{db['url']}: {db.get('backend', '?')}, {db['state']}"),
        ("feed", f"{a['feed']['endpoint']} (OEM gateways publish here); {_curve_text(a['feed']['curve'])}"),
        ("HMI bus", f"{a['hmi']['bus']}, snapshots {a['hmi']['snapshots']}; {_curve_text(a['hmi']['curve'])}"),
        ("HMI commands", f"{a['hmi']['commands']} (logins and manual operations); {_curve_text(a['hmi']['curve'])}"),
        ("metrics", a["metrics"] or "off"),
        ("line server", _line_server_text(a["line_server"])),
    ]
    if a["inbox"] is not None:  # shown only when set (the demo plant's block stays as docs/cli.md shows it)
        inbox = a["inbox"]
        routes = [
            f"{r['pattern']} -> "
            + (", ".join(f"{k} {r[k]}" for k in ("partner", "feed", "format") if r[k]) or "as jis import")
            for r in inbox["routes"]
        ]
        rows.append(
            (
                "inbox",
                f"{inbox['folder']}, every {inbox['poll_interval_s']:g} s"
                + (f"; {'; '.join(routes)}" if routes else ""),
            )
        )
    if a["partners"]:
        rows += _listed(
            "partners",
            [
                f"{n}: {p['format'] or 'any format'}, test files: {p['test_indicator']}"
                for n, p in a["partners"].items()
            ],
        )
    rows += _listed("feeds", [_feed_text(f) for f in a["feeds"]])
    rows += _listed("stations", [_station_text(s) for s in a["stations"]])
    rows += _listed("devices", [_device_text(d) for d in a["devices"]])
    rows += _listed("problems", resolved.problems or ["none: jis serve finds everything it needs"])
    width = max(len(label) for label, _ in rows) + 2
    return "\n".join(f"{label:<{width}}{value}" for label, value in rows)


def _listed(label: str, lines: list[str]) -> list[tuple[str, str]]:
    return [(label if i == 0 else "", line) for i, line in enumerate(lines or ["none"])]


def _curve_text(curve: JsonDict) -> str:
    if curve["state"] == "off":
        return CURVE_OFF
    if "allowed" not in curve:
        return f"CURVE on: key pair {curve['secret_key']}, allowed keys {curve['allowed_keys']} (unreadable: problems)"
    return f"CURVE on: key pair {curve['secret_key']}, {curve['allowed']} key(s) allowed from {curve['allowed_keys']}"


def _line_server_text(server: JsonDict | None) -> str:
    if server is None:
        return "off"
    required = "optional: the line runs on without it" if server["optional"] else "required: jis serve stops without it"
    if server["security"] == "dev":
        return f"{server['endpoint']}, dev profile (UNSECURED, anonymous, 127.0.0.1 only); {required}"
    trust = server["trust_list"] or {}
    users = server.get("users")
    parts = [
        f"{server['endpoint']}, plant profile ({', '.join(server['policies'])}, Sign & Encrypt)",
        f"certificate {_certificate_text(server['certificate'])}",
        f"trust list {trust.get('folder')}: {trust.get('trusted', 0)} client(s) trusted, "
        f"{trust.get('rejected', 0)} refused in {trust.get('rejected_folder')}",
        f"users file {server.get('users_file')}: {'unreadable' if users is None else f'{users} user(s)'}",
        required,
    ]
    return "; ".join(parts)


def _certificate_text(cert: JsonDict | None) -> str:
    if not cert or "sha256" not in cert:
        return f"{(cert or {}).get('path')} (unreadable)"
    uri = cert["uri"] or "no ApplicationUri"
    return f"{cert['path']} ({uri}, sha256 {cert['sha256']}, until {cert['valid_until']})"


def _feed_text(feed: JsonDict) -> str:
    return (
        f"{_named(feed)}: modulus {feed['modulus']}, takt {feed['takt_s']:g} s, lead time {feed['lead_time_s']:g} s, "
        f"silent after {feed['silent_after_s']:g} s, out of order: {feed['on_out_of_order']}"
    )


def _named(thing: JsonDict) -> str:
    """``ID "Name"``, or the id alone when the plant file gives no name."""
    return f'{thing["id"]} "{thing["name"]}"' if thing["name"] else str(thing["id"])


def _station_text(station: JsonDict) -> str:
    families = ", ".join(f"{f['id']} (racks of {f['rack_capacity']})" for f in station["families"]) or "no family"
    lights = ", ".join(f"{b} light {light}" for b, light in station["bins"].items())
    return f"{_named(station)}: {families}; {station['ptl']}: {lights}; printer {station['printer']}"


def _device_text(device: JsonDict) -> str:
    words = {"modbus": "Modbus TCP", "zpl": "ZPL over TCP", "opcua": "OPC UA"}
    text = f"{device['name']}: {device['kind']}, {words[device['protocol']]} {device['address']}"
    if "status" in device:
        text += f", status {device['status']}"
    if "unit_id" in device:
        text += f", unit id {device['unit_id']}"
    text += f", time-out {device['timeout_s']:g} s"
    security = device.get("security")
    if security is not None:
        text += f", {_client_text(security)}"
    return f"{text}; stations {', '.join(device['stations']) or 'none'}"


def _client_text(security: JsonDict) -> str:
    if security["profile"] == "dev":
        return "dev profile (UNSECURED)"
    trust = security.get("trust_list") or {}
    return (
        f"plant profile {security['policy']} (certificate {_certificate_text(security.get('certificate'))}, "
        f"trust list {trust.get('folder')}: "
        f"{trust.get('trusted', 0)} server(s), user {security.get('user')}, password {security.get('password')})"
    )
