"""The requests of the simulators' control channel, validated at the edge (docs/sim-control.md).

What it is for: one pydantic model per ``op`` (``extra="forbid"``: a mistyped key is refused, naming it) and
``REQUEST``, the discriminated union ``hardware_sims.control`` parses every message with.
What it must not do: act on anything (``hardware_sims.control`` does), or accept what no simulator could do
(bounds on every number).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

from hardware_sims.control_state import LABELS_SHOWN


# -- requests ---------------------------------------------------------------------------------------------------
class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: int | None = None  # echoed in the answer, so a client can match answers to requests


class StateRequest(_Request):
    op: Literal["state"]
    labels: int = Field(default=LABELS_SHOWN, ge=0, le=20)


class PressRequest(_Request):
    op: Literal["press"]
    device: str
    light: int = Field(ge=1, le=247)


class FaultRequest(_Request):
    op: Literal["fault"]
    device: str
    name: str
    on: bool
    light: int | None = Field(default=None, ge=1, le=247)  # "exception": one light; none = every light
    seconds: float | None = Field(default=None, ge=0, le=60)  # "slow": real seconds of delay per answer


class FeedRequest(_Request):
    op: Literal["feed"]
    feed: str
    takt_s: float | None = Field(default=None, gt=0, le=86_400)
    drop_next: int | None = Field(default=None, ge=1, le=1000)
    duplicate_next: int | None = Field(default=None, ge=1, le=1000)
    burst: int | None = Field(default=None, ge=1, le=1000)
    pause_s: float | None = Field(default=None, gt=0, le=86_400)
    change: int | None = Field(default=None, ge=1, le=100)  # follow-ups to the n vehicles acknowledged last
    cancel: int | None = Field(default=None, ge=1, le=100)
    options: tuple[str, ...] | None = None  # the new options of a "change"
    line: Literal["stopped", "running"] | None = None  # the OEM's line stops / runs again (its LINE status says so)
    rate_per_h: float | None = Field(default=None, gt=0, le=3600)  # with line "running": the rate it runs at

    @model_validator(mode="after")
    def _one_knob_at_least(self) -> FeedRequest:
        if all(getattr(self, k) is None for k in FEED_KNOBS):
            raise ValueError(f"a feed request turns at least one knob: {', '.join(FEED_KNOBS)}")
        return self


class PrintedRequest(_Request):
    """Is there a label with this id (any reprint) on a part? What a person checks by looking at the rack."""

    op: Literal["printed"]
    label_id: str = Field(min_length=1, max_length=64)


class OperatorRequest(_Request):
    op: Literal["operator"]
    station: str
    auto: bool


FEED_KNOBS = ("takt_s", "drop_next", "duplicate_next", "burst", "pause_s", "change", "cancel", "line")
Request = Annotated[
    StateRequest | PressRequest | FaultRequest | FeedRequest | OperatorRequest | PrintedRequest,
    Field(discriminator="op"),
]
REQUEST = TypeAdapter(Request)
