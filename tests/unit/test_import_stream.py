"""``jis import`` reads its file as a stream: each broadcast or problem goes out as soon as it is read, in file
order, and a service that falls silent is told how much was not sent (the rest of the stream, counted)."""

from __future__ import annotations

from pathlib import Path

from app.feed.importer import ServiceSilent, import_file
from app.proof.bench_formats import deljit_file
from tests.plants import demo_plant

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


class FakeGateway:
    """Answers every BCAST as accepted (the raw problem frames as quarantined) until it falls silent."""

    def __init__(self, silent_after: int | None = None) -> None:
        self.sent: list[tuple[str, int | None]] = []
        self.silent_after = silent_after

    def send(self, body: bytes, feed: str, seq: int | None) -> tuple[str, str]:
        if self.silent_after is not None and len(self.sent) >= self.silent_after:
            raise ServiceSilent("no ACK")
        self.sent.append((feed, seq))
        return ("accepted", "") if seq is not None else ("quarantined", "malformed")


def test_broadcasts_and_problems_go_out_in_file_order(tmp_path):
    raw = (SAMPLES / "deljit_change_cancel_hold.edi").read_bytes().replace(b"BGM+30+JC250305-0103+23", b"BGM+30+X+47")
    path = tmp_path / "calls.edi"
    path.write_bytes(raw)
    gateway = FakeGateway()
    report = import_file(path, demo_plant(), gateway)  # type: ignore[arg-type]
    assert gateway.sent == [("L1", 42), ("L1", 43), ("", None), ("L1", 46), ("L1", 45)]  # message 3 in its place
    assert (report.statuses["accepted"], report.statuses["quarantined"], report.format) == (4, 1, "edifact-deljit")


def test_a_silent_service_is_told_how_much_of_a_big_file_was_not_sent(tmp_path):
    path = tmp_path / "catchup.edi"
    deljit_file(path, 3000)
    gateway = FakeGateway(silent_after=10)
    report = import_file(path, demo_plant(), gateway)  # type: ignore[arg-type]
    assert len(gateway.sent) == 10 and report.unsent == 2990 and report.stopped == "no ACK"
