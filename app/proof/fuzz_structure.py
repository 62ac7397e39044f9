"""Structure-aware fuzzing of the partner-file parsers: N good messages and one mutated one, and the invariants.

``case(rng, fmt)`` builds an interchange (DELJIT, X12 866 or a VDA 4916 transmission) of N good messages, each
one vehicle, with random separators and line breaks, and mutates one message the way links and partners' tools
break files: a segment (record) repeated, dropped or swapped, a separator changed, a release character added
or removed, a control character or a random byte put in, the message cut short, a line break lost; or it cuts
the whole envelope short. ``violations(case)`` parses the result and names what broke an invariant:
- never a crash: nothing escapes the parser (a "parser error" problem is the safety net's, so it counts);
- never a good message lost beside a bad one: every message the mutation did not touch comes through, exactly
  as it does from the clean file (an envelope cut short keeps every message before the cut);
- every problem carries its reason and raw bytes that are in the file.

VDA caveat, by design of the format: a part record names no vehicle, so a lost or moved *vehicle* record would
hand its parts to the vehicle before it (the trailer's vehicle count reports it); the VDA mutations keep each
vehicle record first in its message.

Used by ``jis fuzz`` (app/proof/fuzz.py) and the Hypothesis tests (tests/unit/test_formats_structure.py). Must
not: read or write files, or depend on the demo plant (no master data: parts keep family "").
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.feed.formats.canonical import CanonicalBroadcast, ParseResult
from app.feed.formats.detect import parse_bytes

FORMATS = ("deljit", "x12", "vda")
MUTATIONS = ("repeat", "drop", "swap", "separator", "release", "control", "byte", "truncate", "glue")
ENVELOPE_MUTATIONS = ("cut_envelope",)


@dataclass
class Case:
    """One fuzz input: the bytes, which vehicles must come through, and what was done to it."""

    fmt: str
    raw: bytes
    good: dict[str, dict[str, Any]]  # vehicle id -> its broadcast from the clean file (raw_index left out)
    mutation: str
    mutated: str = ""  # vehicle id of the mutated message ("" for an envelope mutation)
    notes: list[str] = field(default_factory=list)


# -- building clean interchanges: each message a list of segments (text without terminator) -----------------------
_EDIFACT_CHARS = [":+.? '", ">|,! ~", ":+.?*'", ";#.\\ \n"]
_X12_CHARS = [("*", ">", "~"), ("|", "^", "~"), ("*", ":", "\n"), ("^", "\\", "!")]


def _deljit_messages(rng: random.Random, n: int, chars: str) -> tuple[list[list[str]], list[str]]:
    c, e, _d, r, _x, _t = tuple(chars)
    rel = r if r != " " else ""
    vins = [f"WVWZZZ1KZRW{rng.randrange(10**6):06d}{i:03d}" for i in range(n)]
    messages = []
    for i, vin in enumerate(vins):
        name = f"Sitze {rel}{e} Co{rel}{c} Nord" if rel else "Sitze und Co Nord"
        segs = [
            f"UNH{e}{i + 1}{e}DELJIT{c}D{c}97A{c}UN",
            f"BGM{e}30{e}JC{i:05d}{e}9",
            f"DTM{e}137{c}20250305{8 + i % 10:02d}12{c}203",
            f"NAD{e}SE{e}SUP{c}{c}92{e}{e}{name}",
            f"SEQ{e}1{e}{i:04d}{c}1",
            f"DTM{e}2{c}2025030510{i % 60:02d}{c}203",
            f"GIR{e}1{e}{vin}{c}VV",
            f"LIN{e}1{e}{e}SEAT-{i % 7}{c}SA",
            f"QTY{e}1{c}1",
            f"LIN{e}2{e}{e}BMP-{i % 5}{c}SA",
        ]
        segs.append(f"UNT{e}{len(segs) + 1}{e}{i + 1}")
        messages.append(segs)
    return messages, vins


def _x12_messages(rng: random.Random, n: int, chars: tuple[str, str, str]) -> tuple[str, list[list[str]], list[str]]:
    e, c, _t = chars
    isa = e.join(["ISA", "00", " " * 10, "00", " " * 10, "ZZ", "FORDAP01".ljust(15), "ZZ", "SUPPLIER01".ljust(15),
                  "250305", "0812", "U", "00401", "000004711", "0", "P", c])  # fmt: skip
    vins = [f"1FAHP3F20RL{rng.randrange(10**6):06d}{i:03d}" for i in range(n)]
    messages = []
    for i, vin in enumerate(vins):
        segs = [
            f"ST{e}866{e}{i + 1:04d}",
            f"BSS{e}00{e}SEQ{i:05d}{e}250305{e}SH{e}250305{e}250306",
            f"DTM{e}002{e}250305{e}10{i % 60:02d}{e}ET",
            f"REF{e}JS{e}{i:04d}",
            f"REF{e}VT{e}{vin}",
            f"LIN{e}1{e}VP{e}SEAT-{i % 7}{c}X",
            f"QTY{e}01{e}1{e}EA",
            f"LIN{e}2{e}VP{e}BMP-{i % 5}",
        ]
        segs.append(f"SE{e}{len(segs) + 1}{e}{i + 1:04d}")
        messages.append(segs)
    return isa, messages, vins


def _records(fields: list[tuple[str, int]]) -> str:
    return "".join(text[:width].ljust(width) for text, width in fields)


def _vda_messages(rng: random.Random, n: int) -> tuple[list[str], list[str]]:
    """Vehicle + part records (default mapping), one message per vehicle; returns (records per message, vins)."""
    vins = [f"WVWZZZ1KZRW{rng.randrange(10**4):04d}{i:02d}" for i in range(n)]
    out = []
    for i, vin in enumerate(vins):
        vehicle = "66201" + _records([(f"{i:06d}", 6), (vin, 17), ("N", 1), ("J", 1), (f"2025030510{i % 60:02d}", 12)])
        parts = [
            "66301" + _records([(f"SEAT-{i % 7}", 22), ("000000001", 9), ("ST", 2)]),
            "66301" + _records([(f"BMP-{i % 5}", 22), ("000000001", 9), ("ST", 2)]),
        ]
        out.append("\n".join([vehicle, *parts]))
    return out, vins


# -- mutations of one message ------------------------------------------------------------------------------------
def _mutate_segments(rng: random.Random, segs: list[str], kind: str, chars: dict[str, Any]) -> tuple[list[str], str]:
    """A structural change of a segment list; returns the new list and a note."""
    segs = list(segs)
    i = rng.randrange(len(segs))
    if kind == "repeat":
        segs.insert(i, segs[i])
        return segs, f"segment {i} repeated"
    if kind == "drop":
        del segs[i]
        return segs, f"segment {i} dropped"
    j = rng.randrange(len(segs))
    segs[i], segs[j] = segs[j], segs[i]
    return segs, f"segments {i} and {j} swapped"


def _mutate_text(rng: random.Random, text: str, kind: str, chars: dict[str, Any]) -> tuple[str, str]:
    """A character-level change of a message's text (its terminators included)."""
    seps = [c for c in (chars["e"], chars["c"], chars["t"], chars.get("r", "")) if c]
    at = rng.randrange(len(text) + 1)
    if kind == "separator":
        old = rng.choice(seps)
        new = rng.choice([c for c in [*seps, "*", "~", "+", ":", "'", "|", "#"] if c != old])
        if rng.random() < 0.5:
            return text.replace(old, new), f"every {old!r} became {new!r}"
        spots = [k for k, ch in enumerate(text) if ch == old] or [at]
        k = rng.choice(spots)
        return text[:k] + new + text[k + 1 :], f"the {old!r} at {k} became {new!r}"
    if kind == "release":
        r = chars.get("r") or "?"
        if r in text and rng.random() < 0.5:
            k = rng.choice([k for k, ch in enumerate(text) if ch == r])
            return text[:k] + text[k + 1 :], f"the release character at {k} removed"
        spots = [k for k, ch in enumerate(text) if ch in seps] or [at]
        k = rng.choice(spots)
        return text[:k] + r + text[k:], f"a release character put in before {k}"
    if kind == "control":
        ch = rng.choice(["\x00", "\x01", "\x1a", "\x7f", "\r", "\n", "\t", "\x1b"])
        return text[:at] + ch + text[at:], f"control character {ch!r} at {at}"
    if kind == "byte":
        ch = chr(rng.randrange(256))
        k = min(at, len(text) - 1)
        return text[:k] + ch + text[k + 1 :], f"byte {k} became {ch!r}"
    if kind == "truncate":
        k = rng.randrange(chars.get("keep", 1), max(chars.get("keep", 1) + 1, len(text)))
        return text[:k], f"cut short at {k} of {len(text)}"
    # glue: the line break / terminator at the end is lost
    t = chars["t"]
    return text[: -len(t)] if text.endswith(t) else text, "its last terminator lost"


