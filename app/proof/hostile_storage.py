"""The hostile campaign's storage faults: the data folder filling (the disk watch warns), every file write failing (a
full disk), and the database turned read-only under the running service (PostgreSQL).

What it is for: ``mount_data`` puts the service's data folder (the SQLite journal, the keys; on PostgreSQL the folder
the disk watch looks at) on a tmpfs of ``DATA_MB`` of its own, where mount is permitted (root): a small file system a
fill file of a few tens of MB really fills, under the plant file's ``[service.disk]`` thresholds (``DISK``), and
empties again past their 5 % hysteresis. ``disk_fills`` fills it under ``low_mb`` (P3), then under ``critical_mb``
(P2), then makes every file write of the service fail (``RLIMIT_FSIZE`` 0 with ``prlimit``: EFBIG, as a full disk,
stricter), lets writes succeed again and removes the fill file (the alarms clear). ``read_only`` turns the
database read-only as a server's setting (``ALTER DATABASE ... SET default_transaction_read_only``) and ends the
service's sessions but its lease's (a fail-over to a read-only server, as the service sees it), then sets it back.
Each says what the service showed on ``/metrics`` and what the OEM simulator had acknowledged meanwhile.
What it must not do: judge (``app.proof.hostile_report`` does), touch another database than the campaign's, end the
service's lease connection (that would stop it: a lost lease), or leave a mount behind (``unmount_data``).
SQLite has no way to turn read-only from outside the service's open connection: a read-only remount of the tmpfs is
refused while the journal is open for writing (EBUSY), so ``read_only`` is PostgreSQL's only.
"""

from __future__ import annotations

import asyncio
import os
import resource
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from app.proof.chaos import Supervisor
from app.proof.chaos_faults import SimControlClient
from app.proof.hostile_report import gauge, labelled, scrape
from sequencer.plant import DiskWatchConfig

MB = 1024 * 1024
DATA_MB = 128  # the data folder's tmpfs: the journal of a full run is about 10 MB
DISK = DiskWatchConfig(low_mb=48, critical_mb=24, check_s=0.25)  # the thresholds a fill of ~100 MB crosses
FILL_TO_MB = {"low": 36.0, "critical": 12.0}  # free space left by the fill file for each level
LEVELS = {"ok": 0, "low": 1, "critical": 2}  # jis_disk_level
WAIT_S = 20.0  # for a level, a pause or a resume to show on /metrics
# the service's sessions on its database but the lease's (the advisory lock: ending it would stop the service)
TERMINATE = text(
    "SELECT pg_terminate_backend(a.pid) FROM pg_stat_activity a WHERE a.datname = current_database() "
    "AND a.pid <> pg_backend_pid() AND a.pid NOT IN "
    "(SELECT l.pid FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.pid IS NOT NULL)"
)


def mount_data(folder: Path) -> bool:
    """A tmpfs of ``DATA_MB`` at ``folder`` (made if missing); False where mount is not permitted (not root)."""
    folder.mkdir(parents=True, exist_ok=True)
    unmount_data(folder)  # one a run killed outright left behind
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    cmd = ["mount", "-t", "tmpfs", "-o", f"size={DATA_MB}m,mode=0700", "jis-hostile-data", str(folder)]
    return subprocess.run(cmd, capture_output=True, timeout=30, check=False).returncode == 0


def unmount_data(folder: Path) -> None:
    """The tmpfs at ``folder`` unmounted (lazily if something still has it open); nothing if none."""
    if not folder.is_mount():
        return
    if subprocess.run(["umount", str(folder)], capture_output=True, timeout=30, check=False).returncode != 0:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, timeout=30, check=False)


async def _until(port: int, test: Any, wait_s: float = WAIT_S) -> float | None:
    """Seconds until ``test(scrape)`` held (looked at every 0.1 s), None if not within ``wait_s``."""
    start = time.monotonic()
    while time.monotonic() - start < wait_s:
        if test(await scrape(port)):
            return round(time.monotonic() - start, 2)
        await asyncio.sleep(0.1)
    return None


def _fill(path: Path, folder: Path, free_mb: float) -> None:
    """Grow the fill file until the folder has about ``free_mb`` free."""
    with path.open("ab") as out:
        chunk = b"\xa5" * MB
        for _ in range(DATA_MB * 2):  # bounded
            if shutil.disk_usage(folder).free / MB <= free_mb:
                return
            out.write(chunk)
            out.flush()


