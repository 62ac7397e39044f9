"""``jis fuzz``: a seeded mutation-fuzzing campaign over every input edge, printing inputs and crashes per target.

Each target is fed pure random bytes and mutations (bit flips, byte insertions and deletions, splices, repeated
separators) of a corpus of real samples. The contract: a parser never raises anything but its own refusal type
(or, for the message formats, never raises at all: bad input becomes a quarantinable problem with its reason).
A "crash" is any other exception; the first few are printed with the input that caused them.

The structure-aware targets (``deljit_structure``, ``x12_structure``, ``vda_structure``; app/proof/fuzz_structure.py)
build interchanges of N good messages and one mutated the way files break (segments repeated, dropped, swapped,
separators changed, release characters broken, control characters, envelopes cut short) and count, besides
crashes, every good message that did not come through ("lost"). Hypothesis tests in the suite cover the same
edges with shrinking; this campaign runs the volume (100,000 inputs a target by default).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.config import demo_plant_path, load_plant
from app.feed.formats import families_of_plant, parse_bytes
from app.feed.protocol import BadBroadcast, decode_broadcast
from app.hmi.roles import INTENTS, build_intent
from app.hmi.wire import IntentRequest, parse_request, salvage
from app.progress import Progress
from app.proof import fuzz_structure
from sequencer.plant import PlantConfigError, parse_plant

SAMPLE_SUFFIXES = {"deljit": ".edi", "x12": ".x12", "vda": ".txt", "json": ".jsonl"}
PROGRESS_EVERY = 256  # inputs between looks at the clock for the progress line
TARGETS = ("deljit", "x12", "vda", "json", "feed_broadcast", "hmi_command", "plant_config")  # in _targets' order
STRUCTURE_TARGETS = tuple(f"{fmt}_structure" for fmt in fuzz_structure.FORMATS)  # whole interchanges, one broken


def _mutate(rng: random.Random, data: bytes, corpus: list[bytes]) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(6)
        pos = rng.randrange(len(b) + 1)
        if op == 0 and b:
            b[min(pos, len(b) - 1)] ^= 1 << rng.randrange(8)
        elif op == 1:
            b[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif op == 2 and b:
            del b[pos : pos + rng.randint(1, 16)]
        elif op == 3 and corpus:
            other = rng.choice(corpus)
            start = rng.randrange(len(other) + 1)
            b[pos:pos] = other[start : start + rng.randint(1, 64)]
        elif op == 4:
            b[pos:pos] = rng.choice([b"'", b"+", b":", b"?", b"~", b"*", b"\r\n", b"{", b'"', b"\x00"]) * rng.randint(
                1, 4
            )
        else:
            b = b[:pos]
    return bytes(b)


def _inputs(rng: random.Random, corpus: list[bytes], n: int) -> Any:
    for i in range(n):
        if not corpus or i % 10 == 0:
            yield bytes(rng.randrange(256) for _ in range(rng.randint(0, 300)))
        else:
            yield _mutate(rng, rng.choice(corpus), corpus)


def _hmi_command(raw: bytes) -> object:
    """What the command server does with a frame before it reaches the core: parse it strictly (a refusal is an
    answer, not an exception), salvage who/what for the audit line, and build the manual operation."""
    request, problem = parse_request(raw)
    if request is None:
        return problem, salvage(raw)
    if isinstance(request, IntentRequest):
        try:
            return build_intent(request.type, request.fields, at=0.0, user="fuzz", reason=request.reason)
        except ValueError as exc:  # refused with its reason
            return str(exc)
    return request


def _hmi_samples() -> list[bytes]:
    """One valid request of each kind, and one intent of each type with plausible fields, to mutate from."""
    base = [
        b'{"op":"login","id":1,"user":"lead","password":"correct horse"}',
        b'{"op":"logout","token":"abc"}',
        b'{"op":"intent","id":"7","token":"t","type":"hold","fields":{"feed":"L1","seq":42},"reason":"paint"}',
        b'{"op":"intent","token":"t","type":"swap","fields":{"feed":"L1","seq":1,"other_seq":2},"reason":"r"}',
        b'{"op":"intent","token":"t","type":"reprint","fields":{"label_id":"P-L1-42-SEAT"},"reason":"torn"}',
    ]
    return base + [
        json.dumps({"op": "intent", "token": "t", "type": name, "fields": {}, "reason": "fuzz"}).encode()
        for name in sorted(INTENTS)
    ]


def _targets(
    corpus_dir: Path,
) -> dict[str, tuple[Callable[[bytes], object], tuple[type[BaseException], ...], list[bytes]]]:
    plant = load_plant()
    families = families_of_plant(plant)

    def samples(suffix: str) -> list[bytes]:
        return [p.read_bytes() for p in sorted(corpus_dir.glob(f"*{suffix}"))] if corpus_dir.is_dir() else []

    def formats(raw: bytes) -> object:
        return parse_bytes(raw, family_of_part=families, feed_default="L1")

    demo_text = demo_plant_path().read_bytes()
    feed_lines = [ln for s in samples(".jsonl") for ln in s.splitlines() if ln.strip()]
    return {
        "deljit": (formats, (), samples(SAMPLE_SUFFIXES["deljit"])),
        "x12": (formats, (), samples(SAMPLE_SUFFIXES["x12"])),
        "vda": (formats, (), samples(SAMPLE_SUFFIXES["vda"])),
        "json": (formats, (), samples(SAMPLE_SUFFIXES["json"])),
        "feed_broadcast": (decode_broadcast, (BadBroadcast,), feed_lines),
        "hmi_command": (_hmi_command, (), _hmi_samples()),
        "plant_config": (
            lambda raw: parse_plant(raw.decode("utf-8", "replace"), "fuzz.toml"),
            (PlantConfigError,),
            [demo_text],
        ),
    }


def _structured(fmt: str, n: int, seed: int) -> dict[str, Any]:
    """``n`` structured cases of ``fmt``: crashes and good messages lost, with the first few examples."""
    rng = random.Random(f"{seed}:{fmt}:structure")
    crashes = lost = 0
    examples: list[dict[str, str]] = []
    mutations: dict[str, int] = {}
    start = time.perf_counter()
    for _ in range(n):
        case = fuzz_structure.case(rng, fmt)
        mutations[case.mutation] = mutations.get(case.mutation, 0) + 1
        found = fuzz_structure.violations(case)
        crashes += any(v.startswith("crash") for v in found)
        lost += sum(v.startswith("good message lost") for v in found)
        if found and len(examples) < 5:
            error = f"{case.mutation} {'; '.join(case.notes)}: {'; '.join(found[:3])}"
            examples.append({"error": error[:300], "input": case.raw[:200].hex()})
    return {"inputs": n, "crashes": crashes, "lost": lost, "corpus": 0, "mutations": mutations,
            "seconds": round(time.perf_counter() - start, 2), "examples": examples}  # fmt: skip


def run(
    n: int, seed: int, corpus_dir: Path, only: list[str] | None = None, progress: Progress | None = None
) -> dict[str, Any]:
    """``n`` inputs into each target (those in ``only``), the findings per target; ``progress`` shows how far."""
    report: dict[str, Any] = {}
    structured = [f for f in fuzz_structure.FORMATS if not only or f"{f}_structure" in only]
    targets = {k: v for k, v in _targets(corpus_dir).items() if not only or k in only}
    count_all = len(structured) + len(targets)
    for index, fmt in enumerate(structured, 1):  # fewer: each case parses a whole interchange twice
        name = f"{fmt}_structure"
        if progress is not None:
            progress.phase(f"{name} ({index}/{count_all})", max(1, n // 10), "cases")
        report[name] = _structured(fmt, max(1, n // 10), seed)
    for index, (name, (target, allowed, corpus)) in enumerate(targets.items(), len(structured) + 1):
        if progress is not None:
            progress.phase(f"{name} ({index}/{count_all})", n, "inputs")
        rng = random.Random(f"{seed}:{name}")
        crashes: list[dict[str, str]] = []
        count = 0
        start = time.perf_counter()
        for raw in _inputs(rng, corpus, n):
            count += 1
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress.update(count, f"crashes {len(crashes)}")
            try:
                target(raw)
            except allowed:
                pass
            except Exception as exc:  # the finding: report it with its input
                if len(crashes) < 5:
                    crashes.append({"error": f"{type(exc).__name__}: {exc}"[:300], "input": raw[:200].hex()})
                else:
                    crashes.append({})
        report[name] = {
            "inputs": count,
            "crashes": len(crashes),
            "corpus": len(corpus),
            "seconds": round(time.perf_counter() - start, 2),
            "examples": [c for c in crashes if c][:5],
        }
    return report
