"""JSON broadcasts (JSON lines, one object a line, or one JSON array) -> canonical broadcasts.

Two shapes are read: the canonical JSON ``jis parse`` prints (so its output can be read back, e.g. for
``jis import``) and the feed's BCAST body (``app.feed.protocol``: ``parts`` as {family: part number}).
As at the feed's edge, types are strict and unknown keys are refused: "42" is not a sequence number, a
forgotten ``firm`` or ``function`` is an error, never a default that turns a forecast or a cancel into a build.

Pure, never raises for bad input: each line or array element that does not validate is a Problem naming the
field; the others still pass.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.feed.formats.canonical import ENVELOPE, CanonicalBroadcast, Function, ParseResult, PartCall

_MAX_DEPTH_ERRORS = (RecursionError, ValueError, UnicodeDecodeError)


class _JsonPart(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    family: str = ""
    part: str = Field(min_length=1)
    qty: int = Field(default=1, ge=1)


class _JsonBroadcast(BaseModel):
    """What a JSON broadcast may hold: canonical fields, with the feed's {family: part} ``parts`` allowed."""

    model_config = ConfigDict(extra="forbid", strict=True)
    feed: str = ""
    seq: int = Field(ge=0)
    vehicle_id: str = Field(min_length=1)
    function: Function
    firm: bool
    options: list[str] = Field(default_factory=list)
    parts: dict[str, str] | list[_JsonPart] = Field(default_factory=list)
    qty: dict[str, int] = Field(default_factory=dict)  # the feed body's {family: quantity} beside {family: part}
    required_at: float | str | None = None
    sent_at: float | str | None = None
    line: str = ""
    unloading_point: str = ""
    call_off: str = ""
    reporting_point: str = ""
    interchange: str = ""
    message: str = ""
    raw_index: int | None = None  # ignored: the index is where it sits in this file

    @field_validator("required_at", "sent_at")
    @classmethod
    def _epoch(cls, v: float | str | None) -> float | str | None:
        """Epoch seconds, or ISO 8601 text with a zone offset (a time without a zone is ambiguous)."""
        if isinstance(v, str):
            when = datetime.fromisoformat(v)
            if when.tzinfo is None:
                raise ValueError(f"{v!r} has no time zone offset")
            return when.timestamp()
        return v

    def canonical(self, index: int) -> CanonicalBroadcast:
        parts = (
            tuple(PartCall(family=f, part=p, qty=self.qty.get(f, 1)) for f, p in self.parts.items())
            if isinstance(self.parts, dict)
            else tuple(PartCall(family=p.family, part=p.part, qty=p.qty) for p in self.parts)
        )
        if self.qty and (not isinstance(self.parts, dict) or set(self.qty) - set(self.parts)):
            raise ValueError("qty names a family that parts does not ({family: part number} parts only)")
        data = self.model_dump(exclude={"parts", "qty", "raw_index", "options", "required_at", "sent_at"})
        return CanonicalBroadcast(
            **data,
            options=tuple(self.options),
            parts=parts,
            required_at=_float(self.required_at),
            sent_at=_float(self.sent_at),
            raw_index=index,
        )


def _float(v: float | str | None) -> float | None:
    return None if v is None else float(v)


def parse_json(raw: bytes) -> ParseResult:
    """Broadcasts of a JSON array, a single JSON object, or JSON lines; feed and families are left for the caller."""
    result = ParseResult(format="json")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        result.problem(ENVELOPE, f"not UTF-8 text (byte {exc.start})", raw)
        return result
    for index, item, source in _items(text, result):
        _one(result, index, item, source)
    return result


def _items(text: str, result: ParseResult) -> list[tuple[int, Any, bytes]]:
    """(index, decoded value or the error text, raw bytes) of every broadcast in ``text``."""
    stripped = text.strip()
    if stripped.startswith(("[", "{")):
        try:
            whole = json.loads(stripped)
        except _MAX_DEPTH_ERRORS:
            whole = None
        if isinstance(whole, list):
            return [(i, item, json.dumps(item).encode()) for i, item in enumerate(whole)]
        if isinstance(whole, dict):
            return [(0, whole, stripped.encode())]
        if stripped.startswith("["):
            result.problem(ENVELOPE, "not a JSON array: it does not parse as a whole", text.encode())
            return []
    return [(i, _line(line), line.encode()) for i, line in enumerate(ln for ln in text.splitlines() if ln.strip())]


class _NotJson(str):
    """A line that did not decode; the text is the reason."""


def _line(line: str) -> Any:
    try:
        return json.loads(line)
    except RecursionError:
        return _NotJson("nested too deeply")
    except ValueError as exc:
        return _NotJson(f"not JSON: {exc}")


def _one(result: ParseResult, index: int, item: Any, source: bytes) -> None:
    if isinstance(item, _NotJson):
        result.problem(index, str(item), source)
        return
    if not isinstance(item, dict):
        result.problem(index, f"not a JSON object (got {type(item).__name__})", source)
        return
    try:
        result.add(_JsonBroadcast.model_validate(item).canonical(index), source)
    except ValidationError as exc:
        result.problem(index, "; ".join(_describe(e) for e in exc.errors()), source)
    except (ValueError, OverflowError) as exc:
        result.problem(index, str(exc), source)


def _describe(err: Any) -> str:
    where = ".".join(str(p) for p in err["loc"]) or "(object)"
    text = {"missing": "missing field", "extra_forbidden": "unknown field"}.get(err["type"], err["msg"])
    return f"{where}: {text}"
