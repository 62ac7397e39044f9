"""The cockpit against the running service and the simulated plant: every manual operation, end to end.

``LiveLine`` runs the real service (journal, core, HMI bus, HMI command server with its accounts and audit log)
and the simulated plant (OEM feed, PTL gateways with their operators, the Zebra printer) on free ports on
127.0.0.1. The test steers the simulators through their control channel (operators to manual, a burst of
vehicles, the feed paused) so every operation meets a line in a known state, then does each one through the
cockpit's own forms and alarm list, and waits for the service's answer and for its effect on the next pictures.
Writes docs/screenshots/cockpit-live.png.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import zmq
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from sequencer.views import LineView, PickView
from tests.live import LiveLine
from tests.ui.test_cockpit import lead_settings, shoot
from ui.cockpit.shift import LoggedDeviation
from ui.cockpit.window import CockpitWindow, build_lead_window

WAIT_MS = 30_000  # deadline for the live line on a loaded 2-core machine; not a timing assert
PASSWORD = "lena-lead-password"
REASON = "live test"


def sim(line: LiveLine, **request: Any) -> dict[str, Any]:
    """One request on the simulators' control channel (hardware_sims.control), answered within 10 s."""
    sock = zmq.Context.instance().socket(zmq.REQ)
    sock.setsockopt(zmq.LINGER, 0)
    try:
        sock.connect(line.control_endpoint)
        sock.send(json.dumps(request).encode())
        assert sock.poll(10_000), f"no answer from the simulators to {request}"
        answer: dict[str, Any] = json.loads(sock.recv())
    finally:
        sock.close(linger=0)
    assert answer["ok"], answer
    return answer


def seat_picks(line: LineView) -> list[PickView]:
    station = next(s for s in line.stations if s.id == "ST-SEAT")
    return ([station.current] if station.current else []) + list(station.next)


def deviation(window: CockpitWindow, kind: str, **match: Any) -> LoggedDeviation | None:
    found = [e for e in window.log.entries() if e.view.kind == kind and all(getattr(e.view, k) == v
                                                                             for k, v in match.items())]  # fmt: skip
    return found[0] if found else None


class Lead:
    """Drives the cockpit as a shift lead would: fill a form or pick an alarm, confirm with a reason, read."""

    def __init__(self, qtbot: QtBot, window: CockpitWindow) -> None:
        self.qtbot, self.window = qtbot, window

    def wait(self, condition: Callable[[], object], what: str) -> None:
        self.qtbot.waitUntil(lambda: bool(condition()), timeout=WAIT_MS)
        assert condition(), what

    def log_in(self, user: str, password: str) -> None:
        dialog = self.window.login_dialog
        dialog.open_for_login()
        dialog.user.setText(user)
        dialog.password.setText(password)
        self.qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
        self.wait(lambda: self.window.commands.logged_in_now, "logged in")

    def operate(self, intent: str, fields: dict[str, Any], reason: str = REASON) -> tuple[str, str]:
        self.window.operations.prefill(intent, fields)
        self.qtbot.mouseClick(self.window.operations.forms[intent].button, Qt.MouseButton.LeftButton)
        return self._confirm(reason)

    def on_alarm(self, entry: LoggedDeviation, action: Callable[[], None], reason: str = REASON) -> tuple[str, str]:
        self.window.deviations.state_filter.setCurrentText("All this shift")
        self.window.deviations.select_ids({entry.id})
        action()
        return self._confirm(reason)

    def _confirm(self, reason: str) -> tuple[str, str]:
        dialog = self.window.desk.dialog
        assert dialog is not None and dialog.isVisible()
        dialog.reason.setPlainText(reason)
        before = len(self.window.desk.records)
        self.qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
        self.wait(lambda: len(self.window.desk.records) > before, "sent")
        record_id = max(self.window.desk.records)
        self.wait(lambda: self.window.desk.records[record_id].finished, "answered")
        record = self.window.desk.records[record_id]
        return record.result, record.message

    @property
    def line(self) -> LineView:
        assert self.window.line is not None
        return self.window.line


