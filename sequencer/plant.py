"""The plant file's schema: feeds, part families, option rules, parts, stations, bins and devices.

Pure validated data (pydantic, ``extra="forbid"`` everywhere so a mistyped key is an error naming it). Reading
the file is I/O and happens in ``app.config`` and ``hardware_sims``; this module only parses TOML text.
Device addresses live here as data so that the service and the simulators agree on one file; the core never
uses them.
What it must not do: read a file or the environment (I/O stays in ``app`` and ``hardware_sims``).
"""

from __future__ import annotations

import tomllib
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class PlantInfo(_Strict):
    name: str
    code: str
    timezone: str = "UTC"


class FeedCurveConfig(_Strict):
    """CURVE on the OEM feed (ZeroMQ): only gateways whose public key is in ``allowed_keys`` may publish."""

    secret_key: str  # the service's key pair file (NAME.key_secret, made by `jis feed-keys`)
    allowed_keys: str  # folder of the gateways' public keys (*.key)


class HmiCurveConfig(_Strict):
    """CURVE on the HMI bus, its snapshots and the command channel: only screens whose public key is listed."""

    secret_key: str  # the service's key pair file (NAME.key_secret, made by `jis feed-keys`)
    allowed_keys: str  # folder of the screens' public keys (*.key)


OPCUA_LOOPBACK = ("127.0.0.1", "localhost", "::1")


class OpcUaServerConfig(_Strict):
    """The line's own OPC UA server for SCADA and MES (``plc_io.line_server.server``), read-only for its clients.

    ``plant``: Sign & Encrypt, this server's certificate and key (``jis certs``), a trust list of client
    certificates and a users file of scrypt hashes; ``dev``: unsecured and anonymous, so on 127.0.0.1 only.
    """

    endpoint: str = "opc.tcp://127.0.0.1:4840/jis/line"
    security: Literal["dev", "plant"] = "plant"
    policies: tuple[Literal["Basic256Sha256", "Aes256_Sha256_RsaPss"], ...] = Field(
        default=("Basic256Sha256", "Aes256_Sha256_RsaPss"), min_length=1
    )
    certificate: str | None = None  # this server's certificate (DER)
    private_key: str | None = None
    trusted: str | None = None  # folder of the client certificates allowed in (SCADA, MES)
    users_file: str | None = None  # TOML [users] NAME = "scrypt$..." (plc_io.opcua.security.hash_password)

    @model_validator(mode="after")
    def _secured(self) -> OpcUaServerConfig:
        url = urlsplit(self.endpoint)
        try:
            port = url.port
        except ValueError:
            port = None
        if url.scheme != "opc.tcp" or not url.hostname or port is None:
            raise ValueError(f"endpoint {self.endpoint!r}: expected opc.tcp://HOST:PORT/PATH")
        if self.security == "dev" and url.hostname not in OPCUA_LOOPBACK:
            raise ValueError("the unsecured dev profile listens on 127.0.0.1 only; use the plant profile")
        missing = [k for k in ("certificate", "private_key", "trusted", "users_file") if getattr(self, k) is None]
        if self.security == "plant" and missing:
            raise ValueError(f"the plant profile needs {', '.join(missing)}")
        return self


class ServiceConfig(_Strict):
    """Where the service listens (ZeroMQ endpoints) and what it writes to."""

    feed_endpoint: str = "tcp://127.0.0.1:5555"
    hmi_endpoint: str = "tcp://127.0.0.1:5556"
    hmi_command_endpoint: str = "tcp://127.0.0.1:5557"
    hmi_snapshot_endpoint: str = "tcp://127.0.0.1:5558"  # the HMI bus's snapshots (docs/hmi-bus.md)
    hmi_curve: HmiCurveConfig | None = None
    database: str = "sqlite:///jis.db"
    poll_interval_s: float = Field(default=0.02, gt=0, le=1)
    feed_curve: FeedCurveConfig | None = None
    metrics_host: str = "127.0.0.1"
    metrics_port: int | None = Field(default=None, ge=0, le=65535, description="Prometheus /metrics; None: off")
    opcua_server: OpcUaServerConfig | None = None  # the line's OPC UA server for SCADA and MES; None: off


