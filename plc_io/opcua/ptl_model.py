"""The OPC UA node model of the pick-to-light controller and its value codecs, all pure.

What it is for: the one table both ends read, so the driver (``plc_io.opcua.ptl``) and the simulator
(``hardware_sims.opcua_ptl``) agree on every browse name, NodeId, data type and method signature
(docs/opcua.md has the same table).

No companion specification exists for pick-by-light (see /work/shared/design/devices.md). The controller has
one object per bin (``Bins/Bin003``: light 3) with Colour, Blink, Display, Token, ConfirmCounter,
ConfirmToken, AcknowledgedCounter, Confirmed, Online and the methods Light, Clear and Acknowledge. A confirm is
a latch plus a counter, as on the Modbus lights, with the latch kept as a counter too: AcknowledgedCounter is
the ConfirmCounter value the host last acknowledged, so "latched" is ConfirmCounter != AcknowledgedCounter
(shown as Confirmed for people). The device thereby keeps the host's baseline: a host that restarts counts the
presses it never acknowledged, and no read can catch a press half-published (the device writes ConfirmCounter
after ConfirmToken, ``BIN_PUBLISH_ORDER``). NodeIds: ``ns=<i>;s=PickToLight/Bins/Bin003/Colour``.

Must not: open sockets, read clocks, log, or know the reconnect guarantees (those are the driver's).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from asyncua import ua

from plc_io.counters import counted_since, moved
from plc_io.opcua.machinery import (
    Argument,
    Identity,
    MachineryItemState,
    NodeKind,
    NodeSpec,
    as_int,
    check_types,
    join,
    machine_nodes,
    method_spec,
    object_spec,
    variable_spec,
)
from plc_io.ports import Colour

PTL_NAMESPACE_URI = "urn:jis-sequencer:opcua:pick-to-light"
PTL_ROOT = "PickToLight"

DISPLAY_MAX = 9999  # four display digits, as the Modbus lights
TOKEN_MAX = 0xFFFF_FFFF  # UInt32
COUNTER_MODULUS = 0x1_0000_0000  # ConfirmCounter is a UInt32 that wraps
LIGHT_NUMBERS = range(1, 248)  # the same bin addresses as the Modbus unit ids (sequencer.plant.BinConfig.light)

V = ua.VariantType

BIN_VARIABLES: tuple[tuple[str, ua.VariantType, object, str], ...] = (
    ("Colour", V.UInt16, 0, "0 off, 1 green, 2 red, 3 yellow, 4 blue, 5 white (plc_io.ports.Colour)"),
    ("Blink", V.Boolean, False, "True: flashing"),
    ("Display", V.UInt16, 0, f"display digits, 0..{DISPLAY_MAX}"),
    ("Token", V.UInt32, 0, "pick token lit (0: none)"),
    ("ConfirmCounter", V.UInt32, 0, "presses since power-up, wraps at 2^32"),
    ("ConfirmToken", V.UInt32, 0, "the Token that was lit at the latest press"),
    ("AcknowledgedCounter", V.UInt32, 0, "the ConfirmCounter value the host last acknowledged"),
    ("Confirmed", V.Boolean, False, "ConfirmCounter != AcknowledgedCounter: a press not yet acknowledged"),
    ("Online", V.Boolean, True, "the light answers on the controller's bus"),
)
# A device writes the counter last: a reader that sees a new ConfirmCounter sees the ConfirmToken of that press.
BIN_PUBLISH_ORDER = (*tuple(n for n, *_ in BIN_VARIABLES if n != "ConfirmCounter"), "ConfirmCounter")
LIGHT_INPUTS = (
    Argument("Colour", V.UInt16, "0..5 as the Colour variable"),
    Argument("Blink", V.Boolean, "True: flashing"),
    Argument("Display", V.UInt16, f"0..{DISPLAY_MAX}"),
    Argument("Token", V.UInt32, "pick token (0: none)"),
)
ACKNOWLEDGE_INPUTS = (Argument("ConfirmCounter", V.UInt32, "the counter value the host has counted"),)
BIN_METHODS: tuple[tuple[str, tuple[Argument, ...], str], ...] = (
    ("Light", LIGHT_INPUTS, "show colour, blink, digits and token at once (idempotent)"),
    ("Clear", (), "switch the light off (Token 0)"),
    ("Acknowledge", ACKNOWLEDGE_INPUTS, "AcknowledgedCounter := argument (never past ConfirmCounter)"),
)
BIN_READ = ("Online", "ConfirmCounter", "ConfirmToken", "AcknowledgedCounter")  # one Read per bin
BIN_WATCH = ("ConfirmCounter", "Online")  # monitored items per bin: a change means "read this bin"

PTL_IDENTITY: Identity = {
    "Manufacturer": "JIS sim",
    "Model": "PTL-OPCUA-SIM",
    "SerialNumber": "PTL-0001",
    "ProductInstanceUri": "urn:jis-sequencer:ptl:0001",
    "SoftwareRevision": "1.0",
}


def bin_path(light: int, member: str = "") -> str:
    """``PickToLight/Bins/Bin003`` (light 3), or one of its variables or methods."""
    if light not in LIGHT_NUMBERS:
        raise ValueError(f"light {light} is outside {LIGHT_NUMBERS.start}..{LIGHT_NUMBERS.stop - 1}")
    base = join(PTL_ROOT, "Bins", f"Bin{light:03d}")
    return join(base, member) if member else base


def ptl_address_space(
    lights: Sequence[int],
    identity: Identity = PTL_IDENTITY,
    state: MachineryItemState = MachineryItemState.NOT_EXECUTING,
) -> tuple[NodeSpec, ...]:
    """Every node of the controller, parents before children."""
    nodes = machine_nodes(PTL_ROOT, "pick-to-light controller", identity, state)
    nodes.append(NodeSpec(path=join(PTL_ROOT, "Bins"), kind=NodeKind.FOLDER, doc="one object per bin"))
    for light in lights:
        nodes.append(object_spec(bin_path(light), f"bin light {light}"))
        nodes += [variable_spec(bin_path(light, n), t, v, d) for n, t, v, d in BIN_VARIABLES]
        nodes += [method_spec(bin_path(light, n), d, inputs) for n, inputs, d in BIN_METHODS]
    return tuple(nodes)


@dataclass(frozen=True, slots=True, kw_only=True)
class LightState:
    """What a bin shows. ``CLEAR`` is off with no token."""

    colour: Colour
    blink: bool
    display: int
    token: int


CLEAR = LightState(colour=Colour.OFF, blink=False, display=0, token=0)


def check_light(state: LightState) -> LightState:
    problems = {
        f"display {state.display} outside 0..{DISPLAY_MAX}": not 0 <= state.display <= DISPLAY_MAX,
        f"token {state.token} outside 0..{TOKEN_MAX}": not 0 <= state.token <= TOKEN_MAX,
        f"colour {state.colour!r} is not a Colour": not isinstance(state.colour, Colour),
    }
    failed = [message for message, bad in problems.items() if bad]
    if failed:
        raise ValueError("; ".join(failed))
    return state


def encode_light(state: LightState) -> list[ua.Variant]:
    """Light's input arguments, each with its declared VariantType (a bare int would be Int64: BadTypeMismatch)."""
    check_light(state)
    values = (int(state.colour), state.blink, state.display, state.token)
    return [ua.Variant(v, a.vtype) for v, a in zip(values, LIGHT_INPUTS, strict=True)]


