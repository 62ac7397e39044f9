"""A simulated OPC UA pick-to-light controller, plus the OPC UA server host both OPC UA simulators share.

Three layers. ``LightBoard`` is the pure behaviour of the bins (what each shows, the confirm counter with the
token lit at the press, the host's acknowledged counter, lights off the bus, the machine out of service); it
never opens a socket. ``SimServer`` hosts any ``plc_io.opcua_nodes`` table in an asyncua ``Server`` on
127.0.0.1 with a security profile from ``plc_io.opcua_security`` and ``CheckedUserManager``: a configured user
table with scrypt hashes, and in the plant profile also the channel's certificate must be in the trust list
(asyncua's default user manager accepts anyone). ``OpcUaPtlSim`` binds the board to the Light, Clear and
Acknowledge methods and publishes every change, writing ConfirmCounter last (``BIN_PUBLISH_ORDER``).

Device behaviour modelled (docs/opcua.md): a press latches locally even while the light is off its bus and is
published when it comes back; Light, Clear and Acknowledge on a light off the bus answer BadCommunicationError
(the OPC UA counterpart of Modbus 0x0B); out of service, Light answers BadInvalidState; ``set_offline`` is a
pulled cable (connections dropped, connects refused); ``restart`` is a power cycle (lights dark, counters 0).
There is no time-dependent behaviour, so no clock.

Must not: be imported by production code (import-linter forbids it), or accept a session the profile forbids.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from asyncua import ua
from asyncua.common.callback import CallbackType, ServerItemCallback
from asyncua.common.node import Node
from asyncua.server.server import Server
from asyncua.ua.status_codes import StatusCodes

from hardware_sims.ptl_gateway import Lit
from plc_io import opcua_nodes as nodes
from plc_io.opcua_security import (
    Profile,
    ServerSecurity,
    UserTable,
    apply_server_security,
    log_profile,
)
from plc_io.opcua_users import CheckedUserManager
from plc_io.ports import Colour

log = logging.getLogger(__name__)

MethodHandler = Callable[[list[ua.Variant]], Awaitable[list[ua.Variant]]]
PORT_ATTEMPTS = 3
S = StatusCodes


def free_port(host: str = "127.0.0.1") -> int:
    """A port the OS just gave out: asyncua's endpoint URL must name the real port, so port 0 is not enough."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class MethodRefused(Exception):
    """A device refuses a method call with an OPC UA status code (the call's StatusCode, no outputs)."""

    def __init__(self, code: int, detail: str) -> None:
        super().__init__(detail)
        self.code = code


