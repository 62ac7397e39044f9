"""``python -m hardware_sims plant --config FILE``: run the simulated plant (``jis sim`` calls this).

``ptl``, ``printer``, ``scanner`` and ``oem`` run one device alone, so a real service, a third-party client or a
real device can be paired with a single simulator. Kept separate from the service's CLI so that production code never
imports a simulator; ``jis sim`` execs this with its arguments and the global ``--log-level`` / ``--log-json``.
"""

from __future__ import annotations

import os
import signal
import sys

if __name__ == "__main__":  # a Ctrl-C while the simulators' libraries load (a second) ends quietly too: main()
    signal.signal(signal.SIGINT, lambda signum, frame: sys.exit(128 + signum))  # puts Python's own back
    _parent = os.environ.pop("JIS_PARENT_PID", "")  # started by jis demo or jis chaos (app.signals.spawning)
    if _parent.isdigit() and int(_parent) != os.getpid() and sys.platform.startswith("linux"):  # (jis sim: exec)
        import ctypes

        ctypes.CDLL(None).prctl(1, int(signal.SIGTERM), 0, 0, 0)  # PR_SET_PDEATHSIG
        if os.getppid() != int(_parent):  # gone already
            signal.raise_signal(signal.SIGTERM)
    if hasattr(signal, "pthread_sigmask"):  # blocked by a parent while this interpreter started (app.signals)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, (signal.SIGINT, signal.SIGTERM))

import argparse  # (below the handler above: these take a second to load)
import asyncio
import contextlib
import errno
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from hardware_sims.clock import ScaledClock
from hardware_sims.control import SimControl, check_endpoint
from hardware_sims.faults import ALL_FAULTS, parse_faults
from hardware_sims.oem_feed import OemFeedSim
from hardware_sims.oem_socket import CurveClientKeys
from hardware_sims.opcua_printer import OpcUaPrinterSim
from hardware_sims.opcua_ptl import OpcUaPtlSim
from hardware_sims.plant import SimulatedPlant
from hardware_sims.printer_plc import PrinterPlcSim
from hardware_sims.ptl_gateway import PtlGatewaySim
from hardware_sims.scanner import FAULTS as SCANNER_FAULTS
from hardware_sims.scanner import ScannerSim
from hardware_sims.zpl_printer import ZplPrinterSim
from sequencer.plant import PlantConfig, PlantConfigError, parse_plant

Number = TypeVar("Number", int, float)
_startup = logging.getLogger("startup")  # what runs where: shown at the default level (``_configure_logging``)


def load(path: Path) -> PlantConfig:
    """The plant file; PlantConfigError names the file (and the key) when it cannot be read or is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlantConfigError(f"{path}: cannot read plant file: {getattr(exc, 'strerror', None) or exc}") from None
    if path.suffix == ".json":
        try:
            return PlantConfig.model_validate(json.loads(text))
        except ValueError as exc:
            raise PlantConfigError(f"{path}: {exc}") from None
    return parse_plant(text, str(path))


async def run_plant(args: argparse.Namespace) -> int:
    plant = load(Path(args.config))
    if bool(args.feed_key) != bool(args.feed_server_key):
        print("jis sim plant: --feed-key and --feed-server-key go together", file=sys.stderr)
        return 2
    curve = CurveClientKeys.from_files(args.feed_key, args.feed_server_key) if args.feed_key else None
    sim = SimulatedPlant(
        plant,
        speed=args.speed,
        vehicles=args.vehicles,
        seed=args.seed,
        faults=parse_faults(args.faults),
        feed_curve=curve,
    )
    stop = _stop_on_signal()
    await sim.start()
    control = SimControl(sim, args.control) if args.control else None
    ready: dict[str, object] = {"ready": True}
    if control is not None:
        ready["control"] = await control.start()  # the bound endpoint, for the engineer's view (--sim)
    for line in sim.describe():  # on stderr at the default level: what runs where
        _startup.info("%s", line)
    if control is not None:
        _startup.info("control channel %s (docs/sim-control.md)", ready["control"])
    print(json.dumps(ready), flush=True)  # the demo waits for this line
    try:
        await stop.wait()
    finally:
        if control is not None:
            await control.stop()
        await sim.stop()
        if args.records:
            sim.write_records(Path(args.records))
    return 0


def _stop_on_signal() -> asyncio.Event:
    """SIGTERM / SIGINT set the event: handlers go in before the ready line, so a quick stop is clean too."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop


