"""The plant file's schema: feeds, part families, option rules, parts, stations, bins and devices.

Pure validated data (pydantic, ``extra="forbid"`` everywhere so a mistyped key is an error naming it). Reading
the file is I/O and happens in ``app.config`` and ``hardware_sims``; this module only parses TOML text.
Device addresses live here as data so that the service and the simulators agree on one file; the core never
uses them.
What it must not do: read a file or the environment (I/O stays in ``app`` and ``hardware_sims``).
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sequencer.deviations import KINDS

LANGUAGE_CODE = re.compile(r"[a-z]{2}")  # ISO 639-1: a panel's and a description's language

TIMED_KINDS = tuple(kind for kind, spec in KINDS.items() if spec.timing is not None)  # [alarms.KIND] may name these


class _Strict(BaseModel):
    """Every plant-file section: unknown keys are errors, values frozen, each key documented by the docstring under
    it (``use_attribute_docstrings``: docs/plant-file.md is generated from them)."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, use_attribute_docstrings=True)


class PlantInfo(_Strict):
    """The plant itself: its name, its code on every label, its time zone."""

    name: str
    """The plant's name as people say it (window titles, reports, the OPC UA server's Line/Name)."""
    code: str
    """The plant's short code, printed on every label (e.g. the supplier plant "SC01")."""
    timezone: str = "UTC"
    """IANA time zone of the plant (e.g. "Europe/Berlin"): screens, reports and shift times use it."""


class FeedCurveConfig(_Strict):
    """CURVE on the OEM feed (ZeroMQ): only gateways whose public key is in ``allowed_keys`` may connect, and each
    feed only from the gateways its ``gateway_keys`` names."""

    secret_key: str = Field(examples=["keys/service.key_secret"])
    """Path of the service's CURVE key pair file (NAME.key_secret, made by ``jis feed-keys``)."""
    allowed_keys: str = Field(examples=["keys/gateways"])
    """Folder of the public keys (NAME.key) of the OEM gateways allowed to connect; ``[[feeds]] gateway_keys``
    names, per feed, which of them may publish it."""


class HmiCurveConfig(_Strict):
    """CURVE on the HMI bus, its snapshots and the command channel: only screens whose public key is listed."""

    secret_key: str = Field(examples=["keys/service.key_secret"])
    """Path of the service's CURVE key pair file (NAME.key_secret, made by ``jis feed-keys``)."""
    allowed_keys: str = Field(examples=["keys/screens"])
    """Folder of the public keys (*.key) of the screens allowed to connect."""


class QuarantineConfig(_Strict):
    """How much refused input the quarantine keeps (docs/security.md, "Quarantine and logs"): the bytes of a frame,
    the rows per source and window, and for how long."""

    keep_bytes: int = Field(default=65_536, ge=256, le=16_777_216)
    """Bytes of a refused frame kept in its row; a longer one keeps its first ``keep_bytes`` with its whole size and
    SHA-256 (so nothing is hidden, and it cannot be sent through again: the gateway resends it)."""
    rows_per_source: int = Field(default=50, ge=1)
    """Rows one source (a gateway's key, else the feed) may add within ``window_s``; beyond it, and beyond
    ``bytes_per_source``, its refused frames are counted, not stored: one summary row per source and window, and
    one ``quarantine_flood`` alarm with the count."""
    bytes_per_source: int = Field(default=4_194_304, ge=1024)
    """Bytes of rows one source may add within ``window_s`` (after ``keep_bytes``), beyond which it is counted."""
    window_s: float = Field(default=60.0, gt=0)
    """The window of ``rows_per_source`` and ``bytes_per_source``, in seconds of the service's clock."""
    retention_days: float = Field(default=90.0, gt=0)
    """Rows older than this many days are pruned (hourly, and at start; counted in the metrics)."""
    max_total_bytes: int = Field(default=268_435_456, ge=1_048_576)
    """The kept bytes of every row together at most this; past it the oldest rows are pruned first."""


class AuditConfig(_Strict):
    """How long the audit log (every login and manual operation, docs/hmi-commands.md) keeps its lines."""

    retention_days: float = Field(default=400.0, gt=0)
    """Lines older than this many days are pruned (hourly, and at start); each pruning leaves one line saying how
    many went, so the count stays in the log."""


OPCUA_LOOPBACK = ("127.0.0.1", "localhost", "::1")
ZmqSecurity = Literal["dev", "plant"]
# The service's ZeroMQ surfaces: the endpoint's key under [service] -> the CURVE table that secures it.
ZMQ_SURFACES: dict[str, str] = {
    "feed_endpoint": "feed_curve",
    "hmi_endpoint": "hmi_curve",
    "hmi_snapshot_endpoint": "hmi_curve",
    "hmi_command_endpoint": "hmi_curve",
}
KEY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")  # a key file's NAME (NAME.key), never a path


def is_loopback(endpoint: str) -> bool:
    """True if a socket bound to this ZeroMQ endpoint can be reached from this host only: ``tcp://`` on 127.0.0.0/8,
    ``::1`` or ``localhost``; ``ipc://`` and ``inproc://``. ``tcp://*``, ``0.0.0.0``, a host name or an interface
    name are not."""
    scheme, _, rest = endpoint.partition("://")
    if scheme in ("ipc", "inproc"):
        return True
    host = rest.rpartition(":")[0].strip("[]")
    if scheme != "tcp" or not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class OpcUaServerConfig(_Strict):
    """The line's own OPC UA server for SCADA and MES (``plc_io.line_server.server``), read-only for its clients.

    ``plant``: Sign & Encrypt, this server's certificate and key (``jis certs``), a trust list of client
    certificates and a users file of scrypt hashes; ``dev``: unsecured and anonymous, so on 127.0.0.1 only.
    """

    endpoint: str = "opc.tcp://127.0.0.1:4840/jis/line"
    """Where the server listens: opc.tcp://HOST:PORT/PATH (0.0.0.0 for every interface, plant profile only)."""
    security: Literal["dev", "plant"] = "plant"
    """``plant``: Sign & Encrypt, trust list, users file. ``dev``: unsecured and anonymous, 127.0.0.1 only."""
    policies: tuple[Literal["Basic256Sha256", "Aes256_Sha256_RsaPss"], ...] = Field(
        default=("Basic256Sha256", "Aes256_Sha256_RsaPss"), min_length=1
    )
    """Security policies offered (plant profile), each with Sign & Encrypt."""
    certificate: str | None = None
    """This server's certificate (DER), made by ``jis certs``; plant profile."""
    private_key: str | None = None
    """This server's private key (PEM), made by ``jis certs``; plant profile."""
    trusted: str | None = None
    """Trust-list folder of the client certificates allowed in (SCADA, MES): ``DIR/trusted`` as ``jis certs`` makes
    it (certificates in ``trusted/certs``), read again at every new session; a refused client's certificate is kept
    in ``rejected/certs`` beside it (docs/opcua.md, commissioning); plant profile."""
    users_file: str | None = None
    """TOML file ``[users] NAME = "scrypt$..."`` (``plc_io.opcua.security.hash_password``); plant profile."""
    optional: bool = False
    """``false``: a server that does not start (a certificate, key, trust-list folder or address that is wrong)
    stops ``jis serve`` with one line saying why (exit 2); ``true``: that is an ERROR in the log and the line runs
    on without its SCADA interface."""

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


