"""OPC UA security profiles: ``plant`` (signed and encrypted, trusted certificates, checked users) and ``dev``.

What it is for: the one place that turns a profile into asyncua settings, for the drivers' clients and the
simulators' servers, because asyncua's defaults are unsafe (/work/shared/design/devices.md): a server accepts
any user name and password (``PermissiveUserManager``) and any client certificate, offers the unsecured
endpoint, and a client not given the server certificate takes whatever the endpoint list says.

``plant``: one or both of Basic256Sha256 and Aes256_Sha256_RsaPss, always Sign & Encrypt (OPC 10000-7 profiles;
Basic128Rsa15 and Basic256 are deprecated and never offered); each side holds its own self-signed Application
Instance Certificate (``jis certs``) and a trust-list folder with the peer's certificate (``TrustList``, read again
whenever the folder changes: no restart to trust, reject or remove a peer). The server checks the client
certificate against its trust list at CreateSession (then asyncua's ``CertificateValidator`` checks time,
ApplicationUri and key usages) and keeps a refused one in ``rejected/certs``; the client fetches the server certificate
from the endpoint list over a discovery-only unsecured channel, refuses it unless it is in ITS trust list, pins
it for the secure channel and checks it again at CreateSession. Only UserName tokens are accepted; the password
travels inside the encrypted channel and is checked against a table of scrypt hashes (``UserTable``).
``dev``: the unsecured endpoint, anonymous allowed. It exists for development only and says so in the log at
start-up (``log_profile``), every time.

Must not: read the environment or files at import time, log a password, or offer a mode without encryption in
the plant profile.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Literal

from asyncua import ua
from asyncua.client.client import Client
from asyncua.common.utils import ServiceError
from asyncua.crypto import security_policies as policies
from asyncua.crypto.validator import CertificateValidator, CertificateValidatorMethod, CertificateValidatorOptions
from asyncua.server.server import Server
from asyncua.server.user_managers import UserManager
from asyncua.ua.status_codes import StatusCodes
from asyncua.ua.uaerrors import UaError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from plc_io.opcua.trust_folders import TrustFolders, common_name, keep_rejected, read_certificate, thumbprint

_log = logging.getLogger(__name__)


class Profile(StrEnum):
    DEV = "dev"
    PLANT = "plant"


@dataclass(frozen=True, slots=True)
class Policy:
    client: type[policies.SecurityPolicy]
    server: ua.SecurityPolicyType


# Sign & Encrypt only: a signed-only channel would show pick tokens and label data to anyone on the network.
POLICIES: dict[str, Policy] = {
    "Basic256Sha256": Policy(
        policies.SecurityPolicyBasic256Sha256, ua.SecurityPolicyType.Basic256Sha256_SignAndEncrypt
    ),
    "Aes256_Sha256_RsaPss": Policy(
        policies.SecurityPolicyAes256Sha256RsaPss, ua.SecurityPolicyType.Aes256Sha256RsaPss_SignAndEncrypt
    ),
}
DEFAULT_POLICY = "Basic256Sha256"
UNSECURED_WARNING = (
    "%s: OPC UA UNSECURED development profile: no encryption, no certificate check, anonymous access. "
    "For development only; never on a plant network (use the plant profile)."
)
# asyncua's checks after the trust list's own (``TrustList.validator``): validity period, ApplicationUri, key usages
PEER_OPTIONS = {
    "client": CertificateValidatorOptions.EXT_VALIDATION | CertificateValidatorOptions.PEER_CLIENT,
    "server": CertificateValidatorOptions.EXT_VALIDATION | CertificateValidatorOptions.PEER_SERVER,
}
# scrypt cost (RFC 7914): N=2^14, r=8, p=1 takes 16 MiB and some 50 ms: a password check per session, not per call
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SCRYPT_MAXMEM = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientSecurity:
    """How a driver connects. ``password`` never shows in a repr or a log."""

    profile: Profile = Profile.DEV
    policy: str = DEFAULT_POLICY
    certificate: Path | None = None
    private_key: Path | None = None
    trusted: Path | None = None  # folder of server certificates this client accepts
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        plant = self.profile is Profile.PLANT
        problems = {
            f"policy {self.policy!r} is not one of {sorted(POLICIES)}": self.policy not in POLICIES,
            "the plant profile needs certificate, private_key and trusted": plant
            and None in (self.certificate, self.private_key, self.trusted),
            "the plant profile needs a user and a password": plant and not (self.user and self.password),
            "a user needs a password": bool(self.user) and self.password is None,
        }
        failed = [message for message, bad in problems.items() if bad]
        if failed:
            raise ValueError(f"OPC UA client security: {'; '.join(failed)}")


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerSecurity:
    """How a (simulated) device's server accepts clients."""

    profile: Profile = Profile.DEV
    policies: tuple[str, ...] = tuple(POLICIES)
    certificate: Path | None = None
    private_key: Path | None = None
    trusted: Path | None = None  # folder of client certificates this server accepts

    def __post_init__(self) -> None:
        plant = self.profile is Profile.PLANT
        problems = {
            f"policies must be a non-empty subset of {sorted(POLICIES)}": not self.policies
            or not set(self.policies) <= set(POLICIES),
            "the plant profile needs certificate, private_key and trusted": plant
            and None in (self.certificate, self.private_key, self.trusted),
        }
        failed = [message for message, bad in problems.items() if bad]
        if failed:
            raise ValueError(f"OPC UA server security: {'; '.join(failed)}")