def _printer(args: argparse.Namespace, clock: ScaledClock) -> ZplPrinterSim | PrinterPlcSim | OpcUaPrinterSim:
    """The printer simulator ``--protocol`` names (the parser allows only these three)."""
    if args.protocol == "modbus":
        return PrinterPlcSim(clock=clock, host=args.host, port=args.port)
    if args.protocol == "opcua":
        return OpcUaPrinterSim(clock=clock, host=args.host, port=args.port)
    return ZplPrinterSim(clock=clock, host=args.host, port=args.port, status_port=args.status_port)


async def run_device(args: argparse.Namespace) -> int:
    """One device alone on 127.0.0.1 until SIGTERM; prints {"ready": true, ...} with its address."""
    stop = _stop_on_signal()
    clock = ScaledClock(args.speed)
    ready: dict[str, object] = {"ready": True, "device": args.what}
    if args.what == "ptl":
        lights = [int(n) for n in args.lights.split(",")]
        sim: Any = (
            OpcUaPtlSim(lights, host=args.host, port=args.port)
            if args.protocol == "opcua"
            else PtlGatewaySim(lights, clock=clock, host=args.host, port=args.port)
        )
        ready["address"] = await sim.start()
    elif args.what == "scanner":
        sim = ScannerSim(host=args.host, port=args.port, name="scanner")
        await sim.start()
        ready["address"] = sim.port
        task = asyncio.create_task(_scanner_stdin(sim))
    elif args.what == "printer":
        sim = printer = _printer(args, clock)
        if isinstance(printer, ZplPrinterSim):  # two ports: raw print (ZPL, ~HS) and JSON status
            await printer.start()
            ready["address"] = {"print": printer.print_port, "status": printer.status_port}
        else:
            ready["address"] = await printer.start()
    else:
        plant = load(Path(args.config))
        endpoint = args.endpoint or plant.service.feed_endpoint
        sim = OemFeedSim.from_plant(plant, clock=clock, feed=args.feed, vehicles=args.vehicles, endpoint=endpoint)
        task = asyncio.create_task(sim.run())
        ready["address"] = sim.endpoint
    print(json.dumps(ready, default=str), flush=True)
    try:
        await stop.wait()
    finally:
        if args.what == "oem":
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            sim.close()
        elif args.what == "scanner":
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await sim.stop()
        else:
            await sim.stop()
    return 0


async def _scanner_stdin(sim: ScannerSim) -> None:
    """``jis sim scanner``: each line on stdin is a read; ``!NAME on|off [SECONDS]`` switches a fault."""
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        text = line.rstrip("\r\n")
        if text.startswith("!"):
            name, _, rest = text[1:].partition(" ")
            words = rest.split()
            try:
                seconds = float(words[1]) if len(words) > 1 else None
                await sim.set_fault(name, bool(words) and words[0] == "on", seconds)
            except ValueError as exc:
                print(json.dumps({"error": str(exc)}), flush=True)
        elif text:
            sim.read(text)


def _device_parsers(sub: Any) -> None:
    ptl = sub.add_parser("ptl", help="one pick-to-light controller (Modbus gateway or OPC UA server)")
    ptl.add_argument(
        "--protocol", choices=["modbus", "opcua"], default="modbus", help="what it speaks (default modbus)"
    )
    ptl.add_argument("--lights", default="1,2,3,4", help="light addresses (Modbus unit ids)")
    printer = sub.add_parser("printer", help="one label printer (ZPL/TCP, Modbus PLC or OPC UA engine)")
    printer.add_argument("--protocol", choices=["zpl", "modbus", "opcua"], default="zpl", help="what it speaks")
    printer.add_argument("--status-port", type=_port, default=0, help="JSON status port (9200), 0: any free port")
    scanner = sub.add_parser(
        "scanner",
        help="one fixed-mount barcode reader (plain TCP, docs/scanner-tcp.md): each stdin line is a read,"
        f" '!NAME on|off' a fault ({', '.join(SCANNER_FAULTS)})",
    )
    oem = sub.add_parser("oem", help="one OEM feed gateway sending broadcasts to a service")
    oem.add_argument("--config", required=True, help="plant file: the feed, its modulus, takt and vehicle mix")
    oem.add_argument("--feed", default=None, help="the feed it sends (default: the plant's first)")
    oem.add_argument("--endpoint", default=None, help="the service's feed endpoint (default: the plant file's)")
    oem.add_argument("--vehicles", type=_at_least_one, default=None, help="stop after N vehicles (default: never)")
    for p in (ptl, printer, scanner, oem):
        p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        p.add_argument("--port", type=_port, default=0, help="0: any free port (printed on the ready line)")
        p.add_argument("--speed", type=_positive, default=1.0, help="simulated seconds per real second")
        _log_level(p)