def test_every_operation_through_the_cockpit_against_the_running_line(qtbot: QtBot, tmp_path: Path) -> None:
    with LiveLine(tmp_path, speed=20, control=True) as line:
        assert line.service is not None
        line.service.accounts.add_user("lena", "lead", PASSWORD)
        service = line.plant.service
        window, bus = build_lead_window(service.hmi_endpoint, None, 3.0, commands=service.hmi_command_endpoint,
                                        settings=lead_settings(tmp_path))  # fmt: skip
        assert isinstance(window, CockpitWindow)
        qtbot.addWidget(window)
        window.show()
        lead = Lead(qtbot, window)
        # 1. Let the plant fill and close its first seat rack (6 vehicles), then take the operators off the line,
        #    queue six more vehicles and silence the feed: from here on, nothing moves but what the lead does.
        sim(line, op="feed", feed="L1", burst=7)
        lead.wait(lambda: window.line and window.line.counters.racks_completed >= 1, "a rack closed")
        for station in ("ST-SEAT", "ST-BUMP"):
            sim(line, op="operator", station=station, auto=False)
        sim(line, op="feed", feed="L1", burst=6)
        lead.wait(lambda: len(seat_picks(lead.line)) >= 7, "six vehicles queued at the seat station")
        sim(line, op="feed", feed="L1", pause_s=86_400)
        lead.log_in("lena", PASSWORD)
        queued = seat_picks(lead.line)
        s1, s2, s3, s4, s5 = (p.seq for p in queued[-5:])
        vin = {p.seq: p.vehicle_id for p in queued}

        # 2. Hold, then release: the hold alarm comes, returns, and is acknowledged away.
        assert lead.operate("HoldVehicle", {"feed": "L1", "seq": s1}) == ("DONE", "")
        lead.wait(lambda: deviation(window, "hold", seq=s1), "hold alarm")
        assert lead.operate("ReleaseVehicle", {"feed": "L1", "seq": s1}) == ("DONE", "")
        lead.wait(lambda: deviation(window, "hold", seq=s1).view.state == "returned_unacknowledged", "returned")
        assert lead.on_alarm(deviation(window, "hold", seq=s1), window.deviations.acknowledge) == ("DONE", "")
        lead.wait(lambda: deviation(window, "hold", seq=s1).closed_at is not None, "hold alarm closed")

        # 3. Reorder, cancel, move into the cancelled place.
        assert lead.operate("SwapVehicles", {"feed": "L1", "seq": s2, "other_seq": s3}) == ("DONE", "")
        lead.wait(lambda: {p.seq: p.vehicle_id for p in seat_picks(lead.line)}.get(s2) == vin[s3], "swapped")
        assert lead.operate("CancelVehicle", {"feed": "L1", "seq": s4}) == ("DONE", "")
        lead.wait(lambda: s4 not in {p.seq for p in seat_picks(lead.line)}, "cancelled")
        assert lead.operate("MoveVehicle", {"feed": "L1", "seq": s5, "to_seq": s4}) == ("DONE", "")
        lead.wait(lambda: {p.seq: p.vehicle_id for p in seat_picks(lead.line)}.get(s4) == vin[s5], "moved")
        result, message = lead.operate("HoldVehicle", {"feed": "L1", "seq": s5})  # that place is empty now
        assert result == "REFUSED" and message.startswith("refused by the sequencer: L1 ")

        # 4. Emergency mode: a vehicle keyed in by hand; then ask the OEM to send a range again.
        last = max((f.last_seq or 0) for f in lead.line.feeds)
        new_seq = (last + 1) % 10_000
        keyed = {"feed": "L1", "seq": new_seq, "vehicle_id": "WVWZZZ1KZ8P099001", "options": ["S3", "P1A2", "PDC"],
                 "parts": []}  # fmt: skip
        assert lead.operate("InsertBroadcast", keyed) == ("DONE", "")
        lead.wait(lambda: any(p.vehicle_id == "WVWZZZ1KZ8P099001" and p.part == "SEAT-SPORT-RED"
                              for p in seat_picks(lead.line)), "keyed-in vehicle queued")  # fmt: skip
        assert lead.operate("RequestResendByHand", {"feed": "L1", "from_seq": s1, "to_seq": s1}) == ("DONE", "")

        # 5. Confirm by hand where the light "failed", resolve that record with a note.
        lit = seat_picks(lead.line)[0]
        assert lead.operate("ConfirmByHand", {"station": "ST-SEAT"}) == ("DONE", "")
        lead.wait(lambda: deviation(window, "manual_confirm", seq=lit.seq), "manual confirm recorded")
        resolved = lead.on_alarm(deviation(window, "manual_confirm", seq=lit.seq), window.deviations.resolve,
                                 "light checked: it works again")  # fmt: skip
        assert resolved == ("DONE", "")
        lead.wait(lambda: deviation(window, "manual_confirm", seq=lit.seq).closed_at is not None, "resolved")

        # 6. Reprint the closed rack's label, shelve the reprint record for 15 minutes, ship the rack by hand.
        assert lead.operate("ReprintLabel", {"label_id": "R-L1-seats-1"}) == ("DONE", "")
        lead.wait(lambda: deviation(window, "reprint"), "reprint recorded")
        shelved = lead.on_alarm(deviation(window, "reprint"), window.deviations.shelve)
        assert shelved == ("DONE", "")
        lead.wait(lambda: deviation(window, "reprint").view.state == "shelved", "shelved")
        assert deviation(window, "reprint").shelved_until == window.desk.records[max(window.desk.records)].fields[
            "until"]  # fmt: skip
        assert lead.operate("ShipRackByHand", {"feed": "L1", "family": "seats", "rack_no": 1}) == ("DONE", "")
        lead.wait(lambda: lead.line.kpis.racks_shipped >= 1, "rack shipped")

        # 7. Every operation is in the service's audit log, with who and why.
        audit = line.service.accounts.audit_query(user="lena", result="done")
        done = {a.action for a in audit}
        assert done >= {"login", "HoldVehicle", "ReleaseVehicle", "AcknowledgeAlarm", "SwapVehicles",
                        "CancelVehicle", "MoveVehicle", "InsertBroadcast", "RequestResendByHand", "ConfirmByHand",
                        "ResolveDeviation", "ReprintLabel", "ShelveAlarm", "ShipRackByHand"}  # fmt: skip
        assert {a.reason for a in audit if a.action == "ResolveDeviation"} == {"light checked: it works again"}
        window.show_screen("operations_dock")
        window.deviations.state_filter.setCurrentText("All this shift")
        shoot(window, "live")
        bus.stop()
        window.commands.stop()
