"""The HMI bus end to end (Clone pattern, docs/hmi-bus.md): late joiners, missed updates, CURVE.

Screens are the real ``ui.bus_client.BusClient`` and ``ui.command_client.CommandClient`` on the Qt main thread;
the service is either the test bus (tests/ui/conftest.py, hand-driven) or the real service with the simulated
plant (tests/live.py) on free ports of 127.0.0.1. Every wait is a bounded ``qtbot.waitUntil``; no timing asserts.
"""

from __future__ import annotations

from pathlib import Path

import zmq
from argon2 import PasswordHasher, profiles
from pytestqt.qtbot import QtBot

from app.hmi.accounts import AccountStore
from app.net.curve_keys import write_keypair
from sequencer.clone import KV, MAX_FRAME_BYTES, parse_entry
from sequencer.plant import HmiCurveConfig
from sequencer.views import LineView
from tests.live import LiveLine
from tests.ui.conftest import BusPublisher
from tests.ui.test_operator_panel import busy_line
from ui.bus_client import BusClient, CurveKeys
from ui.command_client import CommandClient

WAIT_MS = 30_000


def converged(client: BusClient, entries: dict[str, bytes], seq: int) -> bool:
    """The client's copy is the service's: same number, same entries (compared as validated values)."""
    if not client.replica.synced or client.replica.seq != seq:
        return False
    theirs = {k: p for k, v in entries.items() if (p := parse_entry(k, v)) is not None}
    return client.replica.parsed == theirs


def started(client: BusClient) -> BusClient:
    client.start()
    return client


# -- the test bus -------------------------------------------------------------------------------------------
def test_a_late_joiner_learns_the_snapshot_endpoint_and_converges(qtbot: QtBot, publisher: BusPublisher) -> None:
    early = started(BusClient(publisher.endpoint, poll_interval_ms=10))
    for rev in range(1, 6):
        publisher.publish(busy_line(rev=rev))
    qtbot.waitUntil(lambda: converged(early, publisher.store.entries, publisher.store.seq), timeout=WAIT_MS)
    late = started(BusClient(publisher.endpoint, snapshot=publisher.snapshot_endpoint, poll_interval_ms=10))
    with qtbot.waitSignal(late.line_changed, timeout=WAIT_MS) as shown:
        pass
    assert shown.args[0] == busy_line(rev=5)  # the whole picture from the snapshot, no update needed
    assert late.stats.snapshots == 1 and late.stats.updates == 0
    publisher.publish(busy_line(rev=6))
    for client in (early, late):
        qtbot.waitUntil(lambda c=client: converged(c, publisher.store.entries, publisher.store.seq), timeout=WAIT_MS)
        assert client.replica.view() == busy_line(rev=6)
        client.stop()


def test_a_screen_that_misses_updates_asks_for_a_snapshot_and_catches_up(qtbot: QtBot, publisher: BusPublisher) -> None:
    client = started(BusClient(publisher.endpoint, poll_interval_ms=10))
    publisher.publish(busy_line(rev=1))
    qtbot.waitUntil(lambda: client.link_up and client.replica.synced, timeout=WAIT_MS)
    client.snapshots.timer.stop()  # the GUI is busy: the test takes the next update off the screen's socket (lost)
    seq_before = publisher.store.seq
    publisher.publish_once(busy_line(rev=2))
    sub = client._sub
    assert sub is not None and sub.poll(WAIT_MS, zmq.POLLIN)
    while (lost := sub.recv_multipart())[0] != KV:
        pass
    publisher.publish_once(busy_line(rev=3))
    client.snapshots.timer.start()
    shown: list[LineView] = []
    client.line_changed.connect(shown.append)
    qtbot.waitUntil(lambda: bool(shown) and shown[-1].rev == 3, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: converged(client, publisher.store.entries, publisher.store.seq), timeout=WAIT_MS)
    assert client.stats.gaps >= 1 and client.stats.snapshots >= 2
    assert all(view.rev != 2 for view in shown)  # a picture with rev 2 was never made up from a partial state
    assert int(lost[2]) == seq_before + 1
    client.stop()


def test_a_screen_cut_off_for_a_while_resnapshots_when_the_bus_returns(qtbot: QtBot, publisher: BusPublisher) -> None:
    client = started(BusClient(publisher.endpoint, stale_after_s=0.5, poll_interval_ms=10))
    publisher.publish(busy_line(rev=1))
    qtbot.waitUntil(lambda: client.link_up, timeout=WAIT_MS)
    publisher.stop()  # the network is cut: no heartbeats; meanwhile the line moves on
    qtbot.waitUntil(lambda: not client.link_up, timeout=WAIT_MS)
    assert not client.replica.synced  # silence: the state is distrusted until a snapshot
    for rev in range(2, 10):
        publisher.publish_once(busy_line(rev=rev))
    publisher.publish(busy_line(rev=10))  # and comes back
    qtbot.waitUntil(lambda: client.link_up and converged(client, publisher.store.entries, publisher.store.seq),
                    timeout=WAIT_MS)  # fmt: skip
    assert client.replica.view() == busy_line(rev=10)
    client.stop()