@dataclass
class SimServer:
    """One asyncua server on ``host`` built from a node table; method handlers by node path."""

    name: str
    namespace_uri: str
    node_specs: Sequence[nodes.NodeSpec]
    security: ServerSecurity = field(default_factory=ServerSecurity)
    users: UserTable = field(default_factory=lambda: UserTable({}))
    host: str = "127.0.0.1"
    port: int = 0
    path: str = "jis"
    calls: Counter[str] = field(default_factory=Counter)  # method calls by browse name, refused ones too
    reads: int = 0  # Read requests from clients: proof that a client polled again
    _server: Server | None = None
    _ns: int = 0
    _manager: CheckedUserManager | None = None
    _offline: bool = False

    @property
    def url(self) -> str:
        return f"opc.tcp://{self.host}:{self.port}/{self.path}"

    @property
    def refused_sessions(self) -> int:
        return self._manager.refused if self._manager else 0

    async def start(self, methods: Mapping[str, MethodHandler]) -> None:
        """Listen on ``port``, or on a free port: another process may take the probed port first, so try again."""
        chosen = self.port
        for attempt in range(1, PORT_ATTEMPTS + 1):
            self.port = chosen or free_port(self.host)
            try:
                await self._start(methods)
                return
            except OSError as exc:
                if chosen or attempt == PORT_ATTEMPTS:
                    raise
                log.warning("%s: port %d taken (%r), trying another", self.name, self.port, exc)

    async def _start(self, methods: Mapping[str, MethodHandler]) -> None:
        server = Server()
        await server.init()
        server.set_endpoint(self.url)
        server.set_server_name(self.name)
        self._manager = CheckedUserManager(
            self.users, allow_anonymous=self.security.profile is Profile.DEV, server=self.name
        )
        self._manager.trust = await apply_server_security(server, self.security, self._manager)
        self._ns = await server.register_namespace(self.namespace_uri)
        await self._build(server, methods)
        server.subscribe_server_callback(CallbackType.PostRead, self._count_read)
        await server.start()
        self._server = server
        log_profile(log, f"{self.name} at {self.url}", self.security.profile, f"({', '.join(self.security.policies)})")

    async def stop(self) -> None:
        if self._server is not None:
            server, self._server = self._server, None
            await server.stop()

    async def set_offline(self, down: bool) -> None:
        """Down: drop every connection and stop listening. Up: listen again on the same port."""
        bserver = self._server.bserver if self._server else None
        if bserver is None or down == self._offline:
            return
        self._offline = down
        await (bserver.stop() if down else bserver.start())

    def drop_connections(self) -> None:
        """Cut every client connection at once, unflushed (a cable cut); the listener stays up."""
        if self._server is not None:
            for transport in list(self._server.iserver.asyncio_transports):
                transport.abort()

    async def write(self, path: str, value: object, vtype: ua.VariantType) -> None:
        assert self._server is not None, "start the server first"
        await self._server.write_attribute_value(nodes.node_id(self._ns, path), ua.DataValue(ua.Variant(value, vtype)))

    async def write_standard(self, object_id: int, value: object, vtype: ua.VariantType) -> None:
        """Write a namespace-0 node (ServerStatus.StartTime after a simulated power cycle)."""
        assert self._server is not None, "start the server first"
        await self._server.write_attribute_value(ua.NodeId(ua.Int32(object_id)), ua.DataValue(ua.Variant(value, vtype)))

    async def _build(self, server: Server, methods: Mapping[str, MethodHandler]) -> None:
        ns = self._ns
        machines = await server.nodes.objects.add_folder(
            nodes.node_id(ns, nodes.MACHINES), ua.QualifiedName(nodes.MACHINES, ns)
        )
        created: dict[str, Node] = {"": machines}
        for spec in self.node_specs:
            parent = created[spec.parent]
            nid, qname = nodes.node_id(ns, spec.path), ua.QualifiedName(spec.browse_name, ns)
            if spec.kind is nodes.NodeKind.METHOD:
                handler = methods[spec.path]
                created[spec.path] = await parent.add_method(
                    nid, qname, self._bind(spec, handler), _arguments(spec.inputs), _arguments(spec.outputs)
                )
            elif spec.kind is nodes.NodeKind.VARIABLE and spec.vtype is not None:
                created[spec.path] = await parent.add_variable(nid, qname, ua.Variant(spec.initial, spec.vtype))
            elif spec.kind is nodes.NodeKind.FOLDER:
                created[spec.path] = await parent.add_folder(nid, qname)
            else:
                created[spec.path] = await parent.add_object(nid, qname)

    def _count_read(self, event: ServerItemCallback, _dispatcher: object) -> None:
        if event.is_external:
            self.reads += 1

    def _bind(self, spec: nodes.NodeSpec, handler: MethodHandler) -> Callable[..., Awaitable[Any]]:
        async def call(_parent: ua.NodeId, *arguments: ua.Variant) -> list[ua.Variant] | ua.StatusCode:
            self.calls[spec.browse_name] += 1
            try:
                return await handler(list(arguments))
            except MethodRefused as refused:
                log.info("%s %s refused: %s", self.name, spec.path, refused)
                return ua.StatusCode(ua.UInt32(refused.code))
            except ValueError as exc:
                log.info("%s %s: bad arguments: %s", self.name, spec.path, exc)
                return ua.StatusCode(ua.UInt32(S.BadInvalidArgument))

        return call


def _arguments(arguments: tuple[nodes.Argument, ...]) -> list[ua.Argument]:
    return [
        ua.Argument(
            Name=a.name, DataType=ua.NodeId(ua.Int32(a.vtype.value)), ValueRank=-1, Description=ua.LocalizedText(a.doc)
        )
        for a in arguments
    ]


# -- the pure light model -------------------------------------------------------------------------------------------
class LightOffline(Exception):
    """The light does not answer on the controller's bus."""


