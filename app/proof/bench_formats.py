"""Benchmark of the partner-file parsers: a 50 MB catch-up interchange per format, parsed as a stream.

For DELJIT, X12 866 and VDA 4916 it writes one big file (150,000 DELJIT messages of one SEQ group each, about
200,000 866 transaction sets, about 130,000 VDA vehicles: ~50 MB each) to a temporary folder, then in a fresh
interpreter per measurement:
- parses it with ``open_stream`` as the intake would (broadcasts completed with the demo plant's families,
  consumed one at a time, nothing kept) and reports broadcasts (messages) per second and the peak RSS above
  the idle process (the interpreter with the parsers imported, before the file is opened);
- reads the same file raw in 1 MiB chunks, for the same two figures: the ratio of the times is the cost of
  parsing. The goal (issue 16): at least 50,000 messages/s and under 200 MB above idle.

Wiring (for whoever owns the CLI): ``jis bench formats [--json]`` should call ``run(json=...)``; it prints the
table (or one JSON object) and returns the figures. Must not: write anywhere but its own temporary folder,
or touch a database, a device or the network.
"""

from __future__ import annotations

import json as json_module
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TARGET_BYTES = 50_000_000
GOAL_MESSAGES_PER_S = 50_000
GOAL_PEAK_MB = 200


def deljit_file(path: Path, messages: int = 150_000) -> int:
    """One interchange of ``messages`` DELJIT messages, one vehicle (SEQ group, two parts) each."""
    with path.open("wb") as f:
        f.write(b"UNA:+.? 'UNB+UNOC:3+O0013000093OEMWOB:OD+O0013005678SUPPLY:OD+250305:0812+00000042'\r\n")
        for m in range(1, messages + 1):
            seq = m % 10_000
            segs = [
                f"UNH+{m}+DELJIT:D:97A:UN:SYNC30",
                f"BGM+30+JC{m:08d}+9",
                "DTM+137:202503050812:203",
                f"SEQ+1+{seq:04d}:1",
                f"DTM+2:2025030510{m % 60:02d}:203",
                f"GIR+1+WVWZZZ1KZRW{m:06d}:VV+{m:07d}:BN",
                "LOC+175+A1",
                "LIN+1++SEAT-LEATH-BLK-H:SA",
                "PIA+1+5G4881105AB:IN",
                "QTY+1:1:PCE",
                "LIN+2++BMP-040-PDC:SA",
                "PIA+1+5G0807221GRU:IN",
                "QTY+1:1:PCE",
            ]
            segs.append(f"UNT+{len(segs) + 1}+{m}")
            f.write("".join(s + "'\r\n" for s in segs).encode())
        f.write(f"UNZ+{messages}+00000042'\r\n".encode())
    return messages


def x12_file(path: Path, sets: int = 200_000) -> int:
    """One interchange, one group of ``sets`` 866 transaction sets, one vehicle (DTM loop, two parts) each."""
    with path.open("wb") as f:
        isa = (
            "ISA*00*          *00*          *ZZ*FORDAP01       *ZZ*SUPPLIER01     *250305*0812*U*00401*000000042*0*P*>~"
        )
        f.write(f"{isa}\r\nGS*SQ*FORDAP01*SUPPLIER01*20250305*0812*42*X*004010~\r\n".encode())
        for n in range(1, sets + 1):
            segs = [
                f"ST*866*{n:09d}",
                f"BSS*00*SEQ{n:09d}*20250305*SH*20250305*20250306",
                f"DTM*002*20250305*10{n % 60:02d}*ET",
                f"REF*JS*{n % 10_000:04d}",
                f"REF*VT*1FAHP3F20RL{n:06d}",
                "LIN*1*VP*SEAT-CLOTH-BLK*BP*SEATCLOTHB",
                "QTY*01*1*EA",
                "LIN*2*VP*BMP-040*BP*BMP040",
                "QTY*01*1*EA",
                "CTT*2",
            ]
            segs.append(f"SE*{len(segs) + 1}*{n:09d}")
            f.write("".join(s + "~\r\n" for s in segs).encode())
        f.write(f"GE*{sets}*42~\r\nIEA*1*000000042~\r\n".encode())
    return sets


