"""A simulated OPC UA pick-to-light controller: the bins' board bound to an OPC UA server.

``OpcUaPtlSim`` hosts a ``LightBoard`` (``hardware_sims.opcua_ptl_board``: the pure behaviour of the bins) in a
``SimServer`` (``hardware_sims.opcua_sim_server``: the asyncua host with the security profiles and the user
check), binds the board to the Light, Clear and Acknowledge methods and publishes every change, writing
ConfirmCounter last (``BIN_PUBLISH_ORDER``). Plant side: ``press``, ``lit``, ``wait_changed``, as the Modbus
``PtlGatewaySim``.

Device behaviour modelled (docs/opcua.md): a press latches locally even while the light is off its bus and is
published when it comes back; Light, Clear and Acknowledge on a light off the bus answer BadCommunicationError
(the OPC UA counterpart of Modbus 0x0B); out of service, Light answers BadInvalidState; ``set_offline`` is a
pulled cable (connections dropped, connects refused); ``restart`` is a power cycle (lights dark, counters 0).
There is no time-dependent behaviour, so no clock.

The server host and the board used to live here and are still importable from here.
Must not: be imported by production code (import-linter forbids it), or accept a session the profile forbids.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from functools import partial

from asyncua import ua

from hardware_sims.opcua_ptl_board import LightBoard
from hardware_sims.opcua_sim_server import HostedSim, MethodHandler, SimServer
from hardware_sims.ptl_gateway import Lit
from plc_io.opcua import machinery, ptl_model
from plc_io.opcua.security import ServerSecurity, UserTable


class OpcUaPtlSim(HostedSim):
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
            namespace_uri=ptl_model.PTL_NAMESPACE_URI,
            node_specs=ptl_model.ptl_address_space(lights),
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
    def lights(self) -> tuple[int, ...]:
        return tuple(self.board.bins)

    @property
    def version(self) -> int:
        return self.board.version

    async def start(self) -> str:
        methods: dict[str, MethodHandler] = {}
        for light in self.board.bins:
            methods[ptl_model.bin_path(light, "Light")] = partial(self._light, light)
            methods[ptl_model.bin_path(light, "Clear")] = partial(self._clear, light)
            methods[ptl_model.bin_path(light, "Acknowledge")] = partial(self._acknowledge, light)
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
        self.board.light(light, ptl_model.decode_light(arguments))
        return []

    async def _clear(self, light: int, arguments: list[ua.Variant]) -> list[ua.Variant]:
        if arguments:
            raise ValueError("Clear takes no arguments")
        self.board.light(light, ptl_model.CLEAR)
        return []

    async def _acknowledge(self, light: int, arguments: list[ua.Variant]) -> list[ua.Variant]:
        self.board.acknowledge(light, ptl_model.decode_acknowledge(arguments))
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
            await self.host.write(
                machinery.state_path(ptl_model.PTL_ROOT), ua.LocalizedText(self.board.state.value), _LT
            )
            return
        target = self.board.bins[light]
        values = target.values()
        names = ptl_model.BIN_PUBLISH_ORDER if target.online else ("Online",)  # off the bus: last values stay
        for name in names:
            await self.host.write(ptl_model.bin_path(light, name), values[name], _TYPES[name])


_LT = ua.VariantType.LocalizedText
_TYPES = {name: vtype for name, vtype, _, _ in ptl_model.BIN_VARIABLES}
