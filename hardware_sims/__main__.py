"""``python -m hardware_sims plant --config FILE``: run the simulated plant (``jis sim`` calls this).

Kept separate from the service's CLI so that production code never imports a simulator.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal
import sys
from pathlib import Path

from hardware_sims.control import SimControl, check_endpoint
from hardware_sims.faults import ALL_FAULTS, parse_faults
from hardware_sims.plant import SimulatedPlant
from sequencer.plant import PlantConfig, PlantConfigError, parse_plant


def load(path: Path) -> PlantConfig:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return PlantConfig.model_validate(json.loads(text))
    return parse_plant(text, str(path))


async def run_plant(args: argparse.Namespace) -> int:
    plant = load(Path(args.config))
    sim = SimulatedPlant(
        plant, speed=args.speed, vehicles=args.vehicles, seed=args.seed, faults=parse_faults(args.faults)
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await sim.start()
    control = SimControl(sim, args.control) if args.control else None
    ready: dict[str, object] = {"ready": True}
    if control is not None:
        ready["control"] = await control.start()  # the bound endpoint, for the engineer's view (--sim)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="jis sim", description="Run the simulated plant on 127.0.0.1.")
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("plant", help="every device and OEM feed in the plant file")
    p.add_argument("--config", required=True, help="plant file (.toml, or .json as the demo writes it)")
    p.add_argument("--speed", type=float, default=1.0, help="simulated seconds per real second")
    p.add_argument("--vehicles", type=int, default=None, help="stop broadcasting after N vehicles per feed")
    p.add_argument("--seed", type=int, default=None, help="override the plant file's simulation seed")
    p.add_argument("--records", default=None, help="write the printers' records here (JSON lines) on exit")
    p.add_argument("--faults", default="none", help="all, none, or a comma list: " + ",".join(ALL_FAULTS))
    p.add_argument("--control", default=None, help="control channel: tcp://127.0.0.1:PORT only (docs/sim-control.md)")
    p.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(argv)
    if args.control:
        try:
            check_endpoint(args.control)
        except ValueError as exc:
            parser.error(str(exc))
    logging.basicConfig(level=args.log_level, format="%(asctime)s sim %(levelname)s %(name)s: %(message)s")
    # pymodbus logs a hex dump at ERROR for every request cut short when a gateway is switched off on purpose
    # (the "devices" faults); the simulators' own logs say what happened.
    logging.getLogger("pymodbus").setLevel(logging.CRITICAL)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            return asyncio.run(run_plant(args))
    except PlantConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
