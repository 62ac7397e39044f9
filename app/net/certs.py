"""Self-signed OPC UA Application Instance Certificates and the trust-list folder beside them (``jis certs``).

What it is for: one RSA key and one self-signed X.509 v3 certificate per OPC UA application (the service, each
simulated PTL controller or print engine), laid out so both ends of a plant-profile connection find what they
need (docs/opcua.md, "Creating certificates"):

    DIR/NAME.der            the certificate, DER (OPC 10000-6 §6.2.2: certificates travel DER-encoded)
    DIR/NAME.key.pem        its private key, PKCS#8 PEM, unencrypted, file mode 0600
    DIR/trusted/certs/      the trust list: copies of the peers' certificates this application accepts
    DIR/rejected/certs/     certificates of peers it refused (OPC 10000-12 Annex F's layout: ``trust_folders``)

On an existing application, ``trust``, ``reject`` and ``listing`` change or show the trust list and never touch
the key (replacing a key breaks every peer's trust in it).

The certificate follows OPC 10000-6 §6.2.2 the way asyncua's own ``cert_gen`` builds self-signed application
certificates: CN = application name, O = organisation; subjectAltName with the ApplicationUri (URI) FIRST, the
host names (DNS) and 127.0.0.1 (IP); keyUsage digitalSignature, nonRepudiation, keyEncipherment,
dataEncipherment and keyCertSign (a self-signed certificate signs itself); extendedKeyUsage serverAuth and
clientAuth; basicConstraints cA with path length 0; RSA 2048 bits and SHA-256, which both Basic256Sha256 and
Aes256_Sha256_RsaPss accept (keys 2048-4096 bits).

Must not: import asyncua (the ``app`` room never talks to devices), overwrite an existing key unless told to
(``force``), write a private key other users can read, or parse a command line (``app/cli/certs.py`` does).
"""

from __future__ import annotations

import datetime
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from plc_io.opcua import trust_folders
from plc_io.opcua.trust_folders import Certificate, TrustFolders

KEY_BITS = 2048  # Basic256Sha256 and Aes256_Sha256_RsaPss: 2048..4096
DEFAULT_DAYS = 365 * 2
ORGANISATION = "JIS sequencing centre"
TRUSTED_DIR = trust_folders.TRUSTED
PRIVATE_KEY_MODE = 0o600


class CertificateExists(FileExistsError):
    """The certificate or key is already there; replacing a key breaks every peer's trust list, so ask first."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplicationCertificate:
    """What ``create_application_certificate`` wrote."""

    name: str
    uri: str
    certificate: Path
    private_key: Path
    trusted: Path
    thumbprint: str  # SHA-256 of the DER, hex: what an operator compares when trusting it by hand


def default_uri(name: str, host: str | None = None) -> str:
    """``urn:<host>:jis:<name>``: an ApplicationUri is unique per application instance (OPC 10000-4 §6.1.2)."""
    return f"urn:{host or socket.gethostname()}:jis:{name}"


def paths_for(out_dir: Path, name: str) -> tuple[Path, Path, Path]:
    """(certificate, private key, trust-list folder) of application ``name`` under ``out_dir``."""
    return out_dir / f"{name}.der", out_dir / f"{name}.key.pem", out_dir / TRUSTED_DIR


def create_application_certificate(
    out_dir: Path,
    name: str,
    uri: str | None = None,
    *,
    hosts: Sequence[str] = (),
    days: int = DEFAULT_DAYS,
    force: bool = False,
    now: datetime.datetime | None = None,
) -> ApplicationCertificate:
    """Write a new key and self-signed certificate for ``name`` and create its (empty) trust-list folder."""
    if not name or any(ch in name for ch in "/\\") or name.startswith("."):
        raise ValueError(f"application name {name!r} must be a plain file name")
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    cert_path, key_path, trusted = paths_for(out_dir, name)
    existing = [p for p in (cert_path, key_path) if p.exists()]
    if existing and not force:
        raise CertificateExists(f"{', '.join(map(str, existing))} already exist(s); use --force to replace")
    app_uri = uri or default_uri(name)
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    cert = build_certificate(key, name, app_uri, hosts=hosts or _default_hosts(), days=days, now=now)
    out_dir.mkdir(parents=True, exist_ok=True)
    TrustFolders(trusted).make()
    _write_private(key_path, _pem(key))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.DER))
    return ApplicationCertificate(
        name=name,
        uri=app_uri,
        certificate=cert_path,
        private_key=key_path,
        trusted=trusted,
        thumbprint=thumbprint(cert),
    )


def build_certificate(
    key: rsa.RSAPrivateKey,
    name: str,
    uri: str,
    *,
    hosts: Sequence[str],
    days: int,
    now: datetime.datetime | None = None,
) -> x509.Certificate:
    """The self-signed Application Instance Certificate (OPC 10000-6 §6.2.2), pure: no files."""
    start = now or datetime.datetime.now(datetime.UTC)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION),
        ]
    )
    public = key.public_key()
    alt_names: list[x509.GeneralName] = [x509.UniformResourceIdentifier(uri)]  # the ApplicationUri comes first
    alt_names += [x509.DNSName(h) for h in dict.fromkeys(hosts)]
    alt_names.append(x509.IPAddress(IPv4Address("127.0.0.1")))
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start - datetime.timedelta(minutes=5))  # tolerate a few minutes of clock skew
        .not_valid_after(start + datetime.timedelta(days=days))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_KEY_USAGE, critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
    )
    return builder.sign(key, hashes.SHA256())


_KEY_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=True,  # nonRepudiation: required by OPC 10000-6 §6.2.2 and checked by asyncua
    key_encipherment=True,
    data_encipherment=True,
    key_agreement=False,
    key_cert_sign=True,  # self-signed: the certificate signs itself
    crl_sign=False,
    encipher_only=False,
    decipher_only=False,
)


class NoSuchCertificate(LookupError):
    """A peer named by a thumbprint that no certificate in the folders has (or more than one has)."""


def trust(out_dir: Path, peer: Path | str) -> Path:
    """Put a peer's certificate into ``out_dir``'s trust list (DER, ``trusted/certs/STEM-THUMBPRINT.der``): a file,
    or the thumbprint (its first hex digits) of a certificate the application refused, found in ``rejected/certs``
    and moved from there. The application's key is never touched."""
    folders = TrustFolders.under(out_dir)
    found = _peer(peer, folders.rejected_files(), "in rejected/certs")
    return trust_folders.trust(folders, found.cert, _stem(peer, found))