class DiskWatchConfig(_Strict):
    """The disk-space watch of the database's folder (``app.service.disk_watch``): free space under ``low_mb`` is a
    P3 ``disk_space_low`` alarm, under ``critical_mb`` a P2 ``disk_space_critical`` alarm, both well before a full
    disk pauses the line (a P1 ``journal_failed``: nothing is acknowledged until the journal can be written again)."""

    low_mb: float = Field(default=2048, gt=0, examples=[2048])
    """Free space (MB) under which the folder is low: plan to make room (P3)."""
    critical_mb: float = Field(default=512, gt=0, examples=[512])
    """Free space (MB) under which the folder is nearly full: make room now (P2); below ``low_mb``."""
    check_s: float = Field(default=30, ge=0.05, le=3600)
    """Seconds between two looks at the free space."""

    @model_validator(mode="after")
    def _ordered(self) -> DiskWatchConfig:
        if self.critical_mb >= self.low_mb:
            raise ValueError(f"critical_mb ({self.critical_mb:g}) must be below low_mb ({self.low_mb:g})")
        return self


MessageFunction = Literal["original", "change", "cancel", "hold", "release"]
PartnerFormat = Literal["edifact", "x12", "vda4916", "json"]
TestPolicy = Literal["refuse", "accept", "route"]


class InboxRoute(_Strict):
    """Who reads the inbox's files whose names match a pattern (the first route that matches)."""

    pattern: str = Field(min_length=1, examples=["VW_*.edi"])
    """A file-name pattern (``*`` any text, ``?`` one character, ``[ab]`` one of; case as the file system has it)."""
    partner: str = ""
    """The partner whose profile reads these files (a name under ``[partners]``); empty: the feed's."""
    feed: str = ""
    """The feed for messages that name no line (a feed of this plant); empty: as ``jis import`` chooses."""
    format: PartnerFormat | None = None
    """The format these files must be in; a file in another is quarantined whole. Absent: the partner's, or any."""


class InboxConfig(_Strict):
    """A folder an EDI gateway or OFTP2 client drops partner files into: ``jis serve`` journals each file as
    ``jis import`` would, then moves it to ``done/`` or ``quarantine/`` beside it (docs/message-formats.md)."""

    folder: str = Field(examples=["/var/lib/jis/inbox"])
    """The inbox folder (made when missing, with ``done/`` and ``quarantine/`` inside). A file is taken once its
    size and modification time held still for one poll; names starting with ``.`` or ending in ``.tmp``,
    ``.part`` or ``.partial`` are never taken (write under such a name, then rename)."""
    poll_interval_s: float = Field(default=2.0, gt=0, le=3600)
    """Seconds between looks into the folder."""
    routes: tuple[InboxRoute, ...] = ()
    """Partner, feed and format per file-name pattern (``[[service.inbox.routes]]``), the first match wins; a file
    that matches none is read as ``jis import FILE`` reads it (the partner of the plant's feeds)."""


class ServiceConfig(_Strict):
    """Where the service listens (ZeroMQ endpoints) and what it writes to."""

    feed_endpoint: str = "tcp://127.0.0.1:5555"
    """ZeroMQ endpoint the OEM gateways connect to (the service binds a ROUTER; docs/feed-protocol.md)."""
    hmi_endpoint: str = "tcp://127.0.0.1:5556"
    """ZeroMQ endpoint of the HMI bus (PUB): numbered updates of the line's picture (docs/hmi-bus.md)."""
    hmi_command_endpoint: str = "tcp://127.0.0.1:5557"
    """ZeroMQ endpoint of the HMI command channel (ROUTER): login and manual operations (docs/hmi-commands.md)."""
    hmi_snapshot_endpoint: str = "tcp://127.0.0.1:5558"
    """ZeroMQ endpoint where screens ask for a snapshot of the HMI bus (ROUTER; docs/hmi-bus.md)."""
    hmi_curve: HmiCurveConfig | None = None
    """CURVE on the HMI bus, snapshots and commands; absent: neither encrypted nor authenticated."""
    database: str = "sqlite:///jis.db"
    """SQLAlchemy URL of the journal: ``sqlite:///PATH`` or ``postgresql+psycopg://USER@HOST/DB``. A SQLite file
    (and its lock file, PATH.lock) lies under ``data_dir``; a relative PATH is read against the plant file's
    folder."""
    data_dir: str = Field(default="", examples=["/var/lib/jis"])
    """The data folder: every file the plant file names (the SQLite database and its lock file, CURVE keys, OPC UA
    certificates, keys, trust lists and users file) must lie under it, or the plant file is refused at load naming
    the key. Relative paths, this one included, are read against the plant file's folder; empty: the plant file's
    folder. With PostgreSQL the disk-space watch looks at this folder."""
    poll_interval_s: float = Field(default=0.02, gt=0, le=1)
    """Seconds between polls of the pick-to-light confirm latches and the print-and-apply PLC."""
    feed_curve: FeedCurveConfig | None = None
    """CURVE on the OEM feed: only listed gateways may publish, each feed only from its ``gateway_keys``; absent:
    anyone who reaches the endpoint may (so ``zmq_security = "plant"`` wants it beyond loopback)."""
    zmq_security: ZmqSecurity = "plant"
    """The profile of the ZeroMQ surfaces (the feed, the HMI bus, its snapshots, the commands; docs/security.md).
    ``plant``: a surface that listens beyond loopback needs its CURVE (``feed_curve`` for the feed, ``hmi_curve``
    for the others) or the service refuses to start, naming the key to set. ``dev``: every surface listens on
    loopback only (127.0.0.1, ::1, localhost, ipc), which the plant file's check refuses otherwise."""
    metrics_host: str = "127.0.0.1"
    """Address the Prometheus ``/metrics`` endpoint listens on."""
    metrics_port: int | None = Field(default=None, ge=0, le=65535)
    """Port of the Prometheus ``/metrics`` endpoint; absent: no metrics endpoint."""
    opcua_server: OpcUaServerConfig | None = None
    """The line's OPC UA server for SCADA and MES; absent: off."""
    disk: DiskWatchConfig = DiskWatchConfig()
    """The disk-space watch of the database's folder: alarms well before the disk is full."""
    quarantine: QuarantineConfig = QuarantineConfig()
    """Bounds of the quarantine: bytes kept per frame, rows per source and window, retention."""
    audit: AuditConfig = AuditConfig()
    """Retention of the audit log."""
    inbox: InboxConfig | None = None
    """A watched folder of partner files (``[service.inbox]``); absent: files arrive by ``jis import`` only."""

    @model_validator(mode="after")
    def _dev_on_loopback(self) -> ServiceConfig:
        if self.zmq_security == "dev":
            for key, endpoint in self.zmq_endpoints():
                if not is_loopback(endpoint):
                    raise ValueError(
                        f'{key} {endpoint}: zmq_security = "dev" listens on loopback only (127.0.0.1); '
                        'beyond it use zmq_security = "plant" with CURVE'
                    )
        return self

    def zmq_endpoints(self) -> list[tuple[str, str]]:
        """(key, endpoint) of every ZeroMQ surface the service binds."""
        return [(key, getattr(self, key)) for key in ZMQ_SURFACES]

    def exposed_without_curve(self) -> list[str]:
        """Each surface that the plant profile refuses to start: it listens beyond loopback and its CURVE table is
        absent. One sentence each, naming the key to set; empty in the dev profile (it listens on loopback only)."""
        return [
            f"[service] {key} {endpoint} listens beyond loopback without CURVE: set [service.{ZMQ_SURFACES[key]}] "
            "(secret_key, allowed_keys), or listen on 127.0.0.1"
            for key, endpoint in self.zmq_endpoints()
            if not is_loopback(endpoint) and getattr(self, ZMQ_SURFACES[key]) is None
        ]


OutOfOrderReaction = Literal["hold", "move", "flag"]