# -- the cases -----------------------------------------------------------------------------------------------------
def _clean(fmt: str, raw: bytes) -> dict[str, dict[str, Any]]:
    result = parse_bytes(raw, family_of_part={}, feed_default="L1", zone="Europe/Berlin")
    assert all(p.kept for p in result.problems), (fmt, result.problems[:3])
    return {b.vehicle_id: _comparable(b) for b in result.broadcasts}


def _comparable(b: CanonicalBroadcast) -> dict[str, Any]:
    return b.model_dump(exclude={"raw_index"})


def case(rng: random.Random, fmt: str, n: int | None = None, kind: str | None = None) -> Case:
    """One structured fuzz case of format ``fmt`` ('deljit', 'x12', 'vda'); ``kind="none"``: the clean file."""
    n = n or rng.randint(2, 6)
    kind = kind or rng.choice(MUTATIONS + ENVELOPE_MUTATIONS)
    return _BUILDERS[fmt](rng, n, kind)


def _edi_case(fmt: str, rng: random.Random, n: int, kind: str) -> Case:
    crlf = rng.choice(["", "\r\n", "\n"])
    if fmt == "deljit":
        una_chars = rng.choice(_EDIFACT_CHARS)
        messages, vins = _deljit_messages(rng, n, una_chars)
        c, e, _d, r, _x, t = tuple(una_chars)
        chars = {"e": e, "c": c, "t": t, "r": r if r != " " else ""}
        una = "" if una_chars == ":+.? '" else f"UNA{una_chars}"
        lead, tail = [f"{una}UNB{e}UNOC{c}3{e}OEM{e}SUP{e}250305{c}0812{e}4711"], [f"UNZ{e}{n}{e}4711"]
    else:
        e, c, t = rng.choice(_X12_CHARS)
        isa, messages, vins = _x12_messages(rng, n, (e, c, t))
        chars = {"e": e, "c": c, "t": t}
        lead = [isa, f"GS{e}SQ{e}FORDAP01{e}SUPPLIER01{e}20250305{e}0812{e}4711{e}X{e}004010"]
        tail = [f"GE{e}{n}{e}4711", f"IEA{e}1{e}000004711"]
    if t == "\n":
        crlf = ""

    def text_of(segs: list[str]) -> str:
        return "".join(s + t + crlf for s in segs)

    texts = [text_of(m) for m in messages]
    clean = (text_of(lead) + "".join(texts) + text_of(tail)).encode("latin-1")
    expected = _clean(fmt, clean)
    assert len(expected) == n, (fmt, n, len(expected))
    if kind == "none":
        return Case(fmt, clean, expected, kind)
    if kind == "cut_envelope":
        cut = rng.randrange(len(text_of(lead)), len(clean))
        ends, at = [], len(text_of(lead))
        for text in texts:
            at += len(text)
            ends.append(at)
        good = {v: expected[v] for v, end in zip(vins, ends, strict=True) if end <= cut}
        return Case(fmt, clean[:cut], good, kind, notes=[f"cut at {cut} of {len(clean)}"])
    k = rng.randrange(n)
    if kind in ("repeat", "drop", "swap"):
        segs, note = _mutate_segments(rng, messages[k], kind, chars)
        bad = text_of(segs)
    else:
        body = text_of(messages[k])
        bad, note = _mutate_text(rng, body.rstrip("\r\n") if crlf else body, kind, chars)
        bad += crlf if crlf and body.endswith(crlf) else ""
    raw = (text_of(lead) + "".join(texts[:k]) + bad + "".join(texts[k + 1 :]) + text_of(tail)).encode("latin-1")
    good = {v: expected[v] for i, v in enumerate(vins) if i != k}
    return Case(fmt, raw, good, kind, vins[k], [f"message {k}: {note}"])


