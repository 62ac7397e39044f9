"""CURVE keypairs for the OEM feed link (``jis feed-keys`` writes them), and loading them for the service.

What it is for: the feed link can run ZeroMQ CURVE (RFC 26, CurveZMQ) so that only known OEM gateways may
publish and every frame is encrypted. Each end has a keypair in zmq's own certificate format
(``zmq.auth.create_certificates``, ZPL text, keys Z85-encoded, RFC 32):

    DIR/NAME.key          the public key: give it to the other end
    DIR/NAME.key_secret   public + secret key, file mode 0600: stays on this machine

The service needs its own ``.key_secret`` and a folder of the allowed gateways' ``.key`` files, of which each feed
names its own (``[[feeds]] gateway_keys``: ``load_feed_publishers``); a gateway needs its own ``.key_secret`` and
the service's ``.key`` (docs/feed-protocol.md, "CURVE").

Must not: overwrite an existing key unless told to (``force``), leave a secret key readable by other users,
open a socket (the feed link does that), or parse a command line (``app/cli/feed_keys.py`` does).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import zmq
import zmq.auth

PUBLIC_SUFFIX, SECRET_SUFFIX = ".key", ".key_secret"  # what zmq.auth.create_certificates writes
SECRET_MODE = 0o600


class FeedKeyError(Exception):
    """A key file is missing, unreadable, has no secret key where one is needed, or would be overwritten."""


@dataclass(frozen=True)
class CurveServer:
    """The service end: its keypair (Z85 bytes) and the Z85 public keys of the gateways allowed to publish."""

    public_key: bytes
    secret_key: bytes
    allowed: frozenset[bytes]


@dataclass(frozen=True)
class KeyFiles:
    public: Path
    secret: Path


def curve_available() -> bool:
    """True if the installed libzmq was built with CURVE (libsodium or tweetnacl)."""
    return bool(zmq.has("curve"))


def write_keypair(out: Path | str, name: str, *, force: bool = False) -> KeyFiles:
    """Write ``out/NAME.key`` and ``out/NAME.key_secret`` (mode 0600); refuse to overwrite unless ``force``."""
    if not name or Path(name).name != name:
        raise ValueError(f"key name must be a plain file name, got {name!r}")
    folder = Path(out)
    files = KeyFiles(folder / f"{name}{PUBLIC_SUFFIX}", folder / f"{name}{SECRET_SUFFIX}")
    existing = [p for p in (files.public, files.secret) if p.exists()]
    if existing and not force:
        raise FeedKeyError(f"{existing[0]} exists (use --force to replace the keypair)")
    folder.mkdir(parents=True, exist_ok=True)
    for path in existing:
        path.unlink()
    zmq.auth.create_certificates(folder, name)
    os.chmod(files.secret, SECRET_MODE)  # zmq writes it with the umask's mode; a secret is for us only
    return files


def load_public_key(path: Path | str) -> bytes:
    """The Z85 public key in a ``.key`` (or ``.key_secret``) file."""
    public, _ = _load(path)
    return public


def load_keypair(path: Path | str) -> tuple[bytes, bytes]:
    """(public, secret) Z85 keys from a ``.key_secret`` file."""
    public, secret = _load(path)
    if secret is None:
        raise FeedKeyError(f"{path}: no secret key (a .key_secret file is needed)")
    return public, secret


def load_allowed_keys(folder: Path | str) -> frozenset[bytes]:
    """The Z85 public keys of every ``*.key`` file in ``folder`` (the allowed gateways)."""
    path = Path(folder)
    if not path.is_dir():
        raise FeedKeyError(f"{path}: allowed-keys folder not found")
    return frozenset(load_public_key(p) for p in sorted(path.glob(f"*{PUBLIC_SUFFIX}")))


def load_feed_publishers(folder: Path | str, gateway_keys: Mapping[str, Sequence[str]]) -> dict[str, frozenset[bytes]]:
    """Feed -> the Z85 public keys of the gateways allowed to publish it: each NAME of ``gateway_keys`` is the
    file ``folder/NAME.key``; a name without its file is an error naming the feed."""
    publishers: dict[str, frozenset[bytes]] = {}
    for feed, names in gateway_keys.items():
        keys = set()
        for name in names:
            path = Path(folder) / f"{name}{PUBLIC_SUFFIX}"
            if not path.is_file():
                raise FeedKeyError(f"feed {feed}: gateway key {name!r} is not in {folder} (no {path.name} there)")
            keys.add(load_public_key(path))
        publishers[feed] = frozenset(keys)
    return publishers


def load_curve_server(secret_file: Path | str, allowed: Path | str | Sequence[bytes]) -> CurveServer:
    """The service's CURVE settings: its ``.key_secret`` and a folder of allowed ``.key`` files (or the keys)."""
    public, secret = load_keypair(secret_file)
    keys = load_allowed_keys(allowed) if isinstance(allowed, (str, Path)) else frozenset(allowed)
    if not keys:
        raise FeedKeyError("no allowed gateway keys: every gateway would be refused")
    return CurveServer(public_key=public, secret_key=secret, allowed=keys)


def _load(path: Path | str) -> tuple[bytes, bytes | None]:
    try:
        public, secret = zmq.auth.load_certificate(path)
    except (OSError, ValueError) as exc:
        raise FeedKeyError(f"{path}: {exc}") from exc
    if public is None:
        raise FeedKeyError(f"{path}: no public key")
    return public, secret