class FeedConfig(_Strict):
    """One OEM assembly line's stream of broadcasts: its sequence numbers, its takt and its due-time margins."""

    id: str
    """Our id of this OEM line's feed (broadcasts, racks and labels name it); unique in the plant."""
    name: str = ""
    """What people call the line (screens and reports)."""
    modulus: int = Field(default=10000, ge=2)
    """The OEM's sequence numbers wrap at this value (10000: 9999 is followed by 0)."""
    lead_time_s: float = Field(default=7200, gt=0)
    """Seconds from a broadcast to the part's due time at the OEM's point of use."""
    takt_s: float = Field(default=60, gt=0)
    """Seconds between vehicles on the OEM's line (about 60: 60 vehicles an hour)."""
    silence_takts: float = Field(default=5, gt=0)
    """A feed silent for this many takts raises a ``silence`` alarm."""
    warn_before_due_s: float = Field(default=1800, ge=0)
    """Seconds before a rack's due time that a rack not yet shipped raises ``late_warning``."""
    alarm_before_due_s: float = Field(default=900, ge=0)
    """Seconds before a rack's due time that a rack not yet shipped raises ``late_alarm``."""
    keep_up_rate_per_h: float | None = Field(default=None, gt=0, repr=False)
    """Vehicles an hour picking keeps up with on this feed; the OEM's line reporting a faster rate raises
    ``line_too_fast``. Absent: one a takt (3600 / ``takt_s``)."""
    line: str = ""
    """The OEM's assembly line code as its messages name it (EDI files are matched to the feed by it)."""
    dock: str = ""
    """The OEM's unloading dock, printed on the rack label."""
    partner: str = Field(default="", repr=False)
    """The trading partner that sends this feed's files (a name under ``[partners]``); empty: the shipped codes."""
    on_out_of_order: OutOfOrderReaction = "flag"
    """When the OEM moves a vehicle to a new sequence number: ``flag`` it, ``hold`` it, or ``move`` it."""
    gateway_keys: tuple[str, ...] = Field(default=(), examples=[["oem-l1"]], repr=False)
    """The OEM gateways allowed to publish this feed: the NAMEs of their public key files (NAME.key) in
    ``[service.feed_curve] allowed_keys``. Needed, and only allowed, with ``feed_curve``: a broadcast or heartbeat for
    this feed from any other gateway is refused (quarantined, an ``unauthorised`` deviation), and resend requests
    for it go only to these."""
    plausible_ahead: int = Field(default=500, ge=1, repr=False)
    """A broadcast numbered more than this many ahead of the feed's newest is refused as implausible (an
    ``implausible`` deviation, acknowledged ``refused``, no gap opened and nothing resent); 500 is over 8 hours
    at a 60 s takt. Half the modulus or more sets no limit (the ring cannot tell further ahead from behind)."""
    plausible_behind: int = Field(default=1000, ge=0, repr=False)
    """A broadcast numbered more than this many behind the feed's newest (and not one of its missing numbers) is
    refused as implausible; within it, a broadcast for a vehicle that has shipped is a duplicate. Half the
    modulus or more sets no limit."""

    @field_validator("gateway_keys")
    @classmethod
    def _key_names(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        for name in names:
            if not KEY_NAME.fullmatch(name):
                raise ValueError(f"{name!r} is not a key file's NAME (letters, digits, . _ -; no folder)")
        return names


class FamilyConfig(_Strict):
    """A part family (a module such as front seats): the station that picks it and the racks it is loaded into."""

    id: str
    """Our id of the part family (a module one station builds, e.g. "seats"); unique in the plant."""
    name: str = ""
    """What people call the family."""
    station: str
    """The station (``stations.id``) that picks this family."""
    rack_capacity: int = Field(ge=1, le=200)
    """Slots in one rack of this family; rack n holds sequence positions [(n-1)·capacity, n·capacity)."""
    reverse_load: bool = False
    """Number the slots backwards, so a LIFO rack unloads in sequence."""
    required: bool = True
    """Every vehicle needs this family: a vehicle no option rule matches is an ``unresolved`` deviation."""
    confirm: Literal["light", "scan", "both"] = "light"
    """What confirms a pick: the lit bin's button (``light``), a scan of the part's code that matches the lit pick
    (``scan``), or both, in either order (``both``); docs/scanner-tcp.md."""
    scan_patterns: tuple[str, ...] = ()
    """Regular expressions a scanned code of this family's parts matches in full (the supplier's label or the part's
    own DataMatrix), with a named group ``part`` and optionally ``serial`` and ``batch``; needed unless ``confirm``
    is ``light``."""

    @model_validator(mode="after")
    def _check_patterns(self) -> FamilyConfig:
        for n, pattern in enumerate(self.scan_patterns):
            try:
                compiled = re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"scan_patterns[{n}]: not a regular expression: {exc}") from exc
            names = set(compiled.groupindex)
            if "part" not in names:
                raise ValueError(f"scan_patterns[{n}]: needs a named group (?P<part>...)")
            if names - {"part", "serial", "batch"}:
                raise ValueError(f"scan_patterns[{n}]: named groups are part, serial and batch only")
        if self.confirm != "light" and not self.scan_patterns:
            raise ValueError(f"confirm = {self.confirm!r} needs at least one of scan_patterns")
        return self


class OptionRule(_Strict):
    """A part is chosen for a family when every code in ``all_of`` and none in ``none_of`` is on the vehicle."""

    family: str
    """The family (``families.id``) this rule picks a part for."""
    all_of: tuple[str, ...] = Field(min_length=1)
    """Option codes that must all be on the vehicle."""
    none_of: tuple[str, ...] = ()
    """Option codes none of which may be on the vehicle."""
    part: str
    """The supplier part number (``parts.number``) chosen when the rule matches."""
    qty: int = Field(default=1, ge=1)
    """How many of the part the vehicle needs."""
    unit: str = "PCE"
    """Unit of issue of ``qty``; must be the part's own unit."""


class PartConfig(_Strict):
    """A supplier part: its family, its bin and what the label says about it."""

    number: str
    """The supplier part number (printed on the label and matched in the OEM's messages); unique in the plant."""
    family: str
    """The family (``families.id``) the part belongs to."""
    description: str = ""
    """Text printed on the part label and shown at the station. In several languages as a table,
    ``description = {en = "Front seat pair", de = "Vordersitzpaar", es = "Par de asientos"}``: the label prints the
    ``en`` text (else the first), each panel shows its language's (``translations``), else this one."""
    translations: dict[str, str] = {}
    """The description in other languages (language code -> text), filled from a ``description`` table."""
    bin: str
    """The bin (``stations.bins.id``) at the family's station that holds the part."""
    unit: str = "PCE"
    """Unit of issue: PCE piece, SET, PR pair (option rules must agree)."""
    customer_number: str = Field(default="", max_length=35)
    """The OEM's number for this part (data identifier ``P`` on the label, Odette GTL); empty: the label carries only
    ours (``1P``)."""

    @model_validator(mode="before")
    @classmethod
    def _description_table(cls, data: Any) -> Any:
        """``description = {en = ..., de = ...}`` -> the ``en`` (else the first) text, the rest in ``translations``."""
        if isinstance(data, dict) and isinstance(data.get("description"), dict):
            table = data["description"]
            bad = [k for k in table if not (isinstance(k, str) and LANGUAGE_CODE.fullmatch(k))]
            if bad or not table or not all(isinstance(v, str) for v in table.values()):
                raise ValueError("a description table maps language codes (en, de, es, ...) to texts")
            main = table.get("en", next(iter(table.values())))
            data = {**data, "description": main, "translations": {**table, **data.get("translations", {})}}
        return data


