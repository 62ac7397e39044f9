"""``jis hmi``: open one HMI screen (operator panel, shift lead's cockpit, engineer's view) against a service.

What it must not do: build screens (``ui.main.run_hmi`` does) or reach the service other than through the
endpoints it is given. Before Qt starts it refuses what it can see is wrong: the engineer's view without the
simulators' endpoint, CURVE keys that do not come as a pair or cannot be read, and, given the plant file, a
station the plant does not have (without it the screen checks the station against the first picture it gets).
The operator panel's language is ``--lang``, else the plant file's station's ``language``, else English; the
cockpit's and the engineer's view's are ``--lang``, else English.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from app.cli.context import plant_of
from app.cli.errors import CommandError
from app.cli.options import Subparsers, add_config, zmq_endpoint
from app.signals import accept_stops, hold_stops
from sequencer.plant import StationConfig

if TYPE_CHECKING:
    from ui.bus_client import CurveKeys

HELP = "open an HMI screen against a running service"
DESCRIPTION = (
    "Open one HMI screen against a running service: the operator panel, the shift lead's cockpit, or the engineer's "
    "view of the simulators."
)
SCREEN_DPI = (50, 600)  # ui.widgets.SANE_DPI; a test pins that they agree
ROLES = ("operator", "lead", "engineer")  # ui.main.ROLE_WINDOWS; a test pins that they agree
SCREEN_LANGUAGES = ("en", "de", "es")  # ui.i18n.LANGUAGES (Qt is not loaded here); a test pins that they agree


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("hmi", help=HELP, description=DESCRIPTION)
    p.add_argument(
        "--connect", type=zmq_endpoint, default="tcp://127.0.0.1:5556", help="the service's HMI bus endpoint"
    )
    p.add_argument(
        "--role",
        default="operator",
        choices=ROLES,
        help="operator: a station's picking screen; lead: the shift lead's cockpit; engineer: the simulators",
    )
    p.add_argument(
        "--sim", type=zmq_endpoint, default=None, help="the simulators' control endpoint (needed by --role engineer)"
    )
    p.add_argument(
        "--commands",
        type=zmq_endpoint,
        default=None,
        help="the service's HMI command endpoint (cockpit; default bus+1)",
    )
    p.add_argument(
        "--snapshot", type=zmq_endpoint, default=None, help="the HMI bus's snapshot endpoint (default: as advertised)"
    )
    p.add_argument("--key", default=None, help="CURVE: this screen's NAME.key_secret ([service.hmi_curve])")
    p.add_argument("--server-key", default=None, help="CURVE: the service's public NAME.key")
    p.add_argument("--station", default=None, help="the operator's station id (default: the plant's first station)")
    add_config(
        p,
        help="plant file to check --station against at once (without it: when the first picture arrives)",
    )
    p.add_argument("--kiosk", action="store_true", help="full screen, for the line panel")
    p.add_argument(
        "--screen-dpi",
        type=_screen_dpi,
        default=None,
        help="the panel's pixels per inch, when its screen reports a wrong size (default: the screen's own; touch "
        "targets are 15 mm from it)",
    )
    p.add_argument(
        "--lang",
        choices=SCREEN_LANGUAGES,
        default=None,
        help="the operator panel's language (default: the plant file's [[stations]] language with --config, else "
        "English; a logged-in user's own language replaces it while they are), or the cockpit's or the engineer's "
        "view's (default English)",
    )
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    if args.role == "engineer" and not args.sim:
        raise CommandError("--role engineer shows the simulators: give their control endpoint, --sim tcp://HOST:PORT")
    language = args.lang
    if args.station and args.config:
        station = _check_station(args.station, args.config)
        language = language if language is not None else station.language
    curve = _curve_keys(args)
    hold_stops()  # Qt loads and builds the window with them held; the screen's handlers take them (ui.main)
    try:
        from ui.main import run_hmi

        return run_hmi(
            args.connect, role=args.role, station=args.station, kiosk=args.kiosk, sim=args.sim,
            commands=args.commands, snapshot=args.snapshot, curve=curve, screen_dpi=args.screen_dpi,
            language=language or "",
        )  # fmt: skip
    finally:
        accept_stops()  # a screen that failed to start: a stop held meanwhile ends the command now


def _screen_dpi(text: str) -> float:
    """A density a screen can have (``ui.widgets.SANE_DPI``, not imported: Qt is not loaded before the screen)."""
    try:
        dpi = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of pixels per inch") from None
    if not SCREEN_DPI[0] <= dpi <= SCREEN_DPI[1]:
        raise argparse.ArgumentTypeError(f"{text} dpi is not a screen's: give {SCREEN_DPI[0]}-{SCREEN_DPI[1]}")
    return dpi


def _check_station(station: str, config: str) -> StationConfig:
    plant = plant_of(config)
    known = {s.id: s for s in plant.stations}
    if station not in known:
        raise CommandError(f"--station {station!r} is not a station of this plant: {', '.join(known)}")
    return known[station]


def _curve_keys(args: argparse.Namespace) -> CurveKeys | None:
    """This screen's CURVE keys, or None without ``--key``."""
    if bool(args.key) != bool(args.server_key):
        need = "--key (this screen's .key_secret) and --server-key (the service's .key)"
        raise CommandError(f"CURVE needs both {need}")
    if not args.key:
        return None
    from ui.bus_client import CurveKeys

    try:
        return CurveKeys.from_files(args.key, args.server_key)
    except (OSError, ValueError) as exc:
        raise CommandError(f"cannot read the CURVE keys: {exc}") from None
