"""The demo's HMI users: one per role, with a fresh random password each run (and the operator a badge and PIN),
told once on stderr."""

from __future__ import annotations

import secrets
import sys
from collections.abc import Callable

from app.hmi.accounts import AccountStore
from app.hmi.roles import ROLES

DEMO_USERS: dict[str, str] = {f"demo-{role}": role for role in ROLES}  # name -> role, one per role
DEMO_PASSWORD_BYTES = 12  # 16 URL-safe characters from the OS's CSPRNG
DEMO_BADGE_USER = "demo-operator"  # also gets a badge and a PIN, for the operator panel's badge login
DEMO_PIN_DIGITS = 6


def ensure_demo_users(accounts: AccountStore, *, say: Callable[[str], None] | None = None) -> dict[str, str]:
    """One active user per role (``demo-operator`` ... ``demo-admin``) with a fresh random password.

    Existing demo users get a new password (and their role back), so the passwords printed are the only valid
    ones. They are told once through ``say`` (default: stderr, which stays clear of ``jis demo --json``).
    Returns name -> password so the demo's own stand-ins can log in.
    """
    known = {u.name for u in accounts.users()}
    passwords = {name: secrets.token_urlsafe(DEMO_PASSWORD_BYTES) for name in DEMO_USERS}
    for name, role in DEMO_USERS.items():
        if name in known:
            accounts.set_role(name, role)
            accounts.set_password(name, passwords[name])
            accounts.enable(name)
        else:
            accounts.add_user(name, role, passwords[name])
    badge, pin = f"DEMO-{secrets.token_hex(4).upper()}", f"{secrets.randbelow(10**DEMO_PIN_DIGITS):0{DEMO_PIN_DIGITS}d}"
    accounts.set_badge(DEMO_BADGE_USER, badge, pin)  # a badge of this run only, as the passwords
    lines = ", ".join(f"{name} / {password}" for name, password in passwords.items())
    (say or _to_stderr)(
        f"demo HMI users for this run only (user / password): {lines}; "
        f"{DEMO_BADGE_USER}'s badge / PIN (type the badge at the operator panel): {badge} / {pin}"
    )
    return passwords


def _to_stderr(text: str) -> None:
    print(text, file=sys.stderr)
