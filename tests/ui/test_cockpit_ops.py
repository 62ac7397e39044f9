"""The cockpit's login and manual operations through the real HMI command server (``app.hmi.commands``).

The server runs on its own asyncio loop in a thread, bound to 127.0.0.1 port 0, with real accounts (argon2id,
cheap parameters for tests) and an audit log in a temporary SQLite file. Behind it, instead of the sequencer
service, a recording double: it keeps every intent the server built, or refuses with a reason, so each form's
fields are checked against the server's strict validation and the exact intent is asserted. The same
operations against the running service and simulated plant are in test_cockpit_live.py.
Writes docs/screenshots/cockpit-login.png, cockpit-confirm.png and cockpit-operations.png.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from argon2 import PasswordHasher
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from pytestqt.qtbot import QtBot

from app.hmi.accounts import AccountStore
from app.hmi.commands import HmiCommandServer
from app.persist.store import make_engine
from sequencer.commands import AuditRecord, Command
from sequencer.core import SequencerError
from sequencer.events import ManualOp
from tests.ui.conftest import BusPublisher
from tests.ui.test_cockpit import (
    NOTICE_ALARMS,
    NOTICES,
    SHOTS,
    SUMMER_AT,
    WAIT_MS,
    cockpit_line,
    lead_settings,
    parked_line,
    shoot,
    show,
)
from ui.cockpit.desk import ConfirmDialog
from ui.cockpit.ops import OPERATIONS
from ui.cockpit.widgets import table_rows
from ui.cockpit.window import CockpitWindow, build_lead_window
from ui.i18n import SOURCE_LANGUAGE, current_language, set_language

FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # argon2id; production uses the defaults
USERS = {"lena": ("lead", "lena-lead-password"), "otto": ("operator", "otto-operator-password")}

# One example per form: what the lead types, and the intent fields the service must receive.
EXAMPLES: dict[str, dict[str, Any]] = {
    "HoldVehicle": {"feed": "L1", "seq": 9997},
    "ReleaseVehicle": {"feed": "L1", "seq": 9997},
    "CancelVehicle": {"feed": "L1", "seq": 9998},
    "MoveVehicle": {"feed": "L1", "seq": 9999, "to_seq": 9998},
    "SwapVehicles": {"feed": "L1", "seq": 0, "other_seq": 1},
    "InsertBroadcast": {"feed": "L1", "seq": 3, "vehicle_id": "WVWZZZ1KZ8P012352", "options": ["S2", "HEAT", "P040"],
                        "parts": [["bumper", "BMP-040"]]},
    "RequestResendByHand": {"feed": "L1", "from_seq": 9994, "to_seq": 9995},
    "ReprintLabel": {"label_id": "R-L1-seats-832"},
    "ConfirmByHand": {"station": "ST-BUMP"},
    "ShipRackByHand": {"feed": "L1", "family": "seats", "rack_no": 832},
    "SetBinStock": {"bin": "SEAT-02", "qty": 40},
    "SetLineStatus": {"feed": "L1", "state": "stopped"},
}  # fmt: skip


class RecordingService:
    """Stands in for ``app.service.runtime.Service`` behind the command server: records intents, or refuses them."""

    def __init__(self) -> None:
        self.intents: list[ManualOp] = []
        self.reprocessed: list[int] = []
        self.refusal = ""

    def clock(self) -> float:
        return SUMMER_AT

    async def submit_checked(self, event: ManualOp, raw: bytes | None = None) -> list[Command]:
        if self.refusal:
            raise SequencerError(self.refusal)
        self.intents.append(event)
        return [AuditRecord(at=event.at, user=event.user, action=type(event).__name__, target="as asked",
                            reason=event.reason, result="done")]  # fmt: skip

    async def submit_once(self, event: ManualOp, identity: str) -> SimpleNamespace:
        """Every screen's operation carries a request id; each is new here (the service's once: its own tests)."""
        return SimpleNamespace(commands=await self.submit_checked(event), repeat_of=None)

    async def answer_of(self, journal_id: int) -> list[Command]:
        raise AssertionError("no repeats here")

    async def reprocess(self, quarantine_id: int) -> tuple[bool, str]:
        self.reprocessed.append(quarantine_id)
        return True, "L1 42: accepted"


def accounts_in(url: str) -> AccountStore:
    store = AccountStore(make_engine(url), hasher=FAST_HASHER)
    for name, (role, password) in USERS.items():
        store.add_user(name, role, password)
    return store


@contextmanager
def command_server(service: Any, accounts: AccountStore, loop: asyncio.AbstractEventLoop) -> Iterator[str]:
    """Run the real ``HmiCommandServer`` on ``loop`` (another thread's) at a free port; yields its endpoint."""
    server = HmiCommandServer(service, accounts, "tcp://127.0.0.1:0")

    async def bind() -> str:
        return server.bind()

    endpoint = asyncio.run_coroutine_threadsafe(bind(), loop).result(10)
    running = asyncio.run_coroutine_threadsafe(server.run(), loop)
    try:
        yield endpoint
    finally:
        running.cancel()  # cancels the server's task on its loop; run() closes the socket on the way out
        concurrent.futures.wait([running], timeout=10)


@contextmanager
def loop_thread() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="command-server", daemon=True)
    thread.start()
    try:
        yield loop
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