def decode_light(arguments: Sequence[ua.Variant]) -> LightState:
    """The server side of ``encode_light``: exact types and ranges, else ValueError."""
    check_types(arguments, LIGHT_INPUTS)
    colour, blink, display, token = (a.Value for a in arguments)
    try:
        return check_light(LightState(colour=Colour(colour), blink=bool(blink), display=display, token=token))
    except ValueError as exc:
        raise ValueError(f"Light arguments {[a.Value for a in arguments]}: {exc}") from exc


def encode_acknowledge(counter: int) -> list[ua.Variant]:
    return [ua.Variant(counter % COUNTER_MODULUS, V.UInt32)]


def decode_acknowledge(arguments: Sequence[ua.Variant]) -> int:
    check_types(arguments, ACKNOWLEDGE_INPUTS)
    return int(arguments[0].Value)


@dataclass(frozen=True, slots=True, kw_only=True)
class BinSnapshot:
    """One Read of ``BIN_READ`` for one bin."""

    online: bool
    counter: int
    token: int
    acknowledged: int

    @property
    def latched(self) -> bool:
        return self.counter != self.acknowledged


def decode_bin(values: Sequence[object]) -> BinSnapshot:
    online, counter, token, acknowledged = values
    numbers = (counter, token, acknowledged)
    if not all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= TOKEN_MAX for n in numbers):
        raise ValueError(f"bin read {list(values)}: ConfirmCounter, ConfirmToken, AcknowledgedCounter must be UInt32")
    return BinSnapshot(
        online=bool(online), counter=as_int(counter), token=as_int(token), acknowledged=as_int(acknowledged)
    )


def presses_since(baseline: int | None, snapshot: BinSnapshot) -> int:
    """New presses since the counter value ``baseline``; None (never read): since the host's last acknowledge.

    The counter is the truth, as in ``plc_io.modbus.ptl_map.presses_since``. A counter more than
    ``plc_io.counters.JUMP_LIMIT`` ahead, or behind (a controller that restarted), counts the presses since its
    restart.
    """
    start = snapshot.acknowledged if baseline is None else baseline
    return counted_since(start, snapshot.counter, COUNTER_MODULUS)


def acknowledge_accepts(acknowledged: int, counter: int, proposed: int) -> bool:
    """Acknowledge may move AcknowledgedCounter forward up to ConfirmCounter, never past it (UInt32 wrapping)."""
    return moved(acknowledged, proposed, COUNTER_MODULUS) <= moved(acknowledged, counter, COUNTER_MODULUS)
