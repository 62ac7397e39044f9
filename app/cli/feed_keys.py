"""``jis feed-keys``: a CURVE keypair for the OEM feed link (the service's, or a gateway's).

What it must not do: make keys itself (``app.net.curve_keys`` does) or replace an existing keypair unless
``--force`` says so. Exit 0: written, 1: refused.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.options import Subparsers

HELP = "write a CURVE keypair for the OEM feed link"


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("feed-keys", help=HELP, description="Write a CURVE keypair for the OEM feed.")
    p.add_argument("--out", required=True, type=Path, help="folder for NAME.key and NAME.key_secret")
    p.add_argument("--name", required=True, help="file name: 'service', or the gateway's name")
    p.add_argument("--force", action="store_true", help="replace an existing keypair")
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    from app.net.curve_keys import FeedKeyError, curve_available, load_public_key, write_keypair

    if not curve_available():
        print("jis feed-keys: this libzmq has no CURVE support", file=sys.stderr)
        return 1
    try:
        files = write_keypair(args.out, args.name, force=args.force)
    except (FeedKeyError, ValueError, OSError) as exc:
        print(f"jis feed-keys: {exc}", file=sys.stderr)
        return 1
    print(f"public key  {files.public} (give it to the other end)")
    print(f"secret key  {files.secret} (mode 600, keep it here)")
    print(f"z85         {load_public_key(files.public).decode()}")
    return 0