@pytest.fixture
def service() -> RecordingService:
    return RecordingService()


@pytest.fixture
def accounts(database_url: str) -> Iterator[AccountStore]:
    store = accounts_in(database_url)
    yield store
    store.engine.dispose()


@pytest.fixture
def lead(qtbot: QtBot, publisher: BusPublisher, service: RecordingService, accounts: AccountStore,
         tmp_path: Path) -> Iterator[CockpitWindow]:  # fmt: skip
    with loop_thread() as loop, command_server(service, accounts, loop) as endpoint:
        window, bus = build_lead_window(publisher.endpoint, None, 0.5, commands=endpoint,
                                        settings=lead_settings(tmp_path))  # fmt: skip
        assert isinstance(window, CockpitWindow)
        qtbot.addWidget(window)
        window.show()
        show(qtbot, publisher, window, cockpit_line())
        yield window
        bus.stop()
        window.commands.stop()


def log_in(qtbot: QtBot, window: CockpitWindow, user: str) -> None:
    dialog = window.login_dialog
    qtbot.keySequence(window, "Ctrl+L")
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    dialog.user.setText(user)
    dialog.password.setText(USERS[user][1])
    qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
    assert dialog.password.text() == ""  # gone from the screen with the request
    qtbot.waitUntil(lambda: window.commands.logged_in_now and not dialog.isVisible(), timeout=WAIT_MS)
    window.activateWindow()  # back from the dialog: the window's shortcuts need it active
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)


def confirm(qtbot: QtBot, window: CockpitWindow, reason: str) -> ConfirmDialog:
    dialog = window.desk.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.reason.setPlainText(reason)
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    return dialog


def answered(qtbot: QtBot, window: CockpitWindow, count: int) -> list[Any]:
    qtbot.waitUntil(lambda: sum(r.finished for r in window.desk.records.values()) >= count, timeout=WAIT_MS)
    return list(window.desk.records.values())


def fields_of(intent: ManualOp) -> dict[str, Any]:
    return {k: v for k, v in dataclasses.asdict(intent).items() if k not in ("at", "user", "reason")}


def as_sent(example: dict[str, Any]) -> dict[str, Any]:
    """JSON arrays arrive as tuples in the core's frozen intents."""
    return {k: tuple(tuple(x) if isinstance(x, list) else x for x in v) if isinstance(v, list) else v
            for k, v in example.items()}  # fmt: skip


# --- login and roles --------------------------------------------------------------------------------------------


def test_login_shows_who_and_logout_ends_the_session(qtbot: QtBot, lead: CockpitWindow, accounts: AccountStore) -> None:
    assert lead.findChild(type(lead.header.who), "header_who").text() == "not logged in"
    log_in(qtbot, lead, "lena")
    assert lead.header.who.text() == "lena · shift lead"
    assert lead.header.logout_button.isVisible() and not lead.header.login_button.isVisible()
    qtbot.mouseClick(lead.header.logout_button, Qt.MouseButton.LeftButton)
    assert lead.header.who.text() == "not logged in"
    qtbot.waitUntil(lambda: accounts.session_count() == 0, timeout=WAIT_MS)  # the service closed the session
    results = [e.result for e in accounts.audit_query(user="lena")]
    assert results[:1] == ["done"]


