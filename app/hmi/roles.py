"""The role table: which role may ask for which manual operation over the HMI command channel.

What it is for: one table, as data, that ``app.hmi.commands`` consults before any intent reaches the core, that
``jis users`` uses to name the roles, and that docs/hmi-commands.md reproduces. Roles are cumulative in the
plant's chain of responsibility: operator < shift lead < engineer < admin. Beside it, the intent catalogue:
what each manual operation carries, as strict models derived from ``sequencer.events`` (``build_intent``).
What it must not do: decide whether an operation makes sense for the line (the core does that, and refuses with
its reason), know about sessions or passwords, grant anything by default (a role or an action that is not in
the table is refused), or let the HMI set who or when (``SERVER_FILLED``).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Final, Literal, get_args, get_type_hints

from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from sequencer.events import MANUAL_OPS, ManualOp

Role = Literal["operator", "lead", "engineer", "admin"]
ROLES: Final[tuple[Role, ...]] = get_args(Role)

ROLE_TITLES: Final[dict[Role, str]] = {
    "operator": "line operator",
    "lead": "shift lead",
    "engineer": "engineer",
    "admin": "administrator",
}

# Actions that are not sequencer intents. Managing users is done today with `jis users` on the service host
# (which needs the database); the action is in the table so an admin screen can be authorised the same way.
MANAGE_USERS: Final = "ManageUsers"
# A service operation, not a core intent: run a quarantined message through the intake again after a fix.
REPROCESS: Final = "ReprocessQuarantined"
# A question, not an operation: the parts traced to a vehicle, serial or batch, from traced_parts (app.service.trace).
TRACE: Final = "TraceParts"
# A screen's operation, not a core intent: a kiosk operator panel moves to another station (audited; the screen
# moves once the audit line is written).
CHANGE_STATION: Final = "ChangeStation"

# An operator at the line acknowledges what the light/andon tells them, replaces a damaged label and scans the
# part they pick (a hand scanner on the panel: ScanPart, the same read a fixed reader's would be); every
# intervention in the sequence itself (hold, cancel, reorder, confirm by hand, ship by hand) is the shift
# lead's (ISA-18.2 splits acknowledging an alarm from shelving it for the same reason).
OPERATOR_ACTIONS: Final[frozenset[str]] = frozenset({"AcknowledgeAlarm", "ReprintLabel", "ScanPart"})
LEAD_ACTIONS: Final[frozenset[str]] = frozenset(op.__name__ for op in MANUAL_OPS) | {REPROCESS, CHANGE_STATION, TRACE}
SIMULATOR_KNOBS: Final[frozenset[str]] = frozenset()  # engineer-only knobs (fault injection, speed): none yet
ENGINEER_ACTIONS: Final[frozenset[str]] = LEAD_ACTIONS | SIMULATOR_KNOBS
ADMIN_ACTIONS: Final[frozenset[str]] = ENGINEER_ACTIONS | {MANAGE_USERS}

ROLE_TABLE: Final[dict[Role, frozenset[str]]] = {
    "operator": OPERATOR_ACTIONS,
    "lead": LEAD_ACTIONS,
    "engineer": ENGINEER_ACTIONS,
    "admin": ADMIN_ACTIONS,
}

_BY_NAME: Final[dict[str, frozenset[str]]] = {role: acts for role, acts in ROLE_TABLE.items()}  # untrusted lookups


def may(role: str, action: str) -> bool:
    """True only if the table lets ``role`` do ``action``; unknown roles and actions are refused."""
    return action in _BY_NAME.get(role, frozenset())


def is_role(name: str) -> bool:
    return name in _BY_NAME


def roles_allowed(action: str) -> tuple[Role, ...]:
    """The roles that may do ``action``, lowest first (for refusal messages and the docs)."""
    return tuple(role for role in ROLES if action in ROLE_TABLE[role])


# -- what each intent carries ------------------------------------------------------------------------------
SERVER_FILLED: Final = ("at", "user", "reason")  # set by the service from its clock and the session


def _fields_model(cls: type[ManualOp]) -> type[BaseModel]:
    """A strict model of an intent's own fields, derived from its dataclass (so the two cannot drift)."""
    hints = get_type_hints(cls)
    specs: dict[str, Any] = {
        f.name: (hints[f.name], ... if f.default is dataclasses.MISSING else f.default)
        for f in dataclasses.fields(cls)
        if f.name not in SERVER_FILLED
    }
    return create_model(f"{cls.__name__}Fields", __config__=ConfigDict(extra="forbid", strict=True), **specs)


INTENTS: Final[dict[str, tuple[type[ManualOp], type[BaseModel]]]] = {
    op.__name__: (op, _fields_model(op)) for op in MANUAL_OPS
}


def build_intent(action: str, fields: dict[str, Any], *, at: float, user: str, reason: str) -> ManualOp:
    """The intent ``action`` from JSON ``fields`` (strict: "42" is not a number; arrays become tuples).

    Raises ValueError naming every problem (without the values): unknown intent, a field the service sets,
    a missing, unknown or mistyped field.
    """
    if action not in INTENTS:
        raise ValueError(f"unknown intent {action!r}")
    filled = [name for name in SERVER_FILLED if name in fields]
    if filled:
        raise ValueError(f"{', '.join(filled)}: set by the service, not by the HMI")
    cls, model = INTENTS[action]
    try:
        values = model.model_validate_json(json.dumps(fields)).model_dump()
    except ValidationError as exc:
        raise ValueError(error_summary(exc)) from None
    return cls(at=at, user=user, reason=reason, **values)


def error_summary(exc: ValidationError, skip: tuple[str, ...] = ()) -> str:
    """Where and what, never the input itself (it may be a password); ``skip`` drops union tags from paths."""
    parts = []
    for err in exc.errors(include_input=False, include_url=False, include_context=False)[:5]:
        loc = ".".join(str(p) for p in err["loc"] if p not in skip)
        parts.append(f"{loc}: {err['msg']}" if loc else err["msg"])
    return "; ".join(parts)[:300]
