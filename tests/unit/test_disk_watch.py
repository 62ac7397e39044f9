"""The disk-space watch (``app.service.disk_watch``): the level table with its hysteresis, the folder it watches, and
looks at a real folder's free space (``shutil.disk_usage`` of the test's folder) against thresholds set around it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.service.disk_watch import MB, DiskWatch, level_for, watched_folder
from sequencer.events import DiskLevel, DiskSpaceChanged
from sequencer.plant import DiskWatchConfig, PlantConfigError, parse_plant

CONFIG = DiskWatchConfig(low_mb=2000, critical_mb=500)


@pytest.mark.parametrize(
    ("free_mb", "previous", "level"),
    [
        (5000, "ok", "ok"),
        (1999, "ok", "low"),
        (499, "ok", "critical"),
        (499, "low", "critical"),
        (2050, "low", "low"),  # within 5 % above low_mb: still low (no alarm at every look)
        (2101, "low", "ok"),
        (510, "critical", "critical"),  # within 5 % above critical_mb
        (600, "critical", "low"),
        (2050, "critical", "low"),
        (3000, "critical", "ok"),
    ],
)
def test_the_level_table(free_mb: float, previous: DiskLevel, level: DiskLevel) -> None:
    assert level_for(free_mb, CONFIG, previous) == level


def test_critical_must_be_below_low() -> None:
    with pytest.raises(PlantConfigError, match=r"service\.disk.*critical_mb \(600\) must be below low_mb \(500\)"):
        parse_plant("[service.disk]\nlow_mb = 500\ncritical_mb = 600\n", "plant.toml")


def test_the_folder_watched(tmp_path: Path) -> None:
    assert watched_folder(f"sqlite:///{tmp_path}/jis.db") == tmp_path.resolve()
    assert watched_folder("sqlite://") is None
    assert watched_folder("postgresql+psycopg://jis@127.0.0.1/jis") is None
    assert watched_folder("postgresql+psycopg://jis@127.0.0.1/jis", str(tmp_path)) == tmp_path.resolve()
    assert watched_folder(f"sqlite:///{tmp_path}/db/jis.db", "/var/lib/jis") == (tmp_path / "db").resolve()


async def test_a_real_folder_under_its_threshold_is_low_once(tmp_path: Path) -> None:
    free_mb = shutil.disk_usage(tmp_path).free / MB
    submitted: list[DiskSpaceChanged] = []

    async def submit(event: DiskSpaceChanged) -> None:
        submitted.append(event)

    watch = DiskWatch(tmp_path, DiskWatchConfig(low_mb=free_mb + 10_000, critical_mb=1), clock=lambda: 7.0,
                      submit=submit)  # fmt: skip
    assert await watch.look() == "low"
    assert await watch.look() == "low"  # no change, no second event
    (event,) = submitted
    assert (event.at, event.folder, event.level, event.detail) == (
        7.0,
        str(tmp_path),
        "low",
        f"under {free_mb + 10_000:g} MB",
    )
    assert watch.free_bytes is not None and abs(watch.free_bytes / MB - free_mb) < 1_000
    watch.config = DiskWatchConfig(low_mb=2, critical_mb=1)  # room made (here: the thresholds lowered)
    assert await watch.look() == "ok"
    assert [e.level for e in submitted] == ["low", "ok"]


async def test_a_folder_that_cannot_be_looked_at_is_counted_not_fatal(tmp_path: Path) -> None:
    async def submit(event: DiskSpaceChanged) -> None:
        raise AssertionError(event)

    watch = DiskWatch(tmp_path / "gone", CONFIG, clock=lambda: 0.0, submit=submit)
    assert await watch.look() == "ok"
    assert watch.failures == 1 and watch.free_bytes is None