OutOfOrderReaction = Literal["hold", "move", "flag"]


class FeedConfig(_Strict):
    id: str
    name: str = ""
    modulus: int = Field(default=10000, ge=2)
    lead_time_s: float = Field(default=7200, gt=0)
    takt_s: float = Field(default=60, gt=0)
    silence_takts: float = Field(default=5, gt=0)
    warn_before_due_s: float = Field(default=1800, ge=0)
    alarm_before_due_s: float = Field(default=900, ge=0)
    line: str = ""
    dock: str = ""
    on_out_of_order: OutOfOrderReaction = "flag"


class FamilyConfig(_Strict):
    id: str
    name: str = ""
    station: str
    rack_capacity: int = Field(ge=1, le=200)
    reverse_load: bool = False
    required: bool = Field(default=True, description="every vehicle needs this family; no matching rule is a deviation")


class OptionRule(_Strict):
    """A part is chosen for a family when every code in ``all_of`` and none in ``none_of`` is on the vehicle."""

    family: str
    all_of: tuple[str, ...] = Field(min_length=1)
    none_of: tuple[str, ...] = ()
    part: str
    qty: int = Field(default=1, ge=1)
    unit: str = "PCE"


class PartConfig(_Strict):
    number: str
    family: str
    description: str = ""
    bin: str
    unit: str = Field(default="PCE", description="unit of issue (PCE piece, SET, PR pair); rules must agree")


class BinConfig(_Strict):
    id: str
    light: int = Field(ge=1, le=247, description="Modbus unit id / light address on the station's PTL device")


class StationConfig(_Strict):
    id: str
    name: str = ""
    ptl: str
    printer: str
    bins: tuple[BinConfig, ...] = Field(min_length=1)
    pick_timeout_s: float = Field(default=120, gt=0)


class OpcUaSettings(_Strict):
    """OPC UA connection settings (protocol "opcua"): the plant profile needs certificates and a user."""

    path: str = ""  # URL path after host:port; "" takes the device kind's default (jis/ptl, jis/printer)
    security: Literal["dev", "plant"] = "plant"
    policy: Literal["Basic256Sha256", "Aes256_Sha256_RsaPss"] = "Basic256Sha256"
    certificate: str | None = None  # this client's certificate (DER), made by `jis certs`
    private_key: str | None = None
    trusted: str | None = None  # folder of trusted server certificates
    user: str | None = None
    password_env: str | None = None  # name of the environment variable holding the password (never the file)


class PtlDeviceConfig(_Strict):
    protocol: Literal["modbus", "opcua"] = "modbus"
    host: str = "127.0.0.1"
    port: int = Field(ge=0, le=65535)
    timeout_s: float = Field(default=1.0, gt=0)
    opcua: OpcUaSettings = OpcUaSettings()


class PrinterDeviceConfig(_Strict):
    protocol: Literal["zpl", "modbus", "opcua"] = "zpl"
    host: str = "127.0.0.1"
    port: int = Field(ge=0, le=65535)
    status_port: int = Field(default=0, ge=0, le=65535)
    unit_id: int = Field(default=1, ge=1, le=247, description="Modbus unit id of the print-and-apply PLC")
    timeout_s: float = Field(default=2.0, gt=0)
    opcua: OpcUaSettings = OpcUaSettings()


class DevicesConfig(_Strict):
    ptl: dict[str, PtlDeviceConfig] = {}
    printers: dict[str, PrinterDeviceConfig] = {}


class LabelElement(_Strict):
    """One element of a label layout, in printer dots from the top-left corner.

    ``text``: a fixed ``title`` or a label ``field`` (with ``prefix``); ``code128``: a field as Code 128 (with a
    ``prefix`` such as the data identifier "P"); ``datamatrix``: the ISO 15434 part record; ``box``: a frame or
    rule ``width`` x ``height``.
    """

    kind: Literal["text", "code128", "datamatrix", "box"]
    x: int = Field(ge=0, le=2400)
    y: int = Field(ge=0, le=3600)
    height: int = Field(default=30, ge=0, le=1200)
    width: int = Field(default=0, ge=0, le=2400)
    field: str = ""
    title: str = ""
    prefix: str = ""
    module: int = Field(default=2, ge=1, le=20)
    max_chars: int = Field(default=40, ge=1, le=400)


