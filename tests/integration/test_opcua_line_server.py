"""The line's OPC UA server for SCADA and MES, read by a real asyncua client over loopback.

Two servers serve the module (an asyncua server takes a second or more to start): the running service of a
live line (``tests.live.LiveLine``, its devices in memory: the line server's protocol is the point here) with the
server in the dev profile on its own thread (``LineServerThread``, as the service runs it), where a client browses the
tree, sees vehicles at stations and racks filling, and gets data changes by subscription; and a plant-profile
``LineServer`` built from a ``[service.opcua_server]`` config with certificates from ``app.net.certs`` and a users
file, fed pictures by the test, for who is refused and for alarm events. Every wait is a poll with a deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from asyncua import ua
from asyncua.client.client import Client
from asyncua.common.node import Node
from asyncua.ua.object_ids import ObjectIds
from asyncua.ua.uaerrors import UaError, UaStatusCodeError

from app.net import certs
from plc_io.line_server import model
from plc_io.line_server.server import EVENT_TYPE, LineServer
from plc_io.loopback_ports import free_port
from plc_io.opcua.security import ClientSecurity, Profile, apply_client_security, certificate_uri, hash_password
from sequencer.clone import Head
from sequencer.events import CorrectShippedRack, RackShipped, ShipNoticeAnswered, ShipNoticeSending
from sequencer.plant import OpcUaServerConfig, ShipNoticeConfig
from sequencer.projection import kpi_view
from sequencer.testing import by_hand, first_seat_rack_full
from sequencer.views import DeviationView
from tests.line_views import picture
from tests.live import LiveLine
from tests.plants import demo_plant

pytestmark = pytest.mark.asyncio(loop_scope="module")

DEADLINE_S = 30.0
POLL_S = 0.05
USER, PASSWORD = "mes", "correct horse battery staple"
SALT = bytes(range(16))


# -- helpers ------------------------------------------------------------------------------------------------------
async def poll(read: Callable[[], Awaitable[Any]], ok: Callable[[Any], bool], what: str) -> Any:
    """Read until ``ok`` holds; bounded in count and time."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE_S
    value = None
    for _ in range(int(DEADLINE_S / POLL_S) + 1):
        value = await read()
        if ok(value):
            return value
        if loop.time() > deadline:
            break
        await asyncio.sleep(POLL_S)
    raise AssertionError(f"timed out waiting for {what} (last {value!r})")


def node(client: Client, ns: int, path: str) -> Node:
    return client.get_node(ua.NodeId(ua.String(path), ua.Int16(ns)))


async def children(client: Client, ns: int, path: str) -> set[str]:
    return {(await c.read_browse_name()).Name for c in await node(client, ns, path).get_children()}


@contextlib.asynccontextmanager
async def connected(url: str, security: ClientSecurity | None = None) -> AsyncIterator[tuple[Client, int]]:
    client = Client(url, timeout=5.0)
    if security is not None:
        await apply_client_security(client, security)
    await client.connect()
    try:
        yield client, await client.get_namespace_index(model.NAMESPACE)
    finally:
        with contextlib.suppress(UaError, OSError, TimeoutError):
            await client.disconnect()
        client.disconnect_socket()


async def refused_with(url: str, security: ClientSecurity) -> str:
    client = Client(url, timeout=5.0)
    try:
        await apply_client_security(client, security)
        await client.connect()
    except UaStatusCodeError as exc:
        return type(exc).__name__
    except UaError as exc:
        return ua.StatusCode(ua.UInt32(getattr(exc, "code", 0))).name
    finally:
        client.disconnect_socket()
    raise AssertionError("the connection was accepted")


class Changes:
    """A subscription handler: every data change as (browse path, value)."""

    def __init__(self, ns: int) -> None:
        self.ns = ns
        self.seen: list[tuple[str, Any]] = []
        self.events: list[Any] = []

    def datachange_notification(self, n: Node, val: Any, data: Any) -> None:
        self.seen.append((str(n.nodeid.Identifier), val))

    def event_notification(self, event: Any) -> None:
        self.events.append(event)

    def values(self, path: str) -> list[Any]:
        return [v for p, v in self.seen if p == path]


