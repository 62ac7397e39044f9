"""``jis config``: the plant file checked and shown as the service will use it, its JSON Schema, its reference.

``jis config check [PLANT]`` validates a plant file and prints what it resolved (``app.plant_check``: feeds, stations,
devices with their endpoints and security profiles, the database as the service opens it, the HMI and feed
endpoints with their CURVE state, the line server) as one block, or ``--json``; what would stop ``jis serve``
although the file is valid is listed under ``problems`` and ends the command with exit 2. ``jis config schema``
prints the JSON Schema for editors; ``jis config reference`` prints docs/plant-file.md, ``--write`` writes it.
What it must not do: describe the plant itself (``app.plant_check`` and ``app.plant_reference`` do), or start,
open or bind anything.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from app.cli.context import plant_of
from app.cli.errors import CommandError
from app.cli.options import Subparsers, add_json

HELP = "check a plant file and show what it resolves to"
DESCRIPTION = (
    "check: validate a plant file and print what the service will use (endpoints, devices, database, security); "
    "schema: the plant file's JSON Schema for editors; reference: docs/plant-file.md, generated from the schema."
)
CHECK_DESCRIPTION = (
    "Validate a plant file and print what the service will use: the database (a relative SQLite path read beside "
    "the plant file), the endpoints it serves with their CURVE state, the line's OPC UA server and its trust list, "
    "the feeds, the stations and every device with its address and security profile. Exit 2 when the file is "
    "wrong, or valid but naming something jis serve would not find (listed under problems)."
)
REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "plant-file.md"  # in a source checkout


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("config", help=HELP, description=DESCRIPTION)
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True, title="actions")
    check = actions.add_parser(
        "check", help="validate a plant file and print what it resolves to", description=CHECK_DESCRIPTION
    )
    check.add_argument("plant", nargs="?", default=None, metavar="PLANT", help="the plant file (default: the demo's)")
    add_json(check, help="print the resolved plant as one JSON object (problems included)")
    actions.add_parser("schema", help="print the plant file's JSON Schema", description="The JSON Schema, for editors.")
    reference = actions.add_parser(
        "reference", help="print (or --write) docs/plant-file.md", description="The plant file's reference, generated."
    )
    reference.add_argument("--write", action="store_true", help="write it over docs/plant-file.md of this source tree")
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    if args.action == "schema":
        from app.plant_reference import schema_json

        print(schema_json())
        return 0
    if args.action == "reference":
        return _reference(write=args.write)
    return _check(args.plant, as_json=args.json)


def _check(path: str | None, *, as_json: bool) -> int:
    from app.config import demo_plant_path
    from app.plant_check import resolve, text

    plant = plant_of(path)
    resolved = resolve(plant, str(path or demo_plant_path()))
    print(json.dumps(resolved.as_json(), indent=2) if as_json else text(resolved))
    if resolved.problems:
        more = len(resolved.problems) - 1
        also = f" (and {more} more problem{'s' * (more > 1)}, listed above)" if more else ""
        raise CommandError(f"{path or 'the demo plant'}: {resolved.problems[0]}{also}")
    return 0


def _reference(*, write: bool) -> int:
    from app.plant_reference import reference_markdown

    markdown = reference_markdown()
    if not write:
        print(markdown, end="")
        return 0
    if not REFERENCE.parent.is_dir():
        raise CommandError("--write: no docs/ folder beside this installation (print it instead: jis config reference)")
    REFERENCE.write_text(markdown, encoding="utf-8")
    print(f"wrote {REFERENCE}")
    return 0