class BinConfig(_Strict):
    """A pick location at a station and the light above it."""

    id: str
    """Our id of the bin (a pick location); unique in the plant."""
    light: int = Field(ge=1, le=247)
    """The light's address on the station's PTL device (Modbus unit id 1-247, OPC UA light number)."""
    capacity: int | None = Field(default=None, ge=1, le=100_000, examples=[40])
    """Parts the bin holds when full; set, the bin's stock is kept (decremented per pick, set by a replenishment
    scan or by a lead: docs/stock.md). Absent: no stock is kept for this bin."""
    low_stock: int = Field(default=0, ge=0, le=100_000, examples=[8])
    """At or below this many parts the bin is low: a ``low_stock`` alarm, a replenishment call (``[stock]``
    webhooks) and the bin's light yellow while it is not lit for a pick. Needs ``capacity``."""
    initial_stock: int | None = Field(default=None, ge=0, le=100_000, examples=[40])
    """The bin's stock before any scan or count (absent: full, ``capacity``). Needs ``capacity``."""

    @model_validator(mode="after")
    def _stock_fits(self) -> BinConfig:
        if self.capacity is None and (self.low_stock or self.initial_stock is not None):
            raise ValueError(f"bin {self.id}: low_stock and initial_stock need capacity")
        if self.capacity is not None and self.low_stock >= self.capacity:
            raise ValueError(f"bin {self.id}: low_stock {self.low_stock} must be below capacity {self.capacity}")
        if self.capacity is not None and (self.initial_stock or 0) > self.capacity:
            raise ValueError(f"bin {self.id}: initial_stock {self.initial_stock} is over capacity {self.capacity}")
        return self


class StationConfig(_Strict):
    """A sequencing station: its bins, its pick-to-light device and its label printer."""

    id: str
    """Our id of the station; unique in the plant."""
    name: str = ""
    """What people call the station (the operator panel's title)."""
    ptl: str
    """The pick-to-light device (``devices.ptl`` key) of the station's bins."""
    printer: str
    """The label printer (``devices.printers`` key) of the station's part and rack labels."""
    bins: tuple[BinConfig, ...] = Field(min_length=1)
    """The station's bins, each with its light."""
    pick_timeout_s: float = Field(default=120, gt=0)
    """Seconds a bin may stay lit without a confirm before a ``pick_timeout`` alarm."""
    starvation_alarm_s: float = Field(default=900, ge=0, le=86_400)
    """A ``starvation`` alarm is raised when the station's predicted starvation (from its bins' stock, its open
    vehicles and the OEM's takt) is this many seconds away or less: before the bin runs out. 0: only when it has."""
    language: str = Field(default="", pattern=r"^([a-z]{2})?$")
    """The station panel's language (``en``, ``de``, ``es``): the panel learns it with the station's picture;
    ``jis hmi --lang`` overrides it, and a user's own language replaces it while that user is logged in; empty:
    English."""


class OpcUaSettings(_Strict):
    """OPC UA connection settings (protocol "opcua"): the plant profile needs certificates and a user."""

    path: str = ""
    """URL path after host:port; empty: the device kind's default (jis/ptl, jis/printer)."""
    security: Literal["dev", "plant"] = "plant"
    """``plant``: Sign & Encrypt with certificates and a user; ``dev``: unsecured (simulators on 127.0.0.1)."""
    policy: Literal["Basic256Sha256", "Aes256_Sha256_RsaPss"] = "Basic256Sha256"
    """Security policy (plant profile)."""
    certificate: str | None = None
    """This client's certificate (DER), made by ``jis certs``; plant profile."""
    private_key: str | None = None
    """This client's private key (PEM), made by ``jis certs``; plant profile."""
    trusted: str | None = None
    """Folder of the server certificates this client trusts; plant profile."""
    user: str | None = None
    """User name the device's server checks; plant profile."""
    password_env: str | None = None
    """Name of the environment variable that holds the user's password (never the password itself)."""


class PtlDeviceConfig(_Strict):
    """A pick-to-light device (a Modbus TCP gateway or an OPC UA controller) serving one or more stations."""

    protocol: Literal["modbus", "opcua"] = "modbus"
    """``modbus``: a Modbus TCP gateway, unit id = light (docs/ptl-modbus.md); ``opcua``: docs/opcua.md."""
    host: str = "127.0.0.1"
    """The device's host name or address."""
    port: int = Field(ge=0, le=65535)
    """The device's TCP port (Modbus 502, OPC UA 4840 on real devices)."""
    timeout_s: float = Field(default=1.0, gt=0)
    """Seconds one request may take before the link counts as lost."""
    opcua: OpcUaSettings = OpcUaSettings()
    """Connection settings when ``protocol = "opcua"``."""


class PrinterDeviceConfig(_Strict):
    """A label printer: a Zebra over raw TCP, a print-and-apply PLC over Modbus, or an OPC UA print engine."""

    protocol: Literal["zpl", "modbus", "opcua"] = "zpl"
    """``zpl``: a Zebra print engine over raw TCP (docs/printer-zpl.md); ``modbus``: a print-and-apply PLC
    (docs/printer-modbus.md); ``opcua``: docs/opcua.md."""
    host: str = "127.0.0.1"
    """The printer's (or its PLC's) host name or address."""
    port: int = Field(ge=0, le=65535)
    """TCP port: a Zebra's raw print port (9100: ZPL formats, each with its ``~HQES~HS`` receipt answered on the
    same connection), Modbus (502) or OPC UA (4840)."""
    status_port: int = Field(default=0, ge=0, le=65535)
    """ZPL only: the Zebra's JSON status port (9200 on Link-OS printers, which take only JSON there), polled with the
    getvars ``zpl.system_error`` and ``device.host_status``; 0: a Zebra without it, polled with ``~HQES~HS`` on
    the print port."""
    unit_id: int = Field(default=1, ge=1, le=247)
    """Modbus only: the unit id of the print-and-apply PLC."""
    timeout_s: float = Field(default=2.0, gt=0)
    """Seconds a status answer or a job confirmation may take before the printer counts as faulted. A Zebra that
    answers its error flags but not its host status in time is faulted ("status timeout"), one that answers
    nothing is offline; either is shown within 1 s (its status poll interval) plus this."""
    opcua: OpcUaSettings = OpcUaSettings()
    """Connection settings when ``protocol = "opcua"``."""


class ScannerDeviceConfig(_Strict):
    """A fixed-mount barcode reader at a station, speaking plain TCP: one code a line (docs/scanner-tcp.md)."""

    host: str = "127.0.0.1"
    """The reader's host name or address."""
    port: int = Field(ge=0, le=65535)
    """The reader's TCP data port (the reader is the server; the service connects)."""
    station: str
    """The station (``stations.id``) whose picks its reads confirm."""
    timeout_s: float = Field(default=2.0, gt=0)
    """Seconds a connect may take before the link counts as lost."""
    same_code_s: float = Field(default=1.0, ge=0)
    """The same code read again within this many seconds is one read (a reader's duplicate-read guard)."""


class DevicesConfig(_Strict):
    """The devices by name; stations refer to them."""

    ptl: dict[str, PtlDeviceConfig] = {}
    """Pick-to-light devices by name (``[devices.ptl.NAME]``), referred to by ``stations.ptl``."""
    printers: dict[str, PrinterDeviceConfig] = {}
    """Label printers by name (``[devices.printers.NAME]``), referred to by ``stations.printer``."""
    scanners: dict[str, ScannerDeviceConfig] = {}
    """Fixed-mount barcode readers by name (``[devices.scanners.NAME]``), each at one station."""