# -- the live line, dev profile -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveLine]:
    line = LiveLine(tmp_path_factory.mktemp("line"), speed=50.0, fakes=True)
    server = OpcUaServerConfig(endpoint=f"opc.tcp://127.0.0.1:{free_port()}/jis/line", security="dev")
    line.plant = line.plant.model_copy(
        update={"service": line.plant.service.model_copy(update={"opcua_server": server})}
    )
    with line:
        assert line.service is not None and line.service.hmi.line_server is not None
        assert line.service.hmi.line_server.started.wait(DEADLINE_S), "the line server did not start"
        assert line.service.hmi.line_server.error is None
        yield line


def url_of(line: LiveLine) -> str:
    assert line.plant.service.opcua_server is not None
    return line.plant.service.opcua_server.endpoint


async def test_the_node_tree_shows_the_line(live: LiveLine) -> None:
    async with connected(url_of(live)) as (client, ns):
        objects = {"Feeds", "Stations", "Racks", "Devices", "Alarms", "KPIs", "Counters"}
        assert await children(client, ns, "Line") == objects | {name for name, *_ in model.LINE_VARIABLES}
        assert await children(client, ns, "Line/Feeds") == {f.id for f in live.plant.feeds}
        assert await children(client, ns, "Line/Stations") == {s.id for s in live.plant.stations}
        assert await children(client, ns, "Line/Devices") == {*live.plant.devices.ptl, *live.plant.devices.printers}
        station = live.plant.stations[0].id
        assert await children(client, ns, f"Line/Stations/{station}") == {n for n, *_ in model.STATION_VARIABLES}
        assert await children(client, ns, "Line/Alarms") == {n for n, *_ in model.ALARM_VARIABLES}
        assert await children(client, ns, "Line/KPIs") == {n for n, *_ in model.KPI_VARIABLES}
        types = {
            "Line/Feeds/L1/LastSeq": ObjectIds.Int32,
            "Line/KPIs/PicksPerHour": ObjectIds.Int32,
            "Line/KPIs/OnTimeRate": ObjectIds.Double,
            "Line/UpdatedAt": ObjectIds.DateTime,
            f"Line/Stations/{station}/CurrentVehicle": ObjectIds.String,
            "Line/Feeds/L1/Silent": ObjectIds.Boolean,
        }
        for path, data_type in types.items():
            assert (await node(client, ns, path).read_data_type()).Identifier == data_type, path
        assert await node(client, ns, "Line/Plant").read_value() == live.plant.plant.name
        for array in (f"Line/Stations/{station}/NextVehicles", "Line/Alarms/List"):
            assert await node(client, ns, array).read_value_rank() == ua.ValueRank.OneDimension
        assert await node(client, ns, "Line/Rev").read_value_rank() == ua.ValueRank.Scalar


async def test_a_vehicle_at_a_station_and_a_rack_filling(live: LiveLine) -> None:
    async with connected(url_of(live)) as (client, ns):
        station = "Line/Stations/ST-SEAT"
        vehicle = await poll(node(client, ns, f"{station}/CurrentVehicle").read_value, bool, "a vehicle at ST-SEAT")
        assert isinstance(vehicle, str)
        assert (await node(client, ns, f"{station}/DueAt").read_value()).year >= 2020  # a real due time, not null
        seq = await node(client, ns, f"{station}/CurrentSeq").read_value()
        assert 0 <= seq <= await node(client, ns, "Line/Feeds/L1/LastSeq").read_value()
        assert await node(client, ns, f"{station}/Bin").read_value()
        seen: set[tuple[str, int]] = set()

        async def fills() -> set[tuple[str, int]]:
            for rack in await children(client, ns, "Line/Racks/seats"):
                with contextlib.suppress(UaStatusCodeError):  # a rack shipped between browse and read
                    seen.add((rack, await node(client, ns, f"Line/Racks/seats/{rack}/Fill").read_value()))
            return seen

        await poll(fills, lambda s: len(s) >= 2, "the seats rack fill to change")

        async def capacity() -> int | None:
            for rack in await children(client, ns, "Line/Racks/seats"):
                with contextlib.suppress(UaStatusCodeError):  # closed and off the list between browse and read
                    return int(await node(client, ns, f"Line/Racks/seats/{rack}/Capacity").read_value())
            return None

        assert await poll(capacity, lambda c: c is not None, "a seats rack's capacity") == 6