def test_a_frame_over_a_screens_limit_costs_it_the_connection_not_the_picture(
    qtbot: QtBot, publisher: BusPublisher
) -> None:
    """libzmq drops a frame over ``MAX_FRAME_BYTES`` (never allocated) and the connection with it, and does not
    re-dial by itself: the screen re-dials its bus when it falls silent, its snapshot link when a snapshot goes
    unanswered, and converges again."""
    publisher.oversized_snapshots = 1  # the first snapshot answer opens with a frame over the limit
    client = started(BusClient(publisher.endpoint, stale_after_s=0.5, poll_interval_ms=10))
    publisher.publish(busy_line(rev=1))
    qtbot.waitUntil(lambda: converged(client, publisher.store.entries, publisher.store.seq), timeout=WAIT_MS)
    assert publisher.snapshots_served >= 2 and client.stats.bad == 0  # the first answer never reached it
    publisher.send_once([KV, b"x" * (MAX_FRAME_BYTES + 1)])  # on the bus, now
    qtbot.waitUntil(lambda: not client.link_up, timeout=WAIT_MS)  # silent: its connection is gone
    publisher.publish(busy_line(rev=2))
    qtbot.waitUntil(lambda: client.link_up and converged(client, publisher.store.entries, publisher.store.seq),
                    timeout=WAIT_MS)  # fmt: skip
    assert client.replica.view() == busy_line(rev=2) and client.stats.bad == 0
    client.stop()


# -- the real service, with CURVE on the HMI channels --------------------------------------------------------
def test_curve_admits_only_listed_screens_on_bus_snapshots_and_commands(qtbot: QtBot, tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    for name in ("service", "panel", "intruder"):
        write_keypair(keys, name)
    allowed = keys / "allowed"
    allowed.mkdir()
    (allowed / "panel.key").write_bytes((keys / "panel.key").read_bytes())
    line = LiveLine(tmp_path, speed=20, fakes=True)  # CURVE on the HMI channels is the point, not the devices
    curve = HmiCurveConfig(secret_key=str(keys / "service.key_secret"), allowed_keys=str(allowed))
    line.plant = line.plant.model_copy(update={"service": line.plant.service.model_copy(update={"hmi_curve": curve})})
    panel_keys = CurveKeys.from_files(keys / "panel.key_secret", keys / "service.key")
    intruder_keys = CurveKeys.from_files(keys / "intruder.key_secret", keys / "service.key")
    svc = line.plant.service
    with line:
        assert line.service is not None and line.service.hmi.bus is not None
        accounts = AccountStore.open(svc.database, hasher=PasswordHasher.from_parameters(profiles.CHEAPEST))
        accounts.add_user("olga", "operator", "operator-pw-1")
        accounts.close()
        panel = started(BusClient(svc.hmi_endpoint, curve=panel_keys, poll_interval_ms=20))
        no_key = started(BusClient(svc.hmi_endpoint, snapshot=svc.hmi_snapshot_endpoint, poll_interval_ms=20))
        intruder = started(BusClient(svc.hmi_endpoint, snapshot=svc.hmi_snapshot_endpoint, curve=intruder_keys,
                                     poll_interval_ms=20))  # fmt: skip
        commands = CommandClient(svc.hmi_command_endpoint, curve=panel_keys, poll_interval_ms=20)
        outsiders = [CommandClient(svc.hmi_command_endpoint, curve=k, timeout_s=1.0, poll_interval_ms=20)
                     for k in (None, intruder_keys)]  # fmt: skip
        for client in (commands, *outsiders):
            client.start()
        with qtbot.waitSignal(commands.logged_in, timeout=WAIT_MS) as signal:
            commands.login("olga", "operator-pw-1")
        assert signal.args == ["operator"]
        for outsider in outsiders:
            with qtbot.waitSignal(outsider.replied, timeout=WAIT_MS) as signal:
                outsider.login("olga", "operator-pw-1")
            assert signal.args[0]["code"] == "unreachable"
        qtbot.waitUntil(lambda: panel.link_up and panel.stats.updates >= 5, timeout=WAIT_MS)
        assert panel.stats.snapshots >= 1
        qtbot.waitUntil(lambda: line.service.hmi.bus.guard.refused >= 4, timeout=WAIT_MS)  # type: ignore[union-attr]
        for refused in (no_key, intruder):
            assert (refused.stats.frames, refused.stats.shown, refused.stats.snapshots) == (0, 0, 0)
            assert not refused.link_up
        for client in (panel, no_key, intruder, commands, *outsiders):
            client.stop()
