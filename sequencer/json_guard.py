"""A cheap look at untrusted JSON before any parser sees it: is it too large, or nested too deep?

What it is for: every edge that parses JSON from outside (the OEM feed's broadcasts, ``app.feed.protocol``; the HMI
commands, ``app.hmi.wire``; the simulators' control channel, ``hardware_sims.control``) asks ``json_refusal``
first and refuses what it names, with that reason. Python's ``json`` recurses once per level and raises
``RecursionError`` (not a ``ValueError``) at about a thousand: a request of ``[[[[...`` escaped the HMI's audit
that way and answered "error", and the traceback logged for each one slowed the line 35 times (issue 15).
pydantic's parser stops at 200 levels by itself, but what the edges do around it (a salvage of who sent a bad
request, ``json.dumps`` of its fields for the audit line) does not. Legitimate messages nest two or three levels.

How it stays cheap: a message with fewer opening brackets than the limit cannot be deeper than the limit (one
``bytes.count`` each, the common case: a broadcast has three; about a microsecond). Only one with more is scanned,
with C-level bytes operations: escaped backslashes and quotes removed, every byte but brackets and quotes deleted,
the text between quote pairs dropped (strings), the brackets left mapped to +1 and -1 and summed as they go
(``itertools.accumulate``). A 128 KiB body built to be slow takes 2-6 ms on these machines; the size limit,
checked first, bounds that.

It lives in ``sequencer`` because the three edges are in rooms that may not import each other (``app`` and
``hardware_sims``) and every room may import ``sequencer``; it is pure (bytes in, a sentence out).
What it must not do: parse, decode or judge the content (the edges' own decoders do), or read anything.
"""

from __future__ import annotations

from itertools import accumulate

MAX_DEPTH = 8  # levels of nesting every edge accepts; their legitimate messages need two or three

_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'[]{}"')
_STEP = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # as signed bytes: +1 in, -1 out


def nesting_depth(raw: bytes) -> int:
    """How deep ``raw`` nests arrays and objects (brackets inside strings do not count); 0 for a scalar. For text
    that is not JSON, the depth a parser would reach before it gave up, at most."""
    # ``\\`` first, left to right, so that ``\\"`` (an escaped backslash, then the closing quote) keeps its quote.
    # Outside a string a backslash is no JSON: the parser stops there, before anything this scan might misread.
    text = raw.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _NOT_STRUCTURE)
    if b'"' in text:
        text = b"".join(text.split(b'"')[::2])  # every other piece lies between quotes (an unclosed one included)
    return max(accumulate(memoryview(text.translate(_STEP)).cast("b")), default=0)


def json_refusal(raw: bytes, *, max_bytes: int, max_depth: int = MAX_DEPTH) -> str:
    """Why ``raw`` must not be parsed ("" when it may): larger than ``max_bytes`` or nested deeper than
    ``max_depth``. Checked in that order, so the depth scan never reads more than ``max_bytes``."""
    if len(raw) > max_bytes:
        return f"larger than {max_bytes} bytes ({len(raw)})"
    if raw.count(b"[") + raw.count(b"{") <= max_depth:
        return ""
    if nesting_depth(raw) > max_depth:
        return f"nested deeper than {max_depth} levels"
    return ""