class LabelElement(_Strict):
    """One element of a label layout, in printer dots from the top-left corner.

    ``text``: a fixed ``title`` or a label ``field`` (with ``prefix``); ``code128``: a field as Code 128 (with a
    ``prefix`` such as the data identifier "1P"); ``datamatrix``: the ISO 15434 record of the label (the part's, or the
    rack's with its slot list), a fixed ``columns`` x ``columns`` symbol; ``box``: a frame or rule ``width`` x
    ``height``; ``slots``: the rack label's slot list, one slot a line, ``lines`` lines.
    """

    kind: Literal["text", "code128", "datamatrix", "box", "slots"] = Field(examples=["code128"])
    """What the element draws."""
    x: int = Field(ge=0, le=2400, examples=[40])
    """Dots from the label's left edge (203 dpi: 8 dots a millimetre)."""
    y: int = Field(ge=0, le=3600, examples=[200])
    """Dots from the label's top edge."""
    height: int = Field(default=30, ge=0, le=1200)
    """Dots: the font height (text), bar height (code128) or frame height (box)."""
    width: int = Field(default=0, ge=0, le=2400)
    """Dots: the frame width (box); 0 elsewhere."""
    field: str = ""
    """The label field printed (text, code128): one of the part or rack label's fields."""
    title: str = ""
    """Fixed text printed instead of a field (text)."""
    prefix: str = ""
    """Text put before the field's value, e.g. the data identifier "P" of a Code 128."""
    module: int = Field(default=2, ge=1, le=20)
    """Dots per narrow bar (code128) or per module (datamatrix)."""
    max_chars: int = Field(default=40, ge=1, le=400)
    """Longest text a line holds (text, slots), or the longest Code 128 data (code128): the space the layout reserves.
    Longer text wraps at word boundaries onto ``lines`` lines and is abbreviated at a word boundary beyond them;
    a barcode, a part number or a field the plant file makes longer is refused when the plant file is loaded."""
    lines: int = Field(default=1, ge=1, le=200)
    """Lines a text or slot list may take (``height`` dots each)."""
    columns: int = Field(default=0, ge=0, le=144)
    """Modules a side of the Data Matrix (10-144, an ECC 200 square size); 0: the smallest square that holds the
    longest record the plant file allows, fixed when the file is loaded."""


class LabelLayout(_Strict):
    """One label's size and elements (203 dpi)."""

    width_dots: int = Field(ge=100, le=2400, examples=[812])
    """Label width in dots (812: 4 inches at 203 dpi)."""
    height_dots: int = Field(ge=100, le=3600, examples=[1218])
    """Label height in dots (1218: 6 inches at 203 dpi)."""
    elements: tuple[LabelElement, ...] = Field(min_length=1)
    """What the label shows, drawn in this order."""


# the fields a layout may print, per label kind (sequencer.labels)
PART_LABEL_FIELDS = frozenset(
    {
        "label_id",
        "feed",
        "seq",
        "vehicle_id",
        "part",
        "description",
        "family",
        "rack_no",
        "slot",
        "plant",
        "reprint",
        "qty",
    }
)
RACK_LABEL_FIELDS = frozenset(
    {"label_id", "feed", "family", "rack_no", "low_seq", "high_seq", "slots", "plant", "line", "dock", "reprint"}
    | {"serial", "supplier", "ship_to", "date", "qty"}
)
PART_LABEL_FIELDS = PART_LABEL_FIELDS | {"serial", "supplier", "customer_part", "ship_to", "unloading_point", "date"}


class PartnerLabels(_Strict):
    """One OEM partner's label template (``[labels.partners.NAME]``, NAME a ``[partners]`` name its feeds give)."""

    supplier: str = Field(default="", max_length=9)
    """Our supplier number at this OEM (``V``); empty: ``[labels] supplier``."""
    ship_to: str = Field(default="", max_length=20)
    """This OEM's receiving plant (``2L``); empty: ``[labels] ship_to``."""
    part: LabelLayout | None = None
    """The part label's layout for this partner; absent: the plant's."""
    rack: LabelLayout | None = None
    """The rack label's layout for this partner; absent: the plant's."""
    traced: bool | None = None
    """This partner's rack label shows each slot's scanned serial and batch (as ``[labels] traced``); absent: the
    plant's setting."""


class LabelTemplates(_Strict):
    """Label layouts of the plant (VDA 4902 / GTL / AIAG B-10 style); absent: the built-in layouts."""

    supplier: str = Field(default="", max_length=9, pattern=r"^[0-9A-Z]*$", examples=["123456789"])
    """Our supplier number at the OEM (data identifier ``V``), the first part of every label serial; empty: the
    plant's ``code``."""
    ship_to: str = Field(default="", max_length=20, examples=["OEMPLANT1"])
    """The OEM's receiving plant (``2L``, with the feed's ``dock`` as the unloading point)."""
    part: LabelLayout | None = None
    """The part label's layout; absent: the built-in one."""
    rack: LabelLayout | None = None
    """The rack label's layout; absent: the built-in one."""
    traced: bool = False
    """The rack label shows each slot's serial and batch scanned at its pick: a second line under the slot in the
    slot list (``S`` serial, ``1T`` batch) and ``S`` / ``1T`` after the slot's ``1J`` in its Data Matrix
    (docs/printer-zpl.md). The fit check then takes two lines a slot and the longest serial and batch the
    families' ``scan_patterns`` allow (a pattern that does not bound them is refused)."""
    partners: dict[str, PartnerLabels] = {}
    """Per OEM partner (a ``[partners]`` name its feeds give), its own supplier number, ship-to and layouts."""

    @model_validator(mode="after")
    def _fields_exist(self) -> LabelTemplates:
        layouts = [("labels.part", self.part, PART_LABEL_FIELDS), ("labels.rack", self.rack, RACK_LABEL_FIELDS)]
        for name, partner in self.partners.items():
            layouts += [(f"labels.partners.{name}.part", partner.part, PART_LABEL_FIELDS)]
            layouts += [(f"labels.partners.{name}.rack", partner.rack, RACK_LABEL_FIELDS)]
        for where, layout, known in layouts:
            for i, el in enumerate(layout.elements if layout else ()):
                if el.kind in ("text", "code128") and not (el.field or el.title):
                    raise ValueError(f"{where}.elements[{i}]: needs a field or a title")
                if el.field and el.field not in known:
                    raise ValueError(f"{where}.elements[{i}].field: unknown field {el.field!r}")
                if el.kind == "slots" and known is PART_LABEL_FIELDS:
                    raise ValueError(f"{where}.elements[{i}]: a slot list is the rack label's")
        return self

    def traced_for(self, partner: str) -> bool:
        """Does a feed's rack label show the scanned serials and batches (its partner's ``traced``, else ours)?"""
        own = self.partners.get(partner)
        return self.traced if own is None or own.traced is None else own.traced

    def for_feed(self, partner: str) -> tuple[str, str, str]:
        """(template name, supplier, ship-to) of a feed's labels, given the feed's partner ("": the plant's)."""
        own = self.partners.get(partner)
        if own is None:
            return "", self.supplier, self.ship_to
        return partner, own.supplier or self.supplier, own.ship_to or self.ship_to


class StockConfig(_Strict):
    """The replenishment call (``[stock]``): where a bin going low is called out, as a JSON POST per call, retried
    with back-off a bounded number of times (``app.service.replenish``)."""

    webhooks: tuple[str, ...] = ()
    """http(s) URLs that get a JSON POST per replenishment call (a bin at or below its ``low_stock``)."""
    attempts: int = Field(default=4, ge=1, le=10)
    """Tries per call and URL; the back-off doubles between them from ``backoff_s``."""
    backoff_s: float = Field(default=0.5, gt=0, le=60)
    """Seconds before the second try; doubled before each next one."""
    timeout_s: float = Field(default=5.0, gt=0, le=60)
    """Seconds one try may take."""
    queue_size: int = Field(default=200, ge=1, le=100_000)
    """Calls waiting for delivery at most; beyond it the oldest are dropped and counted (the alarm stays listed)."""

    @field_validator("webhooks")
    @classmethod
    def _http_only(cls, urls: tuple[str, ...]) -> tuple[str, ...]:
        for url in urls:
            scheme, _, rest = url.partition("://")
            if scheme not in ("http", "https") or not rest.split("/", 1)[0]:
                raise ValueError(f"webhook {scheme}://… is not an http(s) URL")
        return urls


