"""The label guarantee every printer driver shares, around the driver's outbox (``LabelGate.jobs``): a label id is
admitted once per reprint number, a full outbox or data the printer cannot carry refuses a label instead of dropping
it, and the job at the head leaves for the printer only after the service has journaled that it is leaving
(write-ahead, ``release``). One place, so the ZPL, Modbus and OPC UA printers cannot drift.
"""

from __future__ import annotations

import logging
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from typing import Generic, Protocol, TypeVar

from plc_io.ports import DeviceError, OutboxFull, Sending
from sequencer.labels import Label

# Label ids kept for the duplicate check. Only a restart re-sends labels, and only those still unprinted (the
# newest few), so 10,000 is plenty: about 18 hours at a printer serving four feeds at 60 vehicles an hour. It was
# 100,000, and a long soak showed it as ~15 MB of the service's growth over 40,000 vehicles.
REMEMBERED_LABELS = 10_000
log = logging.getLogger(__name__)


class _Job(Protocol):
    @property
    def label_id(self) -> str: ...


J = TypeVar("J", bound=_Job)


class LabelRefused(DeviceError):
    """``print_label`` refused the label: already queued or printed with this reprint number, or bad data."""


class LabelGate(Generic[J]):
    def __init__(self, printer: str, outbox_size: int) -> None:
        self._printer = printer
        self._outbox_size = outbox_size
        self._accepted: OrderedDict[str, int] = OrderedDict()  # label id -> highest reprint accepted
        self.jobs: deque[J] = deque()  # the driver's outbox, oldest first; the driver takes jobs off its head
        self.sending: Sending | None = None  # set by the service (``LabelPrinter.before_sending``)

    def admit(
        self, label: Label, make_job: Callable[[], J], *, bad_data: tuple[type[Exception], ...] = (ValueError,)
    ) -> None:
        """Queue ``label`` as ``make_job()``. Raises ``LabelRefused`` for a label already accepted at this reprint
        or for data the printer cannot carry (``make_job`` raised one of ``bad_data``), ``OutboxFull`` when full;
        a label is never dropped silently."""
        last = self._accepted.get(label.label_id)
        if last is not None and label.reprint <= last:
            raise LabelRefused(
                f"{self._printer}: label {label.label_id} reprint {label.reprint} was already accepted "
                f"(a reprint needs reprint > {last})"
            )
        if len(self.jobs) >= self._outbox_size:
            raise OutboxFull(f"{self._printer}: {len(self.jobs)} labels waiting")
        try:
            job = make_job()
        except bad_data as exc:
            raise LabelRefused(f"{self._printer}: label {label.label_id}: {exc}") from exc
        self.jobs.append(job)
        self._accepted[label.label_id] = label.reprint
        self._accepted.move_to_end(label.label_id)
        while len(self._accepted) > REMEMBERED_LABELS:
            self._accepted.popitem(last=False)

    async def leaving(self, label_id: str) -> bool | None:
        """Ask the service to journal that this label is about to leave (its highest accepted reprint). True: send
        it now; False: drop it from the outbox; None: keep it and try again after a pause."""
        if self.sending is None:
            return True  # a driver used on its own (tests, tools): nothing to journal
        answer = await self.sending(label_id, self._accepted.get(label_id, 0))
        if answer is False:
            log.warning("%s: label %s is no longer wanted by the service; not sent", self._printer, label_id)
        return answer

    async def release(self, pause: Callable[[], Awaitable[None]]) -> bool:
        """Write-ahead for the job at the head of ``jobs``: True once it may leave (still at the head); a job the
        service no longer wants is taken off the outbox; one it could not journal waits there (``pause``)."""
        outbox = self.jobs
        job = outbox[0]
        go = await self.leaving(job.label_id)
        if go is False and outbox and outbox[0] is job:
            outbox.popleft()
        elif go is None:
            await pause()
        return bool(go) and bool(outbox) and outbox[0] is job