def reject(out_dir: Path, peer: Path | str) -> Path:
    """Take a peer's certificate out of ``out_dir``'s trust list into ``rejected/certs``: a file, or the thumbprint
    (its first hex digits) of a trusted certificate. The next session of that peer is refused, and a server that
    reads this folder disconnects it (docs/opcua.md)."""
    folders = TrustFolders.under(out_dir)
    found = _peer(peer, folders.trusted_files(), "in the trust list")
    return trust_folders.reject(folders, found.cert, _stem(peer, found))


def listing(out_dir: Path) -> dict[str, list[Certificate]]:
    """The certificates of ``out_dir``'s trust list and of its rejected folder."""
    folders = TrustFolders.under(out_dir)
    return {"trusted": folders.trusted_list(), "rejected": folders.rejected_list()}


def _peer(peer: Path | str, files: list[Path], where: str) -> Certificate:
    """The certificate ``peer`` names: a file when there is one at that path, else a thumbprint among ``files``."""
    path = Path(peer)
    if path.is_file():
        return Certificate(path, load_certificate(path))
    key = str(peer).replace(":", "").lower()
    if len(key) < 8 or any(ch not in "0123456789abcdef" for ch in key):
        raise NoSuchCertificate(f"{peer}: no such file, nor a thumbprint (8 or more hex digits)")
    found = trust_folders.find(files, key)
    if len(found) != 1:
        many = f"{len(found)} certificates" if found else "no certificate"
        raise NoSuchCertificate(f"{peer}: {many} {where} with this thumbprint (jis certs list shows them)")
    return found[0]


def _stem(peer: Path | str, found: Certificate) -> str | None:
    """The name a copied certificate keeps: its file's (peer-ABCD.der keeps "peer"), a thumbprint's gives none."""
    if found.path.parent.name == trust_folders.CERTS:  # already named STEM-THUMBPRINT.der by us
        return found.path.stem.rsplit("-", 1)[0]
    return Path(peer).stem if Path(peer).is_file() else None


load_certificate = trust_folders.read_certificate  # DER or PEM
thumbprint = trust_folders.thumbprint  # SHA-256 of the DER, hex


def _default_hosts() -> tuple[str, ...]:
    return (socket.gethostname(), "localhost")


def _pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write_private(path: Path, data: bytes) -> None:
    """Create the key file 0600 from the start: never a moment in which others could read it."""
    if path.exists():
        path.unlink()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_KEY_MODE)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