@dataclass
class BinLight:
    light: int
    shown: nodes.LightState = nodes.CLEAR
    counter: int = 0
    confirm_token: int = 0
    acknowledged: int = 0
    online: bool = True

    def values(self) -> dict[str, object]:
        """Variable name -> value, as ``BIN_VARIABLES`` names them."""
        return {
            "Colour": int(self.shown.colour),
            "Blink": self.shown.blink,
            "Display": self.shown.display,
            "Token": self.shown.token,
            "ConfirmCounter": self.counter,
            "ConfirmToken": self.confirm_token,
            "AcknowledgedCounter": self.acknowledged,
            "Confirmed": self.counter != self.acknowledged,
            "Online": self.online,
        }


@dataclass
class LightBoard:
    """The bins of one controller. ``on_change(light)`` after each visible change (None: the machine state)."""

    bins: dict[int, BinLight]
    out_of_service: bool = False
    version: int = 0
    on_change: Callable[[int | None], None] | None = None

    @classmethod
    def build(cls, lights: Sequence[int]) -> LightBoard:
        if not lights or len(set(lights)) != len(lights) or any(n not in nodes.LIGHT_NUMBERS for n in lights):
            raise ValueError(f"lights must be unique numbers in 1..247, got {list(lights)}")
        return cls({n: BinLight(n) for n in lights})

    @property
    def state(self) -> nodes.MachineryItemState:
        if self.out_of_service:
            return nodes.MachineryItemState.OUT_OF_SERVICE
        lit = any(b.shown.colour is not Colour.OFF for b in self.bins.values())
        return nodes.MachineryItemState.EXECUTING if lit else nodes.MachineryItemState.NOT_EXECUTING

    # -- the host side (methods) ----------------------------------------------------------------------------------
    def light(self, light: int, state: nodes.LightState) -> None:
        if self.out_of_service:
            raise MethodRefused(S.BadInvalidState, "the controller is out of service")
        target = self._reach(light)
        if target.shown != state:  # idempotent: the same command twice changes nothing
            target.shown = state
            self._changed(light)

    def acknowledge(self, light: int, counter: int) -> None:
        target = self._reach(light)
        if not nodes.acknowledge_accepts(target.acknowledged, target.counter, counter):
            raise MethodRefused(S.BadOutOfRange, f"cannot acknowledge {counter}: ConfirmCounter is {target.counter}")
        if target.acknowledged != counter:
            target.acknowledged = counter
            self._changed(light)

    # -- the plant side -------------------------------------------------------------------------------------------
    def press(self, light: int) -> None:
        """A touch: count it (UInt32, wrapping) and capture the lit token. Latches even off the bus."""
        target = self.bins[light]
        target.counter = (target.counter + 1) % nodes.COUNTER_MODULUS
        target.confirm_token = target.shown.token
        self._changed(light)

    def lit(self, light: int) -> Lit:
        shown = self.bins[light].shown
        return Lit(shown.colour, shown.blink, shown.display, shown.token)

    def set_online(self, light: int, online: bool) -> None:
        self.bins[light].online = online
        self._changed(light)

    def set_out_of_service(self, out: bool) -> None:
        self.out_of_service = out
        self._changed(None)

    def restart(self) -> None:
        """Power cycle: every light dark, counters and acknowledgements back to 0."""
        for light in self.bins:
            self.bins[light] = BinLight(light, online=self.bins[light].online)
            self._changed(light)

    def _reach(self, light: int) -> BinLight:
        target = self.bins.get(light)
        if target is None or not target.online:
            raise MethodRefused(S.BadCommunicationError, f"light {light} does not answer on the bus")
        return target

    def _changed(self, light: int | None) -> None:
        self.version += 1
        if self.on_change is not None:
            self.on_change(light)


