"""The role table and the intent catalogue: who may ask for what, and what each manual operation must carry."""

from __future__ import annotations

import itertools
import re

import pytest

from app.hmi.roles import (
    INTENTS,
    MANAGE_USERS,
    ROLE_TABLE,
    ROLES,
    build_intent,
    may,
    roles_allowed,
)
from sequencer.events import MANUAL_OPS, AcknowledgeAlarm, InsertBroadcast, ShelveAlarm

EVERY_OP = {op.__name__ for op in MANUAL_OPS}


def test_operator_may_only_acknowledge_reprint_and_scan() -> None:
    assert {a for a in EVERY_OP if may("operator", a)} == {"AcknowledgeAlarm", "ReprintLabel", "ScanPart"}
    assert not may("operator", MANAGE_USERS)


def test_lead_may_do_every_manual_operation_but_not_manage_users() -> None:
    assert all(may("lead", a) for a in EVERY_OP)
    assert not may("lead", MANAGE_USERS)


def test_roles_are_cumulative_and_only_admin_manages_users() -> None:
    for lower, higher in itertools.pairwise(ROLES):
        assert ROLE_TABLE[lower] <= ROLE_TABLE[higher], (lower, higher)
    assert roles_allowed(MANAGE_USERS) == ("admin",)
    assert roles_allowed("HoldVehicle") == ("lead", "engineer", "admin")
    assert roles_allowed("AcknowledgeAlarm") == ROLES


@pytest.mark.parametrize(
    ("role", "action"),
    [("root", "HoldVehicle"), ("", "AcknowledgeAlarm"), ("Lead", "HoldVehicle"), ("admin", "FormatDisk")],
)
def test_anything_not_in_the_table_is_refused(role: str, action: str) -> None:
    assert not may(role, action)


def test_every_manual_operation_has_a_fields_model_without_who_and_when() -> None:
    assert set(INTENTS) == EVERY_OP
    for name, (cls, model) in INTENTS.items():
        assert cls.__name__ == name
        assert not {"at", "user", "reason"} & set(model.model_fields), name


def test_build_intent_fills_who_and_when_and_turns_arrays_into_tuples() -> None:
    fields = {"feed": "L1", "seq": 4, "vehicle_id": "V4", "options": ["S1", "HEAT"], "parts": [["seats", "P-1"]]}
    intent = build_intent("InsertBroadcast", fields, at=10.0, user="lars", reason="feed down")
    assert intent == InsertBroadcast(
        at=10.0,
        user="lars",
        reason="feed down",
        feed="L1",
        seq=4,
        vehicle_id="V4",
        options=("S1", "HEAT"),
        parts=(("seats", "P-1"),),
    )
    assert build_intent("AcknowledgeAlarm", {"deviation_id": 2}, at=1.0, user="o", reason="") == AcknowledgeAlarm(
        at=1.0, user="o", reason="", deviation_id=2
    )
    shelve = build_intent("ShelveAlarm", {"deviation_id": 2, "until": 5}, at=1.0, user="l", reason="r")
    assert shelve == ShelveAlarm(at=1.0, user="l", reason="r", deviation_id=2, until=5.0)


@pytest.mark.parametrize(
    ("action", "fields", "problem"),
    [
        ("HoldVehicle", {"feed": "L1", "seq": "4"}, "seq: Input should be a valid integer"),
        ("HoldVehicle", {"feed": "L1", "seq": 4.0}, "seq: Input should be a valid integer"),
        ("HoldVehicle", {"feed": 1, "seq": 4}, "feed: Input should be a valid string"),
        ("HoldVehicle", {"seq": 4}, "feed: Field required"),
        ("HoldVehicle", {"feed": "L1", "seq": 4, "priority": 1}, "priority: Extra inputs are not permitted"),
        ("HoldVehicle", {"feed": "L1", "seq": 4, "user": "boss"}, "user: set by the service"),
        ("HoldVehicle", {"feed": "L1", "seq": 4, "reason": "x"}, "reason: set by the service"),
        ("ShelveAlarm", {"deviation_id": 1, "until": "later"}, "until: Input should be a valid number"),
        ("Reboot", {}, "unknown intent 'Reboot'"),
    ],
)
def test_build_intent_is_strict_and_names_the_problem(action: str, fields: dict[str, object], problem: str) -> None:
    with pytest.raises(ValueError, match=re.escape(problem)):
        build_intent(action, fields, at=1.0, user="u", reason="r")


def test_problems_never_echo_the_values() -> None:
    secret = "VALUE-THAT-MUST-NOT-ECHO"
    with pytest.raises(ValueError, match="feed") as caught:
        build_intent("HoldVehicle", {"feed": [secret], "seq": secret}, at=1.0, user="u", reason="r")
    assert secret not in str(caught.value)


def test_the_panels_station_changers_are_the_lead_and_up() -> None:
    """The operator panel's kiosk lock (ui/operator/actions.py, which may not import app) agrees with the chain."""
    from ui.operator.actions import STATION_CHANGE_ROLES

    assert set(ROLES[ROLES.index("lead") :]) == STATION_CHANGE_ROLES
