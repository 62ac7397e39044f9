"""The ZeroMQ surfaces' profiles in the plant file (issue 15 item 1, docs/security.md): ``dev`` listens on loopback
only and a file that says otherwise does not load; ``plant`` needs CURVE on every surface beyond loopback, which the
service checks when it starts (``exposed_without_curve`` names the key to set); with CURVE on the feed every feed
names its gateways, and without it none may."""

from __future__ import annotations

import pytest

from sequencer.plant import PlantConfigError, is_loopback, parse_plant
from tests.plants import DEMO_PLANT

CURVE = '\n[service.feed_curve]\nsecret_key = "keys/service.key_secret"\nallowed_keys = "keys/gateways"\n'


def plant_text(*replacements: tuple[str, str], extra: str = "") -> str:
    text = DEMO_PLANT.read_text()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return text.replace("\n[[feeds]]\n", extra + "\n[[feeds]]\n", 1)


@pytest.mark.parametrize(
    ("endpoint", "loopback"),
    [
        ("tcp://127.0.0.1:5555", True),
        ("tcp://127.8.9.10:5555", True),
        ("tcp://localhost:5555", True),
        ("tcp://[::1]:5555", True),
        ("ipc:///run/jis/feed", True),
        ("inproc://feed", True),
        ("tcp://0.0.0.0:5555", False),
        ("tcp://*:5555", False),
        ("tcp://10.20.1.5:5555", False),
        ("tcp://line-pc.plant.local:5555", False),
        ("tcp://eth0:5555", False),
        ("tcp://[::]:5555", False),
    ],
)
def test_what_counts_as_loopback(endpoint: str, loopback: bool) -> None:
    assert is_loopback(endpoint) is loopback


def test_the_demo_plant_is_the_dev_profile_on_loopback() -> None:
    plant = parse_plant(DEMO_PLANT.read_text())
    assert plant.service.zmq_security == "dev"
    assert all(is_loopback(endpoint) for _, endpoint in plant.service.zmq_endpoints())


@pytest.mark.parametrize("key", ["feed_endpoint", "hmi_endpoint"])
def test_the_dev_profile_beyond_loopback_does_not_load(key: str) -> None:
    text = plant_text((f'{key} = "tcp://127.0.0.1', f'{key} = "tcp://0.0.0.0'))
    with pytest.raises(PlantConfigError) as err:
        parse_plant(text, "plant.toml")
    (line,) = str(err.value).splitlines()
    assert line.startswith("plant.toml:9: service: ")
    assert f"{key} tcp://0.0.0.0:" in line and 'zmq_security = "dev" listens on loopback only' in line


def test_the_plant_profile_is_the_default_and_names_each_surface_without_curve() -> None:
    text = plant_text(
        ('zmq_security = "dev"', ""),
        ('feed_endpoint = "tcp://127.0.0.1:5555"', 'feed_endpoint = "tcp://0.0.0.0:5555"'),
        ('hmi_endpoint = "tcp://127.0.0.1:5556"', 'hmi_endpoint = "tcp://10.20.1.5:5556"'),
    )
    service = parse_plant(text).service  # a valid file: the service refuses to start with it, not the loader
    assert service.zmq_security == "plant"
    assert service.exposed_without_curve() == [
        "[service] feed_endpoint tcp://0.0.0.0:5555 listens beyond loopback without CURVE: set "
        "[service.feed_curve] (secret_key, allowed_keys), or listen on 127.0.0.1",
        "[service] hmi_endpoint tcp://10.20.1.5:5556 listens beyond loopback without CURVE: set "
        "[service.hmi_curve] (secret_key, allowed_keys), or listen on 127.0.0.1",
    ]


def test_the_plant_profile_with_curve_on_each_surface_starts() -> None:
    hmi = CURVE.replace("feed_curve", "hmi_curve")
    text = plant_text(
        ('zmq_security = "dev"', 'zmq_security = "plant"'),
        ('feed_endpoint = "tcp://127.0.0.1:5555"', 'feed_endpoint = "tcp://*:5555"'),
        ('dock = "D04"', 'dock = "D04"\ngateway_keys = ["oem-l1"]'),
        extra=CURVE + hmi,
    )
    assert parse_plant(text).service.exposed_without_curve() == []


def test_with_curve_on_the_feed_every_feed_names_its_gateways() -> None:
    with pytest.raises(PlantConfigError, match=r"feeds\.L1\.gateway_keys: with \[service\.feed_curve\] name the"):
        parse_plant(plant_text(extra=CURVE))


def test_gateway_keys_without_curve_do_not_load() -> None:
    text = plant_text(('dock = "D04"', 'dock = "D04"\ngateway_keys = ["oem-l1"]'))
    with pytest.raises(PlantConfigError, match=r"feeds\.L1\.gateway_keys: needs \[service\.feed_curve\]"):
        parse_plant(text)


@pytest.mark.parametrize("name", ["../oem-l1", "keys/oem-l1", "", "oem l1"])
def test_a_gateway_key_is_a_name_in_the_allowed_folder_never_a_path(name: str) -> None:
    text = plant_text(('dock = "D04"', f'dock = "D04"\ngateway_keys = ["{name}"]'), extra=CURVE)
    with pytest.raises(PlantConfigError, match="is not a key file's NAME"):
        parse_plant(text)


def test_the_plausible_window_is_per_feed_and_at_least_one_ahead() -> None:
    plant = parse_plant(plant_text(('dock = "D04"', 'dock = "D04"\nplausible_ahead = 50\nplausible_behind = 0')))
    assert (plant.feeds[0].plausible_ahead, plant.feeds[0].plausible_behind) == (50, 0)
    with pytest.raises(PlantConfigError, match="plausible_ahead: Input should be greater than or equal to 1"):
        parse_plant(plant_text(('dock = "D04"', 'dock = "D04"\nplausible_ahead = 0')))
