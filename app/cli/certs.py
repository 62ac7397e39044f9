"""``jis certs``: an OPC UA application's certificate, key and trust list: make them, and trust or reject peers.

``jis certs --out DIR --name NAME`` makes a self-signed application certificate, its key and an empty trust list
(``DIR/trusted/certs``, ``DIR/rejected/certs``). On an existing application, ``jis certs trust --out DIR PEER``,
``jis certs reject --out DIR PEER`` and ``jis certs list --out DIR`` change or show its trust list without touching
its key (PEER: a certificate file, or the first hex digits of a thumbprint ``list`` shows); a running line server
reads the trust list again at every new session (docs/opcua.md, commissioning).
What it must not do: build certificates or move them (``app.net.certs`` does), or replace an existing key unless
``--force`` says so. Exit 0: done, 1: refused (the files exist, a bad name), 2: a peer that cannot be found or read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli.errors import CommandError, one_line
from app.cli.options import Subparsers, at_least
from app.net.certs import DEFAULT_DAYS

if TYPE_CHECKING:
    from cryptography import x509

HELP = "OPC UA certificates and trust lists: make, trust, reject"
DESCRIPTION = (
    "Without an action: create a self-signed OPC UA application certificate, its key and an empty trust list "
    "(DIR/trusted/certs, DIR/rejected/certs). trust, reject, list: change or show an existing application's trust "
    "list without touching its key; a running server reads it again at every new session."
)
PEER_HELP = "a certificate file, or the first hex digits (8 or more) of a thumbprint that jis certs list shows"
ACTIONS = {
    "trust": "put a peer's certificate into the trust list (from a file, or from rejected/certs by thumbprint)",
    "reject": "take a peer's certificate out of the trust list, into rejected/certs",
    "list": "show the trusted and the rejected certificates with their thumbprints",
}


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("certs", help=HELP, description=DESCRIPTION)
    _add_out(p, default=None)
    p.add_argument("--name", default=None, help="application name (certificate CN and file names); needed to create")
    p.add_argument("--uri", default=None, help="ApplicationUri put in the certificate (default urn:HOST:jis:NAME)")
    p.add_argument("--host", action="append", default=[], help="DNS name for the certificate (repeatable)")
    p.add_argument(
        "--days", type=at_least(int, 1), default=DEFAULT_DAYS, help=f"validity in days (default {DEFAULT_DAYS})"
    )
    p.add_argument(
        "--trust",
        action="append",
        default=[],
        type=Path,
        help="a peer certificate to trust (repeatable)",
    )
    p.add_argument("--force", action="store_true", help="replace an existing certificate and key (breaks peers' trust)")
    actions = p.add_subparsers(dest="action", metavar="ACTION", title="actions on an existing trust list")
    for action, text in ACTIONS.items():
        sub = actions.add_parser(action, help=text, description=f"{text[0].upper()}{text[1:]}.")
        _add_out(sub, default=argparse.SUPPRESS)  # after the action too: jis certs trust --out DIR PEER
        sub.add_argument("--name", default=argparse.SUPPRESS, help="the application's name (shown; not needed)")
        if action != "list":
            sub.add_argument("peers", nargs="+", metavar="PEER", help=PEER_HELP)
    p.set_defaults(run=run, action=None)
    return p


def _add_out(parser: argparse.ArgumentParser, **kwargs: Any) -> None:
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="the application's folder: NAME.der, NAME.key.pem, trusted/", **kwargs
    )


def run(args: argparse.Namespace) -> int:
    if args.out is None:
        raise CommandError("--out DIR: the application's folder is needed (see jis certs --help)")
    if args.action is None:
        return _create(args)
    trusted = args.out / "trusted"
    if not trusted.is_dir():
        raise CommandError(
            f"--out {args.out}: no trust list there ({trusted}); jis certs --out DIR --name NAME makes one"
        )
    if args.action == "list":
        return _list(args.out)
    return _move(args.action, args.out, args.peers)


def _create(args: argparse.Namespace) -> int:
    from app.net.certs import CertificateExists, create_application_certificate, load_certificate, trust

    if not args.name:
        raise CommandError("--name NAME: the application's name is needed to make its certificate")
    for peer in args.trust:  # before anything is written: a peer that cannot be read leaves no half-made application
        try:
            load_certificate(peer)
        except (OSError, ValueError) as exc:
            raise CommandError(f"--trust {peer}: cannot read a certificate there: {one_line(exc)}") from None
    try:
        made = create_application_certificate(
            args.out, args.name, args.uri, hosts=args.host, days=args.days, force=args.force
        )
        copies = [trust(args.out, peer) for peer in args.trust]
    except (CertificateExists, ValueError, OSError) as exc:
        print(f"jis certs: {exc}", file=sys.stderr)
        return 1
    print(f"certificate  {made.certificate}")
    print(f"private key  {made.private_key} (mode 600)")
    print(f"uri          {made.uri}")
    print(f"sha256       {made.thumbprint}")
    print(f"trust list   {made.trusted}/certs/ ({len(copies)} added); refused peers land in {args.out}/rejected/certs/")
    return 0


def _move(action: str, out: Path, peers: list[str]) -> int:
    """Trust or reject each peer; a peer that cannot be found or read ends the command (those before it are done)."""
    from app.net.certs import NoSuchCertificate, load_certificate, reject, trust

    move = trust if action == "trust" else reject
    for peer in peers:
        try:
            target = move(out, peer)
        except (NoSuchCertificate, OSError, ValueError) as exc:
            raise CommandError(f"{action} {peer}: {one_line(exc)}") from None
        cert = load_certificate(target)
        print(f"{action}ed  {_describe(cert)}  {target}")
    return 0


def _list(out: Path) -> int:
    from app.net.certs import listing

    for where, certs in listing(out).items():
        print(f"{where} ({len(certs)})")
        for found in certs:
            print(f"  {found.thumbprint[:16]}  {found.name or '?'}  {found.uri or '(no ApplicationUri)'}  {found.path}")
    return 0


def _describe(cert: x509.Certificate) -> str:
    from plc_io.opcua.trust_folders import application_uri, common_name, thumbprint

    return f"{thumbprint(cert)[:16]}  {common_name(cert) or '?'}  {application_uri(cert) or '(no ApplicationUri)'}"
