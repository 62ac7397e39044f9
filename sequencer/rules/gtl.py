"""Label serials and what a label says beyond its part (Odette GTL / VDA 4994): supplier no., ship-to.

A label serial is the supplier number and a counter that no database change resets: the service reserves blocks
of counters in a small file in the data folder and journals each block (``LabelSerialsReserved``); the core takes
serials from the newest block and refuses a block that is not beyond every block before it. A database swapped or
restored behind the file's back gets a fresh block at the next start, so a serial is never issued twice
(docs/printer-zpl.md, "Label serials").
What it must not do: read the serial file or a clock (the service does); know how a label looks.
"""

from __future__ import annotations

from sequencer.commands import Command
from sequencer.events import LabelSerialsReserved
from sequencer.state import LineState, SequencerError


def on_serials(line: LineState, e: LabelSerialsReserved) -> list[Command]:
    """A fresh block of label serials: it must lie beyond every block before it (never a serial twice)."""
    if e.first > e.last or e.first <= line.serial_last:
        raise SequencerError(f"label serials {e.first}-{e.last} are not beyond the last block (to {line.serial_last})")
    line.serial_next, line.serial_last = e.first, e.last
    return []


SERIAL_DIGITS = 10  # the counter's width in a serial: supplier no. (up to 9) + 10 digits, within Code 128's 30


def take_serial(line: LineState, supplier: str) -> str:
    """The next serial of the reserved block, as the supplier no. and the counter; "" when no block is left (a
    core the service never gave one: the tests' and tools'; the service keeps a block in reserve)."""
    if line.serial_next > line.serial_last:
        return ""
    number = line.serial_next
    line.serial_next += 1
    return f"{supplier}{number:0{SERIAL_DIGITS}d}"


def serials_left(line: LineState) -> int:
    return max(0, line.serial_last - line.serial_next + 1)


def label_party(line: LineState, feed: str) -> tuple[str, str, str]:
    """(template, supplier no., ship-to) of a feed's labels: its partner's, else the plant's (supplier: its code)."""
    cfg = line.feeds[feed].cfg
    template, supplier, ship_to = line.plant.labels.for_feed(cfg.partner)
    return template, supplier or line.plant.plant.code, ship_to