class PriorityRoute(_Strict):
    """Where the alarms of one priority go (``app.service.notify`` delivers them)."""

    webhooks: tuple[str, ...] = ()
    """http(s) URLs that get a JSON POST per raised alarm of this priority."""
    email_to: tuple[str, ...] = ()
    """E-mail addresses that get a message per raised alarm of this priority."""

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
    """Where each priority's alarms go (``[notify.routes.1]`` for P1); a priority not listed is not sent."""
    sender: str = "jis-sequencer@localhost"
    """The e-mails' From address."""
    smtp_host: str = "127.0.0.1"
    """The mail relay's host."""
    smtp_port: int = Field(default=25, ge=1, le=65535)
    """The mail relay's port."""
    smtp_starttls: bool = False
    """Use STARTTLS with the mail relay."""
    timeout_s: float = Field(default=5.0, gt=0, le=60)
    """Seconds one delivery may take."""
    queue_size: int = Field(default=1000, ge=1)
    """Notifications waiting for delivery at most; beyond it the oldest are dropped and counted."""
    source: str = "jis-sequencer"
    """Names this service (plant, line) in every notification."""


class AlarmTimingConfig(_Strict):
    """On-delay, off-delay and chattering of one alarm kind that a device reports (``[alarms.device_offline]``,
    ``[alarms.printer_fault]``), in plant seconds; a key left out keeps the core's default
    (``sequencer.deviations.KINDS``: device_offline 3 s on, 5 s off; printer_fault 2 s on, 2 s off; both
    chattering at 3 activations within 60 s). ISA-18.2 / IEC 62682 alarm on-delay and off-delay."""

    on_delay_s: float | None = Field(default=None, ge=0, le=3600, examples=[3.0])
    """The condition must last this long before its alarm is annunciated; a shorter one is only counted (``link_blip``,
    ``printer_fault_blip``). 0: at once."""
    off_delay_s: float | None = Field(default=None, ge=0, le=3600, examples=[5.0])
    """The condition must have been gone this long before its alarm returns to normal; if it comes back sooner the
    same alarm carries on. 0: at once."""
    chatter_count: int | None = Field(default=None, ge=0, le=1000, examples=[3])
    """This many activations within ``chatter_window_s`` (short ones included) raise a ``chattering`` deviation for
    the device. 0: never; otherwise at least 2."""
    chatter_window_s: float | None = Field(default=None, gt=0, le=86400, examples=[60.0])
    """The window ``chatter_count`` is counted in; the ``chattering`` deviation clears after a window without one."""

    @field_validator("chatter_count")
    @classmethod
    def _twice_at_least(cls, count: int | None) -> int | None:
        if count == 1:
            raise ValueError("chattering needs at least 2 activations in the window (0 turns it off)")
        return count


class SimulationConfig(_Strict):
    """What the simulators need beyond the device addresses: the vehicle mix and the operator."""

    seed: int = 1
    """Seed of the simulated vehicle mix and operators (the same seed gives the same run)."""
    option_mix: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    """Option group -> codes: each simulated vehicle draws one code from every group ("" = none)."""
    operator_reaction_s: tuple[float, float] = (2.0, 6.0)
    """Seconds a simulated operator takes to press a lit bin: the least and the most."""
    start_seq: int = Field(default=1, ge=0)
    """The simulated OEM's first sequence number."""
    scan_labels: dict[str, str] = {}
    """Family id -> the code the simulated operator's part carries, a Python format of ``part``, ``serial`` (an
    int) and ``batch``, e.g. ``"P{part}+S{serial:08d}"``; it must match the family's ``scan_patterns``."""


_CLOCK = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
_DAY = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = get_args(Weekday)


def clock_minutes(text: str) -> int:
    """Minutes after midnight of a wall-clock time "HH:MM"."""
    return int(text[:2]) * 60 + int(text[3:])


def _check_clock(value: str) -> str:
    if not _CLOCK.fullmatch(value):
        raise ValueError(f"{value!r} is not a wall-clock time HH:MM (00:00 to 23:59)")
    return value


class ShiftConfig(_Strict):
    """One shift of the plant's day, in plant wall-clock time; a shift whose end is not after its start ends the
    next day (a night shift, 22:00-06:00). Its date is the day it starts."""

    name: str = Field(min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9_-]*$")
    """The shift's name, lower case (``jis report --shift NAME``, the cockpit's header)."""
    start: str
    """Start, "HH:MM" plant time."""
    end: str
    """End, "HH:MM" plant time (not after ``start``: the next day)."""

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        return _check_clock(value)

    def minutes(self) -> tuple[int, int]:
        """(start, end) in minutes after the start day's midnight (end beyond 1440 for a shift into the next day)."""
        start, end = clock_minutes(self.start), clock_minutes(self.end)
        return start, end if end > start else end + 1440


class BreakConfig(_Strict):
    """A break every working day, in plant wall-clock time: the OEM's line stands, so line time (and due times)
    does not run. Within one day (``end`` after ``start``)."""

    start: str
    """Start, "HH:MM" plant time."""
    end: str
    """End, "HH:MM" plant time, after ``start``."""

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        return _check_clock(value)

    @model_validator(mode="after")
    def _ordered(self) -> BreakConfig:
        if clock_minutes(self.end) <= clock_minutes(self.start):
            raise ValueError(f"break {self.start}-{self.end}: end must be after start, within the day")
        return self


DEFAULT_SHIFTS: tuple[dict[str, str], ...] = (  # validated into ShiftConfig (validate_default)
    {"name": "early", "start": "06:00", "end": "14:00"},
    {"name": "late", "start": "14:00", "end": "22:00"},
    {"name": "night", "start": "22:00", "end": "06:00"},
)


class CalendarConfig(_Strict):
    """The plant's shift calendar (``[calendar]``): shifts, breaks, working days and holidays, in plant time. It is the
    one place shift times come from (due times, ``jis report``, the cockpit). The OEM's line runs during shifts on
    working days outside breaks: line time (which lead times count) stands still otherwise. Absent: early 06-14,
    late 14-22, night 22-06 every day, no breaks (line time is wall-clock time). The arithmetic is checked by
    ``tests/unit/test_calendar.py::test_line_time_is_additive_and_monotone``,
    ``tests/unit/test_calendar.py::test_no_line_time_inside_a_break`` and
    ``tests/unit/test_calendar.py::test_breaks_weekends_and_holidays_stop_line_time``; the report's and the cockpit's
    shifts by ``tests/integration/test_report.py::test_shift_windows_are_the_calendar_s_in_the_plant_zone`` and
    ``tests/ui/test_cockpit.py::test_the_shift_comes_from_the_service_s_calendar``."""

    shifts: tuple[ShiftConfig, ...] = Field(default=DEFAULT_SHIFTS, min_length=1)  # type: ignore[arg-type]
    """The shifts of a day, in order, not overlapping (``[[calendar.shifts]]``)."""
    breaks: tuple[BreakConfig, ...] = ()
    """Breaks every working day (``[[calendar.breaks]]``)."""
    workdays: tuple[Weekday, ...] = Field(default=WEEKDAYS, min_length=1)
    """The days of the week whose shifts run (a shift belongs to the day it starts)."""
    holidays: tuple[str, ...] = Field(default=(), examples=[["2026-12-25", "2026-12-26"]])
    """Dates ("YYYY-MM-DD", plant time) whose shifts do not run."""

    @field_validator("holidays")
    @classmethod
    def _dates(cls, days: tuple[str, ...]) -> tuple[str, ...]:
        for day in days:
            if not _DAY.fullmatch(day):
                raise ValueError(f"holiday {day!r} is not a date YYYY-MM-DD")
        return days

    @model_validator(mode="after")
    def _shifts_apart(self) -> CalendarConfig:
        names = [s.name for s in self.shifts]
        if len(set(names)) != len(names):
            raise ValueError(f"shift names repeat: {', '.join(sorted(_duplicates(names)))}")
        spans = sorted(s.minutes() for s in self.shifts)
        for (_, end), (start, _) in zip(spans, [*spans[1:], (spans[0][0] + 1440, 0)], strict=True):
            if end > start:
                raise ValueError("shifts overlap: each must end before (or as) the next one starts, within 24 hours")
        return self