async def test_a_subscription_delivers_data_changes(live: LiveLine) -> None:
    async with connected(url_of(live)) as (client, ns):
        changes = Changes(ns)
        sub = await client.create_subscription(50, changes)
        paths = ["Line/Rev", "Line/Stations/ST-SEAT/CurrentVehicle", "Line/Feeds/L1/LastSeq"]
        await sub.subscribe_data_change([node(client, ns, p) for p in paths])

        async def seen() -> list[tuple[str, Any]]:
            return changes.seen

        await poll(seen, lambda _: len(set(changes.values("Line/Feeds/L1/LastSeq"))) >= 2, "LastSeq changes")
        assert len(set(changes.values("Line/Rev"))) >= 2
        revs = changes.values("Line/Rev")
        assert revs == sorted(revs)  # pictures in order
        await sub.delete()


async def test_clients_cannot_write(live: LiveLine) -> None:
    async with connected(url_of(live)) as (client, ns):
        target = node(client, ns, "Line/Stations/ST-SEAT/CurrentVehicle")
        with pytest.raises(UaStatusCodeError) as refused:
            await target.write_value(ua.Variant("FAKE", ua.VariantType.String))
        assert type(refused.value).__name__ in ("BadUserAccessDenied", "BadNotWritable")
        assert await target.read_value() != "FAKE"


async def test_a_device_shows_its_reason(live: LiveLine) -> None:
    """Line/Devices/<d>/Detail carries what the device reports (the core's ``device_state``): a printer's faults
    while it is faulted, the driver's reason while a link is down, nothing once it is well again."""
    assert live.fake is not None
    printer, ptl = next(iter(live.fake.printers.values())), live.fake.ptls["ptl-bump"]
    async with connected(url_of(live)) as (client, ns):
        p_detail, p_up = (node(client, ns, f"Line/Devices/{printer.name}/{v}") for v in ("Detail", "Up"))
        t_detail, t_up = (node(client, ns, f"Line/Devices/{ptl.name}/{v}") for v in ("Detail", "Up"))
        assert (await p_detail.read_value(), await p_up.read_value()) == ("", True)
        try:
            live.on_loop(lambda: printer.set_faults("paper out", "head open"))
            live.on_loop(lambda: ptl.go_down("gateway 10.0.0.7:502 refused the connection"))
            await poll(p_detail.read_value, lambda d: d == "paper out, head open", "the printer's faults")
            assert await p_up.read_value() is False
            await poll(t_detail.read_value, lambda d: "refused the connection" in d, "the controller's reason")
            assert await t_up.read_value() is False
        finally:
            live.on_loop(lambda: printer.set_faults())
            live.on_loop(ptl.come_up)
        await poll(p_detail.read_value, lambda d: d == "", "the printer well again")
        await poll(t_detail.read_value, lambda d: d == "", "the controller back")
        assert await p_up.read_value() is True


