"""The OPC UA server host both OPC UA simulators share (pick-to-light and label print engine).

``SimServer`` hosts any ``plc_io.opcua`` node table (``ptl_model``, ``printer_model``) in an asyncua ``Server`` on
127.0.0.1 with a security profile from ``plc_io.opcua.security`` and ``CheckedUserManager``: a configured user table
with scrypt hashes, and in the plant profile also the channel's certificate must be in the trust list (asyncua's
default user manager accepts anyone). Method handlers are bound by node path. Before a handler runs, its arguments
are held to the node table's declaration as OPC 10000-4 (Services) 5.11.2.4 has it (``argument_refusal``): too few
BadArgumentsMissing, too many BadTooManyArguments, one of another DataType BadInvalidArgument with BadTypeMismatch
in that argument's inputArgumentResults; asyncua itself checks none of this. A handler refuses a call by raising
``MethodRefused`` (the call's StatusCode, no outputs), and a ``ValueError`` (a value out of range) answers
BadInvalidArgument.
``set_offline`` is a pulled cable (connections dropped, connects refused), ``drop_connections`` a cable cut.

It knows nothing of the devices behind it: their models and bindings live in the simulators that host them.
Must not: be imported by production code (import-linter forbids it), or accept a session the profile forbids.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from asyncua import ua
from asyncua.common.callback import CallbackType, ServerItemCallback
from asyncua.common.node import Node
from asyncua.server.server import Server
from asyncua.ua.status_codes import StatusCodes

from plc_io.loopback_ports import free_port
from plc_io.opcua import machinery
from plc_io.opcua.security import (
    Profile,
    ServerSecurity,
    UserTable,
    apply_server_security,
    log_profile,
)
from plc_io.opcua.users import CheckedUserManager

log = logging.getLogger(__name__)

MethodHandler = Callable[[list[ua.Variant]], Awaitable[list[ua.Variant]]]
PORT_ATTEMPTS = 3
S = StatusCodes


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
    node_specs: Sequence[machinery.NodeSpec]
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
    def offline(self) -> bool:
        """The cable is pulled (``set_offline``): nothing listens, connects are refused."""
        return self._offline

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
        await self._server.write_attribute_value(
            machinery.node_id(self._ns, path), ua.DataValue(ua.Variant(value, vtype))
        )

    async def write_standard(self, object_id: int, value: object, vtype: ua.VariantType) -> None:
        """Write a namespace-0 node (ServerStatus.StartTime after a simulated power cycle)."""
        assert self._server is not None, "start the server first"
        await self._server.write_attribute_value(ua.NodeId(ua.Int32(object_id)), ua.DataValue(ua.Variant(value, vtype)))

    async def _build(self, server: Server, methods: Mapping[str, MethodHandler]) -> None:
        ns = self._ns
        machines = await server.nodes.objects.add_folder(
            machinery.node_id(ns, machinery.MACHINES), ua.QualifiedName(machinery.MACHINES, ns)
        )
        created: dict[str, Node] = {"": machines}
        for spec in self.node_specs:
            parent = created[spec.parent]
            nid, qname = machinery.node_id(ns, spec.path), ua.QualifiedName(spec.browse_name, ns)
            if spec.kind is machinery.NodeKind.METHOD:
                handler = methods[spec.path]
                created[spec.path] = await parent.add_method(
                    nid, qname, self._bind(spec, handler), _arguments(spec.inputs), _arguments(spec.outputs)
                )
            elif spec.kind is machinery.NodeKind.VARIABLE and spec.vtype is not None:
                created[spec.path] = await parent.add_variable(nid, qname, ua.Variant(spec.initial, spec.vtype))
            elif spec.kind is machinery.NodeKind.FOLDER:
                created[spec.path] = await parent.add_folder(nid, qname)
            else:
                created[spec.path] = await parent.add_object(nid, qname)

    def _count_read(self, event: ServerItemCallback, _dispatcher: object) -> None:
        if event.is_external:
            self.reads += 1

    def _bind(self, spec: machinery.NodeSpec, handler: MethodHandler) -> Callable[..., Awaitable[Any]]:
        async def call(
            _parent: ua.NodeId, *arguments: ua.Variant
        ) -> list[ua.Variant] | ua.StatusCode | ua.CallMethodResult:
            self.calls[spec.browse_name] += 1
            if (refusal := argument_refusal(arguments, spec.inputs)) is not None:
                log.info("%s %s: arguments refused: %s", self.name, spec.path, refusal.StatusCode.name)
                return refusal
            try:
                return await handler(list(arguments))
            except MethodRefused as refused:
                log.info("%s %s refused: %s", self.name, spec.path, refused)
                return ua.StatusCode(ua.UInt32(refused.code))
            except ValueError as exc:
                log.info("%s %s: bad arguments: %s", self.name, spec.path, exc)
                return ua.StatusCode(ua.UInt32(S.BadInvalidArgument))

        return call


def argument_refusal(
    arguments: Sequence[ua.Variant], declared: tuple[machinery.Argument, ...]
) -> ua.CallMethodResult | None:
    """The Call result OPC 10000-4 5.11.2.4 prescribes for arguments that do not match the method's declaration
    (Table 67 operation level, Table 68 inputArgumentResults), or None when they match."""
    result = ua.CallMethodResult()
    if len(arguments) != len(declared):
        code = S.BadArgumentsMissing if len(arguments) < len(declared) else S.BadTooManyArguments
        result.StatusCode = ua.StatusCode(ua.UInt32(code))
        return result
    matches = [a.VariantType == d.vtype for a, d in zip(arguments, declared, strict=True)]
    if all(matches):
        return None
    result.StatusCode = ua.StatusCode(ua.UInt32(S.BadInvalidArgument))
    result.InputArgumentResults = [ua.StatusCode(ua.UInt32(S.Good if ok else S.BadTypeMismatch)) for ok in matches]
    return result


def _arguments(arguments: tuple[machinery.Argument, ...]) -> list[ua.Argument]:
    return [
        ua.Argument(
            Name=a.name, DataType=ua.NodeId(ua.Int32(a.vtype.value)), ValueRank=-1, Description=ua.LocalizedText(a.doc)
        )
        for a in arguments
    ]


class HostedSim:
    """A simulator served by one ``SimServer``: its address, and whether it is off the network (a fault switch)."""

    host: SimServer

    @property
    def url(self) -> str:
        return self.host.url

    @property
    def port(self) -> int:
        return self.host.port

    @property
    def offline(self) -> bool:
        return self.host.offline
