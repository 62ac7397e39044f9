"""The cheap scan every JSON edge runs before parsing (``sequencer.json_guard``): the depth it reports is the
parser's, for any JSON value whatever its strings hold; it is never less than what a parser reaches in text that is
not JSON; and it stays cheap on bodies built to be slow."""

from __future__ import annotations

import json
import time
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sequencer.json_guard import MAX_DEPTH, json_refusal, nesting_depth

# Strings full of what could fool a scan: brackets, quotes, backslashes and escapes of every kind.
TRICKY = st.text(alphabet=st.sampled_from(list('[]{}"\\/ab\n\t\u00e9\u2028')), max_size=12)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | TRICKY,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TRICKY, inner, max_size=4),
    max_leaves=40,
)


def depth_of(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((depth_of(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth_of(v) for v in value.values()), default=0)
    return 0


@given(VALUES, st.booleans())
@settings(max_examples=400, deadline=None)
def test_the_depth_of_any_json_value_is_the_parsers(value: Any, ascii_only: bool) -> None:
    raw = json.dumps(value, ensure_ascii=ascii_only).encode()
    assert nesting_depth(raw) == depth_of(json.loads(raw))


@given(st.binary(max_size=200) | st.text(alphabet=st.sampled_from(list('[]{}",:\\ a1')), max_size=200).map(str.encode))
@settings(max_examples=400, deadline=None)
def test_text_that_passes_never_takes_a_parser_deeper_than_the_limit(raw: bytes) -> None:
    if json_refusal(raw, max_bytes=1000, max_depth=3):
        return
    try:
        parsed = json.loads(raw)
    except ValueError:
        return  # not JSON: the parser gave up, and the scan promised only the depth it reached on the way
    assert depth_of(parsed) <= 3


def test_refusals_name_the_size_or_the_depth() -> None:
    assert json_refusal(b"{}", max_bytes=2) == ""
    assert json_refusal(b"[1] ", max_bytes=3) == "larger than 3 bytes (4)"
    nested = b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1)
    assert json_refusal(nested, max_bytes=1000) == f"nested deeper than {MAX_DEPTH} levels"
    assert json_refusal(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH, max_bytes=1000) == ""
    assert json_refusal(b'{"a": "' + b"[" * 500 + b'"}', max_bytes=1000) == ""  # brackets in a string
    assert json_refusal(b"[" * 5000, max_bytes=10_000) == f"nested deeper than {MAX_DEPTH} levels"  # unclosed


def test_a_python_parser_would_have_raised_recursion_error_where_the_scan_refuses() -> None:
    """Why the scan exists: ``json.loads`` recurses per level and raises RecursionError, not ValueError."""
    deep = b"[" * 100_000 + b"]" * 100_000
    try:
        json.loads(deep)
    except RecursionError:
        pass
    else:  # pragma: no cover - a parser without the limit would make the scan less needed, not wrong
        raise AssertionError("expected json.loads to hit the recursion limit")
    assert json_refusal(deep, max_bytes=len(deep)) == f"nested deeper than {MAX_DEPTH} levels"


SLOW_BODIES = {
    "brackets": b"[" * 131_072,
    "flat pairs": b"[]" * 65_536,
    "strings and brackets": b'"[]' * 43_690,
    "quotes": b'"' * 131_072,
    "escaped quotes": b'["' + b'\\"' * 65_000,
    "deep and wide": (b"[" * 16 + b"]" * 16) * 4096,
}


def test_a_body_built_to_be_slow_is_scanned_in_a_few_milliseconds() -> None:
    for name, raw in SLOW_BODIES.items():
        best = min(_timed(raw) for _ in range(3))  # the best of three: the machine is shared
        assert best < 0.05, f"{name}: {best * 1000:.1f} ms"


def _timed(raw: bytes) -> float:
    started = time.perf_counter()
    json_refusal(raw, max_bytes=len(raw))
    return time.perf_counter() - started