class ShipNoticeConfig(_Strict):
    """Ship notices (advance ship notices) to the OEM, one per rack shipped (docs/ship-notices.md). Absent: no notice
    is sent and a shipped rack is only forgotten."""

    format: Literal["desadv", "vda4913", "x12_856"] = "desadv"
    """The partner's format: EDIFACT DESADV D.07A after the Odette / VDA 4987 JIS profile, VDA 4913 records, or
    ANSI X12 856."""
    feed_formats: dict[str, Literal["desadv", "vda4913", "x12_856"]] = {}
    """Per feed, a format other than ``format`` (feed id -> format)."""
    supplier: str = Field(default="SUPPLIER", min_length=1, max_length=9, examples=["123456789"])
    """The supplier's number at the OEM (DESADV NAD+SE, VDA 4913 record 711 positions 15-23)."""
    ship_to: str = Field(default="OEM", min_length=1, max_length=9, examples=["OEMPLANT1"])
    """The OEM's receiving plant (DESADV NAD+ST, VDA 4913 record 711 positions 6-14)."""
    sender_id: str = Field(default="SUPPLIER", min_length=1, max_length=35)
    """The interchange sender (UNB 0004)."""
    recipient_id: str = Field(default="OEM", min_length=1, max_length=35)
    """The interchange recipient (UNB 0010)."""
    traced: bool = False
    """Per part, the serial and batch scanned at its pick, where the partner wants them: DESADV GIN BN (serial) and
    GIN BX (batch) after the part label's GIN ML, VDA 4913 record 714 positions 95-114 (serial, an 20) and 115-128
    (batch, an 14), X12 856 LIN pairs SN (serial) and LT (lot) after the part number (docs/ship-notices.md,
    docs/scanner-tcp.md)."""
    ack_timeout_s: float = Field(default=600.0, gt=0, le=86400)
    """Plant seconds the OEM has to answer a notice before a ``notice_unanswered`` deviation is raised."""
    resend_after_s: float = Field(default=120.0, gt=0, le=86400)
    """Plant seconds after which a notice the OEM has not answered is sent over the feed link again (the same
    bytes; a lost frame or a gateway that restarted): the answer is taken once per version."""
    keep_answered: int = Field(default=500, ge=1, le=100_000)
    """Acknowledged notices the core keeps (the newest) so a rack changed after it shipped can be corrected."""
    outbox: str | None = Field(default=None, examples=["edi/outbox"])
    """Folder of the EDI gateway: each notice is written there (``.tmp``, then renamed). Absent: no folder."""
    over_feed_link: bool = True
    """Send each notice over the feed link (ZeroMQ, ``NOTICE`` frames) to the gateway of the rack's feed."""


class DeljitCodes(_Strict):
    """A partner's EDIFACT DELJIT codes (docs/message-formats.md); a key left out keeps the shipped default."""

    functions: dict[str, tuple[MessageFunction, bool]] | None = Field(
        default=None, examples=[{"9": ["original", True]}]
    )
    """BGM 1225 message function code -> [function, firm]; replaces the whole default table."""
    document_functions: dict[str, tuple[MessageFunction, bool]] | None = None
    """BGM C002/1001 document name codes that decide the function themselves -> [function, firm]."""
    seq_status: dict[str, MessageFunction] | None = None
    """SEQ 1245 status code -> the function it sets for that vehicle (default 2: cancel, 3: change)."""
    reporting_points: dict[str, str] | None = None
    """SEQ C286/1159 sequence number source -> our reporting point (default 1: B1, 2: B2)."""
    vehicle_id_qualifiers: tuple[str, ...] | None = None
    """GIR C206/7405 identity qualifiers, most wanted first (default VV, BN, AN)."""
    loc_fields: dict[Literal["unloading_point", "line"], tuple[str, ...]] | None = None
    """LOC 3227 place qualifiers per canonical field, most wanted first (default unloading_point: 11, 159;
    line: 175)."""
    required_dtm: tuple[str, ...] | None = None
    """DTM 2005 qualifiers of the required time, most wanted first (default 2, 63, 10, 11)."""
    document_dtm: tuple[str, ...] | None = None
    """DTM 2005 qualifiers of the document date (default 137)."""
    part_qualifiers: tuple[str, ...] | None = None
    """LIN/PIA C212/7143 item number types, most wanted first (default SA, IN, BP)."""


class X12Codes(_Strict):
    """A partner's ANSI X12 866 codes (docs/message-formats.md); a key left out keeps the shipped default."""

    functions: dict[str, tuple[MessageFunction, bool]] | None = Field(
        default=None, examples=[{"00": ["original", True]}]
    )
    """BSS01 (353) purpose code -> [function, firm]; replaces the whole default table."""
    required_dtm: tuple[str, ...] | None = None
    """DTM01 qualifiers of the required time, most wanted first (default 002, 010, 118)."""
    ref_fields: dict[str, Literal["seq", "vehicle_id", "unloading_point", "line"]] | None = None
    """REF01 qualifier -> canonical field (default JS: seq, VT: vehicle_id, DK: unloading_point, LF: line)."""
    lin_fields: dict[str, Literal["seq", "vehicle_id"]] | None = None
    """LIN (235) qualifier -> canonical field (default JS: seq, VV: vehicle_id)."""
    part_qualifiers: tuple[str, ...] | None = None
    """LIN (235) part number qualifiers, most wanted first (default VP, BP)."""
    time_codes: dict[str, str] | None = Field(default=None, examples=[{"AT": "America/Halifax"}])
    """DTM04 time codes (623) this partner uses beyond the standard ones -> IANA zone names."""


class PartnerConfig(_Strict):
    """One OEM trading partner: the format it sends, its codes and record layout, its zone and its test files."""

    format: PartnerFormat | None = None
    """The format this partner sends (``edifact``, ``x12``, ``vda4916``, ``json``); a file of another format from
    it is refused whole (a problem naming both). Absent: any, detected by content."""
    timezone: str = ""
    """IANA zone of the partner's wall-clock times (e.g. "America/Detroit"); empty: the plant's."""
    test_indicator: TestPolicy = "refuse"
    """A test interchange (UNB 0035 = 1, ISA15 = T, the VDA mapping's ``test`` field): ``refuse`` it (each
    message quarantined), ``accept`` it as production, or ``route`` it to ``test_feed``."""
    test_feed: str = ""
    """The feed test interchanges go to with ``test_indicator = "route"`` (a feed of this plant)."""
    deljit: DeljitCodes = DeljitCodes()
    """EDIFACT DELJIT codes (``[partners.NAME.deljit]``)."""
    x12: X12Codes = X12Codes()
    """ANSI X12 866 codes (``[partners.NAME.x12]``)."""
    vda: dict[str, Any] | None = Field(default=None, examples=[{"record_length": 128}])
    """The VDA 4916 record mapping (``[partners.NAME.vda]``, written as docs/message-formats.md shows); checked
    when the plant file is loaded, each wrong key named. Absent: the shipped layout."""


