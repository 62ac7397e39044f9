"""An operator's badge and PIN on the HMI command channel (127.0.0.1), a kiosk panel's audited change of station,
the accounts behind them and ``jis users badge`` / ``lang``.

The same real server and accounts as tests/integration/test_hmi_commands.py (its ``line`` fixture: a free port, a
hand-driven real-time clock, argon2 at its cheapest).
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from app.hmi.accounts import AccountError, AccountStore, badge_digest, badge_key
from app.hmi.login_limits import LIMITS
from app.hmi.roles import CHANGE_STATION
from app.proof.demo_users import ensure_demo_users
from tests.integration import test_hmi_commands as commands
from tests.integration.test_hmi_commands import CHEAP, PASSWORDS, Line, Users

OLGA_BADGE, OLGA_PIN = "04A1B2C3D4E5F6", "4711"
LARS_BADGE, LARS_PIN = "EMP-000815", "90210"
line, users = commands.line, commands.users  # the real server on a free port; `jis users` (their fixtures)


def badge_login(badge: str, pin: str, **more: object) -> dict[str, object]:
    return {"op": "badge_login", "badge": badge, "pin": pin, **more}


@pytest.fixture
def badged(line: Line) -> Line:
    line.accounts.set_badge("olga", OLGA_BADGE, OLGA_PIN)
    line.accounts.set_badge("lars", LARS_BADGE, LARS_PIN)
    line.accounts.set_language("olga", "es")
    return line


async def test_a_badge_and_its_pin_log_the_operator_in_with_their_language(badged: Line) -> None:
    reply = await badged.ask(badge_login(OLGA_BADGE, OLGA_PIN, id=3))
    assert reply["ok"] and reply["id"] == 3 and reply["user"] == "olga" and reply["role"] == "operator"
    assert reply["language"] == "es" and len(reply["token"]) >= 40
    hold = await badged.intent(str(reply["token"]), "AcknowledgeAlarm", {"deviation_id": 1}, "")
    assert hold["ok"], hold  # the session is olga's, as after a password
    [login, _] = badged.accounts.audit_query()
    assert (login.user, login.role, login.action, login.result) == ("olga", "operator", "badge_login", "done")
    assert login.target == badge_key(OLGA_BADGE) and "127.0.0.1" in login.detail
    password = await badged.ask({"op": "login", "user": "lars", "password": PASSWORDS["lars"]})
    assert password["ok"] and password["language"] == ""  # the lead's full login is unchanged


async def test_an_unknown_badge_and_a_wrong_pin_get_the_same_answer_and_neither_is_kept(badged: Line) -> None:
    wrong = await badged.ask(badge_login(OLGA_BADGE, "0000"))
    nobody = await badged.ask(badge_login("NOT-A-BADGE-42", OLGA_PIN))
    short = await badged.ask(badge_login(OLGA_BADGE, "12"))  # not a PIN at all: refused the same way
    assert wrong == nobody == short == {"ok": False, "code": "bad_badge", "error": "unknown badge or wrong PIN"}
    assert [a[2:] for a in badged.audit()] == [("badge_login", "bad_badge")] * 3
    assert [e.user for e in badged.accounts.audit_query()] == [
        badge_key(OLGA_BADGE),
        badge_key("NOT-A-BADGE-42"),
        badge_key(OLGA_BADGE),
    ]
    with badged.accounts.engine.connect() as conn:
        stored = " ".join(
            str(row) for table in ("audit_log", "user_badges") for row in conn.execute(text(f"SELECT * FROM {table}"))
        )
    assert OLGA_BADGE not in stored and badge_digest(OLGA_BADGE) in stored  # the badge only as its digest
    said = " ".join(f"{e.user} {e.target} {e.reason}" for e in badged.accounts.audit_query())
    assert OLGA_PIN not in said and "0000" not in said  # no PIN in the audit log
    assert all(e.detail.startswith("from 127.0.0.1 peer ") for e in badged.accounts.audit_query())


async def test_wrong_pins_on_a_badge_are_rate_limited_and_other_badges_are_not(badged: Line) -> None:
    kiosk = badged.dealer(source="127.0.0.2")  # a panel the badge never logged in at
    for _ in range(LIMITS["user"].free):
        assert (await badged.ask(badge_login(OLGA_BADGE, "1234"), sock=kiosk))["code"] == "bad_badge"
    locked = await badged.ask(badge_login(OLGA_BADGE, OLGA_PIN), sock=kiosk)
    assert locked["code"] == "rate_limited"
    assert (await badged.ask(badge_login(LARS_BADGE, LARS_PIN), sock=kiosk))["ok"]  # another badge logs in
    badged.now += 61
    assert (await badged.ask(badge_login(OLGA_BADGE, OLGA_PIN), sock=kiosk))["ok"]
    refused = [e for e in badged.accounts.audit_query() if e.result == "rate_limited"]
    assert [(e.user, e.action) for e in refused] == [(badge_key(OLGA_BADGE), "badge_login")]


async def test_a_disabled_users_badge_logs_nobody_in(badged: Line) -> None:
    badged.accounts.disable("olga")
    assert (await badged.ask(badge_login(OLGA_BADGE, OLGA_PIN)))["code"] == "bad_badge"


async def test_a_kiosk_change_of_station_needs_a_lead_and_is_audited(badged: Line) -> None:
    move = {"op": "station", "station_from": "ST-SEAT", "station_to": "ST-BUMP"}
    assert (await badged.ask(move))["code"] == "no_login"
    assert (await badged.ask({**move, "token": "forged"}))["code"] == "bad_token"
    operator = await badged.ask(badge_login(OLGA_BADGE, OLGA_PIN))
    refused = await badged.ask({**move, "token": operator["token"]})
    assert refused["code"] == "forbidden" and "lead" in str(refused["error"])
    lead = await badged.ask(badge_login(LARS_BADGE, LARS_PIN))
    done = await badged.ask({**move, "token": lead["token"], "id": 9})
    assert done["ok"] and done["id"] == 9
    assert done["result"] == {"action": CHANGE_STATION, "target": "ST-SEAT -> ST-BUMP"}
    moves = [e for e in badged.accounts.audit_query() if e.action == CHANGE_STATION]
    assert [(e.user, e.role, e.target, e.result) for e in moves] == [
        ("", "", "ST-SEAT -> ST-BUMP", "no_login"),
        ("", "", "ST-SEAT -> ST-BUMP", "bad_token"),
        ("olga", "operator", "ST-SEAT -> ST-BUMP", "forbidden"),
        ("lars", "lead", "ST-SEAT -> ST-BUMP", "done"),
    ]


def test_badges_are_digests_pins_are_argon2_and_a_badge_is_one_users(database_url: str) -> None:
    store = AccountStore.open(database_url, hasher=CHEAP)
    try:
        store.add_user("olga", "operator", "operator-pw-1")
        store.add_user("otto", "operator", "operator-pw-2")
        store.set_badge("olga", f"  {OLGA_BADGE}\n", OLGA_PIN)  # a reader's blanks and Enter are not the badge
        with store.engine.connect() as conn:
            digest, pin_hash = conn.execute(text("SELECT badge_digest, pin_hash FROM user_badges")).one()
        assert digest == badge_digest(OLGA_BADGE) and pin_hash.startswith("$argon2id$")
        assert store.verify_badge(OLGA_BADGE, OLGA_PIN) == ("olga", "operator")
        assert store.verify_badge(OLGA_BADGE, "4712") is None and store.verify_badge("04A1B2C3D4E5F7", OLGA_PIN) is None
        with pytest.raises(AccountError, match="another user"):
            store.set_badge("otto", OLGA_BADGE, "1234")
        for pin in ("123", "123456789", "12a4", ""):
            with pytest.raises(AccountError, match="PIN"):
                store.set_badge("otto", "OTTO-BADGE-1", pin)
        with pytest.raises(AccountError, match="badge id"):
            store.set_badge("otto", "a b", "1234")
        with pytest.raises(AccountError, match="no user"):
            store.set_badge("ghost", "GHOST-BADGE", "1234")
        store.set_badge("olga", "NEW-BADGE-77", "8888")  # a new badge replaces the old one
        assert store.verify_badge(OLGA_BADGE, OLGA_PIN) is None and store.verify_badge("NEW-BADGE-77", "8888")
        store.clear_badge("olga")
        assert store.verify_badge("NEW-BADGE-77", "8888") is None and store.badge_holders() == set()
        with pytest.raises(AccountError, match="two-letter"):
            store.set_language("olga", "German")
    finally:
        store.close()


def test_jis_users_badge_and_lang(database_url: str, users: Users) -> None:
    db = database_url
    assert users(db, "add", "olga", "--role", "operator", "--password-stdin", stdin="operator-pw-1\n")[0] == 0
    code, out, _ = users(db, "badge", "olga", prompt=[OLGA_BADGE, OLGA_PIN, OLGA_PIN])
    assert code == 0 and OLGA_BADGE not in out
    code, _, err = users(db, "badge", "olga", prompt=[OLGA_BADGE, OLGA_PIN, "4712"])
    assert code == 1 and "differ" in err
    assert users(db, "badge", "olga", "--stdin", stdin="OLGA-2\n12\n")[0] == 1  # a PIN is 4-8 digits
    assert users(db, "badge", "olga", "--stdin", stdin="OLGA-2\n123456\n")[0] == 0
    assert users(db, "lang", "olga", "de")[0] == 0
    assert users(db, "lang", "olga", "Deutsch")[0] == 1
    code, out, _ = users(db, "list")
    assert code == 0 and out.splitlines()[1].split()[-2:] == ["yes", "de"]
    store = AccountStore.open(db, hasher=CHEAP)
    assert store.verify_badge("OLGA-2", "123456") == ("olga", "operator") and store.language_of("olga") == "de"
    store.close()
    assert users(db, "badge", "olga", "--clear")[0] == 0
    assert users(db, "list")[1].splitlines()[1].split()[-2:] == ["no", "de"]


def test_the_demo_operator_gets_a_badge_and_pin_of_this_run_only(database_url: str) -> None:
    store = AccountStore.open(database_url, hasher=CHEAP)
    try:
        told: list[str] = []
        for _ in range(2):
            ensure_demo_users(store, say=told.append)
        firsts, seconds = (re.search(r"badge / PIN .*: (DEMO-\w+) / (\d{6})$", text) for text in told)
        assert firsts and seconds
        assert store.verify_badge(*seconds.groups()) == ("demo-operator", "operator")
        assert store.verify_badge(*firsts.groups()) is None  # the last run's badge no longer logs in
    finally:
        store.close()