def _vda_case(rng: random.Random, n: int, kind: str) -> Case:
    messages, vins = _vda_messages(rng, n)
    header = "66101" + _records([("OEMWOB001", 9), ("SUPPLY01", 9), ("00041", 5), ("04711", 5), ("2503050812", 10)])
    trailer = "66901" + _records([(f"{n:07d}", 7), (f"{2 * n:07d}", 7)])
    eol = rng.choice(["\r\n", "\n", ""])  # "": one unbroken stream of records
    trim = bool(eol) and rng.random() < 0.5  # partners' tools trim trailing blanks

    def lines(text: str) -> str:
        return "".join((line.rstrip() if trim else line.ljust(128)) + eol for line in text.split("\n"))

    texts = [lines(m) for m in messages]
    clean = (lines(header) + "".join(texts) + lines(trailer)).encode("latin-1")
    expected = _clean("vda", clean)
    assert len(expected) == n, ("vda", len(expected))
    if kind == "none":
        return Case("vda", clean, expected, kind)
    if kind == "cut_envelope":
        cut = rng.randrange(len(lines(header)), len(clean))
        ends, at = [], len(lines(header))
        for text in texts:
            at += len(text)
            ends.append(at)
        # a vehicle is whole only once the next record starts: the cut must leave a record after it
        good = {v: expected[v] for v, end in zip(vins, ends, strict=True) if end + 3 <= cut}
        return Case("vda", clean[:cut], good, kind, notes=[f"cut at {cut} of {len(clean)}"])
    k = rng.randrange(n)
    records = messages[k].split("\n")
    # keep: a VDA record cut to less than its type and a field cannot be told from a part of the vehicle
    # before it, which is then quarantined too (by design: a vehicle must never pass with a part missing)
    chars = {"e": " ", "c": " ", "t": eol, "keep": 14}
    if kind in ("repeat", "drop", "swap"):
        parts, note = _mutate_segments(rng, records[1:], kind, chars)  # the vehicle record stays first
        bad = lines("\n".join([records[0], *parts]))
    elif kind == "glue":
        bad, note = lines(messages[k])[: len(lines(messages[k])) - len(eol)], "its last line break lost"
    else:
        text = lines(messages[k])
        bad, note = _mutate_text(rng, text[: len(text) - len(eol)], kind if kind != "release" else "byte", chars)
        bad += eol
    raw = (lines(header) + "".join(texts[:k]) + bad + "".join(texts[k + 1 :]) + lines(trailer)).encode("latin-1")
    good = {v: expected[v] for i, v in enumerate(vins) if i != k}
    return Case("vda", raw, good, kind, vins[k], [f"vehicle {k}: {note}"])


