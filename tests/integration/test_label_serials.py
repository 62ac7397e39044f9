"""Label serials are never issued twice, whatever happens to the database (docs/printer-zpl.md, "Label serials").

The whole service starts over a real database (SQLite, or PostgreSQL in the second pass) with the plant's data
folder in a temporary folder, reserves its block of serials, and stops; then it starts again on the same database
(restart), on a new empty one (database swapped), and on a copy of the database taken before (restored from a
backup, SQLite files): each start's block lies beyond every block before it, and the serial file says so. A label
asked for after a swap carries a serial beyond every one issued before it.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest

from app.config import load_plant, with_free_ports
from app.service.label_serials import BLOCK, FILE_NAME, SerialFileError, high_water, reserve
from app.service.runtime import Service
from plc_io.fakes import FakeLabelPrinter, FakePickToLight
from sequencer.commands import PrintLabel
from sequencer.events import BinConfirmed
from sequencer.plant import PlantConfig
from sequencer.testing import broadcast
from tests.databases import fresh_database

WAIT_S = 30.0


def plant_in(data: Path, database: str) -> PlantConfig:
    plant = with_free_ports(load_plant(), database=database)
    return plant.model_copy(update={"service": plant.service.model_copy(update={"data_dir": str(data)})})


async def block_of_a_run(plant: PlantConfig, *, pick: int = 0) -> tuple[int, int, str]:
    """Start the service, wait until it is up, pick the seat of vehicle ``pick`` (0: none); (first, last) of its block
    and the seat label's serial."""
    ptls = {n: FakePickToLight(n, sorted({b.light for s in plant.stations if s.ptl == n for b in s.bins}))
            for n in plant.devices.ptl}  # fmt: skip
    printers = {n: FakeLabelPrinter(n, outbox_size=100) for n in plant.devices.printers}
    service = Service(plant, ptls=ptls, printers=printers)  # type: ignore[arg-type]
    task = asyncio.create_task(service.run())
    serial = ""
    try:
        async with asyncio.timeout(WAIT_S):
            await service.ready.wait()
        state = service.core.state
        first, last = state.serial_next, state.serial_last
        if pick:
            await service.submit(broadcast(pick, at=service.clock()))
            lit = None
            for _ in range(int(WAIT_S / 0.02)):  # lit once its light controller is up
                if (lit := service.core.state.stations["ST-SEAT"].lit) is not None:
                    break
                await asyncio.sleep(0.02)
            assert lit is not None, "the seat never lit"
            pick_ = service.core.state.picks[lit]
            commands = await service.submit(
                BinConfirmed(at=service.clock(), station="ST-SEAT", bin=pick_.bin, token=pick_.pick_id)
            )
            (label,) = [c.label for c in commands if isinstance(c, PrintLabel)]
            serial = label.serial
        return first, last, serial
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_a_restart_a_swapped_database_and_a_restored_one_never_issue_a_serial_twice(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with fresh_database(data, "first.db") as first_db:
        first = await block_of_a_run(plant_in(data, first_db), pick=1)
        assert first[:2] == (1, BLOCK) and first[2] == "471100" + f"{1:010d}"
        again = await block_of_a_run(plant_in(data, first_db))  # restart: the journal's block, then a fresh one
        assert again[:2] == (BLOCK + 1, 2 * BLOCK)
    with fresh_database(data, "second.db") as swapped_db:  # a new, empty database: only the file remembers
        swapped = await block_of_a_run(plant_in(data, swapped_db), pick=1)
    assert swapped[:2] == (2 * BLOCK + 1, 3 * BLOCK) and swapped[2] > first[2]
    assert high_water(data / FILE_NAME) == 3 * BLOCK


async def test_a_database_restored_from_a_backup_gets_serials_beyond_the_ones_issued_since(tmp_path: Path) -> None:
    """SQLite files: the backup is a copy of the database file taken after the first run."""
    data = tmp_path / "data"
    data.mkdir()
    database = f"sqlite:///{data / 'line.db'}"
    await block_of_a_run(plant_in(data, database), pick=1)
    shutil.copy(data / "line.db", tmp_path / "backup.db")
    after_backup = await block_of_a_run(plant_in(data, database), pick=2)  # serials issued after the backup
    shutil.copy(tmp_path / "backup.db", data / "line.db")  # the restore
    restored = await block_of_a_run(plant_in(data, database), pick=2)
    assert restored[2] > after_backup[2]
    assert restored[:2] == (2 * BLOCK + 1, 3 * BLOCK)
    assert restored[2] == "471100" + f"{2 * BLOCK + 1:010d}"


def test_the_file_is_beyond_the_journal_and_a_damaged_one_stops_the_start(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    assert reserve(path, journaled_last=0, block=10) == (1, 10)
    assert reserve(path, journaled_last=25, block=10) == (26, 35)  # the journal ahead (the file was restored)
    assert json.loads(path.read_text()) == {"reserved_to": 35}
    path.write_text("{not json")
    with pytest.raises(SerialFileError, match="not a label serial file"):
        reserve(path, journaled_last=0)
