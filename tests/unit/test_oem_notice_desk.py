"""The simulated OEM's goods receipt (hardware_sims/oem_notices.py): its own readers, written from
docs/ship-notices.md, agree with the project's writers; a notice is checked against what was broadcast."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from app.feed.outbound.desadv import write_desadv
from app.feed.outbound.vda4913 import write_vda4913
from app.feed.outbound.x12_856 import write_x12_856
from hardware_sims.oem_notices import NOTICE_ANS, NoticeDesk, own_reader
from sequencer.commands import SendShipNotice
from tests.unit.test_ship_notice_formats import AT, CFG, notice


def body(n: SendShipNotice, fmt: str = "desadv") -> dict[str, object]:
    if fmt == "x12_856":
        raw = write_x12_856(n, CFG, at=AT, control=1)
    elif fmt == "vda4913":
        raw = write_vda4913(n, CFG, at=AT, transmission=1)
    else:
        raw = write_desadv(n, CFG, at=AT, control="1")
    return {"feed": "L1", "notice_id": n.notice_id, "version": n.version, "function": n.function, "format": fmt,
            "message": raw.decode()}  # fmt: skip


def desk(n: SendShipNotice) -> NoticeDesk:
    sent = {i.seq: json.dumps({"vehicle_id": i.vehicle_id}).encode() for i in n.items}
    return NoticeDesk("L1", sent.get, modulus=10000)


@pytest.mark.parametrize("fmt", ["desadv", "vda4913", "x12_856"])
def test_the_sim_reads_what_we_write(fmt: str) -> None:
    n = notice()
    read = own_reader(fmt, str(body(n, fmt)["message"]).encode())
    assert read.notice_id == n.notice_id
    assert [(i.seq, i.vehicle_id) for i in read.items] == [(i.seq, i.vehicle_id) for i in n.items]


def test_a_right_notice_is_accepted() -> None:
    n = notice()
    frames = desk(n).answer(body(n))
    assert frames is not None and frames[0] == NOTICE_ANS
    assert json.loads(frames[1]) == {"feed": "L1", "notice_id": n.notice_id, "version": 1, "accepted": True,
                                     "reason": ""}  # fmt: skip


def test_wrong_vehicles_and_order_are_rejected_with_the_reason() -> None:
    n = notice()
    d = desk(n)
    wrong_vin = replace(n, items=(replace(n.items[0], vehicle_id="WRONG"), *n.items[1:]))
    assert "was vehicle" in d.check(body(wrong_vin))
    swapped = replace(n, items=(n.items[1], n.items[0], n.items[2]))
    assert "not in sequence" in d.check(body(swapped))
    unknown = replace(n, items=(*n.items, replace(n.items[0], seq=5)))
    assert "never broadcast" in d.check(body(unknown))
    assert d.check({**body(n), "message": "garbage"}).startswith("unreadable")


def test_the_fault_modes() -> None:
    n = notice()
    d = desk(n)
    d.mode = "ignore"
    assert d.answer(body(n)) is None
    d.mode = "reject"
    frames = d.answer(body(n))
    assert frames is not None and json.loads(frames[1])["accepted"] is False
    assert (d.received, d.accepted, d.rejected) == (2, 0, 1)


def test_notice_loss_loses_the_first_arrival_of_every_nth_version() -> None:
    """The ``notice_loss`` fault: the third notice version is lost once; its second arrival is answered."""
    desk_ = desk(notice())
    desk_.lose_every = 3
    answers = [desk_.answer(body(notice(version=v))) is not None for v in (1, 2, 3, 3)]
    assert answers == [True, True, False, True]
    assert desk_.lost == 1
