"""The trust-list folders of an OPC UA application, laid out as OPC 10000-12 (GDS) Annex F's directory store has them.

    DIR/trusted/certs/    the peers' certificates this application accepts, one file each
    DIR/rejected/certs/   certificates of peers it refused: where a new SCADA client's certificate turns up after
                          its first attempt, to be looked at and trusted (``jis certs trust``)

What it is for: finding those folders from the ``trusted`` folder a plant file names (``DIR/trusted``; a flat
folder of certificates, as older set-ups have, is read too), listing what is in them, and the moves between them
that a person makes (``trust``, ``reject``) or a server makes when it refuses a client (``keep_rejected``). The
servers (``plc_io.opcua.security``) and ``jis certs`` (``app.net.certs``) share it, so both ends agree on one layout.
What it must not do: import asyncua (the command line imports this module), decide whom to trust (a person does),
or let the rejected folder grow without bound (a stranger may knock with a new certificate every time).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

TRUSTED, REJECTED, CERTS = "trusted", "rejected", "certs"
SUFFIXES = (".der", ".pem")
REJECTED_KEPT = 100  # certificates kept in rejected/certs; the oldest goes when another comes
THUMBPRINT_SHOWN = 16  # hex digits of the SHA-256 thumbprint in file names and listings (and enough to name one)


@dataclass(frozen=True, slots=True)
class Certificate:
    """One certificate file in a trust-list folder."""

    path: Path
    cert: x509.Certificate

    @property
    def thumbprint(self) -> str:
        return thumbprint(self.cert)

    @property
    def name(self) -> str:
        return common_name(self.cert)

    @property
    def uri(self) -> str:
        return application_uri(self.cert)


@dataclass(frozen=True, slots=True)
class TrustFolders:
    """The folders of one application's trust list; ``trusted`` is the folder a plant file or ``jis certs`` names."""

    trusted: Path

    @classmethod
    def of(cls, trusted: Path) -> TrustFolders:
        """From the ``trusted`` folder as configured; ``DIR/trusted/certs`` names the same trust list."""
        return cls(trusted.parent if trusted.name == CERTS else trusted)

    @classmethod
    def under(cls, out_dir: Path) -> TrustFolders:
        """The trust list of the application whose files are in ``out_dir`` (``jis certs --out``)."""
        return cls(out_dir / TRUSTED)

    @property
    def trusted_certs(self) -> Path:
        return self.trusted / CERTS

    @property
    def rejected_certs(self) -> Path:
        return self.trusted.parent / REJECTED / CERTS

    def make(self) -> None:
        """Create both folders (an empty trust list: every peer refused until one is trusted)."""
        self.trusted_certs.mkdir(parents=True, exist_ok=True)
        self.rejected_certs.mkdir(parents=True, exist_ok=True)

    def trusted_files(self) -> list[Path]:
        """The trust list's certificate files: in ``trusted/certs`` and, as older set-ups keep them, ``trusted``."""
        return [*certificate_files(self.trusted_certs), *certificate_files(self.trusted)]

    def rejected_files(self) -> list[Path]:
        return certificate_files(self.rejected_certs)

    def trusted_list(self) -> list[Certificate]:
        return list(_readable(self.trusted_files()))

    def rejected_list(self) -> list[Certificate]:
        return list(_readable(self.rejected_files()))


def certificate_files(folder: Path) -> list[Path]:
    """The ``*.der`` and ``*.pem`` files directly in ``folder`` (none when it is not there), sorted by name."""
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(Path(e.path) for e in entries if e.is_file() and Path(e.name).suffix.lower() in SUFFIXES)


def read_certificate(path: Path) -> x509.Certificate:
    """A certificate file, DER (as OPC UA keeps them) or PEM."""
    data = path.read_bytes()
    if data.lstrip().startswith(b"-----BEGIN"):
        return x509.load_pem_x509_certificate(data)
    return x509.load_der_x509_certificate(data)


def thumbprint(cert: x509.Certificate) -> str:
    """SHA-256 of the DER, hex: what a person compares when trusting a certificate by hand."""
    return cert.fingerprint(hashes.SHA256()).hex()


def common_name(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else ""


def application_uri(cert: x509.Certificate) -> str:
    """The first URI of the subjectAltName: the peer's ApplicationUri (OPC 10000-6 §6.2.2); "" when there is none."""
    try:
        alt = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return ""
    uris = alt.get_values_for_type(x509.UniformResourceIdentifier)
    return str(uris[0]) if uris else ""


def file_name(cert: x509.Certificate, stem: str | None = None) -> str:
    """``STEM-THUMBPRINT.der``: the stem (the source file's, else the common name) for people, the thumbprint so two
    certificates of one name never overwrite each other."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", stem or common_name(cert) or "peer").strip("._") or "peer"
    return f"{safe}-{thumbprint(cert)[:THUMBPRINT_SHOWN]}.der"


def trust(folders: TrustFolders, cert: x509.Certificate, stem: str | None = None) -> Path:
    """Put ``cert`` into the trust list (DER, in ``trusted/certs``); a copy of it in the rejected folder goes."""
    folders.trusted_certs.mkdir(parents=True, exist_ok=True)
    _remove(folders.rejected_files(), cert)
    existing = _matching(folders.trusted_files(), thumbprint(cert))
    if existing:
        return existing[0]
    target = folders.trusted_certs / file_name(cert, stem)
    target.write_bytes(cert.public_bytes(serialization.Encoding.DER))
    return target


def reject(folders: TrustFolders, cert: x509.Certificate, stem: str | None = None) -> Path:
    """Take ``cert`` out of the trust list and keep it in ``rejected/certs`` (where it can be trusted again)."""
    _remove(folders.trusted_files(), cert)
    return keep_rejected(folders, cert, stem) or _matching(folders.rejected_files(), thumbprint(cert))[0]


def keep_rejected(
    folders: TrustFolders, cert: x509.Certificate, stem: str | None = None, *, limit: int = REJECTED_KEPT
) -> Path | None:
    """Keep a refused certificate in ``rejected/certs``: the new file, or None when it is there already. At most
    ``limit`` files stay (the oldest go first), so a client knocking with a new certificate each time fills nothing."""
    if _matching(folders.rejected_files(), thumbprint(cert)):
        return None
    folders.rejected_certs.mkdir(parents=True, exist_ok=True)
    target = folders.rejected_certs / file_name(cert, stem)
    target.write_bytes(cert.public_bytes(serialization.Encoding.DER))
    kept = sorted(folders.rejected_files(), key=_age)
    for old in kept[: max(0, len(kept) - limit)]:
        old.unlink(missing_ok=True)
    return target


def find(files: list[Path], key: str) -> list[Certificate]:
    """The certificates among ``files`` whose SHA-256 thumbprint starts with ``key`` (hex, any case, ':' allowed)."""
    return list(_readable(_matching(files, key)))


def _matching(files: list[Path], key: str) -> list[Path]:
    prefix = key.replace(":", "").lower()
    return [c.path for c in _readable(files) if prefix and c.thumbprint.startswith(prefix)]


def _remove(files: list[Path], cert: x509.Certificate) -> None:
    for path in _matching(files, thumbprint(cert)):
        path.unlink(missing_ok=True)


def _readable(files: list[Path]) -> Iterator[Certificate]:
    """The files that hold a certificate (anything else in the folder is not this module's to judge)."""
    for path in files:
        try:
            yield Certificate(path, read_certificate(path))
        except (OSError, ValueError):
            continue


def _age(path: Path) -> tuple[int, str]:
    try:
        return path.stat().st_mtime_ns, path.name
    except OSError:
        return 0, path.name
