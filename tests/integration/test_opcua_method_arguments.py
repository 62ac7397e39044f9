"""The OPC UA simulators refuse bad method arguments with the codes OPC 10000-4 (Services) 5.11.2.4 names.

Table-driven from the node models the drivers and the simulators share (``ptl_model.ptl_address_space``,
``printer_model.printer_address_space``): every method is called over a real session with one argument too few
(BadArgumentsMissing), one too many (BadTooManyArguments) and each argument in turn of another DataType
(BadInvalidArgument, with BadTypeMismatch in that argument's inputArgumentResults); then the value checks
docs/opcua.md names (BadInvalidArgument for a value out of range, BadOutOfRange for an Acknowledge past the
counter). One server per simulator for the whole module: an asyncua server takes seconds to start.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import pytest
import pytest_asyncio
from asyncua import Client, ua

from hardware_sims.clock import ManualClock
from hardware_sims.opcua_printer import OpcUaPrinterSim
from hardware_sims.opcua_ptl import OpcUaPtlSim
from plc_io.opcua import machinery, printer_model, ptl_model

pytestmark = pytest.mark.asyncio(loop_scope="module")
V = ua.VariantType
S = ua.StatusCodes
LIGHTS = (1, 2)
VALID: dict[V, object] = {V.UInt16: 1, V.UInt32: 1, V.UInt64: 1, V.Boolean: True, V.String: "JOB-1"}
OTHER_TYPE: dict[V, ua.Variant] = {  # the same meaning in another DataType: refused for its type alone
    V.UInt16: ua.Variant(1, V.Int64),
    V.UInt32: ua.Variant(1, V.Int64),
    V.UInt64: ua.Variant(1, V.Int64),
    V.Boolean: ua.Variant(1, V.Byte),
    V.String: ua.Variant(b"JOB-1", V.ByteString),
}
PTL_METHODS = [s for s in ptl_model.ptl_address_space(LIGHTS) if s.kind is machinery.NodeKind.METHOD]
PRINTER_METHODS = [s for s in printer_model.printer_address_space() if s.kind is machinery.NodeKind.METHOD]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def ptl_url() -> AsyncIterator[str]:
    sim = OpcUaPtlSim(LIGHTS)
    yield await sim.start()
    await sim.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def printer_url() -> AsyncIterator[str]:
    sim = OpcUaPrinterSim(clock=ManualClock())
    yield await sim.start()
    await sim.stop()


async def call(
    url: str, namespace: str, spec: machinery.NodeSpec, arguments: Sequence[ua.Variant]
) -> ua.CallMethodResult:
    async with Client(url, timeout=10) as client:
        ns = await client.get_namespace_index(namespace)
        request = ua.CallMethodRequest(
            ObjectId=machinery.node_id(ns, spec.parent),
            MethodId=machinery.node_id(ns, spec.path),
            InputArguments=list(arguments),
        )
        (result,) = await client.uaclient.call([request])
        return result


def valid(spec: machinery.NodeSpec) -> list[ua.Variant]:
    return [ua.Variant(VALID[a.vtype], a.vtype) for a in spec.inputs]


def codes(results: Sequence[ua.StatusCode]) -> list[int]:
    return [r.value for r in results]


async def refusals(url: str, namespace: str, spec: machinery.NodeSpec) -> dict[str, object]:
    """What the server answers to each malformed call of ``spec``."""
    seen: dict[str, object] = {}
    if spec.inputs:
        seen["one too few"] = (await call(url, namespace, spec, valid(spec)[:-1])).StatusCode.value
    seen["one too many"] = (await call(url, namespace, spec, [*valid(spec), ua.Variant(0, V.UInt32)])).StatusCode.value
    for i, argument in enumerate(spec.inputs):
        arguments = valid(spec)
        arguments[i] = OTHER_TYPE[argument.vtype]
        result = await call(url, namespace, spec, arguments)
        seen[f"{argument.name} of another type"] = (result.StatusCode.value, codes(result.InputArgumentResults))
    return seen


def expected(spec: machinery.NodeSpec) -> dict[str, object]:
    want: dict[str, object] = {}
    if spec.inputs:
        want["one too few"] = S.BadArgumentsMissing
    want["one too many"] = S.BadTooManyArguments
    for i, argument in enumerate(spec.inputs):
        results = [S.BadTypeMismatch if j == i else S.Good for j in range(len(spec.inputs))]
        want[f"{argument.name} of another type"] = (S.BadInvalidArgument, results)
    return want


@pytest.mark.parametrize("spec", PTL_METHODS, ids=lambda s: s.path.split("/", 2)[-1])
async def test_every_ptl_method_refuses_malformed_arguments(ptl_url: str, spec: machinery.NodeSpec) -> None:
    assert await refusals(ptl_url, ptl_model.PTL_NAMESPACE_URI, spec) == expected(spec)


@pytest.mark.parametrize("spec", PRINTER_METHODS, ids=lambda s: s.browse_name)
async def test_every_printer_method_refuses_malformed_arguments(printer_url: str, spec: machinery.NodeSpec) -> None:
    assert await refusals(printer_url, printer_model.PRINTER_NAMESPACE_URI, spec) == expected(spec)


async def test_values_out_of_range_are_refused_as_docs_opcua_says(ptl_url: str, printer_url: str) -> None:
    light = next(s for s in PTL_METHODS if s.path == ptl_model.bin_path(1, "Light"))
    acknowledge = next(s for s in PTL_METHODS if s.path == ptl_model.bin_path(1, "Acknowledge"))
    store = next(s for s in PRINTER_METHODS if s.browse_name == "Store")
    colour_9 = [ua.Variant(9, V.UInt16), ua.Variant(True, V.Boolean), ua.Variant(1, V.UInt16), ua.Variant(1, V.UInt32)]
    display_10000 = [ua.Variant(1, V.UInt16), ua.Variant(True, V.Boolean), ua.Variant(10_000, V.UInt16), colour_9[3]]
    ns_ptl, ns_printer = ptl_model.PTL_NAMESPACE_URI, printer_model.PRINTER_NAMESPACE_URI
    seen = {
        "colour 9": await call(ptl_url, ns_ptl, light, colour_9),
        "display 10000": await call(ptl_url, ns_ptl, light, display_10000),
        "acknowledge past the counter": await call(ptl_url, ns_ptl, acknowledge, [ua.Variant(5, V.UInt32)]),
        "empty JobOrderID": await call(printer_url, ns_printer, store, [ua.Variant("", V.String), store_data()]),
    }
    assert {name: result.StatusCode.value for name, result in seen.items()} == {
        "colour 9": S.BadInvalidArgument,
        "display 10000": S.BadInvalidArgument,
        "acknowledge past the counter": S.BadOutOfRange,
        "empty JobOrderID": S.BadInvalidArgument,
    }


def store_data() -> ua.Variant:
    return ua.Variant("^XA^FDx^FS^XZ", V.String)
