"""``jis hmi``: open one HMI screen (operator panel, shift lead's cockpit, engineer's view) against a service.

What it must not do: build screens (``ui.main.run_hmi`` does) or reach the service other than through the
endpoints it is given; it checks that the CURVE key options come as a pair and loads the keys.
"""

from __future__ import annotations

import argparse
import sys

from app.cli.options import Subparsers

HELP = "open an HMI screen against a running service"
DESCRIPTION = (
    "Open one HMI screen against a running service: the operator panel, the shift lead's cockpit, or the engineer's "
    "view of the simulators."
)


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("hmi", help=HELP, description=DESCRIPTION)
    p.add_argument("--connect", default="tcp://127.0.0.1:5556", help="the service's HMI bus endpoint")
    p.add_argument("--role", default="operator", choices=["operator", "lead", "engineer"])
    p.add_argument("--sim", default=None, help="the simulators' control endpoint (engineer view)")
    p.add_argument("--commands", default=None, help="the service's HMI command endpoint (cockpit; default bus+1)")
    p.add_argument("--snapshot", default=None, help="the HMI bus's snapshot endpoint (default: as advertised)")
    p.add_argument("--key", default=None, help="CURVE: this screen's NAME.key_secret ([service.hmi_curve])")
    p.add_argument("--server-key", default=None, help="CURVE: the service's public NAME.key")
    p.add_argument("--station", default=None)
    p.add_argument("--kiosk", action="store_true", help="full screen, for the line panel")
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    from ui.bus_client import CurveKeys
    from ui.main import run_hmi

    if bool(args.key) != bool(args.server_key):
        need = "--key (this screen's .key_secret) and --server-key (the service's .key)"
        print(f"jis hmi: CURVE needs both {need}", file=sys.stderr)
        return 2
    curve = CurveKeys.from_files(args.key, args.server_key) if args.key else None
    return run_hmi(
        args.connect, role=args.role, station=args.station, kiosk=args.kiosk, sim=args.sim, commands=args.commands,
        snapshot=args.snapshot, curve=curve,
    )  # fmt: skip
