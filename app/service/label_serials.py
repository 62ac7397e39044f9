"""Label serials that no database change reuses: blocks of counters reserved in a small file in the data folder.

What it is for: a GTL label serial is our supplier number and a counter (``sequencer.rules.gtl``); the standard asks
it to be unique for the supplier, so the counter must not restart when the database is swapped for an empty one,
or restored from a backup. The service reserves a block of ``BLOCK`` counters at each start (and another before a
block runs low): it reads the file's high-water mark, takes the block beyond both that and the journal's newest
block, writes the new mark to the file (write, fsync, rename, fsync the folder) and only then journals the block
(``LabelSerialsReserved``). A crash between the two leaves a gap, never a serial issued twice; a database restored
from a backup or replaced by a new one gets a block beyond the file's mark at its first start; a file lost with
the database kept gets one beyond the journal's. Only both lost at once could reuse serials (docs/printer-zpl.md).
What it must not do: decide what a label says (the core does) or touch the database.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

BLOCK = 100_000  # serials per block: a start, or a top-up when fewer than LOW are left
LOW = 10_000
FILE_NAME = "label-serials.json"


class SerialFileError(RuntimeError):
    """The serial file cannot be read or written: the service does not start (it could issue a serial twice)."""


def serial_file(folder: Path) -> Path:
    return folder / FILE_NAME


def high_water(path: Path) -> int:
    """The last serial ever reserved, as the file says (0 for no file yet)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return 0
    except OSError as exc:
        raise SerialFileError(f"{path}: cannot read the label serial file: {exc.strerror}") from exc
    try:
        mark = json.loads(text)["reserved_to"]
    except (ValueError, KeyError, TypeError) as exc:
        raise SerialFileError(f"{path}: not a label serial file ({exc}); restore it or remove it knowingly") from exc
    if not isinstance(mark, int) or mark < 0:
        raise SerialFileError(f"{path}: reserved_to {mark!r} is not a counter")
    return mark


def reserve(path: Path, journaled_last: int, block: int = BLOCK) -> tuple[int, int]:
    """The next block, beyond the file's mark and the journal's newest block; durable in the file on return."""
    first = max(high_water(path), journaled_last) + 1
    last = first + block - 1
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(json.dumps({"reserved_to": last}) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    except OSError as exc:
        raise SerialFileError(f"{path}: cannot write the label serial file: {exc.strerror}") from exc
    return first, last
