"""Paths contained (issue 15 item 6; docs/security.md "Paths"): every file the plant file names is read against the
plant file's folder and must lie under the data folder (``[service] data_dir``), or the file is refused at load,
naming the key (``app.config.contained``). Plant files are real files in the test's folder, loaded from elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import PATH_KEYS, demo_plant_path, load_plant
from sequencer.plant import PlantConfigError

DEMO = demo_plant_path().read_text(encoding="utf-8").replace('database = "sqlite:///jis-demo.db"\n', "")
CURVE = '\n[service.hmi_curve]\nsecret_key = "{key}"\nallowed_keys = "keys/screens"\n'
OPCUA_PTL = (
    '\n[devices.ptl.ptl-a]\nprotocol = "opcua"\nport = 4840\n[devices.ptl.ptl-a.opcua]\nsecurity = "plant"\n'
    'certificate = "{cert}"\nprivate_key = "pki/key.pem"\ntrusted = "pki/trusted"\nuser = "jis"\n'
)


def plant_file(folder: Path, service: str = "", tail: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "plant.toml"
    path.write_text(DEMO.replace("[service]\n", "[service]\n" + service, 1) + tail, encoding="utf-8")
    return path


def test_relative_paths_are_the_plant_files_folders_whatever_the_current_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plant_file(tmp_path / "etc", 'database = "sqlite:///data/jis.db"\n', CURVE.format(key="keys/s.key_secret"))
    monkeypatch.chdir(tmp_path)  # not the plant file's folder
    plant = load_plant("etc/plant.toml")
    here = (tmp_path / "etc").resolve()
    assert plant.service.data_dir == str(here)
    assert plant.service.database == f"sqlite:///{here}/data/jis.db"  # and so its lock file, jis.db.lock
    assert plant.service.hmi_curve is not None
    assert (plant.service.hmi_curve.secret_key, plant.service.hmi_curve.allowed_keys) == (
        f"{here}/keys/s.key_secret",
        f"{here}/keys/screens",
    )


def test_a_data_folder_of_its_own_holds_the_files(tmp_path: Path) -> None:
    service = 'data_dir = "../var"\ndatabase = "sqlite:///../var/jis.db"\n'
    keys = '\n[service.hmi_curve]\nsecret_key = "../var/keys/s.key_secret"\nallowed_keys = "../var/keys/screens"\n'
    plant = load_plant(plant_file(tmp_path / "etc", service, keys))
    var = (tmp_path / "var").resolve()
    assert plant.service.data_dir == str(var) and plant.service.database == f"sqlite:///{var}/jis.db"
    assert plant.service.hmi_curve is not None and plant.service.hmi_curve.allowed_keys == f"{var}/keys/screens"
    with pytest.raises(PlantConfigError, match=r"\[service\.hmi_curve\] allowed_keys in .*plant\.toml: \S*/etc/keys/"):
        load_plant(plant_file(tmp_path / "etc", service, CURVE.format(key="../var/s.key_secret")))  # screens in etc/


@pytest.mark.parametrize(
    ("service", "tail", "key", "named"),
    [
        ('database = "sqlite:///../../../jis.db"\n', "", r"\[service\] database", "jis.db"),
        ('database = "sqlite:////etc/jis.db"\n', "", r"\[service\] database", "/etc/jis.db"),
        ("", CURVE.format(key="/etc/jis/keys/service.key_secret"), r"\[service\.hmi_curve\] secret_key", "/etc/jis"),
        ("", CURVE.format(key="../../../../etc/shadow"), r"\[service\.hmi_curve\] secret_key", "/etc/shadow"),
        ("", OPCUA_PTL.format(cert="/etc/ssl/cert.der"), r"\[devices\.ptl\.ptl-a\.opcua\] certificate", "/etc/ssl"),
        ("", '\n[service.inbox]\nfolder = "../../../inbox"\n', r"\[service\.inbox\] folder", "inbox"),
        ("", '\n[ship_notices]\noutbox = "/srv/edi/outbox"\n', r"\[ship_notices\] outbox", "/srv/edi"),
    ],
    ids=["database-up", "database-etc", "key-etc", "key-up", "device-certificate", "inbox-up", "notice-outbox"],
)
def test_a_path_outside_the_data_folder_is_refused_naming_the_key(
    tmp_path: Path, service: str, tail: str, key: str, named: str
) -> None:
    path = plant_file(tmp_path / "a" / "b", service, tail)
    with pytest.raises(PlantConfigError, match=rf"^{key} in {path}: \S*{named}\S* is outside the data folder ") as e:
        load_plant(path)
    assert f"the data folder {path.parent.resolve()} ([service] data_dir): keep the service's files under it" in str(
        e.value
    )
    assert not list(tmp_path.rglob("*.db"))  # refused before anything was opened


def test_a_symbolic_link_that_leads_out_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    path = plant_file(tmp_path / "etc", "", CURVE.format(key="keys/s.key_secret"))
    (tmp_path / "etc" / "keys").symlink_to(outside, target_is_directory=True)
    with pytest.raises(
        PlantConfigError, match=r"\[service\.hmi_curve\] secret_key .*elsewhere/s\.key_secret is outside"
    ):
        load_plant(path)


def test_postgresql_and_a_database_in_memory_name_no_file(tmp_path: Path) -> None:
    for url in ("postgresql+psycopg://jis@db.plant.local/jis", "sqlite://"):
        assert load_plant(plant_file(tmp_path, f'database = "{url}"\n')).service.database == url


def test_every_path_key_of_the_schema_is_contained() -> None:
    """Every text key of the tables that name the service's files is a path, and one of ``PATH_KEYS`` (a new one
    cannot slip past the check), but for those that name something else."""
    from sequencer.plant import FeedCurveConfig, HmiCurveConfig, InboxConfig, OpcUaServerConfig, OpcUaSettings

    not_paths = {"endpoint", "path", "user", "password_env"}  # URLs, a URL's path, a user, an environment variable
    contained = {keys[-1] for keys in PATH_KEYS}
    for model in (FeedCurveConfig, HmiCurveConfig, InboxConfig, OpcUaServerConfig, OpcUaSettings):
        for name, field in model.model_fields.items():
            if field.annotation in (str, str | None) and name not in not_paths:
                assert name in contained, f"{model.__name__}.{name} names a path but is not contained"
