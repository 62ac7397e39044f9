"""The plant security profile over loopback: who is refused, who is let in, and the tools that set it up.

Certificates are made by ``app.net.certs`` into a module temp folder: the simulated controller ``ptl-sim`` trusts the
service ``jis``; ``rogue`` has a valid self-signed certificate nobody trusts; ``impostor`` is a server the
service does not trust. One plant-profile controller serves the module (server start-up takes seconds).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import stat
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from asyncua import ua
from asyncua.client.client import Client
from asyncua.ua.uaerrors import UaError, UaStatusCodeError
from cryptography import x509

from app.net import certs
from hardware_sims.opcua_ptl import OpcUaPtlSim
from plc_io.opcua.ptl import OpcUaPickToLight
from plc_io.opcua.security import (
    UNSECURED_WARNING,
    ClientSecurity,
    Profile,
    ServerSecurity,
    UserTable,
    apply_client_security,
    certificate_uri,
    hash_password,
    log_profile,
    verify_password,
)
from plc_io.ports import BinPressed, Colour, DeviceReport, LightShown, LinkChanged
from tests.devices import until

pytestmark = pytest.mark.asyncio(loop_scope="module")

DEADLINE_S = 20.0
USER, PASSWORD = "jis", "correct horse battery staple"
SALT = bytes(range(16))  # fixed: the test is deterministic


@dataclass(frozen=True)
class Pki:
    root: Path

    def app(self, name: str) -> tuple[Path, Path, Path]:
        return certs.paths_for(self.root / name, name)

    def client(self, name: str, *, policy: str = "Basic256Sha256", **overrides: Any) -> ClientSecurity:
        cert, key, trusted = self.app(name)
        fields: dict[str, Any] = {"user": USER, "password": PASSWORD} | overrides
        return ClientSecurity(
            profile=Profile.PLANT, policy=policy, certificate=cert, private_key=key, trusted=trusted, **fields
        )

    def server(self, name: str) -> ServerSecurity:
        cert, key, trusted = self.app(name)
        return ServerSecurity(profile=Profile.PLANT, certificate=cert, private_key=key, trusted=trusted)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    root = tmp_path_factory.mktemp("pki")
    for name in ("ptl-sim", "jis", "rogue", "impostor"):
        certs.create_application_certificate(root / name, name, f"urn:test:{name}")
    trust = {"ptl-sim": ("jis",), "jis": ("ptl-sim",), "rogue": ("ptl-sim",), "impostor": ("jis",)}
    for name, peers in trust.items():
        for peer in peers:
            certs.trust(root / name, certs.paths_for(root / peer, peer)[0])
    return Pki(root)


@pytest.fixture(scope="module")
def users() -> UserTable:
    return UserTable({USER: hash_password(PASSWORD, salt=SALT)})


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def plant_sim(pki: Pki, users: UserTable) -> AsyncIterator[OpcUaPtlSim]:
    sim = OpcUaPtlSim((1, 2), security=pki.server("ptl-sim"), users=users)
    await sim.start()
    yield sim
    await sim.stop()


# -- helpers ------------------------------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def driving(url: str, security: ClientSecurity) -> AsyncIterator[tuple[OpcUaPickToLight, list[DeviceReport]]]:
    driver = OpcUaPickToLight("ptl-plant", url, (1, 2), security=security, timeout_s=2.0)
    reports: list[DeviceReport] = []
    task = asyncio.create_task(driver.run(reports.append))
    try:
        yield driver, reports
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            async with asyncio.timeout(DEADLINE_S):
                await task


def links(reports: list[DeviceReport]) -> list[LinkChanged]:
    return [r for r in reports if isinstance(r, LinkChanged)]


async def connect(url: str, security: ClientSecurity) -> Client:
    client = Client(url, timeout=2.0)
    await apply_client_security(client, security)
    await client.connect()
    return client


async def refused_with(url: str, security: ClientSecurity) -> str:
    """Connect as ``security`` expects a refusal; the OPC UA status name it was refused with."""
    client = Client(url, timeout=2.0)
    try:
        await apply_client_security(client, security)
        await client.connect()
    except UaStatusCodeError as exc:
        return type(exc).__name__
    except UaError as exc:  # asyncua's ServiceError carries the code the same way
        return ua.StatusCode(ua.UInt32(getattr(exc, "code", 0))).name
    finally:
        client.disconnect_socket()
    raise AssertionError("the connection was accepted")


# -- accepted -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("policy", ["Basic256Sha256", "Aes256_Sha256_RsaPss"])
async def test_trusted_client_with_the_right_password_drives_the_lights(
    pki: Pki, plant_sim: OpcUaPtlSim, policy: str
) -> None:
    token = 500 + len(policy)
    async with driving(plant_sim.url, pki.client("jis", policy=policy)) as (driver, reports):
        await until(lambda: [r.up for r in links(reports)] == [True], "link up")
        driver.show(1, colour=Colour.GREEN, flash=False, display=2, token=token)
        await until(lambda: LightShown(device="ptl-plant", light=1, token=token) in reports, "shown")
        plant_sim.press(1)
        await until(lambda: any(isinstance(r, BinPressed) and r.token == token for r in reports), "confirm")


async def test_the_plant_server_offers_only_encrypted_endpoints_and_user_names(
    pki: Pki, plant_sim: OpcUaPtlSim
) -> None:
    client = Client(plant_sim.url, timeout=2.0)
    endpoints = await client.connect_and_get_server_endpoints()
    assert {e.SecurityMode for e in endpoints} == {ua.MessageSecurityMode.SignAndEncrypt}
    assert {e.SecurityPolicyUri.rsplit("#", 1)[1] for e in endpoints} == {"Basic256Sha256", "Aes256_Sha256_RsaPss"}
    assert {t.TokenType for e in endpoints for t in e.UserIdentityTokens} == {ua.UserTokenType.UserName}


# -- refused ------------------------------------------------------------------------------------------------------
async def test_a_client_certificate_not_in_the_trust_list_is_refused(pki: Pki, plant_sim: OpcUaPtlSim) -> None:
    assert await refused_with(plant_sim.url, pki.client("rogue")) == "BadCertificateUntrusted"
    async with driving(plant_sim.url, pki.client("rogue")) as (_, reports):
        await until(lambda: bool(links(reports)), "a link report")
    assert not links(reports)[0].up
    assert "BadCertificateUntrusted" in links(reports)[0].detail


async def test_a_wrong_password_is_refused(pki: Pki, plant_sim: OpcUaPtlSim) -> None:
    refused = plant_sim.host.refused_sessions
    assert await refused_with(plant_sim.url, pki.client("jis", password="wrong")) == "BadUserAccessDenied"
    assert await refused_with(plant_sim.url, pki.client("jis", user="mallory")) == "BadUserAccessDenied"
    assert plant_sim.host.refused_sessions == refused + 2
    async with driving(plant_sim.url, pki.client("jis", password="wrong")) as (_, reports):
        await until(lambda: bool(links(reports)), "a link report")
    assert "BadUserAccessDenied" in links(reports)[0].detail


async def test_an_anonymous_session_on_a_trusted_secure_channel_is_refused(pki: Pki, plant_sim: OpcUaPtlSim) -> None:
    cert, key, _ = pki.app("jis")
    client = Client(plant_sim.url, timeout=2.0)
    client.application_uri = certificate_uri(cert)
    await client.set_security_string(f"Basic256Sha256,SignAndEncrypt,{cert},{key}")
    with pytest.raises(UaStatusCodeError) as refused:
        await client.connect()
    client.disconnect_socket()
    assert type(refused.value).__name__ == "BadIdentityTokenRejected"


async def test_an_unsecured_channel_is_refused_even_with_the_right_password(plant_sim: OpcUaPtlSim) -> None:
    client = Client(plant_sim.url, timeout=2.0)  # no security: the channel is SecurityPolicy#None
    client.set_user(USER)
    client.set_password(PASSWORD)
    with pytest.raises(UaError, match="No matching endpoints"):  # asyncua's own client will not even try
        await client.connect()
    client.disconnect_socket()
    # A hand-made client goes on regardless: the server must refuse the session itself.
    await client.connect_socket()
    try:
        await client.send_hello()
        await client.open_secure_channel()
        session = ua.CreateSessionParameters(
            ClientDescription=ua.ApplicationDescription(ApplicationUri="urn:test:raw"),
            EndpointUrl=plant_sim.url,
            SessionName="raw",
            ClientNonce=bytes(32),
            RequestedSessionTimeout=10_000,
        )
        await client.uaclient.create_session(session)
        token = ua.UserNameIdentityToken(PolicyId="username", UserName=USER, Password=PASSWORD.encode())
        with pytest.raises(UaStatusCodeError) as refused:
            await client.uaclient.activate_session(ua.ActivateSessionParameters(UserIdentityToken=token))
        assert type(refused.value).__name__ == "BadUserAccessDenied"
        with pytest.raises(UaStatusCodeError):  # and nothing can be read on the unactivated session
            await client.uaclient.read_attributes([ua.NodeId(ua.Int32(2259))], ua.AttributeIds.Value)
    finally:
        client.disconnect_socket()


async def test_the_client_refuses_a_server_it_does_not_trust(pki: Pki, users: UserTable) -> None:
    impostor = OpcUaPtlSim((1, 2), security=pki.server("impostor"), users=users, name="impostor")
    await impostor.start()
    try:
        assert await refused_with(impostor.url, pki.client("jis")) == "BadCertificateUntrusted"
        async with driving(impostor.url, pki.client("jis")) as (_, reports):
            await until(lambda: bool(links(reports)), "a link report")
        assert "BadCertificateUntrusted" in links(reports)[0].detail
        assert impostor.host.refused_sessions == 0  # no session was even asked for: the password never left
        assert sum(impostor.host.calls.values()) == 0
    finally:
        await impostor.stop()


# -- the profiles, the user table, the certificates ---------------------------------------------------------------
async def test_dev_profile_says_so_in_the_log(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("test.opcua")
    with caplog.at_level(logging.INFO, logger="test.opcua"):
        log_profile(log, "ptl", Profile.DEV)
        log_profile(log, "ptl", Profile.PLANT)
    assert [r.levelno for r in caplog.records] == [logging.WARNING, logging.INFO]
    assert caplog.records[0].getMessage() == UNSECURED_WARNING % "ptl"
    assert "UNSECURED" in caplog.records[0].getMessage()


async def test_the_driver_logs_the_dev_profile_at_start(
    caplog: pytest.LogCaptureFixture, plant_sim: OpcUaPtlSim
) -> None:
    with caplog.at_level(logging.WARNING, logger="plc_io.opcua.ptl"):
        async with driving(plant_sim.url, ClientSecurity()) as (_, reports):
            await until(lambda: bool(links(reports)), "a link report")  # dev client vs plant server: refused
    assert any("UNSECURED" in r.getMessage() for r in caplog.records if r.name == "plc_io.opcua.ptl")
    assert not links(reports)[0].up


async def test_security_settings_are_checked(pki: Pki) -> None:
    with pytest.raises(ValueError, match="certificate, private_key and trusted"):
        ClientSecurity(profile=Profile.PLANT, user=USER, password=PASSWORD)
    with pytest.raises(ValueError, match="user and a password"):
        pki.client("jis", user=None, password=None)
    with pytest.raises(ValueError, match="policy"):
        pki.client("jis", policy="Basic128Rsa15")
    with pytest.raises(ValueError, match="policies"):
        ServerSecurity(policies=("None",))
    assert PASSWORD not in repr(pki.client("jis"))


async def test_user_table_checks_hashes() -> None:
    table = UserTable({USER: hash_password(PASSWORD, salt=SALT)})
    assert table.check(USER, PASSWORD)
    assert not table.check(USER, PASSWORD + " ")
    assert not table.check("mallory", PASSWORD)
    assert not table.check(USER, None)
    assert not table.check(None, PASSWORD)
    encoded = hash_password(PASSWORD, salt=SALT)
    assert encoded.startswith("scrypt$16384$8$1$") and PASSWORD not in encoded
    assert hash_password(PASSWORD) != hash_password(PASSWORD)  # a fresh salt each time
    for broken in ("", "scrypt$1$2", "md5$16384$8$1$AAAA$AAAA", "scrypt$16384$8$1$!!!$AAAA"):
        assert not verify_password(PASSWORD, broken)


async def test_jis_certs_makes_an_application_certificate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], jis: Callable[..., int]
) -> None:
    out = tmp_path / "svc"
    assert jis("certs", "--out", str(out), "--name", "svc", "--uri", "urn:plant:jis:svc", "--host", "ws1") == 0
    cert_path, key_path, trusted = certs.paths_for(out, "svc")
    cert = x509.load_der_x509_certificate(cert_path.read_bytes())
    alt = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert alt.get_values_for_type(x509.UniformResourceIdentifier) == ["urn:plant:jis:svc"]
    assert "ws1" in alt.get_values_for_type(x509.DNSName)
    assert certificate_uri(cert_path) == "urn:plant:jis:svc"
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and usage.key_encipherment and usage.data_encipherment
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert trusted.is_dir()
    assert certs.thumbprint(cert) in capsys.readouterr().out
    assert jis("certs", "--out", str(out), "--name", "svc") == 1  # never overwrite a key silently
    assert "already exist" in capsys.readouterr().err
    peer = tmp_path / "peer"
    assert jis("certs", "--out", str(peer), "--name", "peer") == 0
    args = ["--out", str(out), "--name", "svc", "--force", "--trust", str(certs.paths_for(peer, "peer")[0])]
    assert jis("certs", *args) == 0
    assert len(list(trusted.glob("certs/peer-*.der"))) == 1
    assert x509.load_der_x509_certificate(cert_path.read_bytes()).serial_number != cert.serial_number