class _Parser(argparse.ArgumentParser):
    """Refuses in one line (as ``jis`` does), not with the usage and a line."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _positive(text: str) -> float:
    value = _number(float, text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, not {text}")
    return value


def _at_least_one(text: str) -> int:
    value = _number(int, text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {text}")
    return value


def _port(text: str) -> int:
    value = _number(int, text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port, 0 to 65535, not {text}")
    return value


def _number(kind: Callable[[str], Number], text: str) -> Number:
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, not {text!r}") from None


def _faults(text: str) -> str:
    try:
        parse_faults(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _log_level(parser: argparse.ArgumentParser, **kwargs: Any) -> None:
    levels = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
    parser.add_argument(
        "--log-level", type=str.upper, choices=levels, default=None, metavar="LEVEL", help=", ".join(levels), **kwargs
    )


class _JsonLines(logging.Formatter):
    """One JSON object a line, with the keys ``jis --log-json`` writes (``app.logjson``, which the simulators may
    not import: they stand apart from the production code)."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        entry = {"ts": when, "level": record.levelname, "logger": record.name, "msg": record.getMessage()}
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def _configure_logging(level: str, *, json_lines: bool) -> None:
    handler = logging.StreamHandler()
    text = logging.Formatter("%(asctime)s sim %(levelname)s %(name)s: %(message)s")
    handler.setFormatter(_JsonLines() if json_lines else text)
    logging.basicConfig(level=level, handlers=[handler])
    chosen = logging.getLogger().getEffectiveLevel()  # start-up lines shown unless ERROR or above is asked for
    _startup.setLevel(min(chosen, logging.INFO) if chosen <= logging.WARNING else chosen)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="jis sim", description="Run the simulated plant on 127.0.0.1.")
    _log_level(parser, dest="global_log_level")  # as after the simulator's name: jis --log-level passes it here
    parser.add_argument("--log-json", action="store_true", help="structured logs: one JSON object a line")
    sub = parser.add_subparsers(dest="what", required=True, metavar="SIMULATOR")
    p = sub.add_parser("plant", help="every device and OEM feed in the plant file")
    p.add_argument("--config", required=True, help="plant file (.toml, or .json as the demo writes it)")
    p.add_argument("--speed", type=_positive, default=1.0, help="simulated seconds per real second")
    p.add_argument("--vehicles", type=_at_least_one, default=None, help="stop broadcasting after N vehicles per feed")
    p.add_argument("--seed", type=int, default=None, help="override the plant file's simulation seed")
    p.add_argument("--records", default=None, help="write the printers' records here (JSON lines) on exit")
    p.add_argument("--faults", type=_faults, default="none", help="all, none, or a comma list: " + ",".join(ALL_FAULTS))
    p.add_argument("--control", default=None, help="control channel: tcp://127.0.0.1:PORT only (docs/sim-control.md)")
    p.add_argument("--feed-key", default=None, help="the OEM gateways' CURVE key pair (NAME.key_secret, jis feed-keys)")
    p.add_argument("--feed-server-key", default=None, help="the service's public feed key (NAME.key), with --feed-key")
    _log_level(p)
    _device_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGINT, signal.default_int_handler)  # loaded: Ctrl-C is Python's KeyboardInterrupt again
    try:
        return _main(argv)
    except KeyboardInterrupt:  # before the simulators run (they stop on SIGINT themselves), nothing to stop
        exec("")  # handled: else python -m dies by SIGINT if it came while a dataclass was built (app.signals)
        return 128 + signal.SIGINT


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "control", None):
        try:
            check_endpoint(args.control)
        except ValueError as exc:
            parser.error(str(exc))
    _configure_logging(args.log_level or args.global_log_level or "WARNING", json_lines=args.log_json)
    # pymodbus logs a hex dump at ERROR for every request cut short when a gateway is switched off on purpose
    # (the "devices" faults); the simulators' own logs say what happened.
    logging.getLogger("pymodbus").setLevel(logging.CRITICAL)
    logging.getLogger("asyncua").setLevel(logging.ERROR)  # "no encrypting policy": the UNSECURED warning says it
    try:
        with contextlib.suppress(KeyboardInterrupt):
            return asyncio.run(run_plant(args) if args.what == "plant" else run_device(args))
    except PlantConfigError as exc:
        print(f"jis sim: {'; '.join(str(exc).splitlines())}", file=sys.stderr)
        return 2
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        print(f"jis sim: a port it listens on is already in use ({exc.strerror}): give another --port", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