# -- the plant profile ----------------------------------------------------------------------------------------------
class Pki:
    def __init__(self, root: Path) -> None:
        self.root = root

    def app(self, name: str) -> tuple[Path, Path, Path]:
        return certs.paths_for(self.root / name, name)

    def client(self, name: str, *, policy: str = "Basic256Sha256", **overrides: Any) -> ClientSecurity:
        cert, key, trusted = self.app(name)
        fields: dict[str, Any] = {"user": USER, "password": PASSWORD} | overrides
        return ClientSecurity(
            profile=Profile.PLANT, policy=policy, certificate=cert, private_key=key, trusted=trusted, **fields
        )


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    root = tmp_path_factory.mktemp("pki")
    for name in ("line", "scada", "rogue"):
        certs.create_application_certificate(root / name, name, f"urn:test:{name}")
    for name, peer in (("line", "scada"), ("scada", "line"), ("rogue", "line")):  # nobody trusts rogue
        certs.trust(root / name, certs.paths_for(root / peer, peer)[0])
    return Pki(root)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def plant_server(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LineServer]:
    users = tmp_path_factory.mktemp("users") / "opcua-users.toml"
    users.write_text(f'[users]\n{USER} = "{hash_password(PASSWORD, salt=SALT)}"\n')
    cert, key, trusted = pki.app("line")
    cfg = OpcUaServerConfig(
        endpoint=f"opc.tcp://127.0.0.1:{free_port()}/jis/line",
        security="plant",
        certificate=str(cert),
        private_key=str(key),
        trusted=str(trusted),
        users_file=str(users),
    )
    server = LineServer.from_config(cfg)
    await server.start(picture(1))
    yield server
    await server.stop()


@pytest.mark.parametrize("policy", ["Basic256Sha256", "Aes256_Sha256_RsaPss"])
async def test_a_trusted_client_with_the_right_password_reads_the_line(
    pki: Pki, plant_server: LineServer, policy: str
) -> None:
    async with connected(plant_server.endpoint, pki.client("scada", policy=policy)) as (client, ns):
        assert await node(client, ns, "Line/Plant").read_value() == "Test plant"
        assert await node(client, ns, "Line/Racks/seats/L1-1/Capacity").read_value() == 6


async def test_the_plant_server_offers_only_encrypted_endpoints_and_user_names(plant_server: LineServer) -> None:
    client = Client(plant_server.endpoint, timeout=5.0)
    endpoints = await client.connect_and_get_server_endpoints()
    assert {e.SecurityMode for e in endpoints} == {ua.MessageSecurityMode.SignAndEncrypt}
    assert {t.TokenType for e in endpoints for t in e.UserIdentityTokens} == {ua.UserTokenType.UserName}


async def test_an_untrusted_certificate_is_refused(pki: Pki, plant_server: LineServer) -> None:
    assert await refused_with(plant_server.endpoint, pki.client("rogue")) == "BadCertificateUntrusted"


async def test_a_wrong_password_or_unknown_user_is_refused(pki: Pki, plant_server: LineServer) -> None:
    refused = plant_server.refused_sessions
    assert await refused_with(plant_server.endpoint, pki.client("scada", password="wrong")) == "BadUserAccessDenied"
    assert await refused_with(plant_server.endpoint, pki.client("scada", user="mallory")) == "BadUserAccessDenied"
    assert plant_server.refused_sessions == refused + 2


async def test_an_anonymous_session_on_a_trusted_channel_is_refused(pki: Pki, plant_server: LineServer) -> None:
    cert, key, _ = pki.app("scada")
    client = Client(plant_server.endpoint, timeout=5.0)
    client.application_uri = certificate_uri(cert)
    await client.set_security_string(f"Basic256Sha256,SignAndEncrypt,{cert},{key}")
    with pytest.raises(UaStatusCodeError) as refused:
        await client.connect()
    client.disconnect_socket()
    assert type(refused.value).__name__ == "BadIdentityTokenRejected"


async def test_only_changed_values_are_written_and_racks_come_and_go(pki: Pki, plant_server: LineServer) -> None:
    await plant_server.publish(picture(10, fill=2))
    assert await plant_server.publish(picture(10, fill=2)) == 0  # the same picture again: nothing to write
    assert await plant_server.publish(picture(11, fill=3)) == 6  # Rev, LastSeq, Broadcasts, CurrentSeq, Slot, Fill
    async with connected(plant_server.endpoint, pki.client("scada")) as (client, ns):
        assert await node(client, ns, "Line/Racks/seats/L1-1/Fill").read_value() == 3
        gone = picture(12).model_copy(update={"racks": ()})
        await plant_server.publish(gone)
        assert await children(client, ns, "Line/Racks") == set()
        with pytest.raises(UaStatusCodeError):
            await node(client, ns, "Line/Racks/seats/L1-1/Fill").read_value()
        await plant_server.publish(picture(13, fill=4))
        assert await node(client, ns, "Line/Racks/seats/L1-1/Fill").read_value() == 4


