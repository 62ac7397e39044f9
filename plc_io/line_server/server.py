"""The line's own OPC UA server: the state the HMI bus carries, read-only, for SCADA and MES (docs/opcua.md).

What it is for: the service hands it the entries of the HMI bus that changed (``publish_entries``: the same
entries, built only where the line changed, that go to the screens, ``sequencer.pictures``), or a whole
``LineView`` (``publish``: tests, the first picture); the server keeps the information model of
``plc_io.line_server.model`` in an asyncua ``Server``, works out only the objects of the entries given (a feed's
state also when an alarm on it moves; ``Line/Alarms`` when an alarm comes, goes or moves: its list holds them all),
writes only the variables whose value changed, adds the objects that came (a new rack) and deletes those that went
(a shipped rack). A new alarm is also an event (``LineAlarmEventType``, a BaseEventType with the alarm's fields)
from ``Line/Alarms``.
Every variable is read-only for clients (asyncua's default access level, CurrentRead); there are no methods.

Security is the device side's (``plc_io.opcua.security``): the ``plant`` profile offers Sign & Encrypt only,
checks the client certificate against the trust list (at CreateSession, and the channel's own certificate again
at ActivateSession) and takes UserName tokens checked against a table of scrypt hashes; the ``dev`` profile is
unsecured and anonymous and therefore listens on the loopback interface only, with the UNSECURED warning.
Commissioning (docs/opcua.md): the server starts with an empty trust list, keeps each refused client certificate
in ``rejected/certs``, and reads the trust list again at every new session and every ``TRUST_WATCH_S``: a client
trusted with ``jis certs trust`` gets in without a restart, and one rejected or removed is disconnected.

Must not: accept any password (asyncua's default user manager does), listen beyond loopback in the dev profile,
or block the service: a failed write is logged and the next picture works out and writes the whole model again; a
failed start is the service's to judge (``LineServerThread.error``), not this module's to log.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import tomllib
from collections.abc import Mapping
from datetime import UTC
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from asyncua import ua
from asyncua.common.manage_nodes import delete_nodes
from asyncua.common.node import Node
from asyncua.server.event_generator import EventGenerator
from asyncua.server.server import Server
from asyncua.ua.attribute_ids import AttributeIds
from asyncua.ua.object_ids import ObjectIds
from asyncua.ua.status_codes import StatusCodes

from plc_io.line_server import model
from plc_io.opcua.security import (
    Profile,
    ServerSecurity,
    TrustList,
    UserTable,
    apply_server_security,
    close_untrusted_channels,
    log_profile,
)
from plc_io.opcua.users import CheckedUserManager
from sequencer.clone import ORDER, EntryValue, Head, entry_values
from sequencer.plant import OpcUaServerConfig, PlantConfigError
from sequencer.views import Counters, DeviationView, DeviceView, FeedView, KpiView, LineView, RackView, StationView

log = logging.getLogger(__name__)

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
TRUST_WATCH_S = 1.0  # how often the trust list is read again to disconnect a client rejected while connected
ALARM_LIST = ORDER + "deviations"
Changes = Mapping[str, EntryValue | None]  # HMI bus entries that changed: key -> new value (None: gone)
ObjectEntry = FeedView | StationView | RackView | DeviceView
EVENT_TYPE = "LineAlarmEventType"
EVENT_FIELDS = (  # (property, type): the alarm's fields on every LineAlarmEventType event
    ("AlarmId", ua.VariantType.Int32),
    ("Kind", ua.VariantType.String),
    ("Priority", ua.VariantType.Int32),
    ("Feed", ua.VariantType.String),
    ("Seq", ua.VariantType.Int32),
    ("VehicleId", ua.VariantType.String),
    ("Station", ua.VariantType.String),
)


def load_users(path: Path) -> UserTable:
    """A users file: TOML ``[users]`` with ``NAME = "scrypt$…"`` (``plc_io.opcua.security.hash_password``) per line."""
    where = f"service.opcua_server.users_file: {path}"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PlantConfigError(f"{where}: cannot read it: {exc}") from exc
    users = data.get("users")
    if not isinstance(users, dict) or not all(isinstance(v, str) and v.startswith("scrypt$") for v in users.values()):
        raise PlantConfigError(f'{where}: expected a [users] table of NAME = "scrypt$..." hashes')
    return UserTable(users)


def _path(text: str | None) -> Path | None:
    return Path(text) if text else None


class LineServerFailed(PlantConfigError):
    """The line server did not start and the plant file does not call it optional: the service stops."""


class LineServer:
    """One asyncua server publishing the line; ``start``, then ``publish`` each picture, then ``stop``."""

    def __init__(
        self,
        endpoint: str,
        security: ServerSecurity | None = None,
        users: UserTable | None = None,
        *,
        name: str = "JIS sequencer line",
    ) -> None:
        self.endpoint = endpoint
        self.security = security or ServerSecurity()
        self.users = users or UserTable({})
        self.name = name
        host = urlsplit(endpoint).hostname or ""
        if self.security.profile is Profile.DEV and host not in LOOPBACK:
            raise ValueError(f"{endpoint}: the unsecured dev profile listens on 127.0.0.1 only (use the plant profile)")
        self.writes = 0  # variables written since start (changed values only)
        self.events = 0  # alarm events fired
        self._server: Server | None = None
        self._manager: CheckedUserManager | None = None
        self._ns = 0
        self._values: dict[str, model.Value] = {}
        self._objects: dict[str, Node] = {}
        self._entries: dict[str, EntryValue] = {}  # the HMI bus's entries, as the model shows them now
        self._feed_alarms: dict[str, dict[int, DeviationView]] = {}  # feed -> its open alarms (the feed's state)
        self._shelf_expiry: float | None = None  # the next time a shelved alarm's shelving runs out
        self._alarms_seen = False  # the first picture's alarms are not news
        self._whole = False  # the model must be worked out whole again (a write failed)
        self._events: EventGenerator | None = None
        self._lock = asyncio.Lock()
        self._trust_watch: asyncio.Task[None] | None = None
        self.trust: TrustList | None = None  # the client certificates let in (plant profile), once started

    @classmethod
    def from_config(cls, cfg: OpcUaServerConfig, *, name: str = "JIS sequencer line") -> LineServer:
        """From ``[service.opcua_server]``; reads the users file (a PlantConfigError names it when it is wrong)."""
        security = ServerSecurity(
            profile=Profile(cfg.security),
            policies=tuple(cfg.policies),
            certificate=_path(cfg.certificate),
            private_key=_path(cfg.private_key),
            trusted=_path(cfg.trusted),
        )
        users = load_users(Path(cfg.users_file)) if cfg.users_file else UserTable({})
        return cls(cfg.endpoint, security, users, name=name)

    @property
    def refused_sessions(self) -> int:
        return self._manager.refused if self._manager else 0

    @property
    def namespace_index(self) -> int:
        return self._ns

    async def start(self, first: LineView | None = None) -> None:
        server = Server()
        await server.init()
        server.set_endpoint(self.endpoint)
        server.set_server_name(self.name)
        await server.set_application_uri(f"{model.NAMESPACE}:server")  # plant: the certificate's URI instead
        self._manager = CheckedUserManager(
            self.users, allow_anonymous=self.security.profile is Profile.DEV, server=self.name
        )
        trust = await apply_server_security(server, self.security, self._manager, owner="line OPC UA server")
        self._manager.trust = self.trust = trust
        self._ns = await server.register_namespace(model.NAMESPACE)
        self._server = server
        for path in model.SKELETON:
            await self._add_object(path)
        etype = await server.create_custom_event_type(self._ns, EVENT_TYPE, properties=list(EVENT_FIELDS))
        alarms = self._objects[f"{model.ROOT}/Alarms"]
        self._events = await server.get_event_generator(etype, emitting_node=alarms.nodeid)
        if first is not None:
            await self._apply(self._changes_to(first))
        await server.start()
        if trust is not None:
            self._trust_watch = asyncio.create_task(self._watch_trust(server, trust), name="line-server-trust")
            log.info("line OPC UA server: trust list %s: %d client certificate(s)", trust.folders.trusted, len(trust))
        detail = f"({', '.join(self.security.policies)})"
        log_profile(log, f"line OPC UA server at {self.endpoint}", self.security.profile, detail)
        log.info("line OPC UA server: %s, namespace %s", self.endpoint, model.NAMESPACE)

    def describe(self) -> str:
        """Where it serves and how, in one line: the endpoint, the profile and (plant) the trust list's state."""
        if self.security.profile is Profile.DEV:
            return f"{self.endpoint} (dev profile: UNSECURED, anonymous, 127.0.0.1 only)"
        trust = ""
        if self.trust is not None:
            folders = self.trust.folders
            trust = (
                f"; trust list {folders.trusted}: {len(self.trust)} client certificate(s); "
                f"refused ones kept in {folders.rejected_certs}"
            )
        return f"{self.endpoint} (plant profile: {', '.join(self.security.policies)}{trust})"

    async def stop(self) -> None:
        if self._trust_watch is not None:
            self._trust_watch.cancel()
            await asyncio.gather(self._trust_watch, return_exceptions=True)
            self._trust_watch = None
        if self._server is not None:
            server, self._server = self._server, None
            await server.stop()

    async def _watch_trust(self, server: Server, trust: TrustList) -> None:
        """Read the trust list again every ``TRUST_WATCH_S``; when it changed, disconnect the clients whose
        certificate left it (a new session checks the list itself, so trusting needs no watch)."""
        while True:
            await asyncio.sleep(TRUST_WATCH_S)
            if not trust.refresh():
                continue
            closed = close_untrusted_channels(server, trust)
            log.info("line OPC UA server: trust list changed: %d client certificate(s)", len(trust))
            if closed:
                log.warning("line OPC UA server: disconnected %d client(s) no longer in the trust list", closed)

    async def publish(self, view: LineView) -> int:
        """Bring the model to ``view``: the number of variables written (0 when nothing changed)."""
        return await self.publish_entries(self._changes_to(view))

    async def publish_entries(self, changes: Changes) -> int:
        """Take the HMI bus entries that changed (None: gone); the number of variables written."""
        if self._server is None:
            return 0
        async with self._lock:
            try:
                return await self._apply(changes)
            except Exception as exc:  # never stops the HMI bus; the next picture works the whole model out again
                self._whole = True
                head = self._entries.get("head")
                log.error("line OPC UA server: picture %s not fully written: %r", getattr(head, "rev", "?"), exc)
                return 0

    # -- the model --------------------------------------------------------------------------------------------
    def _changes_to(self, view: LineView) -> dict[str, EntryValue | None]:
        """The entries that differ between the model and ``view`` (a whole picture)."""
        values = entry_values(view)
        changes: dict[str, EntryValue | None] = {k: v for k, v in values.items() if self._entries.get(k) != v}
        changes.update((k, None) for k in self._entries if k not in values)
        return changes

    async def _apply(self, changes: Changes) -> int:
        assert self._server is not None
        objects, gone, news = self._take(changes)
        if self._whole:
            self._whole = False
            objects = self._everything()
            gone = set(self._objects) - model.object_paths(model.variables(objects)) - set(model.SKELETON)
        await self._drop_objects_gone(gone - objects.keys(), objects)
        todo = model.changed(self._values, model.variables(objects))
        now = ua.DateTime.now(UTC)  # asyncua's datetime subclass, what DataValue declares
        for path, value in todo.items():
            if path in self._values:
                nid = self._node_id(path)
                dv = ua.DataValue(value.variant(), SourceTimestamp=now, ServerTimestamp=now)
                await self._server.write_attribute_value(nid, dv)
            else:
                await self._add_variable(path, value)
            self._values[path] = value
        self.writes += len(todo)
        for alarm in news:
            await self._fire(alarm)
        return len(todo)

    def _take(self, changes: Changes) -> tuple[model.Objects, set[str], list[DeviationView]]:
        """Take the changed entries: the objects to work out again, those gone, and the alarms that are news."""
        objects: model.Objects = {}
        gone: set[str] = set()
        news: list[DeviationView] = []
        feeds: set[str] = set()  # feeds whose object to work out: changed, or an alarm on them moved
        alarms_moved = False
        for key, value in changes.items():
            old = self._entries.pop(key, None) if value is None else self._entries.get(key)
            if value is not None:
                self._entries[key] = value
            if isinstance(value, DeviationView) or isinstance(old, DeviationView):
                alarms_moved = True
                feeds |= self._note_alarm(old, value)
                if old is None and isinstance(value, DeviationView) and self._alarms_seen:
                    news.append(value)
            elif key == ALARM_LIST:
                alarms_moved = True
            elif isinstance(value, FeedView):
                feeds.add(value.id)
            elif isinstance(value, ObjectEntry):
                path, variables = model.entry_object(value)
                objects[path] = variables
            elif isinstance(old, ObjectEntry):
                gone.add(model.entry_object(old)[0])
        self._alarms_seen = True
        head = self._entries.get("head")
        at = head.at if isinstance(head, Head) else 0.0
        if "head" in changes and isinstance(head, Head):
            objects[model.ROOT] = model.line_object(head.plant, head.rev, head.at)
        if isinstance(kpis := changes.get("kpis"), KpiView):
            objects[model.KPIS] = model.kpis_object(kpis)
        if isinstance(counters := changes.get("counters"), Counters):
            objects[model.COUNTERS] = model.counters_object(counters)
        for feed_id in feeds:
            if isinstance(feed := self._entries.get(f"feed/{feed_id}"), FeedView):
                path, variables = model.entry_object(feed, self._feed_alarms.get(feed_id, {}).values())
                objects[path] = variables
        if alarms_moved or (self._shelf_expiry is not None and at >= self._shelf_expiry):
            objects[model.ALARMS] = self._alarms_object(at)
        return objects, gone, news

    def _note_alarm(self, old: EntryValue | None, new: EntryValue | None) -> set[str]:
        """Keep each feed's open alarms; the feeds whose alarms moved."""
        feeds: set[str] = set()
        for alarm, keep in ((old, False), (new, True)):
            if isinstance(alarm, DeviationView) and alarm.feed:
                on_feed = self._feed_alarms.setdefault(alarm.feed, {})
                if keep:
                    on_feed[alarm.id] = alarm
                else:
                    on_feed.pop(alarm.id, None)
                feeds.add(alarm.feed)
        return feeds

    def _alarms_object(self, at: float) -> dict[str, model.Value]:
        """``Line/Alarms`` from the alarm list (all of it: its counts and list hold every open alarm); when a
        shelving runs out it is worked out again (its highest priority counts unshelved alarms)."""
        order = self._entries.get(ALARM_LIST, ())
        keys = order if isinstance(order, tuple) else ()
        listed = [alarm for key in keys if isinstance(alarm := self._entries.get(key), DeviationView)]
        expiries = [d.shelved_until for d in listed if d.shelved_until is not None and d.shelved_until > at]
        self._shelf_expiry = min(expiries, default=None)
        return model.alarms_object(listed, at)

    def _everything(self) -> model.Objects:
        """Every object of the model, worked out from the entries (after a failed write)."""
        head = self._entries.get("head")
        at = head.at if isinstance(head, Head) else 0.0
        objects: model.Objects = {model.ALARMS: self._alarms_object(at)}
        if isinstance(head, Head):
            objects[model.ROOT] = model.line_object(head.plant, head.rev, head.at)
        if isinstance(kpis := self._entries.get("kpis"), KpiView):
            objects[model.KPIS] = model.kpis_object(kpis)
        if isinstance(counters := self._entries.get("counters"), Counters):
            objects[model.COUNTERS] = model.counters_object(counters)
        for value in self._entries.values():
            if isinstance(value, ObjectEntry):
                alarms = self._feed_alarms.get(value.id, {}).values() if isinstance(value, FeedView) else ()
                path, variables = model.entry_object(value, alarms)
                objects[path] = variables
        return objects

    async def _drop_objects_gone(self, gone: set[str], staying: model.Objects) -> None:
        """Delete the objects gone (a shipped rack), each subtree at its root, and a rack family's folder left
        empty.

        asyncua's own recursive delete scans the whole address space for references to every node it deletes
        (~70 ms per rack, on the service's loop); the only reference into a subtree is its parent's, so that one
        is removed and the subtree's nodes are deleted without the scan.
        """
        gone = {p for p in gone if p in self._objects}
        for folder in {p.rsplit("/", 1)[0] for p in gone}:
            inside = f"{folder}/"
            if folder in model.SKELETON or any(p.startswith(inside) for p in staying):
                continue
            if all(p in gone for p in self._objects if p.startswith(inside)):
                gone.add(folder)
        if not gone:
            return
        assert self._server is not None
        top = [p for p in gone if p.rsplit("/", 1)[0] not in gone]
        prefixes = tuple(f"{p}/" for p in top)
        inner = [p for p in self._objects if p.startswith(prefixes)]
        doomed = [self._objects[p] for p in {*gone, *inner}]
        doomed += [self._server.get_node(self._node_id(p)) for p in self._values if p.startswith(prefixes)]
        await self._end_monitored_items([p for p in self._values if p.startswith(prefixes)])
        for path in top:
            parent_path = path.rsplit("/", 1)[0]
            reftype = ObjectIds.Organizes if model.is_folder(parent_path) else ObjectIds.HasComponent
            await self._objects[parent_path].delete_reference(self._objects[path], reftype, bidirectional=True)
        await delete_nodes(self._server.iserver.isession, doomed, delete_target_references=False)
        for path in {*gone, *inner}:
            del self._objects[path]
        self._values = {p: v for p, v in self._values.items() if not p.startswith(prefixes)}

    async def _end_monitored_items(self, paths: list[str]) -> None:
        """Tell every monitored item on ``paths`` that its node is going, before it goes (docs/opcua.md: a monitored
        item on a shipped rack's variable ends with BadNodeIdUnknown).

        Working around asyncua 2.1: deleting a node calls its data-change callbacks with the error, but they are
        coroutines it never awaits (``AddressSpace._delete_node_callbacks``), and what they would send is a
        subscription-wide status change, not the item's. So a subscriber heard nothing: the item just went silent.
        Writing a value whose status is BadNodeIdUnknown first (the server sets the value to null, as Part 4 7.7.1
        says for a Bad status) runs the callbacks as any write does, and each item's last notification carries the
        status; a read after the delete answers BadNodeIdUnknown from the address space itself. The callbacks are
        then dropped, so the delete has none left to call without awaiting (a RuntimeWarning each).
        """
        assert self._server is not None
        now = ua.DateTime.now(UTC)
        gone = ua.DataValue(StatusCode=ua.StatusCode(ua.UInt32(StatusCodes.BadNodeIdUnknown)), ServerTimestamp=now)
        aspace = self._server.iserver.aspace
        for path in paths:
            nid = self._node_id(path)
            await self._server.write_attribute_value(nid, gone)
            # the items have heard it: their callbacks go now, so the delete finds none to call unawaited
            for handle in list(aspace[nid].attributes[AttributeIds.Value].datachange_callbacks):
                aspace.delete_datachange_callback(handle)

    def _node_id(self, path: str) -> ua.NodeId:
        return ua.NodeId(ua.String(path), ua.Int16(self._ns))

    async def _add_object(self, path: str) -> Node:
        if path in self._objects:
            return self._objects[path]
        assert self._server is not None
        parent_path, _, name = path.rpartition("/")
        parent = await self._add_object(parent_path) if parent_path else self._server.nodes.objects
        qname = ua.QualifiedName(name, self._ns)
        add = parent.add_folder if model.is_folder(path) else parent.add_object
        node = await add(self._node_id(path), qname)
        self._objects[path] = node
        return node

    async def _add_variable(self, path: str, value: model.Value) -> None:
        parent_path, _, name = path.rpartition("/")
        parent = await self._add_object(parent_path)
        var = await parent.add_variable(self._node_id(path), ua.QualifiedName(name, self._ns), value.variant())
        if isinstance(value.value, list):  # asyncua leaves ValueRank open for a list without Dimensions
            await var.write_value_rank(ua.ValueRank.OneDimension)
            dims = ua.DataValue(ua.Variant([0], ua.VariantType.UInt32))  # any length
            await var.write_attribute(AttributeIds.ArrayDimensions, dims)

    async def _fire(self, alarm: DeviationView) -> None:
        if self._events is None:
            return
        event: Any = self._events.event  # a BaseEvent with the event type's properties as attributes
        fields = (alarm.id, alarm.kind, alarm.priority, alarm.feed, alarm.seq or -1, alarm.vehicle_id, alarm.station)
        for (name, _), value in zip(EVENT_FIELDS, fields, strict=True):
            setattr(event, name, value)  # typed by the event type's properties
        event.Severity = model.SEVERITY_OF_PRIORITY.get(alarm.priority, model.SEVERITY_DEFAULT)
        event.SourceName = alarm.station or alarm.feed or model.ROOT
        try:
            await self._events.trigger(message=f"P{alarm.priority} {alarm.kind}: {alarm.message}")
            self.events += 1
        except Exception as exc:  # an event lost is logged; the alarm stays in Line/Alarms/List
            log.error("line OPC UA server: alarm event %d not sent: %r", alarm.id, exc)


