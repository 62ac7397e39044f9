"""Code 128 (ISO/IEC 15417) as modules: a small pure encoder for the label previews of the engineer's view.

What it is for: turning a field's data into the bars a Zebra prints for ``^BC`` with start code B (``>:``, the
only subset ``plc_io.zpl_labels`` emits), so the HMI can draw a faithful preview: ``modules("AIM")`` is a string of
``1`` (bar) and ``0`` (space), one character per module (narrow bar width). Subset C (digit pairs) is here for
completeness and for the golden tests. What it must not do: draw (``ui.engineer.label`` does), guess a subset,
or accept what a scanner could not return (subset B is printable ASCII; subset C is an even number of digits).
"""

from __future__ import annotations

from collections.abc import Sequence

# Bar/space widths of every symbol value, bar first (ISO/IEC 15417 Table 1); stop has a 7th element, the
# final 2-module bar. Every symbol but stop is 11 modules wide, stop is 13.
PATTERNS: tuple[str, ...] = (
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",  # 0-9
    "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",  # 10-19
    "221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",  # 20-29
    "212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",  # 30-39
    "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",  # 40-49
    "231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",  # 50-59
    "314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214",  # 60-69
    "112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",  # 70-79
    "111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",  # 80-89
    "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141",  # 90-99
    "114131", "311141", "411131", "211412", "211214", "211232", "2331112",  # 100-106
)  # fmt: skip
START = {"A": 103, "B": 104, "C": 105}
STOP = 106
FNC1 = 102
CHECK_MODULUS = 103


class Code128Error(ValueError):
    """Data the chosen subset cannot carry."""


def _subset_b(data: str) -> list[int]:
    bad = sorted({ch for ch in data if not 0x20 <= ord(ch) <= 0x7E})
    if bad:
        raise Code128Error(f"subset B carries printable ASCII only, not {bad!r}")
    return [ord(ch) - 0x20 for ch in data]


def _subset_c(data: str) -> list[int]:
    if len(data) % 2 or not data.isascii() or not data.isdigit():
        raise Code128Error(f"subset C carries an even number of digits, not {data!r}")
    return [int(data[i : i + 2]) for i in range(0, len(data), 2)]


_SUBSETS = {"B": _subset_b, "C": _subset_c}


def checksum(values: Sequence[int]) -> int:
    """The symbol check character: start value plus each data value times its position, modulo 103."""
    return (values[0] + sum(i * v for i, v in enumerate(values[1:], start=1))) % CHECK_MODULUS


def symbol_values(data: str, subset: str = "B") -> list[int]:
    """Start, data, check and stop values for ``data`` in one ``subset`` (``B`` or ``C``)."""
    if subset not in _SUBSETS:
        raise Code128Error(f"subset {subset!r}: choose from {', '.join(_SUBSETS)}")
    values = [START[subset], *_SUBSETS[subset](data)]
    return [*values, checksum(values), STOP]


def modules_of(values: Sequence[int]) -> str:
    """The modules of complete symbol values (start ... check, stop), ``1`` bar and ``0`` space."""
    out: list[str] = []
    for value in values:
        for i, width in enumerate(PATTERNS[value]):
            out.append(("1" if i % 2 == 0 else "0") * int(width))
    return "".join(out)


def modules(data: str, subset: str = "B") -> str:
    """What a printer draws for ``data``, without quiet zones (ISO/IEC 15417: 10 modules each side)."""
    return modules_of(symbol_values(data, subset))


def bars(data: str, subset: str = "B") -> list[tuple[int, int]]:
    """(first module, width in modules) of every bar: what a painter fills."""
    mods = modules(data, subset)
    runs: list[tuple[int, int]] = []
    start = None
    for i, m in enumerate(mods + "0"):
        if m == "1" and start is None:
            start = i
        elif m == "0" and start is not None:
            runs.append((start, i - start))
            start = None
    return runs