_BUILDERS: dict[str, Callable[[random.Random, int, str], Case]] = {
    "deljit": lambda rng, n, kind: _edi_case("deljit", rng, n, kind),
    "x12": lambda rng, n, kind: _edi_case("x12", rng, n, kind),
    "vda": _vda_case,
}


def violations(c: Case) -> list[str]:
    """What the parse of ``c`` breaks: a crash, a good message lost or changed, a problem without its bytes."""
    try:
        result: ParseResult = parse_bytes(c.raw, family_of_part={}, feed_default="L1", zone="Europe/Berlin")
    except Exception as exc:  # the finding itself
        return [f"crash {type(exc).__name__}: {exc}"]
    out = [f"crash: {p.reason}" for p in result.problems if p.reason.startswith("parser error")]
    got: dict[str, list[dict[str, Any]]] = {}
    for b in result.broadcasts:
        got.setdefault(b.vehicle_id, []).append(_comparable(b))
    for vin, want in c.good.items():
        if want not in got.get(vin, []):
            out.append(f"good message lost: vehicle {vin}" + (" (changed)" if vin in got else ""))
    out += [f"problem without reason or bytes from the file: {p}" for p in result.problems if not p.reason]
    out += [f"problem bytes not in the file: {p.reason}" for p in result.problems if p.raw and p.raw not in c.raw]
    return out