class LineServerThread:
    """A ``LineServer`` on its own thread and event loop, as the service runs it.

    Its start-up (asyncua loads the standard address space: about a second of CPU), the RSA handshakes and scrypt
    password checks of connecting clients, and the clients' requests never hold up the service's loop: it only
    hands over the entries each picture changed (``publish_entries``; those arriving while the server writes are
    merged, the newest value of a key wins). A server that cannot start (port taken, bad certificate) sets ``error``
    (and ``started``); the service then stops, or runs on without it when the plant file calls the server optional
    (``app.service.hmi_side``).
    """

    def __init__(self, server: LineServer, *, stop_timeout_s: float = 10.0) -> None:
        self.server = server
        self.started = threading.Event()  # set once serving, or once the start failed (then ``error``)
        self.error: BaseException | None = None
        self._stop_timeout_s = stop_timeout_s
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._pending: dict[str, EntryValue | None] = {}  # entries changed since the server last took them
        self._scheduled = False
        self._lock = threading.Lock()
        self._drain_task: asyncio.Task[None] | None = None

    @property
    def endpoint(self) -> str:
        return self.server.endpoint

    def start(self, first: LineView | None = None) -> None:
        self._thread = threading.Thread(target=self._run, args=(first,), name="opcua-line-server", daemon=True)
        self._thread.start()

    def publish_entries(self, changes: Changes) -> None:
        """Called on the service's loop; never waits. Changes arriving while the server writes are merged."""
        with self._lock:
            if self.error is not None:
                return
            self._pending.update(changes)
            loop = self._loop
            if self._scheduled or loop is None or not self.started.is_set():
                return
            self._scheduled = True
        loop.call_soon_threadsafe(self._schedule_drain)

    async def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None and thread.is_alive():
            loop.call_soon_threadsafe(loop.stop)
            await asyncio.to_thread(thread.join, self._stop_timeout_s)

    def _run(self, first: LineView | None) -> None:
        loop = asyncio.new_event_loop()
        try:
            try:
                loop.run_until_complete(self.server.start(first))
            except Exception as exc:  # the service reads it and decides (stop, or run on without SCADA)
                self.error = exc
                return
            with self._lock:
                self._loop = loop
                self._scheduled = bool(self._pending)
            self.started.set()
            if self._scheduled:
                self._schedule_drain()
            loop.run_forever()
            loop.run_until_complete(self.server.stop())
        finally:
            self.started.set()
            loop.close()

    def _schedule_drain(self) -> None:
        assert self._loop is not None
        self._drain_task = self._loop.create_task(self._drain())  # one at a time: ``_scheduled`` guards it

    async def _drain(self) -> None:
        with self._lock:
            changes, self._pending, self._scheduled = self._pending, {}, False
        if changes:
            await self.server.publish_entries(changes)