def log_profile(log: logging.Logger, who: str, profile: Profile, detail: str = "") -> None:
    """At start-up: the dev profile is a WARNING every time; the plant profile says what it enforces."""
    if profile is Profile.DEV:
        log.warning(UNSECURED_WARNING, who)
    else:
        log.info("%s: OPC UA plant profile (Sign & Encrypt, trusted certificates, user check) %s", who, detail)


# -- certificates and the trust list ----------------------------------------------------------------------------
load_certificate = read_certificate  # DER or PEM (``trust_folders``)


def certificate_uri(path: Path) -> str:
    """The ApplicationUri in a certificate's subjectAltName: the application must announce exactly this one."""
    cert = load_certificate(path)
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound as exc:
        raise ValueError(f"{path}: no subjectAltName, so no ApplicationUri (OPC 10000-6 §6.2.2)") from exc
    uris = names.get_values_for_type(x509.UniformResourceIdentifier)
    if not uris:
        raise ValueError(f"{path}: subjectAltName has no URI, so no ApplicationUri (OPC 10000-6 §6.2.2)")
    return str(uris[0])


class TrustList:
    """The peer certificates an application trusts: the files of its trust-list folder (``trust_folders``: ``trusted/``
    and ``trusted/certs/``), read again whenever the folder's listing changes (names, sizes, modification times:
    a few stat calls per session), so a certificate trusted, rejected or removed takes effect at the next session
    without a restart. Self-signed certificates are trusted one by one, by SHA-256 thumbprint; an empty list is a
    valid list that refuses everyone (asyncua's ``TrustStore`` cannot be built empty, so it is not used).

    ``keep_rejected`` (servers): a refused peer certificate is kept in ``rejected/certs``, said once in the log with
    the command that trusts it. ``owner`` names the application in that line.
    """

    def __init__(self, folder: Path, *, keep_rejected: bool = False, owner: str = "OPC UA") -> None:
        self.folder = folder
        self.folders = TrustFolders.of(folder)
        self.keep_rejected = keep_rejected
        self.owner = owner
        self._seen: tuple[tuple[str, int, int], ...] | None = None
        self._thumbprints: frozenset[bytes] = frozenset()

    async def load(self) -> TrustList:
        if not self.folders.trusted.is_dir():
            raise ValueError(f"trust list folder {self.folder} does not exist")
        self.refresh()
        return self

    def __len__(self) -> int:
        return len(self._thumbprints)

    def refresh(self) -> bool:
        """Read the trust list again if the folder changed; True when it did."""
        seen = tuple(_listing(self.folders.trusted_files()))
        if seen == self._seen:
            return False
        found: set[bytes] = set()
        for path in (Path(name) for name, _, _ in seen):
            try:
                found.add(load_certificate(path).fingerprint(hashes.SHA256()))
            except (OSError, ValueError) as exc:  # a half-copied file is read again once it changes
                _log.warning("%s: trust list: %s is not a certificate, skipped: %s", self.owner, path, exc)
        self._seen, self._thumbprints = seen, frozenset(found)
        return True

    def contains(self, certificate: bytes | x509.Certificate | None) -> bool:
        """Exactly this certificate is in the list now (self-signed certificates are trusted one by one)."""
        cert = _certificate(certificate)
        if cert is None:  # an unsecured channel has no certificate (asyncua passes b"")
            return False
        self.refresh()
        return cert.fingerprint(hashes.SHA256()) in self._thumbprints

    def validator(self, peer: Literal["client", "server"]) -> CertificateValidatorMethod:
        """The check asyncua calls with a peer's certificate: in the trust list now (else BadCertificateUntrusted,
        and kept in ``rejected/certs`` with ``keep_rejected``), then asyncua's own checks of its validity period,
        ApplicationUri and key usages for that peer."""
        checks = CertificateValidator(PEER_OPTIONS[peer])

        async def validate(cert: x509.Certificate, description: ua.ApplicationDescription) -> None:
            if not self.contains(cert):
                self._rejected(cert, description)
                raise ServiceError(StatusCodes.BadCertificateUntrusted)
            await checks.validate(cert, description)

        return validate

    def _rejected(self, cert: x509.Certificate, description: ua.ApplicationDescription) -> None:
        if not self.keep_rejected:
            return
        try:
            kept = keep_rejected(self.folders, cert)
        except OSError as exc:
            _log.error("%s: cannot keep a refused certificate in %s: %s", self.owner, self.folders.rejected_certs, exc)
            return
        if kept is not None:  # once per certificate: a client that retries says nothing new
            name = common_name(cert) or description.ApplicationUri or "?"
            _log.warning(
                "%s: refused the certificate of %s (%s, sha256 %s): not in the trust list %s; kept as %s "
                "(to let it in: jis certs trust --out %s %s)",
                self.owner, name, description.ApplicationUri or "no ApplicationUri", thumbprint(cert)[:16],
                self.folders.trusted, kept, self.folders.trusted.parent, thumbprint(cert)[:16],
            )  # fmt: skip