class LabelLayout(_Strict):
    width_dots: int = Field(ge=100, le=2400)
    height_dots: int = Field(ge=100, le=3600)
    elements: tuple[LabelElement, ...] = Field(min_length=1)


# the fields a layout may print, per label kind (sequencer.labels)
PART_LABEL_FIELDS = frozenset(
    {"label_id", "feed", "seq", "vehicle_id", "part", "description", "family", "rack_no", "slot", "plant", "reprint"}
)
RACK_LABEL_FIELDS = frozenset(
    {"label_id", "feed", "family", "rack_no", "low_seq", "high_seq", "slots", "plant", "line", "dock", "reprint"}
)


class LabelTemplates(_Strict):
    """Label layouts of the plant (VDA 4902 / GTL / AIAG B-10 style); absent: the built-in layouts."""

    part: LabelLayout | None = None
    rack: LabelLayout | None = None

    @model_validator(mode="after")
    def _fields_exist(self) -> LabelTemplates:
        for kind, layout, known in (("part", self.part, PART_LABEL_FIELDS), ("rack", self.rack, RACK_LABEL_FIELDS)):
            for i, el in enumerate(layout.elements if layout else ()):
                if el.kind in ("text", "code128") and not (el.field or el.title):
                    raise ValueError(f"labels.{kind}.elements[{i}]: needs a field or a title")
                if el.field and el.field not in known:
                    raise ValueError(f"labels.{kind}.elements[{i}].field: unknown field {el.field!r}")
        return self


class PriorityRoute(_Strict):
    """Where the alarms of one priority go (``app.service.notify`` delivers them)."""

    webhooks: tuple[str, ...] = ()
    email_to: tuple[str, ...] = ()

    @field_validator("webhooks")
    @classmethod
    def _http_only(cls, urls: tuple[str, ...]) -> tuple[str, ...]:
        for url in urls:  # urllib would also open file:// and ftp:// URLs
            scheme, _, rest = url.partition("://")
            if scheme not in ("http", "https") or not rest.split("/", 1)[0]:
                raise ValueError(f"webhook {scheme}://… is not an http(s) URL")
        return urls


class NotifyRules(_Strict):
    """Notification routing: ``routes`` keyed by priority (1 most urgent); a priority not listed is not sent."""

    routes: dict[int, PriorityRoute] = Field(default_factory=dict)
    sender: str = "jis-sequencer@localhost"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_starttls: bool = False
    timeout_s: float = Field(default=5.0, gt=0, le=60)
    queue_size: int = Field(default=1000, ge=1)
    source: str = "jis-sequencer"  # names this service (plant, line) in every notification


class SimulationConfig(_Strict):
    """What the simulators need beyond the device addresses: the vehicle mix and the operator."""

    seed: int = 1
    option_mix: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        description="option group -> codes; each simulated vehicle draws one code from every group ('' = none)",
    )
    operator_reaction_s: tuple[float, float] = (2.0, 6.0)
    start_seq: int = Field(default=1, ge=0)


class PlantConfig(_Strict):
    plant: PlantInfo
    service: ServiceConfig = ServiceConfig()
    feeds: tuple[FeedConfig, ...] = Field(min_length=1)
    families: tuple[FamilyConfig, ...] = Field(min_length=1)
    options: tuple[OptionRule, ...] = ()
    parts: tuple[PartConfig, ...] = Field(min_length=1)
    stations: tuple[StationConfig, ...] = Field(min_length=1)
    devices: DevicesConfig = DevicesConfig()
    labels: LabelTemplates = LabelTemplates()
    notify: NotifyRules = NotifyRules()
    simulation: SimulationConfig = SimulationConfig()

    @model_validator(mode="after")
    def _check_references(self) -> PlantConfig:
        for problem in _reference_problems(self):
            raise ValueError(problem)
        return self

    # -- look-ups used by the app and the plant checks ------------------------------------------------
    def feed(self, feed_id: str) -> FeedConfig | None:
        return next((f for f in self.feeds if f.id == feed_id), None)

    def part(self, number: str) -> PartConfig | None:
        return next((p for p in self.parts if p.number == number), None)


