"""ZPL II field data: the encoders that keep label text and barcode data from ever injecting a command, all pure.

What it does: escapes ``^FD`` data for text fields, Code 128 and Data Matrix, builds the ISO/IEC 15434 envelope
of the 2D codes, and decodes each of them back the way the printer or a scanner reads them (the simulator and
the tests use the decoders). Label layouts and rendering are ``plc_io.zpl_labels.layouts``'s.
What it must not do: open sockets, read clocks, or know label layouts or the job guarantee.

Field data safety (ZPL II Programming Guide): ``^`` starts a format command and ``~`` a control command
anywhere in the stream, even inside ``^FD`` data. So:
  * text fields use ``^FH_`` and write ``^ ~ _ \\`` and control characters as ``_XX`` hex bytes;
  * Code 128 (``^BC``, mode N, subset B) writes ``^ > ~`` as the invocation codes ``>< >0 >=`` (guide,
    Table "Code 128 Invocation Characters") and takes printable ASCII only;
  * Data Matrix ECC 200 (``^BX``) sets its escape character to ``_`` explicitly (the default differs by
    firmware: ``_`` on V60.13.0.12, ``~`` elsewhere) and writes ``^ ~ _`` and the ISO 15434 separators as
    ``_dNNN`` code words, so neither ``^FH`` nor a prefix character is ever needed.
"""

from __future__ import annotations

import re

BARCODE_ALPHABET = frozenset(chr(c) for c in range(0x20, 0x7F))  # printable ASCII: what any decoder reads back


class ZplDataError(ValueError):
    """Label data a barcode cannot carry (non-ASCII, too long): refused before it reaches a printer."""


# -- field data encoders ----------------------------------------------------------------------------------
_HEX_ESCAPED = frozenset("^~_\\") | {chr(c) for c in (*range(0x20), 0x7F)}
_CODE128_INVOCATION = {"^": "><", ">": ">0", "~": ">="}
_CODE128_TABLE = {ord(ch): code for ch, code in _CODE128_INVOCATION.items()}
_DATAMATRIX_ESCAPED = frozenset("^~_") | {chr(c) for c in (*range(0x20), 0x7F)}
_DATAMATRIX_TABLE = {ord(ch): f"_d{ord(ch):03d}" for ch in _DATAMATRIX_ESCAPED}


def fh_text(text: str, *, word: bool = False) -> str:
    """Field data for ``^FH_``: unsafe characters become ``_XX`` (their UTF-8 bytes in hex).

    ``word=True`` also escapes white space and ``=``, for a value inside a ``key=value`` comment.
    """
    clean = text if text.isascii() else text.encode("utf-8", "replace").decode("utf-8")  # no lone surrogates
    if not word:
        return clean.translate(_FH_TABLE)  # a label's every text field: one C pass, not a call per character
    return "".join(_hex(ch) if ch in _HEX_ESCAPED or ch.isspace() or ch == "=" else ch for ch in clean)


def _hex(ch: str) -> str:
    return "".join(f"_{b:02X}" for b in ch.encode())


_FH_TABLE = {ord(ch): _hex(ch) for ch in _HEX_ESCAPED}


def unfh_text(data: str) -> str:
    """What the printer makes of ``^FH_`` data: ``_XX`` back to bytes, then UTF-8 (``^CI28``)."""
    raw = bytearray()
    i = 0
    while i < len(data):
        if data[i] == "_" and re.fullmatch(r"[0-9A-Fa-f]{2}", data[i + 1 : i + 3]):
            raw.append(int(data[i + 1 : i + 3], 16))
            i += 3
        else:
            raw += data[i].encode()
            i += 1
    return raw.decode("utf-8", "replace")


def _check_barcode(data: str, max_chars: int) -> None:
    bad = [] if data.isascii() and data.isprintable() else sorted(set(data) - BARCODE_ALPHABET)
    if bad:
        raise ZplDataError(f"barcode data {data!r} has characters no barcode decoder returns: {bad!r}")
    if len(data) > max_chars:
        raise ZplDataError(f"barcode data {data!r} is longer than {max_chars} characters")


def code128_data(data: str, max_chars: int = 30) -> str:
    """``^BC`` mode-N field data: start code B (``>:``) then the data with ``^ > ~`` as invocation codes."""
    _check_barcode(data, max_chars)
    return ">:" + data.translate(_CODE128_TABLE)


def uncode128_data(data: str) -> str:
    """The characters a scanner reads from ``code128_data`` output (subset B only)."""
    body = data.removeprefix(">:")
    decode = {v: k for k, v in _CODE128_INVOCATION.items()}
    out, i = [], 0
    while i < len(body):
        pair = body[i : i + 2]
        out.append(decode.get(pair, body[i]))
        i += 2 if pair in decode else 1
    return "".join(out)


def datamatrix_data(data: str, max_chars: int = 400, columns: int = 0) -> str:
    """``^BX`` ECC 200 field data with ``_`` as its escape character: ``_dNNN`` for the unsafe characters; with
    ``columns``, data that symbol size cannot hold is refused (never left to the firmware to grow or cut)."""
    _check_barcode(data.translate(_ISO15434_PRINTABLE), max_chars if not columns else 3116)
    if columns and (need := codewords(data)) > DATAMATRIX_CAPACITY.get(columns, 0):
        raise ZplDataError(f"a {columns}x{columns} Data Matrix cannot hold {data!r} ({need} codewords)")
    return data.translate(_DATAMATRIX_TABLE)


# ECC 200 square symbols: modules a side -> data codewords (ISO/IEC 16022, Table 7)
DATAMATRIX_CAPACITY = {
    10: 3, 12: 5, 14: 8, 16: 12, 18: 18, 20: 22, 22: 30, 24: 36, 26: 44, 32: 62, 36: 86, 40: 114, 44: 144,
    48: 174, 52: 204, 64: 280, 72: 368, 80: 456, 88: 576, 96: 696, 104: 816, 120: 1050, 132: 1304, 144: 1558,
}  # fmt: skip


def codewords(data: str) -> int:
    """ASCII encodation's codewords (two digits in one, a character above 127 in two): an upper bound of what any
    ECC 200 encoder needs (C40, Text and Base 256 only ever save). Read left to right, a run of n digits makes n // 2
    pairs, which is what ``_DIGIT_PAIR`` finds (without overlap, never across another character)."""
    above = 0 if data.isascii() else sum(1 for ch in data if ord(ch) > 127)
    return len(data) + above - len(_DIGIT_PAIR.findall(data))


_DIGIT_PAIR = re.compile("[0-9]{2}")


def undatamatrix_data(data: str) -> str:
    return re.sub(r"_d(\d{3})", lambda m: chr(int(m.group(1))), data)


# ISO/IEC 15434 format 06 envelope (AIAG B-4/B-17 2D labels): [)> RS 06 GS field GS field ... RS EOT.
RS, GS, EOT = "\x1e", "\x1d", "\x04"
_ISO15434_PRINTABLE = str.maketrans({RS: " ", GS: " ", EOT: " "})


def iso15434(fields_: tuple[tuple[str, str], ...]) -> str:
    """Data identifier + value pairs in a format 06 envelope (the data identifiers are ANSI MH10.8.2)."""
    return f"[)>{RS}06{GS}" + GS.join(di + value for di, value in fields_) + f"{RS}{EOT}"
