"""The trust-list folders (OPC 10000-12 Annex F's layout) and what ``jis certs trust|reject|list`` does with them: an
empty list is a list (it refuses everyone), a change of the folder is seen without a reload, the rejected folder is
bounded, and an application's key is never touched by trusting or rejecting its peers."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from app.net.certs import create_application_certificate, thumbprint
from plc_io.opcua import trust_folders
from plc_io.opcua.security import TrustList, load_certificate
from plc_io.opcua.trust_folders import TrustFolders


@pytest.fixture(scope="module")
def peers(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("peers")
    return [create_application_certificate(root / f"p{i}", f"p{i}", f"urn:t:p{i}").certificate for i in range(4)]


async def test_an_empty_trust_list_loads_and_refuses_everyone(tmp_path: Path, peers: list[Path]) -> None:
    create_application_certificate(tmp_path / "line", "line", "urn:t:line")
    trust = await TrustList(tmp_path / "line" / "trusted").load()
    assert len(trust) == 0
    assert not trust.contains(load_certificate(peers[0]))


async def test_a_change_of_the_folder_is_seen_at_the_next_question(tmp_path: Path, peers: list[Path]) -> None:
    create_application_certificate(tmp_path / "line", "line", "urn:t:line")
    folders = TrustFolders.under(tmp_path / "line")
    trust = await TrustList(folders.trusted).load()
    cert = load_certificate(peers[0])
    added = trust_folders.trust(folders, cert)
    assert trust.contains(cert) and len(trust) == 1
    added.unlink()
    assert not trust.contains(cert)
    (folders.trusted / "flat.der").write_bytes(peers[1].read_bytes())  # an older set-up: directly in trusted/
    assert trust.contains(load_certificate(peers[1]))


def test_the_rejected_folder_keeps_each_certificate_once_and_is_bounded(tmp_path: Path, peers: list[Path]) -> None:
    folders = TrustFolders.under(tmp_path)
    certs = [load_certificate(p) for p in peers]
    for age, cert in enumerate(certs):
        kept = trust_folders.keep_rejected(folders, cert, limit=3)
        assert kept is not None
        os.utime(kept, ns=(age * 10**9, age * 10**9))  # oldest first, whatever the file system's clock resolution
    assert trust_folders.keep_rejected(folders, certs[3], limit=3) is None  # knocking again adds nothing
    left = {thumbprint(load_certificate(p)) for p in folders.rejected_files()}
    assert left == {thumbprint(c) for c in certs[1:]}


def test_trust_reject_and_list_never_touch_the_key(
    tmp_path: Path, peers: list[Path], jis: Callable[..., int], capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "line"
    assert jis("certs", "--out", str(out), "--name", "line") == 0
    key, cert = out / "line.key.pem", out / "line.der"
    before = (key.read_bytes(), key.stat().st_mtime_ns, cert.read_bytes())
    peer = thumbprint(load_certificate(peers[0]))
    assert jis("certs", "trust", "--out", str(out), str(peers[0])) == 0
    assert [p.parent for p in TrustFolders.under(out).trusted_files()] == [out / "trusted" / "certs"]
    assert jis("certs", "reject", "--out", str(out), peer[:10]) == 0
    assert len(TrustFolders.under(out).rejected_files()) == 1 and not TrustFolders.under(out).trusted_files()
    assert jis("certs", "--out", str(out), "trust", peer[:10].upper()) == 0  # the action after the options too
    capsys.readouterr()
    assert jis("certs", "list", "--out", str(out)) == 0
    listed = capsys.readouterr().out
    assert listed.startswith("trusted (1)\n") and peer[:16] in listed.split("rejected (0)")[0]
    assert (key.read_bytes(), key.stat().st_mtime_ns, cert.read_bytes()) == before


def test_a_peer_that_is_neither_a_file_nor_a_known_thumbprint_is_refused(
    tmp_path: Path, jis: Callable[..., int], capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "line"
    assert jis("certs", "--out", str(out), "--name", "line") == 0
    capsys.readouterr()
    assert jis("certs", "trust", "--out", str(out), "0123abcd") == 2
    assert capsys.readouterr().err == (
        "jis certs: trust 0123abcd: 0123abcd: no certificate in rejected/certs with this thumbprint "
        "(jis certs list shows them)\n"
    )
    assert jis("certs", "reject", "--out", str(out), "nothing.der") == 2
    assert "no such file, nor a thumbprint" in capsys.readouterr().err
