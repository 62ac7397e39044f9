"""Pick-to-light over OPC UA: the ``PickToLight`` port for a controller with the node model of ``ptl_model``.

One asyncua ``Client`` per controller, owned by the ``run`` task and created anew for every connection (asyncua's
own reconnect could hang in older versions; a fresh client and session after every loss is simple and always
ends). ``show``/``clear`` only queue: a bounded outbox that coalesces per light (a later command replaces the
unsent one) and refuses with ``OutboxFull`` when full, exactly as ``plc_io.modbus.ptl``.

What ``run`` guarantees (docs/opcua.md):
- the security profile is applied on every connect (``plc_io.opcua.security``); the dev profile logs a warning
  at start-up; the link is up only when the controller answered and its MachineryItemState serves
  (NotExecuting or Executing), and ``LinkChanged(device=name)`` comes exactly once per transition
  (``plc_io.link``);
- light commands are Light / Clear method calls, batched up to ``CALLS_PER_REQUEST`` in ONE Call request
  (asyncua costs ~0.3 ms of CPU per request on each side), each followed by ``LightShown``; after every
  (re)connect, when the controller serves again and when a light answers again, the desired state of the
  light(s) is sent again (Light is idempotent);
- confirms: a subscription watches ConfirmCounter and Online of every bin and CurrentState. A notification is
  only a hint ("read this bin"): it marks the bin in a per-bin dirty set, so nothing queues per press. The
  OVERFLOW POLICY is deliberate: asyncua's iterator queue is bounded (``queue_maxsize``) with its DISCONNECT
  policy, whose hook we point at a resync (every bin marked dirty) instead of a reconnect; the server queue per
  item is 1 (the newest value is all a hint needs). Nothing can be lost, because the counter is the truth: each
  dirty bin is re-read (Online, ConfirmCounter, ConfirmToken, AcknowledgedCounter in one Read) and reported by
  ``BinPressed`` with the number of new presses by the counter, then acknowledged (Acknowledge(counter)). After
  every reconnect and every ``resync_interval_s`` all counters are read again, since notifications may be lost;
- a light off the bus (Online False, or a Bad status from its method) is ``LinkChanged(device=light_device(name,
  light))`` once down and once up; its commands wait, the rest of the chain carries on;
- every call has a timeout; library exceptions become ``DeviceError`` and end the connection.

Must not: be used from more than one task, block the event loop, or call a bin outside ``allowed_lights``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import NoReturn

from asyncua import ua
from asyncua.client.client import Client
from asyncua.common.subscription import DataChangeEvent, OverflowPolicy, StatusChangeEvent, Subscription

from plc_io.light_outbox import LightOutbox
from plc_io.link import DeviceLink, LightLinks
from plc_io.opcua import machinery, ptl_model
from plc_io.opcua.client import close_client, guarded, namespace_index, open_client
from plc_io.opcua.security import ClientSecurity, log_profile
from plc_io.ports import BinPressed, Colour, DeviceError, LightShown, Report

log = logging.getLogger(__name__)

CALLS_PER_REQUEST = 64
WATCH_STATE = None  # the dirty-set key for the controller's CurrentState


@dataclass(frozen=True, slots=True)
class _Call:
    light: int
    method: str  # "Light", "Clear" or "Acknowledge"
    arguments: list[ua.Variant]
    token: int | None  # the token a Light/Clear shows; None for Acknowledge


class OpcUaPickToLight:
    """``PickToLight`` for one OPC UA controller at ``url``; ``lights`` are its bins (``Bins/Bin003``: 3)."""

    def __init__(
        self,
        name: str,
        url: str,
        lights: Sequence[int],
        *,
        security: ClientSecurity | None = None,
        timeout_s: float = 2.0,
        publish_interval_ms: float = 20.0,
        resync_interval_s: float = 2.0,
        outbox_size: int = 256,
        allowed_lights: Collection[int] | None = None,
        notification_queue: int | None = None,
    ) -> None:
        _check_config(lights, allowed_lights, timeout_s, resync_interval_s, outbox_size)
        self.name = name
        self._url, self._security = url, security or ClientSecurity()
        self._lights = tuple(lights)

        self._timeout_s, self._publish_ms, self._resync_s = timeout_s, publish_interval_ms, resync_interval_s
        self._queue_size = notification_queue or 4 * (len(ptl_model.BIN_WATCH) * len(self._lights) + 1)
        self.overflows = 0  # times asyncua's notification queue was full (each one a resync, never a loss)
        self._outbox = LightOutbox(name, self._lights, ptl_model.CLEAR, size=outbox_size, allowed=allowed_lights)
        self._desired, self._unsent = self._outbox.desired, self._outbox.unsent
        self._acks: dict[int, int] = {}  # light -> counter to acknowledge
        self._baseline: dict[int, int] = {}  # last ConfirmCounter counted per light
        self._dirty: dict[int | None, None] = {}  # bins (and WATCH_STATE) to read
        self._serving = False
        self._lost = ""  # set by the notification pump when the subscription reports a bad status
        self._link = DeviceLink(name, "controller", log)
        self._light_links = LightLinks(name, log)
        self._wake = asyncio.Event()

    # -- the port: non-blocking commands ------------------------------------------------------------------------
    def restore_counters(self, counters: dict[int, int]) -> None:
        """Count presses from the journaled counters (``PickToLight.restore_counters``); call before ``run``."""
        self._baseline.update({light: c for light, c in counters.items() if light in self._lights})

    def show(self, light: int, *, colour: Colour, flash: bool, display: int, token: int) -> None:
        self._queue(light, ptl_model.LightState(colour=Colour(colour), blink=flash, display=display, token=token))

    def clear(self, light: int) -> None:
        self._queue(light, ptl_model.CLEAR)

    def _queue(self, light: int, state: ptl_model.LightState) -> None:
        ptl_model.check_light(state)  # a bad display or token fails the caller (ValueError), not the run task
        self._outbox.put(light, state)
        self._wake.set()

    # -- the owning task --------------------------------------------------------------------------------------------
    async def run(self, report: Report) -> None:
        log_profile(log, f"{self.name} -> {self._url}", self._security.profile)
        await self._link.run(report, lambda: self._connection(report))

    async def _connection(self, report: Report) -> NoReturn:
        client = await open_client(self._url, self._security, name=self.name, timeout_s=self._timeout_s)
        pump: asyncio.Task[None] | None = None
        try:
            ids = await self._resolve(client)
            self._lost, self._serving = "", False
            subscription = await self._subscribe(client, ids)
            pump = asyncio.create_task(self._pump(subscription, ids), name=f"{self.name}-notifications")
            self._resync()  # notifications may have been lost with the last connection: read every counter
            self._unsent.update(dict.fromkeys(self._lights))  # the controller may have restarted dark
            self._light_links.probe_now()
            await self._cycle(client, ids, report, pump)
        finally:
            if pump is not None:
                pump.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pump
            await close_client(client, self._timeout_s)

    async def _cycle(self, client: Client, ids: _Ids, report: Report, pump: asyncio.Task[None]) -> NoReturn:
        loop = asyncio.get_running_loop()
        next_resync = loop.time() + self._resync_s
        while True:
            if self._lost or pump.done():
                raise DeviceError(f"{self.name}: {self._lost or 'notification pump ended'}")
            if loop.time() >= next_resync:
                self._resync()
                next_resync = loop.time() + self._resync_s
            self._probe_faulted(loop.time())
            await self._read(client, ids, report)
            await self._send(client, ids, report)
            await self._idle(min(next_resync, self._light_links.next_probe()))

    async def _resolve(self, client: Client) -> _Ids:
        namespace = await namespace_index(client, ptl_model.PTL_NAMESPACE_URI, self.name, self._url, self._timeout_s)
        return _Ids(namespace, self._lights)

    async def _subscribe(self, client: Client, ids: _Ids) -> Subscription:
        watched = [client.get_node(i) for i in ids.watched]
        async with guarded(f"{self.name}: subscribe", self._timeout_s):
            subscription = await client.create_subscription(
                self._publish_ms, queue_maxsize=self._queue_size, overflow=OverflowPolicy.DISCONNECT
            )
            subscription.set_overflow_disconnect_handler(self._on_overflow)  # our policy: resync, not reconnect
            await subscription.subscribe_data_change(watched, queuesize=1)
        return subscription

    async def _pump(self, subscription: Subscription, ids: _Ids) -> None:
        """Notifications -> the per-bin dirty set. No I/O: the run task does all reads."""
        async for event in subscription:
            if isinstance(event, DataChangeEvent):
                self._dirty[ids.watched.get(event.node.nodeid, WATCH_STATE)] = None
            elif isinstance(event, StatusChangeEvent) and not event.notification.Status.is_good():
                self._lost = f"subscription ended: {event.notification.Status.name}"
            self._wake.set()

    def _probe_faulted(self, now: float) -> None:
        """A light reported down is read again every ``plc_io.link.OFFLINE_PROBE_S`` (its Online may never change)."""
        self._dirty.update(dict.fromkeys(self._light_links.due_probes(now)))

    def _on_overflow(self) -> None:
        self.overflows += 1
        log.warning("%s: notification queue full: reading every bin again", self.name)
        self._resync()

    def _resync(self) -> None:
        self._dirty.update(dict.fromkeys((WATCH_STATE, *self._lights)))
        self._wake.set()

    async def _idle(self, until: float) -> None:
        """Wait for a notification, a command, or the next resync or probe time."""
        if self._dirty or self._sendable():
            return
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max(0.0, until - asyncio.get_running_loop().time())):
                await self._wake.wait()

    # -- reads: machine state and confirms --------------------------------------------------------------------------
    async def _read(self, client: Client, ids: _Ids, report: Report) -> None:
        if not self._dirty:
            return
        bins = [light for light in self._dirty if light is not WATCH_STATE]
        self._dirty.clear()
        paths = [ids.state, *(ids.bin_node(light, name) for light in bins for name in ptl_model.BIN_READ)]
        async with guarded(f"{self.name}: read", self._timeout_s):
            values = await client.read_attributes([client.get_node(p) for p in paths])
        self._take_state(report, values[0])
        width = len(ptl_model.BIN_READ)
        for i, light in enumerate(bins):
            self._take_bin(report, light, values[1 + i * width : 1 + (i + 1) * width])

    def _take_state(self, report: Report, value: ua.DataValue) -> None:
        state = machinery.decode_state(_value(value)) if _good(value) else machinery.MachineryItemState.NOT_AVAILABLE
        serving = state in machinery.SERVING_STATES
        if serving and not self._serving:
            self._unsent.update(dict.fromkeys(self._lights))  # it may have gone dark while out of service
        self._serving = serving
        if serving:
            self._link.up(f"controller {state.value}")
        else:
            self._link.down(f"controller {state.value}")

    def _take_bin(self, report: Report, light: int, values: Sequence[ua.DataValue]) -> None:
        bad = [v.StatusCode.name for v in values if v.StatusCode is not None and not v.StatusCode.is_good()]
        try:
            snapshot = ptl_model.decode_bin([_value(v) for v in values]) if not bad else None
        except ValueError as exc:
            bad = [str(exc)]
            snapshot = None
        if snapshot is None:
            self._light_links.down(report, light, f"light {light}: unreadable ({', '.join(bad)})")
            return
        count = ptl_model.presses_since(self._baseline.get(light), snapshot)
        self._baseline[light] = snapshot.counter
        if count:
            report(
                BinPressed(device=self.name, light=light, token=snapshot.token, count=count, counter=snapshot.counter)
            )
        if snapshot.latched:
            self._acks[light] = snapshot.counter
        if not snapshot.online:
            self._light_links.down(report, light, f"light {light}: off the controller's bus")
        elif self._light_links.due(light, asyncio.get_running_loop().time()) and self._light_links.up(report, light):
            self._unsent.setdefault(light)  # it may have restarted dark: send its desired state again

    # -- commands out -----------------------------------------------------------------------------------------------
    def _sendable(self) -> list[int]:
        if not self._serving:
            return []
        return [light for light in (*self._unsent, *self._acks) if light not in self._light_links]

    async def _send(self, client: Client, ids: _Ids, report: Report) -> None:
        calls = self._take_calls()
        for start in range(0, len(calls), CALLS_PER_REQUEST):
            batch = calls[start : start + CALLS_PER_REQUEST]
            try:
                async with guarded(f"{self.name}: call", self._timeout_s):
                    results = await client.uaclient.call([ids.request(c) for c in batch])
            except DeviceError:
                self._requeue(calls[start:])
                raise
            for call, result in zip(batch, results, strict=True):
                self._take_result(report, call, result)

    def _take_calls(self) -> list[_Call]:
        calls: list[_Call] = []
        if not self._serving:
            return calls
        for light in [x for x in self._unsent if x not in self._light_links]:
            del self._unsent[light]
            state = self._desired[light]
            method, arguments = ("Clear", []) if state == ptl_model.CLEAR else ("Light", ptl_model.encode_light(state))
            calls.append(_Call(light, method, arguments, state.token))
        for light in [x for x in self._acks if x not in self._light_links]:
            calls.append(_Call(light, "Acknowledge", ptl_model.encode_acknowledge(self._acks.pop(light)), None))
        return calls

    def _requeue(self, calls: Sequence[_Call]) -> None:
        for call in calls:
            if call.token is not None:
                self._unsent.setdefault(call.light)  # acknowledgements are re-derived from the next read

    def _take_result(self, report: Report, call: _Call, result: ua.CallMethodResult) -> None:
        if result.StatusCode.is_good():
            if call.token is not None:
                report(LightShown(device=self.name, light=call.light, token=call.token))
            return
        if call.token is not None:
            self._unsent.setdefault(call.light)  # sent again when the light answers
        self._light_links.down(report, call.light, f"light {call.light}: {call.method} {result.StatusCode.name}")


class _Ids:
    """The NodeIds of one connection (the namespace index is looked up per connection, never assumed)."""

    def __init__(self, namespace: int, lights: Sequence[int]) -> None:
        self.ns = namespace
        self.state = machinery.node_id(namespace, machinery.state_path(ptl_model.PTL_ROOT))
        self.watched: dict[ua.NodeId, int | None] = {self.state: WATCH_STATE}
        for light in lights:
            self.watched.update({self.bin_node(light, name): light for name in ptl_model.BIN_WATCH})

    def bin_node(self, light: int, member: str = "") -> ua.NodeId:
        return machinery.node_id(self.ns, ptl_model.bin_path(light, member))

    def request(self, call: _Call) -> ua.CallMethodRequest:
        return ua.CallMethodRequest(
            ObjectId=self.bin_node(call.light),
            MethodId=self.bin_node(call.light, call.method),
            InputArguments=call.arguments,
        )


def _good(value: ua.DataValue) -> bool:
    return value.StatusCode is None or value.StatusCode.is_good()


def _value(value: ua.DataValue) -> object:
    return value.Value.Value if value.Value is not None else None


def _check_config(
    lights: Sequence[int], allowed: Collection[int] | None, timeout_s: float, resync_s: float, outbox_size: int
) -> None:
    problems = {
        "lights must be unique bin numbers in 1..247": not lights
        or len(set(lights)) != len(lights)
        or any(light not in ptl_model.LIGHT_NUMBERS for light in lights),
        "every light must be in allowed_lights": allowed is not None and not set(lights) <= set(allowed),
        "timeout_s and resync_interval_s must be positive": timeout_s <= 0 or resync_s <= 0,
        "outbox_size must be at least 1": outbox_size < 1,
    }
    failed = [message for message, bad in problems.items() if bad]
    if failed:
        raise ValueError(f"OpcUaPickToLight config: {'; '.join(failed)} (lights={list(lights)})")
