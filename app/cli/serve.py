"""``jis serve``: run the sequencing service for a plant, as the active service or a hot standby.

What it must not do: decide anything about the line; it loads the plant file, applies ``--database``, checks
before anything starts what a person can get wrong (the database is there and answers, no ZeroMQ surface listens
beyond loopback without CURVE in the plant profile, the CURVE key files can be read and every feed's gateway keys
are among them, no other program listens on the service's ports: another jis serve there is the lease's to
report), and hands over to ``app.service.standby.serve``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from typing import TYPE_CHECKING

from app.cli.context import database_of, plant_of
from app.cli.errors import CommandError
from app.cli.options import Subparsers, add_config, add_database, more_than

if TYPE_CHECKING:
    from sequencer.plant import PlantConfig

HELP = "run the sequencing service for a plant"
DESCRIPTION = (
    "Run the sequencing service for a plant: the feed intake, the core, the devices and the HMI bus. Of the serve "
    "processes on one database one is active; --standby waits to take over. Exit 5: another serve is active."
)


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("serve", help=HELP, description=DESCRIPTION)
    add_config(p)
    add_database(p)
    p.add_argument("--standby", action="store_true", help="wait as a hot standby while another serve is active")
    p.add_argument(
        "--speed", type=more_than(float, 0.0), default=1.0, help="plant seconds per real second (simulated plants)"
    )
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    from app.service.standby import serve
    from plc_io.line_server.server import LineServerFailed

    plant = plant_of(args.config)
    # A standby waits for a database that does not answer yet (as for the lease); the active one refuses at once.
    url = database_of(args, plant, must_exist=False, probe=not args.standby)
    plant = plant.model_copy(update={"service": plant.service.model_copy(update={"database": url})})
    where = args.config or "the demo plant"
    _check_profile(plant, where)
    _check_keys(plant, where)
    if not args.standby:  # a standby shares its ports with the active one, and binds them only when it takes over
        _check_ports(plant, where)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            return asyncio.run(serve(plant, standby=args.standby, speed=args.speed))
    except LineServerFailed as exc:  # the plant file's server, not optional there: one line naming the section
        raise CommandError(f"[service.opcua_server] in {where}: {exc}") from None
    return 0


def _check_profile(plant: PlantConfig, where: str) -> None:
    """The plant profile: no ZeroMQ surface beyond loopback without its CURVE (docs/security.md)."""
    for problem in plant.service.exposed_without_curve():
        raise CommandError(problem.replace(" listens", f" in {where} listens", 1))


def _check_keys(plant: PlantConfig, where: str) -> None:
    """The CURVE key files the service will load, loaded once now, and each feed's gateway keys among them."""
    from app.net.curve_keys import FeedKeyError, load_curve_server, load_feed_publishers

    for key in ("feed_curve", "hmi_curve"):
        curve = getattr(plant.service, key)
        if curve is None:
            continue
        try:
            load_curve_server(curve.secret_key, curve.allowed_keys)
            if key == "feed_curve":
                load_feed_publishers(curve.allowed_keys, {f.id: f.gateway_keys for f in plant.feeds})
        except FeedKeyError as exc:
            raise CommandError(f"[service.{key}] in {where}: {exc}") from None


def _check_ports(plant: PlantConfig, where: str) -> None:
    """Refuse a port another program listens on; but when it is another jis serve on this database, let the lease
    say so (exit 5, "another jis serve is active"), which is the truer story."""
    from app.net.endpoints import EndpointError, refuse_if_taken
    from app.plant_check import listeners

    try:
        for key, endpoint in listeners(plant):
            refuse_if_taken(endpoint, f"[service] {key} in {where}")
    except EndpointError:
        if _lease_free(plant.service.database):
            raise


def _lease_free(url: str) -> bool:
    """Whether no other jis serve holds the database's lease (tried and given back at once)."""
    from app.service.standby import lease_for

    lease = lease_for(url)
    try:
        return lease.try_acquire()
    finally:
        lease.release()
