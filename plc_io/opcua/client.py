"""One OPC UA client connection as both OPC UA drivers open, use and close it: bounded in time, every library error
one ``DeviceError``, a fresh client and session for every connection.

What it is for: the asyncua calls the pick-to-light and the print-engine drivers make the same way (asyncua's own
reconnect could hang in older versions; a new client after every loss always ends: docs/opcua.md).
What it must not do: reconnect on its own (the driver's owning task does: ``plc_io.link``), choose a security
profile (``plc_io.opcua.security`` applies it), or know a node model beyond the namespace it looks up.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from asyncua import ua
from asyncua.client.client import Client
from asyncua.ua.uaerrors import UaError

from plc_io.link import raise_if_cancelled
from plc_io.opcua.security import ClientSecurity, apply_client_security
from plc_io.ports import DeviceError

LIBRARY_ERRORS = (UaError, OSError, TimeoutError)  # ConnectionError is an OSError; ServiceError a UaError
SESSION_TIMEOUT_MS = 30_000  # a session orphaned by a cut cable is dropped by the server after this
CONNECT_ROUND_TRIPS = 6  # GetEndpoints, Hello, OpenSecureChannel, CreateSession, ActivateSession, namespaces


def error_text(exc: BaseException) -> str:
    """A library error in one line, with the OPC UA status name when there is one (BadUserAccessDenied, ...)."""
    code = getattr(exc, "code", None)
    if isinstance(code, int):
        return f"{ua.StatusCode(ua.UInt32(code)).name} ({type(exc).__name__})"
    return repr(exc)


@contextlib.asynccontextmanager
async def guarded(what: str, timeout_s: float) -> AsyncIterator[None]:
    """Bound a library call in time and turn every library error into ``DeviceError`` (one type for the app)."""
    try:
        async with asyncio.timeout(timeout_s):
            yield
            raise_if_cancelled()
    except LIBRARY_ERRORS as exc:
        raise DeviceError(f"{what}: {error_text(exc)}") from exc


async def open_client(url: str, security: ClientSecurity, *, name: str, timeout_s: float) -> Client:
    """A connected client (security applied, session activated), or ``DeviceError``; never a half-open one."""
    client = Client(url, timeout=timeout_s, watchdog_intervall=timeout_s)
    client.session_timeout = SESSION_TIMEOUT_MS
    client.name = client.description = f"jis {name}"
    try:
        async with guarded(f"{name}: connect to {url}", timeout_s * CONNECT_ROUND_TRIPS):
            await apply_client_security(client, security)
            await client.connect()
    except BaseException:
        await close_client(client, timeout_s)
        raise
    return client


async def close_client(client: Client, timeout_s: float) -> None:
    """Close the session politely if the link allows, in bounded time; the socket is closed in any case."""
    try:
        with contextlib.suppress(*LIBRARY_ERRORS, DeviceError):
            async with guarded("close", timeout_s):
                await client.disconnect()
    finally:
        with contextlib.suppress(Exception):
            client.disconnect_socket()


async def namespace_index(client: Client, uri: str, device: str, url: str, timeout_s: float) -> int:
    """The index of the device's namespace on this connection (looked up per connection, never assumed)."""
    async with guarded(f"{device}: namespace", timeout_s):
        namespaces = await client.get_namespace_array()
    if uri not in namespaces:
        raise DeviceError(f"{device}: {url} has no namespace {uri}")
    return namespaces.index(uri)
