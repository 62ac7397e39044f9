"""Events to and from JSON for the journal: the type's name plus its fields. Tuples survive the round trip."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from sequencer.events import EVENT_TYPES, Event


def encode_event(event: Event) -> tuple[str, str]:
    return type(event).__name__, json.dumps(dataclasses.asdict(event), separators=(",", ":"))


def _tupled(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tupled(v) for v in value)
    return value


def decode_event(kind: str, payload: str) -> Event:
    cls = EVENT_TYPES[kind]
    fields = {k: _tupled(v) for k, v in json.loads(payload).items()}
    return cls(**fields)