def test_the_cockpit_speaks_the_logged_in_leads_language_then_its_own_again(
    qtbot: QtBot, lead: CockpitWindow, accounts: AccountStore
) -> None:
    """``jis hmi --role lead --lang es``, and lena's own language German (``jis users lang lena de``): the open
    cockpit speaks German while she is logged in, Spanish again after; otto has no language of his own."""
    accounts.set_language("lena", "de")
    title = lead.docks["deviations_dock"].windowTitle
    try:
        lead.follow_user_language("es")
        assert current_language() == "es" and title() == "Incidencias y alarmas"
        log_in(qtbot, lead, "lena")
        assert current_language() == lead.language == "de" and title() == "Abweichungen und Alarme"
        assert lead.header.logout_button.text() == "ABMELDEN"
        qtbot.mouseClick(lead.header.logout_button, Qt.MouseButton.LeftButton)
        assert current_language() == "es" and title() == "Incidencias y alarmas"
        log_in(qtbot, lead, "otto")
        assert lead.commands.user == "otto" and current_language() == "es"
    finally:
        set_language(SOURCE_LANGUAGE)


def test_a_wrong_password_is_refused_and_nobody_is_logged_in(qtbot: QtBot, lead: CockpitWindow) -> None:
    dialog = lead.login_dialog
    dialog.open_for_login()
    dialog.user.setText("lena")
    dialog.password.setText("not-her-password")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.error.text() == "Wrong user name or password.", timeout=WAIT_MS)
    assert dialog.isVisible() and not lead.commands.logged_in_now
    dialog.user.setText("lena")
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert dialog.grab().save(str(SHOTS / "cockpit-login.png"))


def test_an_operation_asks_for_a_login_first_and_sends_nothing(qtbot: QtBot, lead: CockpitWindow,
                                                               service: RecordingService) -> None:  # fmt: skip
    lead.operations.prefill("HoldVehicle", EXAMPLES["HoldVehicle"])
    lead.operations.forms["HoldVehicle"].button.click()
    assert lead.login_dialog.isVisible()
    assert lead.desk.dialog is None and lead.desk.records == {} and service.intents == []


def test_an_operator_may_not_hold_a_vehicle(qtbot: QtBot, lead: CockpitWindow, service: RecordingService) -> None:
    log_in(qtbot, lead, "otto")
    lead.operations.prefill("HoldVehicle", EXAMPLES["HoldVehicle"])
    lead.operations.forms["HoldVehicle"].button.click()
    confirm(qtbot, lead, "trying")
    (record,) = answered(qtbot, lead, 1)
    assert (record.result, record.message) == (
        "FORBIDDEN", "your role may not do this: role operator may not HoldVehicle (allowed: lead, engineer, admin)"
    )  # fmt: skip
    assert service.intents == []


# --- every operation form ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", OPERATIONS, ids=[op.intent for op in OPERATIONS])
def test_each_form_sends_its_intent_after_a_confirmation_with_a_reason(
    qtbot: QtBot, lead: CockpitWindow, service: RecordingService, accounts: AccountStore, spec: Any
) -> None:
    log_in(qtbot, lead, "lena")
    lead.show_screen("operations_dock")
    lead.operations.prefill(spec.intent, EXAMPLES[spec.intent])
    form = lead.operations.forms[spec.intent]
    qtbot.mouseClick(form.button, Qt.MouseButton.LeftButton)
    dialog = lead.desk.dialog
    assert dialog is not None and not dialog.confirm_button.isEnabled()  # no reason yet
    confirm(qtbot, lead, "test: keyed by the lead")
    (record,) = answered(qtbot, lead, 1)
    assert record.result == "DONE", record.message
    (intent,) = service.intents
    assert (type(intent).__name__, intent.user, intent.reason) == (spec.intent, "lena", "test: keyed by the lead")
    assert fields_of(intent) == as_sent(EXAMPLES[spec.intent])
    assert table_rows(lead.operations.log)[0][1:6] == ["lena", spec.verb, record.target, "test: keyed by the lead",
                                                       "DONE"]  # fmt: skip
    audit = accounts.audit_query(action=spec.intent)
    assert [(a.user, a.role, a.reason, a.result) for a in audit] == [("lena", "lead", "test: keyed by the lead",
                                                                      "done")]  # fmt: skip


def test_cancelling_the_confirmation_sends_nothing(qtbot: QtBot, lead: CockpitWindow,
                                                   service: RecordingService) -> None:  # fmt: skip
    log_in(qtbot, lead, "lena")
    lead.operations.prefill("CancelVehicle", EXAMPLES["CancelVehicle"])
    lead.operations.forms["CancelVehicle"].button.click()
    dialog = lead.desk.dialog
    assert dialog is not None
    assert "Cancel a vehicle: L1 9998 (vehicle WVWZZZ1KZ8P012347: SEAT-SPORT-RED at SEAT-04" in (
        dialog.findChild(type(dialog.reason), "confirm_reason") and dialog.proposal.summary
    )
    dialog.reason.setPlainText("changed my mind")
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert dialog.grab().save(str(SHOTS / "cockpit-confirm.png"))
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and lead.desk.records == {} and service.intents == []