def _listing(files: list[Path]) -> Iterator[tuple[str, int, int]]:
    for path in files:
        try:
            st = path.stat()
        except OSError:
            continue
        yield str(path), st.st_size, st.st_mtime_ns


def _certificate(certificate: bytes | x509.Certificate | None) -> x509.Certificate | None:
    if isinstance(certificate, x509.Certificate):
        return certificate
    if not certificate:
        return None
    try:
        return x509.load_der_x509_certificate(certificate)
    except ValueError:
        return None


def close_untrusted_channels(server: Server, trust: TrustList) -> int:
    """Close every client connection whose secure channel's certificate is no longer in ``trust`` (a certificate
    rejected or removed while its client is connected): the client must open a new channel, which is refused.

    asyncua keeps no public list of its secure channels; its ``BinaryServer.clients`` protocols hold each
    channel's processor, whose SecureConnection knows the client certificate (asyncua 2.1). Read defensively: a
    later asyncua without these attributes closes nothing here, and the next session is still refused.
    """
    closed = 0
    for protocol in list(getattr(server.bserver, "clients", ())):
        connection = getattr(getattr(protocol, "processor", None), "_connection", None)
        peer = getattr(getattr(connection, "security_policy", None), "peer_certificate", None)
        transport = getattr(protocol, "transport", None)
        if peer and transport is not None and not trust.contains(peer):
            transport.close()
            closed += 1
    return closed