# -- the controller on the network ----------------------------------------------------------------------------------
class OpcUaPtlSim:
    """The board behind an OPC UA server. Plant side: ``press``, ``lit``, ``wait_changed`` (as ``PtlGatewaySim``)."""

    def __init__(
        self,
        lights: Sequence[int],
        *,
        security: ServerSecurity | None = None,
        users: UserTable | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        name: str = "ptl-sim",
    ) -> None:
        self.board = LightBoard.build(lights)
        self.board.on_change = self._mark
        self.host = SimServer(
            name=name,
            namespace_uri=nodes.PTL_NAMESPACE_URI,
            node_specs=nodes.ptl_address_space(lights),
            security=security or ServerSecurity(),
            users=users or UserTable({}),
            host=host,
            port=port,
            path="jis/ptl",
        )
        self._dirty: dict[int | None, None] = {}
        self._publish_wake = asyncio.Event()
        self._published = asyncio.Event()
        self._idle = True
        self._changed = asyncio.Event()
        self._publisher: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return self.host.url

    @property
    def lights(self) -> tuple[int, ...]:
        return tuple(self.board.bins)

    @property
    def version(self) -> int:
        return self.board.version

    async def start(self) -> str:
        methods: dict[str, MethodHandler] = {}
        for light in self.board.bins:
            methods[nodes.bin_path(light, "Light")] = partial(self._light, light)
            methods[nodes.bin_path(light, "Clear")] = partial(self._clear, light)
            methods[nodes.bin_path(light, "Acknowledge")] = partial(self._acknowledge, light)
        await self.host.start(methods)
        self._publisher = asyncio.create_task(self._publish_loop(), name=f"{self.host.name}-publisher")
        return self.url

    async def stop(self) -> None:
        if self._publisher is not None:
            self._publisher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._publisher
            self._publisher = None
        await self.host.stop()

    # -- plant side -------------------------------------------------------------------------------------------------
    def press(self, light: int) -> None:
        self.board.press(light)

    def lit(self, light: int) -> Lit:
        return self.board.lit(light)

    async def wait_changed(self, since: int) -> int:
        while self.board.version == since:
            self._changed.clear()
            await self._changed.wait()
        return self.board.version

    async def published(self) -> None:
        """Wait until every change so far is visible in the address space."""
        while not self._idle:
            self._published.clear()
            await self._published.wait()

    # -- fault switches ---------------------------------------------------------------------------------------------
    def set_light_online(self, light: int, online: bool) -> None:
        self.board.set_online(light, online)

    def set_out_of_service(self, out: bool) -> None:
        self.board.set_out_of_service(out)

    async def set_offline(self, down: bool) -> None:
        await self.host.set_offline(down)

    def restart(self) -> None:
        """Power cycle: lights dark, counters 0, every connection dropped."""
        self.board.restart()
        self.host.drop_connections()

    # -- methods ------------------------------------------------------------------------------------------------------
    async def _light(self, light: int, arguments: list[ua.Variant]) -> list[ua.Variant]:
        self.board.light(light, nodes.decode_light(arguments))
        return []

    async def _clear(self, light: int, arguments: list[ua.Variant]) -> list[ua.Variant]:
        if arguments:
            raise ValueError("Clear takes no arguments")
        self.board.light(light, nodes.CLEAR)
        return []

    async def _acknowledge(self, light: int, arguments: list[ua.Variant]) -> list[ua.Variant]:
        self.board.acknowledge(light, nodes.decode_acknowledge(arguments))
        return []

    # -- publication --------------------------------------------------------------------------------------------------
    def _mark(self, light: int | None) -> None:
        self._dirty[light] = None
        self._dirty[None] = None  # the machine state may follow any bin (Executing / NotExecuting)
        self._idle = False
        self._publish_wake.set()
        self._changed.set()

    async def _publish_loop(self) -> None:
        """Write changed bins in order; a bin changed while being written is marked again and written again."""
        while True:
            await self._publish_wake.wait()
            self._publish_wake.clear()
            while self._dirty:
                target = next(iter(self._dirty))
                del self._dirty[target]
                await self._publish(target)
            self._idle = True
            self._published.set()

    async def _publish(self, light: int | None) -> None:
        if light is None:
            await self.host.write(nodes.state_path(nodes.PTL_ROOT), ua.LocalizedText(self.board.state.value), _LT)
            return
        target = self.board.bins[light]
        values = target.values()
        names = nodes.BIN_PUBLISH_ORDER if target.online else ("Online",)  # off the bus: last values stay
        for name in names:
            await self.host.write(nodes.bin_path(light, name), values[name], _TYPES[name])


_LT = ua.VariantType.LocalizedText
_TYPES = {name: vtype for name, vtype, _, _ in nodes.BIN_VARIABLES}