def vda_file(path: Path, vehicles: int = 128_000) -> int:
    """One VDA 4916 transmission (default mapping): ``vehicles`` vehicle records with two part records each."""
    with path.open("wb") as f:
        f.write(b"66101OEMWOB001SUPPLY01 00041000422503050812".ljust(128) + b"\r\n")
        for n in range(vehicles):
            vehicle = f"66201{n % 1_000_000:06d}WVWZZZ1KZRW{n:06d}NJ2025030510{n % 60:02d}1A04 A1 R100JC{n:06d}"
            f.write(vehicle.ljust(128).encode() + b"\r\n")
            f.write(b"66301SEAT-LEATH-BLK-H      000000001ST".ljust(128) + b"\r\n")
            f.write(b"66301BMP-040-PDC           000000001ST".ljust(128) + b"\r\n")
        f.write(f"66901{vehicles:07d}{2 * vehicles:07d}".ljust(128).encode() + b"\r\n")
    return vehicles


WRITERS: dict[str, Callable[[Path], int]] = {"deljit": deljit_file, "x12": x12_file, "vda": vda_file}


def _rss_kb() -> tuple[int, int]:
    """(VmRSS, VmHWM) of this process in KiB, from /proc (Linux)."""
    fields = dict(
        line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("Vm")
    )
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def measure(path: str, mode: str) -> dict[str, Any]:
    """In this (fresh) process: parse or raw-read ``path``; seconds, CPU seconds, count, RSS above idle."""
    from app.config import load_plant
    from app.feed.formats.canonical import Problem
    from app.feed.formats.detect import open_stream

    plant = load_plant()
    idle, _ = _rss_kb()
    wall, cpu = time.perf_counter(), time.process_time()
    broadcasts = problems = 0
    if mode == "raw":
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                broadcasts += chunk.count(b"\n")
    else:
        with open_stream(path, plant=plant, feed="L1") as stream:
            for item in stream:
                if isinstance(item, Problem):
                    problems += 1
                else:
                    broadcasts += 1
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    _, peak = _rss_kb()
    return {"seconds": wall, "cpu_seconds": cpu, "items": broadcasts, "problems": problems,
            "peak_mb_above_idle": (peak - idle) / 1024, "idle_mb": idle / 1024}  # fmt: skip


def _child(path: Path, mode: str) -> dict[str, Any]:
    code = (
        f"import json; from app.proof.bench_formats import measure; print(json.dumps(measure({str(path)!r}, {mode!r})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return dict(json_module.loads(out.stdout.strip().splitlines()[-1]))


def run(formats: tuple[str, ...] = ("deljit", "x12", "vda"), scale: float = 1.0) -> dict[str, Any]:
    """Write, parse and raw-read one ~50 MB file per format (``scale`` shrinks it for tests); the figures per format
    (``jis bench formats`` prints them)."""
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="jis-bench-formats-") as folder:
        for name in formats:
            path = Path(folder) / f"{name}.dat"
            writer = WRITERS[name]
            default = writer.__defaults__[0] if writer.__defaults__ else 0
            expected = writer(path, max(1, int(default * scale)))  # type: ignore[call-arg]
            parsed, raw = _child(path, "parse"), _child(path, "raw")
            report[name] = {
                "file_mb": round(path.stat().st_size / 1e6, 1),
                "messages": parsed["items"],
                "expected": expected,
                "problems": parsed["problems"],
                "messages_per_s": round(parsed["items"] / parsed["seconds"]),
                "cpu_messages_per_s": round(parsed["items"] / parsed["cpu_seconds"]),
                "parse_s": round(parsed["seconds"], 2),
                "raw_read_s": round(raw["seconds"], 3),
                "parse_over_raw": round(parsed["seconds"] / max(raw["seconds"], 1e-6), 1),
                "peak_mb_above_idle": round(parsed["peak_mb_above_idle"], 1),
                "raw_peak_mb_above_idle": round(raw["peak_mb_above_idle"], 1),
            }
    report["goal"] = {"messages_per_s": GOAL_MESSAGES_PER_S, "peak_mb_above_idle": GOAL_PEAK_MB}
    return report


if __name__ == "__main__":
    print(json_module.dumps(run()))
