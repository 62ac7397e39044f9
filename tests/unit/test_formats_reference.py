"""Our tokenizers against independent implementations: pydifact (EDIFACT) and pyx12's raw X12 reader agree with
us on segment boundaries and element values, for the samples and for generated interchanges with every kind of
separator (tests/unit/test_formats_structure.py builds them). Both are pinned dev dependencies (pyproject.toml)."""

from __future__ import annotations

import io
import random
import warnings
from pathlib import Path

import pydifact.parser as pydifact_parser  # dev dependencies: a missing one fails the suite, never skips
import pytest
import pyx12.rawx12file as pyx12_raw
import pyx12.segment as pyx12_segment

from app.feed.formats.edifact import tokenize
from app.feed.formats.source import Source, scan
from app.feed.formats.x12 import Segment, isa_chars
from app.proof.fuzz_structure import case

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
# pydifact takes one UNA a file: the sample with a repeated interchange (two UNA) is ours alone
DELJIT = [
    p.name for p in sorted(SAMPLES.glob("deljit_*.edi")) if "truncated" not in p.name and "duplicate" not in p.name
]
X12 = [p.name for p in sorted(SAMPLES.glob("x12_*.x12"))]


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _theirs_edifact(raw: bytes) -> list[tuple[str, list[list[str]]]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydifact warns that it has no D24A directory for validation
        segments = list(pydifact_parser.Parser().parse(_text(raw)))
    return [(s.tag, [e if isinstance(e, list) else [e] for e in s.elements]) for s in segments if s.tag != "UNA"]


def _ours_edifact(raw: bytes) -> list[tuple[str, list[list[str]]]]:
    tokens = tokenize(raw)
    assert tokens.problems == []
    return [(s.tag, [list(e) for e in s.elements]) for s in tokens.segments]


@pytest.mark.parametrize("name", DELJIT)
def test_pydifact_reads_the_deljit_samples_as_we_do(name):
    raw = (SAMPLES / name).read_bytes()
    assert _ours_edifact(raw) == _theirs_edifact(raw)


def _pydifact_reads(raw: bytes) -> bool:
    """pydifact does not take a line break as the segment terminator: such interchanges are ours alone."""
    return b"UNA;#.\\ \n" not in raw


GENERATED = [seed for seed in range(16) if _pydifact_reads(case(random.Random(seed), "deljit", 4, "none").raw)][:12]


@pytest.mark.parametrize("seed", GENERATED)
def test_pydifact_reads_generated_interchanges_as_we_do(seed):
    raw = case(random.Random(seed), "deljit", 4, "none").raw
    assert _ours_edifact(raw) == _theirs_edifact(raw)


def _theirs_x12(raw: bytes) -> list[tuple[str, list[str]]]:
    text = _text(raw)
    reader = pyx12_raw.RawX12File(io.StringIO(text))
    seg_term, ele_term, sub_term = reader.get_term()[:3]
    out = []
    for line in reader:
        seg = pyx12_segment.Segment(line, seg_term, ele_term, sub_term)
        sid = seg.get_seg_id()
        out.append((sid, [seg.get_value(f"{sid}{i:02d}") or "" for i in range(1, len(seg) + 1)]))
    return out


def _ours_x12(raw: bytes) -> list[tuple[str, list[str]]]:
    text = raw.decode("latin-1")
    chars, end = isa_chars(text, 0)
    bodies = [text[: end - 1]]
    source, pos = Source(raw), end
    while pos < len(raw):
        region = scan(source, pos, chars.syntax)
        assert region.bad == {} and region.tail.strip() == ""
        bodies += region.bodies
        if region.next <= pos:
            break
        pos = region.next
    segments = [Segment.read(b, 0, 0, chars.element) for b in bodies]
    return [(s.tag, list(s.elements)) for s in segments]  # as sent: the 866 mapping strips padding later


@pytest.mark.parametrize("name", X12)
def test_pyx12_reads_the_866_samples_as_we_do(name):
    raw = (SAMPLES / name).read_bytes().replace(b"*00301*", b"*00401*").replace(b"|00301|", b"|00401|")
    assert _ours_x12(raw) == _theirs_x12(raw)


@pytest.mark.parametrize("seed", range(12))
def test_pyx12_reads_generated_interchanges_as_we_do(seed):
    raw = case(random.Random(seed), "x12", 4, "none").raw
    assert _ours_x12(raw) == _theirs_x12(raw)