def _duplicates(ids: list[str]) -> set[str]:
    seen: set[str] = set()
    return {i for i in ids if i in seen or seen.add(i)}  # type: ignore[func-returns-value]


def _station_id_of_family(cfg: PlantConfig, family: str) -> str | None:
    return next((f.station for f in cfg.families if f.id == family), None)


def _reference_problems(cfg: PlantConfig) -> list[str]:
    """Every broken cross-reference in the master data, each naming the entry."""
    problems: list[str] = []
    families = {f.id for f in cfg.families}
    stations = {s.id: s for s in cfg.stations}
    bins = {b.id: s.id for s in cfg.stations for b in s.bins}
    parts = {p.number for p in cfg.parts}
    for kind, ids in (
        ("feeds", [f.id for f in cfg.feeds]),
        ("families", [f.id for f in cfg.families]),
        ("parts", [p.number for p in cfg.parts]),
        ("stations", [s.id for s in cfg.stations]),
        ("bins", [b.id for s in cfg.stations for b in s.bins]),
    ):
        for dup in sorted(_duplicates(ids)):
            problems.append(f"{kind}: duplicate id {dup!r}")
    for fam in cfg.families:
        if fam.station not in stations:
            problems.append(f"families.{fam.id}.station: unknown station {fam.station!r}")
    for st in cfg.stations:
        if st.ptl not in cfg.devices.ptl:
            problems.append(f"stations.{st.id}.ptl: unknown PTL device {st.ptl!r}")
        if st.printer not in cfg.devices.printers:
            problems.append(f"stations.{st.id}.printer: unknown printer {st.printer!r}")
        for dup in sorted(_duplicates([str(b.light) for b in st.bins])):
            problems.append(f"stations.{st.id}.bins: light {dup} used twice")
    for part in cfg.parts:
        if part.family not in families:
            problems.append(f"parts.{part.number}.family: unknown family {part.family!r}")
        if part.bin not in bins:
            problems.append(f"parts.{part.number}.bin: unknown bin {part.bin!r}")
        elif part.family in families and bins[part.bin] != _station_id_of_family(cfg, part.family):
            problems.append(f"parts.{part.number}.bin: bin {part.bin!r} is not at its family's station")
    conditions: set[tuple[str, frozenset[str], frozenset[str]]] = set()
    for i, rule in enumerate(cfg.options):
        where = f"options[{i}] ({rule.family}: {'+'.join(rule.all_of)})"
        if rule.family not in families:
            problems.append(f"{where}.family: unknown family {rule.family!r}")
        if rule.part not in parts:
            problems.append(f"{where}.part: unknown part {rule.part!r}")
        elif (p := cfg.part(rule.part)) is not None and p.family != rule.family:
            problems.append(f"{where}.part: part {rule.part!r} belongs to family {p.family!r}")
        elif p is not None and p.unit != rule.unit:
            problems.append(f"{where}.unit: {rule.unit!r} but part {rule.part!r} is issued in {p.unit!r}")
        key = (rule.family, frozenset(rule.all_of), frozenset(rule.none_of))
        if key in conditions:
            problems.append(f"{where}: overlaps an earlier rule with the same condition")
        conditions.add(key)
        if set(rule.all_of) & set(rule.none_of):
            problems.append(f"{where}: a code is both required and excluded")
    return problems


class PlantConfigError(ValueError):
    """The plant file is wrong; the message names the file and the key."""


def parse_plant(text: str, source: str = "<plant>") -> PlantConfig:
    """Parse and validate plant TOML text; raise PlantConfigError naming ``source`` and the offending key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlantConfigError(f"{source}: not valid TOML: {exc}") from exc
    try:
        return PlantConfig.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"]) or "(top level)"
            lines.append(f"{source}: {key}: {err['msg']}")
        raise PlantConfigError("\n".join(lines)) from exc