async def disk_fills(full_s: float, sup: Supervisor, metrics: int, folder: Path | None) -> dict[str, Any]:
    """On a tmpfs ``folder``: filled under low, then critical (each level seen on /metrics), then every file write
    fails for ``full_s`` and succeeds again (paused, then resumed by itself), then the fill file removed (the level
    back to ok). ``folder`` None: no tmpfs (mount not permitted): the full disk only."""
    out: dict[str, Any] = {"way": f"tmpfs of {DATA_MB} MB" if folder is not None else "no tmpfs: mount not permitted"}
    fill = folder / "fill.bin" if folder is not None else None
    try:
        if folder is not None and fill is not None:
            for level, free_mb in FILL_TO_MB.items():
                await asyncio.to_thread(_fill, fill, folder, free_mb)
                out[f"{level}_seen_after_s"] = await _until(
                    metrics, lambda t, n=LEVELS[level]: labelled(t, "jis_disk_level") == n
                )
            out["fill_mb"] = round(fill.stat().st_size / MB, 1)
        out |= await _files_fail(full_s, sup, metrics)
    finally:
        if fill is not None:
            fill.unlink(missing_ok=True)
    if folder is not None:
        out["cleared_after_s"] = await _until(metrics, lambda t: labelled(t, "jis_disk_level") == 0)
    out["alive"] = sup.proc is not None and sup.proc.returncode is None
    return out


async def _files_fail(full_s: float, sup: Supervisor, metrics: int) -> dict[str, Any]:
    """Every file write of the service fails for ``full_s`` (RLIMIT_FSIZE 0: EFBIG), then succeeds again."""
    assert sup.proc is not None
    pid = sup.proc.pid
    soft, hard = resource.prlimit(pid, resource.RLIMIT_FSIZE)
    resource.prlimit(pid, resource.RLIMIT_FSIZE, (0, hard))
    paused_seen = False
    try:
        until = time.monotonic() + full_s
        while time.monotonic() < until:
            paused_seen = paused_seen or gauge(await scrape(metrics), "jis_journal_paused") == 1
            await asyncio.sleep(0.2)
    finally:
        resource.prlimit(pid, resource.RLIMIT_FSIZE, (soft, hard))
    resumed = await _until(metrics, lambda t: gauge(t, "jis_journal_paused") == 0, 60.0)
    return {"seconds": full_s, "paused_seen": paused_seen, "resumed_after_s": resumed}


def _set_read_only(url: str, on: bool) -> int:
    """The campaign's database read-only (or not) for new sessions, and the service's sessions but its lease's
    ended so that they open again under it; how many were ended."""
    name = make_url(url).database
    engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            quoted = conn.dialect.identifier_preparer.quote(str(name))
            setting = "SET default_transaction_read_only = on" if on else "RESET default_transaction_read_only"
            conn.execute(text("SET SESSION default_transaction_read_only = off"))  # this session opened under it
            conn.execute(text(f"ALTER DATABASE {quoted} {setting}"))
            return len(conn.execute(TERMINATE).all())
    finally:
        engine.dispose()


async def _acked(control: SimControlClient) -> int:
    """Broadcasts the OEM simulator has had acknowledged so far, every feed."""
    feeds = (await control.state()).get("feeds", {}).values()
    return sum(int(f.get("counters", {}).get("acked", 0)) for f in feeds)


async def read_only(
    seconds: float, url: str, sup: Supervisor, metrics: int, control: SimControlClient
) -> dict[str, Any]:
    """The database read-only under the running service for ``seconds`` once it paused, then writable again: paused
    (``jis_journal_paused 1`` with a P1 alarm), nothing acknowledged while paused, resumed by itself."""
    out: dict[str, Any] = {"way": "ALTER DATABASE SET default_transaction_read_only, sessions ended but the lease's"}
    try:
        out["sessions_ended"] = await asyncio.to_thread(_set_read_only, url, True)
        p1: list[bool] = []

        def paused(t: str) -> bool:
            if gauge(t, "jis_journal_paused") != 1:
                return False
            p1.append((labelled(t, "jis_alarms", priority="1") or 0) > 0)
            return True

        out["paused_after_s"] = await _until(metrics, paused)
        out["p1_alarm_seen"] = bool(p1) and all(p1)
        if out["paused_after_s"] is not None:
            await asyncio.sleep(0.5)  # acknowledgements sent before the pause reach the simulator meanwhile
            before = await _acked(control)
            await asyncio.sleep(seconds)
            after = await _acked(control)
            still = gauge(await scrape(metrics), "jis_journal_paused") == 1
            out["acknowledged_while_paused"] = after - before if still else None
    finally:
        out["sessions_ended"] = out.get("sessions_ended", 0) + await asyncio.to_thread(_set_read_only, url, False)
    out["resumed_after_s"] = await _until(metrics, lambda t: gauge(t, "jis_journal_paused") == 0, 60.0)
    out |= {"seconds": seconds, "alive": sup.proc is not None and sup.proc.returncode is None}
    return out
