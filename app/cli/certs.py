"""``jis certs``: a self-signed OPC UA application certificate, its private key and a trust-list folder.

What it must not do: build certificates (``app.net.certs`` does) or replace an existing key unless ``--force``
says so. Exit 0: written, 1: refused (the files exist, a bad name), 2: a peer certificate that cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.errors import CommandError, one_line
from app.cli.options import Subparsers, at_least
from app.net.certs import DEFAULT_DAYS

HELP = "make an OPC UA certificate, key and trust-list folder"


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "certs",
        help=HELP,
        description="Create a self-signed OPC UA application certificate, its key and a trust-list folder.",
    )
    p.add_argument("--out", required=True, type=Path, help="folder for NAME.der, NAME.key.pem and trusted/")
    p.add_argument("--name", required=True, help="application name (certificate CN and file names)")
    p.add_argument("--uri", default=None, help="ApplicationUri put in the certificate (default urn:HOST:jis:NAME)")
    p.add_argument("--host", action="append", default=[], help="DNS name for the certificate (repeatable)")
    p.add_argument(
        "--days", type=at_least(int, 1), default=DEFAULT_DAYS, help=f"validity in days (default {DEFAULT_DAYS})"
    )
    p.add_argument(
        "--trust", action="append", default=[], type=Path, help="a peer certificate to copy into trusted/ (repeatable)"
    )
    p.add_argument("--force", action="store_true", help="replace an existing certificate and key")
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    from app.net.certs import CertificateExists, create_application_certificate, load_certificate, trust

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
    print(f"trust list   {made.trusted}/ ({len(copies)} added)")
    return 0