# -- the client side ----------------------------------------------------------------------------------------------
async def apply_client_security(client: Client, security: ClientSecurity) -> None:
    """Configure ``client`` before ``connect``. Plant: raises ``UaError`` if the server is not trusted."""
    if security.user:
        client.set_user(security.user)
        client.set_password(security.password or "")
    if security.profile is Profile.DEV:
        return
    assert security.certificate and security.private_key and security.trusted  # checked in __post_init__
    policy = POLICIES[security.policy]
    trust = await TrustList(security.trusted).load()
    client.application_uri = certificate_uri(security.certificate)  # must match our certificate's SAN
    server_cert = await _trusted_server_certificate(client, trust, policy)
    await client.set_security(
        policy.client,
        str(security.certificate),
        str(security.private_key),
        server_certificate=server_cert.public_bytes(
            serialization.Encoding.DER
        ),  # pinned: the channel must use exactly this one
        mode=ua.MessageSecurityMode.SignAndEncrypt,
    )
    client.certificate_validator = trust.validator("server")  # asked again at CreateSession


async def _trusted_server_certificate(client: Client, trust: TrustList, policy: Policy) -> x509.Certificate:
    """Discovery over the unsecured channel (GetEndpoints only), then OUR trust decision on the certificate."""
    endpoints = await client.connect_and_get_server_endpoints()
    endpoint = Client.find_endpoint(endpoints, ua.MessageSecurityMode.SignAndEncrypt, policy.client.URI)
    if not endpoint.ServerCertificate:
        raise UaError(f"endpoint {endpoint.EndpointUrl} offers {policy.client.URI} without a certificate")
    cert = _first_certificate(endpoint.ServerCertificate)
    await trust.validator("server")(cert, endpoint.Server)  # raises ServiceError(BadCertificate...)
    return cert


def _first_certificate(der: bytes) -> x509.Certificate:
    """An endpoint may send its certificate chain concatenated (OPC 10000-6 §6.2.6): the first one is the server's.

    The outer DER SEQUENCE header of a 2048..4096-bit certificate is 30 82 LL LL: the length sits in bytes 2..3.
    """
    if len(der) > 4 and der[0] == 0x30 and der[1] == 0x82:
        der = der[: int.from_bytes(der[2:4], "big") + 4]
    return x509.load_der_x509_certificate(der)


# -- the server side (used by the simulators; a real device configures its own) ----------------------------------
async def apply_server_security(
    server: Server, security: ServerSecurity, users: UserManager, *, owner: str = "OPC UA server"
) -> TrustList | None:
    """Configure ``server`` before ``start``: endpoints, identity tokens, certificate validator, user check. A client
    certificate the trust list refuses is kept in ``rejected/certs`` (``owner`` names the server in the log)."""
    server.iserver.set_user_manager(users)
    if security.profile is Profile.DEV:
        server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
        server.set_identity_tokens([ua.AnonymousIdentityToken, ua.UserNameIdentityToken])
        return None
    assert security.certificate and security.private_key and security.trusted  # checked in __post_init__
    await server.load_certificate(str(security.certificate))
    await server.load_private_key(str(security.private_key))
    await server.set_application_uri(certificate_uri(security.certificate))
    server.set_security_policy([POLICIES[name].server for name in security.policies])
    server.set_identity_tokens([ua.UserNameIdentityToken])  # no anonymous, no X509 user tokens
    trust = await TrustList(security.trusted, keep_rejected=True, owner=owner).load()
    server.set_certificate_validator(trust.validator("client"))
    return trust


# -- users: scrypt hashes, constant-time comparison ---------------------------------------------------------------
def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$<salt>$<hash>`` (base64): the cost travels with the hash, so it can be raised later."""
    salt = salt if salt is not None else os.urandom(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return "$".join(("scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P), _b64(salt), _b64(digest)))


def verify_password(password: str, encoded: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = encoded.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest, validate=True)
        actual = _scrypt(password, base64.b64decode(salt, validate=True), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


class UserTable:
    """Configured users: name -> ``hash_password`` string. Unknown users cost the same time as wrong passwords."""

    def __init__(self, users: Mapping[str, str]) -> None:
        self._users = dict(users)
        self._decoy = hash_password("decoy", salt=b"\0" * 16)

    def __contains__(self, user: object) -> bool:
        return user in self._users

    def check(self, user: str | None, password: str | None) -> bool:
        if not user or password is None:
            return False
        encoded = self._users.get(user)
        matched = verify_password(password, encoded if encoded is not None else self._decoy)
        return matched and encoded is not None


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=SCRYPT_MAXMEM, dklen=32)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