def test_a_refusal_shows_the_core_s_reason(qtbot: QtBot, lead: CockpitWindow, service: RecordingService) -> None:
    log_in(qtbot, lead, "lena")
    service.refusal = "L1 9997: vehicle is complete"
    lead.operations.prefill("HoldVehicle", EXAMPLES["HoldVehicle"])
    lead.operations.forms["HoldVehicle"].button.click()
    confirm(qtbot, lead, "paint defect")
    (record,) = answered(qtbot, lead, 1)
    assert (record.result, record.message) == ("REFUSED", "refused by the sequencer: L1 9997: vehicle is complete")
    lead.show_screen("operations_dock")
    lead.operations.prefill("MoveVehicle", EXAMPLES["MoveVehicle"])
    shoot(lead, "operations")


# --- alarms: acknowledge, shelve with expiry, resolve with a note ------------------------------------------------


def test_alarms_are_acknowledged_shelved_and_resolved_from_the_list(
    qtbot: QtBot, publisher: BusPublisher, lead: CockpitWindow, service: RecordingService
) -> None:
    log_in(qtbot, lead, "lena")
    d = lead.deviations
    d.select_ids({14, 11})
    qtbot.keySequence(lead, "Ctrl+K")
    dialog = lead.desk.dialog
    assert dialog is not None and dialog.confirm_button.isEnabled()  # an acknowledgement needs no reason
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    answered(qtbot, lead, 2)
    assert [(type(i).__name__, fields_of(i)) for i in service.intents] == [
        ("AcknowledgeAlarm", {"deviation_id": 14}), ("AcknowledgeAlarm", {"deviation_id": 11})
    ]  # fmt: skip
    d.select_ids({12})
    d.shelve()
    lead.desk.dialog.duration.setCurrentText("for 30 min")
    confirm(qtbot, lead, "OEM knows, resend after the break")
    answered(qtbot, lead, 3)
    assert fields_of(service.intents[-1]) == {"deviation_id": 12, "until": SUMMER_AT + 30 * 60}
    shelved = cockpit_line(rev=2, deviations=tuple(
        x.model_copy(update={"state": "shelved"}) if x.id == 12 else x for x in cockpit_line().deviations))  # fmt: skip
    show(qtbot, publisher, lead, shelved)
    row = next(r for r, e in enumerate(d.model.rows) if e.id == 12)
    assert d.model.index(row, 2).data() == "SHELVED until 17:36"
    d.select_ids({13})
    d.resolve()
    assert not lead.desk.dialog.confirm_button.isEnabled()  # a resolution needs its note
    confirm(qtbot, lead, "confirm came from a test press; nothing to do")
    answered(qtbot, lead, 4)
    assert (type(service.intents[-1]).__name__, service.intents[-1].reason) == (
        "ResolveDeviation", "confirm came from a test press; nothing to do"
    )  # fmt: skip


