"""Golden tests of the pick-to-light register map (word and byte order pinned with literal registers), a
Hypothesis round trip of every block, the confirm-counter rule, and the simulator's light model without sockets.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hardware_sims.modbus_pdu import ModbusFault
from hardware_sims.ptl_gateway import GATEWAY_NO_RESPONSE, ILLEGAL_ADDRESS, ILLEGAL_VALUE, GatewayModel
from plc_io.modbus import ptl_map as ptl
from plc_io.modbus import registers as reg
from plc_io.ports import Colour

GREEN_FLASH_42 = ptl.LightCommand(colour=Colour.GREEN, animation=ptl.Animation.FLASH, display=42, token=0x0001_2345)


# -- addresses ----------------------------------------------------------------------------------------------
def test_addresses_are_zero_based_with_banner_offset_and_4xxxx_forms() -> None:
    assert (ptl.IDENTITY.start, reg.one_based(ptl.IDENTITY.start), reg.four_x(ptl.IDENTITY.start)) == (
        1000,
        1001,
        41001,
    )
    assert reg.four_x(ptl.LATCH_ADDRESS) == 42011
    assert reg.four_x(ptl.SENSOR.start) == 46001


def test_blocks_are_contiguous_and_do_not_overlap() -> None:
    spans = sorted((b.start, b.end) for b in ptl.BLOCKS)
    assert all(end <= next_start for (_, end), (next_start, _) in pairwise(spans))
    for block in ptl.BLOCKS:
        addresses = [f.address for f in block.fields]
        sizes = [f.size for f in block.fields]
        assert addresses == [block.start + sum(sizes[:i]) for i in range(len(sizes))]


def test_banner_209995_block_extents() -> None:
    assert (ptl.IDENTITY.start, ptl.IDENTITY.end - 1) == (1000, 1053)
    assert (ptl.SENSOR.start, ptl.SENSOR.end - 1) == (6000, 6003)
    assert (ptl.COMMS.start, ptl.COMMS.end - 1) == (6100, 6103)
    assert (ptl.COMMAND.start, ptl.COMMAND.count, ptl.CONFIRM.start, ptl.CONFIRM.count) == (2000, 5, 2010, 4)
    assert (ptl.FAILSAFE.start, ptl.FAILSAFE.count) == (2020, 2)
    assert ptl.MAP_END == 6104


def _span(first: int, size: int) -> str:
    return f"{first}" if size == 1 else f"{first}–{first + size - 1}"


def test_docs_table_matches_the_map() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "ptl-modbus.md").read_text(encoding="utf-8")
    for block in ptl.BLOCKS:
        for f in block.fields:
            row = (
                f"| {block.name} | `{f.name}` | {_span(f.address, f.size)} | {_span(reg.one_based(f.address), f.size)}"
                f" | {_span(reg.four_x(f.address), f.size)} | {f.size} |"
            )
            assert row in doc, row


# -- golden encodings -----------------------------------------------------------------------------------------
def test_command_block_golden_token_high_word_first() -> None:
    assert ptl.encode_command(GREEN_FLASH_42) == [1, 2, 42, 0x0001, 0x2345]
    assert ptl.decode_command([1, 2, 42, 0x0001, 0x2345]) == GREEN_FLASH_42
    assert ptl.encode_command(ptl.CLEAR) == [0, 0, 0, 0, 0]


def test_confirm_block_golden() -> None:
    confirm = ptl.Confirm(latched=True, counter=65535, pressed_token=0xDEAD_BEEF)
    assert ptl.encode_confirm(confirm) == [1, 0xFFFF, 0xDEAD, 0xBEEF]
    assert ptl.decode_confirm([1, 0xFFFF, 0xDEAD, 0xBEEF]) == confirm


def test_failsafe_block_golden() -> None:
    failsafe = ptl.Failsafe(failsafe=ptl.FailsafeMode.HOLD, watchdog_ms=2500)
    assert ptl.encode_failsafe(failsafe) == [1, 2500]
    assert ptl.decode_failsafe([0, 0]) == ptl.Failsafe(failsafe=ptl.FailsafeMode.LIGHTS_OFF, watchdog_ms=0)


def test_ascii_is_two_chars_per_register_big_endian_nul_padded() -> None:
    assert reg.ascii_to_registers("PTL110", 4) == [0x5054, 0x4C31, 0x3130, 0x0000]
    assert reg.ascii_to_registers("ABC", 2) == [0x4142, 0x4300]
    assert reg.registers_to_ascii([0x4142, 0x4300]) == "ABC"


def test_identity_golden_numbers_low_word_first_as_banner_states() -> None:
    identity = ptl.Identity(
        model_number=0x0002_A734,
        model_version=102,
        model_name="K50",
        config_number=0x0001_6D43,
        config_version=1,
        date_code="",
        serial_number="S1",
    )
    registers = ptl.encode_identity(identity)
    assert len(registers) == 54
    assert registers[0:3] == [0xA734, 0x0002, 0x0102]  # 1000-1001 model number, 1002 version (BCD)
    assert registers[3:5] == [0x4B35, 0x3000]  # 1003.. "K50"
    assert registers[19:22] == [0x6D43, 0x0001, 0x0001]  # 1019-1020 configuration number, 1021 version
    assert registers[38] == 0x5331  # 1038 serial number "S1"
    assert ptl.decode_identity(registers) == identity


@pytest.mark.parametrize(
    ("registers", "why"),
    [
        ([6, 1, 0, 0, 0], "no colour 6"),
        ([1, 7, 0, 0, 0], "no animation 7"),
        ([1, 1, 10_000, 0, 0], "display has four digits"),
        ([1, 1, 0, 0], "short block"),
    ],
)
def test_decode_command_rejects(registers: list[int], why: str) -> None:
    with pytest.raises(ValueError, match=r"out of range|needs 5 registers"):
        ptl.decode_command(registers)


@pytest.mark.parametrize(
    "command",
    [
        ptl.LightCommand(colour=Colour.RED, animation=ptl.Animation.STEADY, display=10_000, token=1),
        ptl.LightCommand(colour=Colour.RED, animation=ptl.Animation.STEADY, display=1, token=2**32),
        ptl.LightCommand(colour=Colour.RED, animation=ptl.Animation.STEADY, display=-1, token=1),
    ],
)
def test_encode_command_rejects_out_of_range(command: ptl.LightCommand) -> None:
    with pytest.raises(ValueError, match=r"out of range|32 bits"):
        ptl.encode_command(command)


def test_bcd_and_ascii_reject_what_they_cannot_hold() -> None:
    assert (reg.bcd_to_register(102), reg.register_to_bcd(0x0102)) == (0x0102, 102)
    with pytest.raises(ValueError, match="BCD"):
        reg.register_to_bcd(0x00AB)
    with pytest.raises(ValueError, match="longer"):
        reg.ascii_to_registers("ABCDE", 2)


# -- round trips ------------------------------------------------------------------------------------------------
commands = st.builds(
    ptl.LightCommand,
    colour=st.sampled_from(Colour),
    animation=st.sampled_from(ptl.Animation),
    display=st.integers(0, 9999),
    token=st.integers(0, 2**32 - 1),
)
confirms = st.builds(
    ptl.Confirm, latched=st.booleans(), counter=st.integers(0, 0xFFFF), pressed_token=st.integers(0, 2**32 - 1)
)
text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=32)
identities = st.builds(
    ptl.Identity,
    model_number=st.integers(0, 2**32 - 1),
    model_version=st.integers(0, 9999),
    model_name=text,
    config_number=st.integers(0, 2**32 - 1),
    config_version=st.integers(0, 9999),
    date_code=text,
    serial_number=text,
)


@settings(derandomize=True, max_examples=200)
@given(commands)
def test_command_round_trip(command: ptl.LightCommand) -> None:
    registers = ptl.encode_command(command)
    assert all(0 <= r <= 0xFFFF for r in registers)
    assert ptl.decode_command(registers) == command


@settings(derandomize=True, max_examples=200)
@given(confirms)
def test_confirm_round_trip(confirm: ptl.Confirm) -> None:
    assert ptl.decode_confirm(ptl.encode_confirm(confirm)) == confirm


@settings(derandomize=True, max_examples=100)
@given(identities)
def test_identity_round_trip(identity: ptl.Identity) -> None:
    # trailing spaces survive, trailing NULs are padding: printable text round-trips exactly
    assert ptl.decode_identity(ptl.encode_identity(identity)) == identity


@settings(derandomize=True, max_examples=200)
@given(st.integers(0, 2**32 - 1), st.booleans())
def test_u32_round_trip_both_word_orders(value: int, high_first: bool) -> None:
    registers = reg.u32_to_registers(value, high_first=high_first)
    assert reg.registers_to_u32(registers, high_first=high_first) == value


# -- the confirm counter rule -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("baseline", "latched", "counter", "presses"),
    [
        (None, False, 17, 0),  # first read, nothing latched: just learn the counter
        (None, True, 17, 1),  # first read, latched: one press we had not seen
        (5, True, 5, 0),  # already reported; only the clear failed: never twice
        (5, False, 6, 1),  # pressed between our read and our clear: latch gone, counter moved
        (5, True, 7, 2),  # two presses in one poll gap
        (0xFFFF, True, 1, 2),  # u16 wrap
        (900, True, 3, 3),  # counter went backwards: the light restarted, 3 presses since
    ],
)
def test_presses_since(baseline: int | None, latched: bool, counter: int, presses: int) -> None:
    confirm = ptl.Confirm(latched=latched, counter=counter, pressed_token=9)
    assert ptl.presses_since(baseline, confirm) == presses


# -- the simulator's light model, no sockets ---------------------------------------------------------------------
def model(watchdog_s: float = 0.0) -> GatewayModel:
    return GatewayModel.build([1, 2], now=0.0, watchdog_s=watchdog_s)


def fault_code(call: Callable[..., object], *args: object) -> int:
    with pytest.raises(ModbusFault) as caught:
        call(*args)
    return caught.value.code


def test_model_light_command_and_identity_over_registers() -> None:
    m = model()
    m.write(1, 2000, ptl.encode_command(GREEN_FLASH_42), now=1.0)
    assert m.lit(1, now=1.0) == (Colour.GREEN, True, 42, 0x0001_2345)
    assert m.read(1, 2000, 5, now=1.0) == [1, 2, 42, 1, 0x2345]
    assert ptl.decode_identity(m.read(2, 1000, 54, now=1.0)).serial_number == "SIM00002"
    assert m.read(2, 6100, 1, now=1.0) == [2]  # its node id


def test_model_press_latches_counts_and_captures_the_token() -> None:
    m = model()
    m.write(1, 2000, ptl.encode_command(GREEN_FLASH_42), now=0.0)
    m.press(1, now=0.0)
    m.press(1, now=0.0)
    assert ptl.decode_confirm(m.read(1, 2010, 4, now=0.0)) == ptl.Confirm(
        latched=True, counter=2, pressed_token=0x12345
    )
    m.write(1, 2010, [0], now=0.0)  # the host clears the latch; the counter stays
    assert m.confirm(1) == ptl.Confirm(latched=False, counter=2, pressed_token=0x12345)


def test_model_exception_codes() -> None:
    m = model()
    assert fault_code(m.read, 9, 2010, 4, 0.0) == GATEWAY_NO_RESPONSE  # unknown unit id
    m.set_offline(2, True)
    assert fault_code(m.read, 2, 2010, 4, 0.0) == GATEWAY_NO_RESPONSE
    assert fault_code(m.read, 1, 3000, 1, 0.0) == ILLEGAL_ADDRESS  # outside the map
    assert fault_code(m.write, 1, 2005, [0], 0.0) == ILLEGAL_ADDRESS  # between the blocks
    assert fault_code(m.write, 1, 2004, [0, 0], 0.0) == ILLEGAL_ADDRESS  # starts in the command block, runs past it
    assert fault_code(m.write, 1, 2011, [5], 0.0) == ILLEGAL_VALUE  # the counter is read-only
    assert fault_code(m.write, 1, 1000, [5], 0.0) == ILLEGAL_VALUE  # identity is read-only
    assert fault_code(m.write, 1, 2010, [1], 0.0) == ILLEGAL_VALUE  # only the light sets its latch
    assert fault_code(m.write, 1, 2000, [9], 0.0) == ILLEGAL_VALUE  # no colour 9
    assert m.lit(1, now=0.0) == (Colour.OFF, False, 0, 0)  # refused writes changed nothing


def test_model_offline_light_still_latches_a_press() -> None:
    m = model()
    m.set_offline(1, True)
    m.press(1, now=0.0)
    m.set_offline(1, False)
    assert m.read(1, 2010, 2, now=0.0) == [1, 1]


def test_model_touch_sensor_disabled_ignores_presses() -> None:
    m = model()
    m.write(1, 6000, [ptl.SensorOutput.DISABLED], now=0.0)
    m.press(1, now=0.0)
    assert m.confirm(1).counter == 0


@pytest.mark.parametrize(("mode", "dark"), [(ptl.FailsafeMode.LIGHTS_OFF, True), (ptl.FailsafeMode.HOLD, False)])
def test_model_failsafe_after_host_silence(mode: ptl.FailsafeMode, dark: bool) -> None:
    m = model(watchdog_s=2.0)
    m.write(1, 2020, [mode], now=0.0)
    m.write(1, 2000, ptl.encode_command(GREEN_FLASH_42), now=0.0)
    m.read(1, 2010, 4, now=1.9)  # traffic refreshes the watchdog
    assert m.lit(1, now=3.8).colour is Colour.GREEN
    assert (m.lit(1, now=4.0).colour is Colour.OFF) is dark


def test_model_watchdog_zero_disables_failsafe() -> None:
    m = model()
    m.write(1, 2000, ptl.encode_command(GREEN_FLASH_42), now=0.0)
    assert m.lit(1, now=1e6).colour is Colour.GREEN


def test_model_counts_versions_on_visible_changes() -> None:
    m = model()
    seen: list[int] = []
    m.on_change = lambda: seen.append(m.version)
    m.write(1, 2000, ptl.encode_command(GREEN_FLASH_42), now=0.0)
    m.write(1, 2000, ptl.encode_command(GREEN_FLASH_42), now=0.0)  # idempotent: no change
    m.press(1, now=0.0)
    assert seen == [1, 2]