class Statuses:
    """A subscription handler keeping each notification's status code name, per node."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, Any]] = []

    def datachange_notification(self, n: Node, val: Any, data: Any) -> None:
        self.seen.append((str(n.nodeid.Identifier), data.monitored_item.Value.StatusCode.name, val))


async def test_a_shipped_racks_monitored_items_end_with_bad_node_id_unknown(pki: Pki, plant_server: LineServer) -> None:
    """docs/opcua.md: a monitored item on a shipped rack's variable ends with BadNodeIdUnknown, heard by the
    subscription (asyncua does not notify on a node's deletion: the server writes the status first), and a read
    afterwards answers BadNodeIdUnknown."""
    await plant_server.publish(picture(40, fill=2))
    async with connected(plant_server.endpoint, pki.client("scada")) as (client, ns):
        statuses = Statuses()
        sub = await client.create_subscription(50, statuses)
        rack = "Line/Racks/seats/L1-1"
        watched = [f"{rack}/Fill", f"{rack}/State", "Line/Rev"]
        await sub.subscribe_data_change([node(client, ns, p) for p in watched])

        async def seen() -> list[tuple[str, str, Any]]:
            return statuses.seen

        await poll(seen, lambda s: {p for p, *_ in s} >= set(watched), "the first values")
        await plant_server.publish(picture(41).model_copy(update={"racks": ()}))  # the rack shipped
        ended = await poll(
            seen,
            lambda s: {p for p, status, _ in s if status == "BadNodeIdUnknown"} >= {f"{rack}/Fill", f"{rack}/State"},
            "the shipped rack's items to end",
        )
        assert all(v is None for p, status, v in ended if status == "BadNodeIdUnknown")
        assert not any(p == "Line/Rev" and status != "Good" for p, status, _ in ended)
        with pytest.raises(UaStatusCodeError) as read:
            await node(client, ns, f"{rack}/Fill").read_value()
        assert type(read.value).__name__ == "BadNodeIdUnknown"
        await sub.delete()
    await plant_server.publish(picture(42, fill=1))  # a rack of that name again later: a fresh object


async def test_changed_entries_are_worked_out_alone(plant_server: LineServer) -> None:
    """The service hands over the entries a picture changed: only their variables are written, and an alarm on a
    feed moves the feed's state and the alarm list with it."""
    await plant_server.publish(picture(30))
    later = picture(31)
    head = Head(rev=31, at=later.at, plant=later.plant, timezone=later.timezone)
    assert (
        await plant_server.publish_entries({"head": head, "station/ST-SEAT": later.stations[0]}) == 2
    )  # Rev, CurrentSeq
    gap = DeviationView(
        id=90, kind="gap", priority=1, at=1.7e9, feed="L1", seq=3, vehicle_id="", station="", message=""
    )
    # the feed's State, the list, OpenCount, ActiveCount, UnacknowledgedCount, HighestPriority
    assert await plant_server.publish_entries({"alarm/90": gap, "order/deviations": ("alarm/90",)}) == 6
    assert await plant_server.publish_entries({"alarm/90": None, "order/deviations": ()}) == 6


async def test_a_new_alarm_is_an_event(pki: Pki, plant_server: LineServer) -> None:
    gap = DeviationView(
        id=77, kind="gap", priority=1, at=1.7e9, feed="L1", seq=41, vehicle_id="", station="", message="gap 41..41"
    )
    await plant_server.publish(picture(20))
    async with connected(plant_server.endpoint, pki.client("scada")) as (client, ns):
        changes = Changes(ns)
        sub = await client.create_subscription(50, changes)
        etype = await client.nodes.base_event_type.get_child(f"{ns}:{EVENT_TYPE}")
        await sub.subscribe_events(node(client, ns, "Line/Alarms"), etype)
        await plant_server.publish(picture(21, alarms=(gap,)))

        async def events() -> list[Any]:
            return changes.events

        [event] = await poll(events, bool, "the alarm event")
        assert (event.AlarmId, event.Kind, event.Priority, event.Feed, event.Seq) == (77, "gap", 1, "L1", 41)
        assert event.Severity == model.SEVERITY_OF_PRIORITY[1]
        assert "gap 41..41" in event.Message.Text
        assert await node(client, ns, "Line/Alarms/HighestPriority").read_value() == 1
        assert await node(client, ns, "Line/Feeds/L1/State").read_value() == "gap"
        silence = gap.model_copy(update={"id": 78, "kind": "silence", "priority": 2, "message": "L1 silent"})
        await plant_server.publish(picture(22, alarms=(gap,)))  # the same alarm again: no second event for it
        await plant_server.publish(picture(23, alarms=(gap, silence)))
        await poll(events, lambda e: len(e) >= 2, "the second alarm's event")
        await sub.delete()
    assert [e.AlarmId for e in changes.events] == [77, 78]
    assert changes.events[1].Severity == model.SEVERITY_OF_PRIORITY[2]


async def test_the_kpis_shared_with_the_oem_are_on_the_line(pki: Pki, plant_server: LineServer) -> None:
    """docs/kpis.md: the shift's OTIF, parts shipped out of sequence and notice answers, as the core counts them,
    read by an asyncua client under Line/KPIs (NaN where there is nothing to count)."""
    plant = demo_plant().model_copy(update={"ship_notices": ShipNoticeConfig(ack_timeout_s=300.0)})
    core = first_seat_rack_full(plant)
    await plant_server.publish(picture(30).model_copy(update={"kpis": kpi_view(core, 10.0, since=0.0)}))
    async with connected(plant_server.endpoint, pki.client("scada")) as (client, ns):
        assert await node(client, ns, "Line/KPIs/ShiftRacksShipped").read_value() == 0
        assert math.isnan(await node(client, ns, "Line/KPIs/OtifRate").read_value())
        core.handle(RackShipped(at=7201.0, feed="L1", family="seats", rack_no=1))  # after its first vehicle's due
        core.handle(ShipNoticeSending(at=7202.0, notice_id="L1-seats-1", version=1))
        core.handle(ShipNoticeAnswered(at=7203.0, notice_id="L1-seats-1", version=1, accepted=False, reason="qty"))
        await plant_server.publish(picture(31).model_copy(update={"kpis": kpi_view(core, 7250.0, since=0.0)}))
        assert await node(client, ns, "Line/KPIs/NoticesRejected").read_value() == 1
        assert await node(client, ns, "Line/KPIs/NoticesAcknowledgedRate").read_value() == 0.0
        red = "SEAT-SPORT-RED"
        core.handle(by_hand(CorrectShippedRack, at=7300.0, feed="L1", family="seats", rack_no=1, slot=4, part=red))
        core.handle(ShipNoticeAnswered(at=7310.0, notice_id="L1-seats-1", version=2, accepted=True))
        await plant_server.publish(picture(32).model_copy(update={"kpis": kpi_view(core, 7400.0, since=0.0)}))
        figures = {
            name: await node(client, ns, f"Line/KPIs/{name}").read_value()
            for name in ("ShiftRacksShipped", "OtifRate", "OutOfSequenceShippedPpm", "ShiftPartsShipped",
                         "NoticesAcknowledgedRate", "NoticesRejected", "NoticesUnanswered", "SequenceErrorPpm")
        }  # fmt: skip
        assert figures == {
            "ShiftRacksShipped": 1,
            "OtifRate": 0.0,  # late, and a part exchanged after it left
            "OutOfSequenceShippedPpm": pytest.approx(1e6 / 6),
            "ShiftPartsShipped": 6,
            "NoticesAcknowledgedRate": 1.0,  # the replacement was acknowledged
            "NoticesRejected": 0,
            "NoticesUnanswered": 0,
            "SequenceErrorPpm": 0.0,  # no wrong pick caught at the bin
        }
        await plant_server.publish(picture(33).model_copy(update={"kpis": kpi_view(core, 7400.0, since=7300.0)}))
        assert await node(client, ns, "Line/KPIs/ShiftRacksShipped").read_value() == 0  # shipped before this shift