class PlantConfig(_Strict):
    """A whole sequencing centre, as one plant file describes it."""

    plant: PlantInfo
    """The plant itself."""
    service: ServiceConfig = ServiceConfig()
    """Where the service listens and what it writes to."""
    feeds: tuple[FeedConfig, ...] = Field(min_length=1)
    """The OEM lines whose broadcasts this plant serves (``[[feeds]]``)."""
    families: tuple[FamilyConfig, ...] = Field(min_length=1)
    """The part families (modules) the plant builds (``[[families]]``)."""
    options: tuple[OptionRule, ...] = ()
    """Option rules: a vehicle's option codes -> a part per family (``[[options]]``)."""
    parts: tuple[PartConfig, ...] = Field(min_length=1)
    """The supplier parts and their bins (``[[parts]]``)."""
    stations: tuple[StationConfig, ...] = Field(min_length=1)
    """The sequencing stations, their bins and devices (``[[stations]]``)."""
    devices: DevicesConfig = DevicesConfig()
    """Pick-to-light devices and label printers by name."""
    labels: LabelTemplates = LabelTemplates()
    """Label layouts; absent: the built-in ones."""
    notify: NotifyRules = NotifyRules()
    """Alarm notifications by webhook and e-mail."""
    stock: StockConfig = StockConfig()
    """Where replenishment calls go (``[stock]``); bins' capacities and thresholds are on the bins."""
    alarms: dict[str, AlarmTimingConfig] = {}
    """On-delay, off-delay and chattering per alarm kind a device reports (``[alarms.device_offline]``,
    ``[alarms.printer_fault]``); a kind left out keeps the core's defaults."""
    ship_notices: ShipNoticeConfig | None = None
    """Ship notices to the OEM per rack shipped (``[ship_notices]``); absent: none are sent."""
    partners: dict[str, PartnerConfig] = {}
    """OEM trading partners by name (``[partners.NAME]``): how each writes its files; a feed names its own with
    ``partner``."""
    calendar: CalendarConfig = CalendarConfig()
    """The shift calendar: shifts, breaks, working days and holidays (``[calendar]``); drives due times, the shift
    report and the cockpit."""
    simulation: SimulationConfig = SimulationConfig()
    """What the simulators need: the vehicle mix and the operators (ignored by the service)."""

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

    def without_bin_stock(self) -> PlantConfig:
        """The plant with no bin keeping stock (benchmarks of the service's path; streams recorded before bin stock)."""
        unkept = {"capacity": None, "low_stock": 0, "initial_stock": None}
        stations = tuple(
            st.model_copy(update={"bins": tuple(b.model_copy(update=unkept) for b in st.bins)}) for st in self.stations
        )
        return self.model_copy(update={"stations": stations})


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
    for kind in cfg.alarms:
        if kind not in TIMED_KINDS:
            problems.append(f"alarms.{kind}: no delays for this kind; kinds a device reports: {', '.join(TIMED_KINDS)}")
    for fam in cfg.families:
        if fam.station not in stations:
            problems.append(f"families.{fam.id}.station: unknown station {fam.station!r}")
    for name, scanner in cfg.devices.scanners.items():
        if scanner.station not in stations:
            problems.append(f"devices.scanners.{name}.station: unknown station {scanner.station!r}")
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
    if cfg.ship_notices is not None:
        feed_ids = {f.id for f in cfg.feeds}
        for feed_id in cfg.ship_notices.feed_formats:
            if feed_id not in feed_ids:
                problems.append(f"ship_notices.feed_formats.{feed_id}: unknown feed {feed_id!r}")
    for name in cfg.labels.partners:
        if name not in cfg.partners:
            problems.append(
                f"labels.partners.{name}: unknown partner {name!r} (partners: {', '.join(cfg.partners) or 'none'})"
            )
    return problems + _partner_problems(cfg) + _gateway_key_problems(cfg)


def _partner_problems(cfg: PlantConfig) -> list[str]:
    """Feeds name known partners; a partner that routes its test files names a feed of this plant."""
    feeds = {f.id for f in cfg.feeds}
    problems = [
        f"feeds.{feed.id}.partner: unknown partner {feed.partner!r} (partners: {', '.join(cfg.partners) or 'none'})"
        for feed in cfg.feeds
        if feed.partner and feed.partner not in cfg.partners
    ]
    if cfg.service.inbox is not None:
        for i, route in enumerate(cfg.service.inbox.routes):
            where = f"service.inbox.routes[{i}] ({route.pattern})"
            if route.partner and route.partner not in cfg.partners:
                problems.append(f"{where}.partner: unknown partner {route.partner!r}")
            if route.feed and route.feed not in feeds:
                problems.append(f"{where}.feed: unknown feed {route.feed!r}")
    for name, partner in cfg.partners.items():
        if partner.test_indicator == "route" and partner.test_feed not in feeds:
            problems.append(f"partners.{name}.test_feed: {partner.test_feed!r} is not a feed of this plant")
        elif partner.test_indicator != "route" and partner.test_feed:
            problems.append(f'partners.{name}.test_feed: only with test_indicator = "route"')
    return problems


def _gateway_key_problems(cfg: PlantConfig) -> list[str]:
    """With CURVE on the feed every feed names its gateways; without it no feed may (nothing would check them)."""
    curve = cfg.service.feed_curve is not None
    return [
        f"feeds.{feed.id}.gateway_keys: "
        + (
            "with [service.feed_curve] name the gateways allowed to publish this feed (their NAME.key files)"
            if curve
            else "needs [service.feed_curve]: without CURVE no gateway is authenticated"
        )
        for feed in cfg.feeds
        if bool(feed.gateway_keys) != curve
    ]


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
        raise PlantConfigError("\n".join(describe_errors(exc, text, source))) from exc


def describe_errors(exc: ValidationError, text: str, source: str) -> list[str]:
    """One line per mistake: ``FILE:LINE: key.path: what is wrong`` (a misspelt key lists the valid ones)."""
    errors = exc.errors()
    locs = [tuple(e["loc"]) for e in errors]
    where = key_lines(text)
    lines = []
    for err, loc in zip(errors, locs, strict=True):
        if err["type"] == "too_short" and any(o[: len(loc)] == loc and o != loc for o in locs):
            continue  # a list emptied by its own bad entries: those entries are the mistakes
        key = ".".join(str(p) for p in loc) or "(top level)"
        line = nearest_line(where, loc)
        at = f"{source}:{line}" if line else source
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            valid = _keys_at(loc[:-1])
            msg = f"unknown key {str(loc[-1])!r}" + (f"; valid here: {', '.join(valid)}" if valid else "")
        lines.append(f"{at}: {key}: {msg}")
    return lines


def _keys_at(loc: tuple[str | int, ...]) -> list[str]:
    """The keys the table at ``loc`` takes (empty when the location is not a plant-file table)."""
    model: Any = PlantConfig
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part) if isinstance(model, type) and issubclass(model, BaseModel) else None
        if field is None:
            model = next(iter(_models(model)), None) if model is not None else None  # a named table's entry
            continue
        model = next(iter(_models(field.annotation)), None)
    return list(model.model_fields) if isinstance(model, type) and issubclass(model, BaseModel) else []


def _models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models(arg)]


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-.\"' ]+?)\s*=")


def _toml_keys(dotted: str) -> list[str]:
    return [k.strip().strip("\"'") for k in dotted.split(".")]


def key_lines(text: str) -> dict[tuple[str | int, ...], int]:
    """Where each table and key of a TOML text is (1-based lines), keyed as pydantic's error locations are
    (arrays of tables by index). A best effort for error messages: inline tables and multi-line values map to
    the line of their key."""
    lines: dict[tuple[str | int, ...], int] = {}
    counts: dict[tuple[str | int, ...], int] = {}
    current: tuple[str | int, ...] = ()

    def resolve(keys: list[str]) -> tuple[str | int, ...]:
        path: tuple[str | int, ...] = ()
        for k in keys:
            path = (*path, k)
            if path in counts:
                path = (*path, counts[path] - 1)
        return path

    for number, raw in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(raw)
        if header:
            keys = _toml_keys(header.group(2))
            if header.group(1) == "[[":
                table = (*resolve(keys[:-1]), keys[-1])
                counts[table] = counts.get(table, 0) + 1
                current = (*table, counts[table] - 1)
            else:
                current = resolve(keys)
            lines.setdefault(current, number)
            continue
        key = _KEY.match(raw)
        if key and not raw.lstrip().startswith("#"):
            lines.setdefault((*current, *_toml_keys(key.group(1))), number)
    return lines


def nearest_line(where: dict[tuple[str | int, ...], int], loc: tuple[str | int, ...]) -> int | None:
    """The line of ``loc``, or of its nearest enclosing key or table that the text names."""
    for end in range(len(loc), 0, -1):
        if loc[:end] in where:
            return where[loc[:end]]
    return None
