"""TCP endpoints as a person writes them (``tcp://HOST:PORT`` for ZeroMQ, ``opc.tcp://HOST:PORT/PATH``), and
whether a port is free to listen on, checked before a command binds it, so that a mistake is one clear sentence.

What it must not do: keep a socket open (a probe binds, listens and closes at once), or connect anywhere.
"""

from __future__ import annotations

import contextlib
import errno
import socket
from urllib.parse import urlsplit

ZMQ_SCHEMES = ("tcp", "ipc", "inproc")


class EndpointError(ValueError):
    """Not an endpoint this program can bind or connect to."""


def check_zmq_endpoint(text: str) -> str:
    """``text`` if it is a ZeroMQ endpoint (``tcp://HOST:PORT``, ``ipc://PATH``, ``inproc://NAME``)."""
    scheme, sep, rest = text.partition("://")
    if not sep or scheme not in ZMQ_SCHEMES or not rest:
        raise EndpointError(f"{text!r} is not a ZeroMQ endpoint: tcp://HOST:PORT")
    if scheme == "tcp":
        host, colon, port = rest.rpartition(":")
        if not colon or not host or not (port == "*" or (port.isdigit() and int(port) < 65536)):
            raise EndpointError(f"{text!r} is not a ZeroMQ endpoint: tcp://HOST:PORT (PORT up to 65535)")
    return text


def listen_address(endpoint: str) -> tuple[str, int] | None:
    """(host, port) a bind to ``endpoint`` listens on; None when it takes no fixed TCP port (ipc, port * or 0)."""
    url = urlsplit(endpoint)
    if url.scheme not in ("tcp", "opc.tcp"):
        return None
    try:
        port = url.port
    except ValueError:
        return None
    if not port or url.hostname is None:
        return None
    return ("0.0.0.0" if url.hostname == "*" else url.hostname), port


def port_in_use(host: str, port: int) -> bool:
    """True if something already listens on ``host:port`` (a port merely in TIME_WAIT is free, as for ZeroMQ,
    which binds with SO_REUSEADDR)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return False  # an unknown host is not this check's business: the bind says so itself
    family, _, _, _, address = infos[0]
    with contextlib.closing(socket.socket(family, socket.SOCK_STREAM)) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
            probe.listen(1)
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
    return False


def refuse_if_taken(endpoint: str, what: str) -> None:
    """Raise ``EndpointError`` if something already listens where a bind to ``endpoint`` would (``what``: the
    option or plant-file key that gave it, named in the message)."""
    address = listen_address(endpoint)
    if address is not None and port_in_use(*address):
        raise EndpointError(f"{endpoint} ({what}) is already in use: stop what listens there, or give it another port")
