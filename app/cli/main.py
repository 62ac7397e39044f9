"""The ``jis`` command line: serve, demo, hmi, report, sim. Config errors name the file and key and exit 2."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import json
import logging
import os
import sys

from app.logjson import configure
from sequencer.plant import PlantConfigError


def _serve(args: argparse.Namespace) -> int:
    from app.config import load_plant
    from app.service.standby import serve

    plant = load_plant(args.config)
    if args.database:
        plant = plant.model_copy(update={"service": plant.service.model_copy(update={"database": args.database})})
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(serve(plant, standby=args.standby, speed=args.speed))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from app.proof.demo import DemoOptions, demo_passed, display_available, run_demo

    headless = args.headless or not display_available()
    vehicles = args.vehicles if args.vehicles is not None else (200 if headless else None)
    opts = DemoOptions(
        config=args.config,
        vehicles=vehicles,
        speed=args.speed,
        seed=args.seed,
        headless=headless,
        as_json=args.json,
        workdir=args.workdir,
        timeout_s=args.timeout,
        faults=args.faults,
        ptl=args.ptl,
        printer=args.printer,
        database=args.database,
        line_server=not args.no_line_server,
    )
    logging.getLogger().handlers.clear()
    if args.workdir:
        os.makedirs(args.workdir, exist_ok=True)
    log_file = os.path.join(args.workdir, "service.log") if args.workdir else None
    configure(args.log_level, args.log_json, filename=log_file)
    summary = asyncio.run(run_demo(opts))
    if args.json:
        print(json.dumps(summary))
    else:
        print(file=sys.stderr)
        print(json.dumps(summary, indent=2))
    return 0 if demo_passed(summary) else 1


def _hmi(args: argparse.Namespace) -> int:
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


def _report(args: argparse.Namespace) -> int:
    from app.persist.shift_report import main_report

    return main_report(args)


def _sim(argv: list[str]) -> int:
    os.execv(sys.executable, [sys.executable, "-m", "hardware_sims", *argv])
    return 0  # not reached


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jis", description="JIS sequencing centre: service, demo, HMI, simulators.")
    parser.add_argument("--log-level", default="WARNING", help="DEBUG, INFO, WARNING (default), ERROR")
    parser.add_argument("--log-json", action="store_true", help="structured logs: one JSON object a line")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the sequencer service for a plant")
    serve.add_argument("--config", default=None, help="plant file (default: the shipped demo plant)")
    serve.add_argument("--database", default=None, help="SQLAlchemy URL, overrides the plant file")
    serve.add_argument("--standby", action="store_true", help="wait as a hot standby while another serve is active")
    serve.add_argument("--speed", type=float, default=1.0, help="plant seconds per real second (simulated plants)")
    serve.set_defaults(func=_serve)

    demo = sub.add_parser("demo", help="run the whole simulated plant (HMI when a display is available)")
    demo.add_argument("--config", default=None, help="plant file (default: the shipped demo plant)")
    demo.add_argument("--headless", action="store_true", help="no HMI window, live text status instead")
    demo.add_argument("--vehicles", type=int, default=None, help="vehicles per feed (default 200 headless)")
    demo.add_argument("--speed", type=float, default=100.0, help="simulated seconds per real second")
    demo.add_argument("--seed", type=int, default=None, help="seed of the vehicle mix and the operators")
    demo.add_argument("--json", action="store_true", help="print one JSON summary object and nothing else")
    demo.add_argument("--workdir", default=None, help="folder for the database, logs and printer records")
    demo.add_argument("--database", default=None, help="SQLAlchemy URL of an empty database (default: fresh SQLite)")
    demo.add_argument("--timeout", type=float, default=None, help="give up after this many seconds")
    demo.add_argument("--no-line-server", action="store_true", help="no OPC UA server for SCADA/MES")
    demo.add_argument(
        "--faults",
        default="none",
        help="inject faults: all, or a comma list of "
        "gap,duplicate,change,cancel,hold,silence,malformed,wrong_pick,devices",
    )
    demo.add_argument("--ptl", choices=["modbus", "opcua"], default=None, help="PTL protocol (default: plant file)")
    demo.add_argument("--printer", choices=["zpl", "modbus", "opcua"], default=None, help="printer protocol")
    demo.set_defaults(func=_demo)

    sub.add_parser("bench", help="benchmarks against raw references: jis bench [core] [--json]", add_help=False)
    hmi = sub.add_parser("hmi", help="open an HMI screen against a running service")
    hmi.add_argument("--connect", default="tcp://127.0.0.1:5556", help="the service's HMI bus endpoint")
    hmi.add_argument("--role", default="operator", choices=["operator", "lead", "engineer"])
    hmi.add_argument("--sim", default=None, help="the simulators' control endpoint (engineer view)")
    hmi.add_argument("--commands", default=None, help="the service's HMI command endpoint (cockpit; default bus+1)")
    hmi.add_argument("--snapshot", default=None, help="the HMI bus's snapshot endpoint (default: as advertised)")
    hmi.add_argument("--key", default=None, help="CURVE: this screen's NAME.key_secret ([service.hmi_curve])")
    hmi.add_argument("--server-key", default=None, help="CURVE: the service's public NAME.key")
    hmi.add_argument("--station", default=None)
    hmi.add_argument("--kiosk", action="store_true", help="full screen, for the line panel")
    hmi.set_defaults(func=_hmi)

    report = sub.add_parser("report", help="the shift report: KPIs per hour from the read models")
    report.add_argument("--config", default=None, help="plant file (default: the shipped demo plant)")
    report.add_argument("--database", default=None, help="SQLAlchemy URL, overrides the plant file")
    report.add_argument("--shift", default=None, help="early, late or night (06-14, 14-22, 22-06 plant time)")
    report.add_argument("--date", default=None, help="YYYY-MM-DD: the day (of the shift's start); default today")
    report.add_argument("--from", dest="start", default=None, help="window start, ISO (plant time) or epoch s")
    report.add_argument("--to", dest="end", default=None, help="window end (exclusive), with --from")
    report.add_argument("--json", action="store_true", help="print one JSON object")
    report.set_defaults(func=_report)

    sub.add_parser("sim", help="run simulators: jis sim plant --config FILE [--speed X] ...", add_help=False)
    sub.add_parser(
        "parse", help="parse an OEM message file (DELJIT, X12 866, VDA 4916, JSON) to JSON lines", add_help=False
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["sim"]:
        return _sim(argv[1:])
    passthrough = {
        "migrate": ("app.persist.migrations", "main_migrate"),
        "replay": ("app.service.replay", "main_replay"),
        "import": ("app.feed.importer", "main_import"),
        "certs": ("app.net.certs", "main_certs"),
        "feed-keys": ("app.net.curve_keys", "main_feed_keys"),
        "chaos": ("app.proof.chaos", "main_chaos"),
    }
    if argv[:1] and argv[0] in passthrough:
        module, func = passthrough[argv[0]]
        return int(getattr(importlib.import_module(module), func)(argv[1:]))
    if argv[:1] == ["users"]:
        from app.cli.users import main_users

        return main_users(argv[1:])
    if argv[:1] == ["bench"]:
        from app.proof.bench import main_bench

        return main_bench(argv[1:])
    if argv[:1] == ["fuzz"]:
        from app.proof.fuzz import main_fuzz

        return main_fuzz(argv[1:])
    if argv[:1] == ["parse"]:
        from app.feed.formats import main_parse

        return main_parse(argv[1:])
    args = build_parser().parse_args(argv)
    if args.command != "demo":
        configure(args.log_level, args.log_json)
    try:
        return int(args.func(args))
    except PlantConfigError as exc:
        print(f"jis: config error:\n{exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
