"""The watched inbox (``app.service.inbox``) when the service cannot store, or the folder goes away: the file
stays and is taken at a later look, the watcher goes on. The intake is a stand-in here (a callable that answers
like it, or fails as a database would): what the inbox does with the answers is the point; the real intake and
database are tests/integration/test_inbox.py's."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from app.config import load_plant
from app.feed.protocol import Ack, decode_broadcast
from app.service.inbox import DONE, Inbox
from sequencer.plant import InboxConfig
from tests.devices import until

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
CHANGES = (SAMPLES / "deljit_change_cancel_hold.edi").read_bytes()  # five broadcasts
WAIT_S = 10.0


class Intake:
    """Answers like the service's intake: accepted the first time an identity comes, a duplicate after; fails
    the ``fail_at``-th call (an exception: nothing stored, no ACK)."""

    def __init__(self, fail_at: int = 0) -> None:
        self.calls, self.fail_at, self.stored = 0, fail_at, set[str]()

    async def accept(self, body: bytes) -> Ack:
        self.calls += 1
        if self.calls == self.fail_at:
            raise RuntimeError("database is locked")
        message = decode_broadcast(body)
        key = message.message_id or ""
        status = "duplicate" if key in self.stored else "accepted"
        self.stored.add(key)
        return Ack(feed=message.feed, seq=message.seq, status=status)


def inbox(tmp_path: Path, intake: Intake, poll_s: float = 0.01) -> Inbox:
    cfg = InboxConfig(folder=str(tmp_path / "inbox"), poll_interval_s=poll_s)
    box = Inbox(load_plant(), cfg, intake.accept, clock=lambda: 1741166100.0)
    box.prepare()
    return box


async def test_a_message_the_service_cannot_store_leaves_the_file_for_the_next_look(tmp_path: Path) -> None:
    intake = Intake(fail_at=3)
    box = inbox(tmp_path, intake)
    (box.folder / "calloff.edi").write_bytes(CHANGES)
    assert box.finished() == []  # first seen
    assert await box.look() == []  # the third message is not stored: the file stays
    assert (box.folder / "calloff.edi").exists() and box.taken == 0
    (result,) = await box.look()
    assert result.statuses == {"duplicate": 2, "accepted": 3}  # the two stored before are duplicates now
    assert result.moved_to == box.folder / DONE / "calloff.edi" and intake.calls == 3 + 5


async def test_the_watcher_goes_on_when_its_folder_goes_away_and_comes_back(tmp_path: Path) -> None:
    box = inbox(tmp_path, Intake())
    task = asyncio.create_task(box.run())
    try:
        shutil.rmtree(box.folder)
        await asyncio.sleep(0.05)  # some looks at a folder that is not there
        assert not task.done()
        await until(lambda: (box.folder / DONE).is_dir(), "the folders made again", within_s=WAIT_S)
        (box.folder / "calloff.edi").write_bytes(CHANGES)
        await until(lambda: box.taken == 1, "the file taken", within_s=WAIT_S)
        assert box.results[0].statuses == {"accepted": 5}
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