def test_alarms_are_suppressed_and_taken_out_of_service_from_the_list_with_a_reason(
    qtbot: QtBot, publisher: BusPublisher, lead: CockpitWindow, service: RecordingService
) -> None:
    """ISA-18.2's suppressed-by-design and out-of-service states, from the MORE menu beside the buttons, the table's
    context menu and the Alarms menu; each confirmed with a reason, like every operation but an acknowledgement."""
    log_in(qtbot, lead, "lena")
    d = lead.deviations
    d.select_ids({14})  # active, unacknowledged
    enabled = {name: action.isEnabled() for name, action in d.more_actions.items()}
    assert enabled == {"suppress": True, "unsuppress": False, "out_of_service": True, "in_service": False}
    d.more_actions["suppress"].trigger()
    dialog = lead.desk.dialog
    assert dialog is not None and dialog.confirm_button.text() == "SUPPRESS"
    assert not dialog.confirm_button.isEnabled()  # no suppression without a reason
    confirm(qtbot, lead, "ST-BUMP shut down for the shift")
    answered(qtbot, lead, 1)
    d.select_ids({15})
    menu_action = lead.findChild(QAction, "out_of_service_action")  # the Alarms menu
    assert menu_action is not None
    menu_action.trigger()
    confirm(qtbot, lead, "zebra-1 away for a new print head")
    answered(qtbot, lead, 2)
    assert [(type(i).__name__, fields_of(i), i.reason) for i in service.intents] == [
        ("SuppressAlarm", {"deviation_id": 14}, "ST-BUMP shut down for the shift"),
        ("RemoveAlarmFromService", {"deviation_id": 15}, "zebra-1 away for a new print head"),
    ]
    show(qtbot, publisher, lead, parked_line(rev=3))  # the service's answer, on the bus
    d.state_filter.setCurrentText("Out of service")
    d.select_ids({15})
    assert not d.ack_button.isEnabled() and not d.shelve_button.isEnabled()  # not annunciated: nothing to see
    rect = d.table.visualRect(d.proxy.index(0, 3))
    d.table.customContextMenuRequested.emit(rect.center())
    menu = d.context_menu
    assert menu is not None
    offered = {a.objectName(): a.isEnabled() for a in menu.actions()}
    assert offered == {"ack_menu_action": False, "shelve_menu_action": False, "suppress_menu_action": False,
                       "unsuppress_menu_action": False, "out_of_service_menu_action": False,
                       "in_service_menu_action": True, "resolve_menu_action": True}  # fmt: skip
    next(a for a in menu.actions() if a.objectName() == "in_service_menu_action").trigger()
    confirm(qtbot, lead, "new print head fitted, test label fine")
    answered(qtbot, lead, 3)
    d.state_filter.setCurrentText("Suppressed")
    d.select_ids({14})
    d.unsuppress()
    confirm(qtbot, lead, "ST-BUMP runs again")
    answered(qtbot, lead, 4)
    assert [(type(i).__name__, fields_of(i)) for i in service.intents[2:]] == [
        ("ReturnAlarmToService", {"deviation_id": 15}), ("UnsuppressAlarm", {"deviation_id": 14})
    ]  # fmt: skip


def test_an_operator_may_not_suppress_an_alarm(qtbot: QtBot, lead: CockpitWindow, service: RecordingService) -> None:
    log_in(qtbot, lead, "otto")
    lead.deviations.select_ids({14})
    lead.deviations.suppress()
    confirm(qtbot, lead, "too noisy")
    (record,) = answered(qtbot, lead, 1)
    assert record.result == "FORBIDDEN" and "allowed: lead, engineer, admin" in record.message
    assert service.intents == []


def test_reprocessing_a_quarantined_message_shows_the_service_s_answer(
    qtbot: QtBot, lead: CockpitWindow, service: RecordingService
) -> None:
    log_in(qtbot, lead, "lena")
    lead.quarantine.table.selectRow(0)
    lead.quarantine.reprocess()
    confirm(qtbot, lead, "OEM fixed the segment count")
    (record,) = answered(qtbot, lead, 1)
    assert record.result == "DONE", record
    assert record.fields == {"quarantine_id": 3}
    assert service.reprocessed == [3]
    assert service.intents == []  # a service operation: nothing for the core


def test_a_rejected_ship_notice_is_sent_again_from_the_ship_notices_screen(
    qtbot: QtBot, lead: CockpitWindow, service: RecordingService, accounts: AccountStore, publisher: BusPublisher
) -> None:
    """docs/ship-notices.md, "Send again": SEND AGAIN… only for a rejected or unanswered notice; confirmed with a
    reason, it sends ResendShipNotice for the notice's rack, audited."""
    line = cockpit_line(rev=2, deviations=NOTICE_ALARMS).model_copy(update={"notices": NOTICES})
    show(qtbot, publisher, lead, line)
    pane = lead.notices
    assert not pane.send_again_button.isEnabled()  # nothing selected
    states = [n.state for n in pane.shown]
    pane.table.selectRow(states.index("acknowledged"))
    assert not pane.send_again_button.isEnabled()  # the OEM has it
    pane.table.selectRow(states.index("rejected"))
    assert pane.send_again_button.isEnabled()
    log_in(qtbot, lead, "lena")
    pane.table.selectRow([n.state for n in pane.shown].index("rejected"))
    qtbot.mouseClick(pane.send_again_button, Qt.MouseButton.LeftButton)
    confirm(qtbot, lead, "OEM fixed its call-off")
    (record,) = answered(qtbot, lead, 1)
    assert record.result == "DONE", record.message
    (intent,) = service.intents
    assert (type(intent).__name__, intent.user) == ("ResendShipNotice", "lena")
    assert fields_of(intent) == {"feed": "L1", "family": "seats", "rack_no": 833}
    audit = accounts.audit_query(action="ResendShipNotice")
    assert [(a.user, a.role, a.reason, a.result) for a in audit] == [("lena", "lead", "OEM fixed its call-off", "done")]
