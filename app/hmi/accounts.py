"""HMI accounts: users with a role and an argon2 password hash, login sessions, and the audit log.

What it is for: the storage behind ``app.hmi.commands`` (login, session check, audit of every attempt),
``jis users`` (``app.cli.users``), an operator's badge and PIN (``set_badge``, ``verify_badge``), a user's own
screen language (``set_language``), and the service's audit hook (failed logins are limited in
``app.hmi.login_limits``). Tables live on their own ``DeclarativeBase``
and are created on whatever engine they are given (the service passes its journal's engine).
What it must not do: keep or log a password or a session token in clear (passwords and PINs are argon2id hashes via
argon2-cffi, tokens and badge ids are stored as SHA-256 digests), accept any password by default (no user exists until
``jis users add`` or the demo's ``ensure_demo_users`` creates one), or decide what a role may do
(``app.hmi.roles``). Every method opens its own short transaction, so the methods may run on worker threads; the
service runs the writes on its single database-writer thread.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, Float, Integer, String, Text, delete, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from app.hmi.roles import Role, is_role
from app.persist.store import make_engine
from sequencer.commands import AuditRecord

log = logging.getLogger(__name__)

NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# An operator's badge (an RFID or barcode reader types it as a keyboard): printable ASCII, no blanks. Stored as its
# SHA-256 digest (it is looked up by it; a digest in a log or the audit names a badge without giving it away).
BADGE_PATTERN = re.compile(r"[\x21-\x7e]{4,64}")
PIN_PATTERN = re.compile(r"[0-9]{4,8}")  # a short PIN on a touch pad: with the badge, not instead of it
LANGUAGE_PATTERN = re.compile(r"([a-z]{2})?")  # a user's own screen language (ISO 639-1), "" for the screen's
MIN_PASSWORD_LEN = 8  # NIST SP 800-63B 5.1.1.2: at least 8 characters for a memorised secret
MAX_PASSWORD_LEN = 1024  # bounds the hashing work an attacker can ask for
MAX_SESSIONS_PER_USER = 8  # a person on a few panels; the oldest session goes when a ninth opens
TOKEN_BYTES = 32  # 256 bits from the OS's CSPRNG (secrets)
# Column widths of the audit log: a row is truncated to fit, never refused (an audit write must not fail).
AUDIT_WIDTHS: dict[str, int] = {"user": 64, "role": 16, "action": 40, "target": 200, "reason": 500, "result": 20}
AUDIT_DETAIL_WIDTH = 1000
RETENTION_ACTION = "audit_retention"  # the line a pruning leaves, with the count


class AccountError(ValueError):
    """A user-management request that cannot be done (unknown user, bad name, weak password, ...)."""


class AccountBase(DeclarativeBase):
    pass


class UserRow(AccountBase):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(256), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[float] = mapped_column(Float, nullable=False)
    changed_at: Mapped[float] = mapped_column(Float, nullable=False)


class BadgeRow(AccountBase):
    """An operator's badge and PIN (a table of its own: databases made before badges get it by ``create_all``)."""

    __tablename__ = "user_badges"
    user: Mapped[str] = mapped_column(String(64), primary_key=True)
    badge_digest: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)  # SHA-256 hex of the badge
    pin_hash: Mapped[str] = mapped_column(String(256), nullable=False)  # argon2id, like a password
    changed_at: Mapped[float] = mapped_column(Float, nullable=False)


class ProfileRow(AccountBase):
    """A user's own screen language (a table of its own, as ``BadgeRow``)."""

    __tablename__ = "user_profiles"
    user: Mapped[str] = mapped_column(String(64), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), nullable=False, default="")
    changed_at: Mapped[float] = mapped_column(Float, nullable=False)


class SessionRow(AccountBase):
    __tablename__ = "hmi_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 hex of the token
    user: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    issued_at: Mapped[float] = mapped_column(Float, nullable=False)
    expires_at: Mapped[float] = mapped_column(Float, nullable=False, index=True)


class AuditRow(AccountBase):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[float] = mapped_column(Float, nullable=False, index=True)
    user: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    action: Mapped[str] = mapped_column(String(40), nullable=False)
    target: Mapped[str] = mapped_column(String(200), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    result: Mapped[str] = mapped_column(String(20), nullable=False)
    detail: Mapped[str] = mapped_column(Text, nullable=False, default="")


@dataclass(frozen=True, slots=True, kw_only=True)
class User:
    name: str
    role: str
    active: bool
    created_at: float
    changed_at: float


@dataclass(frozen=True, slots=True, kw_only=True)
class LoginSession:
    token: str  # given to the HMI once; only its digest is stored
    user: str
    role: str
    expires_at: float


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry:
    """One line of the audit log: who, when, what, why, and the result."""

    at: float
    user: str
    role: str
    action: str
    target: str
    reason: str
    result: str
    detail: str = ""
    id: int = 0


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def badge_digest(badge: str) -> str:
    """What is stored of a badge, and what the audit log and the login limits name it by."""
    return hashlib.sha256(badge.strip().encode("utf-8", "surrogatepass")).hexdigest()


def badge_key(badge: str) -> str:
    """A badge as the audit log and the login limits name it: ``badge:`` and 16 hex digits of its digest."""
    return digest_key(badge_digest(badge))


def digest_key(digest: str) -> str:
    """``badge_key`` of a badge's stored digest."""
    return f"badge:{digest[:16]}"


def check_badge(badge: str) -> str:
    if not BADGE_PATTERN.fullmatch(badge.strip()):
        raise AccountError("a badge id is 4-64 printable characters without blanks")
    return badge.strip()


def check_pin(pin: str) -> str:
    if not PIN_PATTERN.fullmatch(pin):
        raise AccountError("a PIN is 4 to 8 digits")
    return pin


def check_language(language: str) -> str:
    if not LANGUAGE_PATTERN.fullmatch(language):
        raise AccountError(f"a language is a two-letter code (en, de, es), not {language[:20]!r}")
    return language


def check_name(name: str) -> str:
    if not NAME_PATTERN.fullmatch(name):
        raise AccountError(f"bad user name {name[:70]!r}: 1-64 of A-Z a-z 0-9 . _ -, starting with a letter or digit")
    return name


def check_password(password: str) -> str:
    if not MIN_PASSWORD_LEN <= len(password) <= MAX_PASSWORD_LEN:
        raise AccountError(f"a password needs {MIN_PASSWORD_LEN} to {MAX_PASSWORD_LEN} characters")
    if not password.strip():
        raise AccountError("a password cannot be only blanks")
    return password


def check_role(role: str) -> str:
    if not is_role(role):
        raise AccountError(f"unknown role {role[:20]!r}")
    return role


class AccountStore:
    """Users, sessions and the audit log on ``engine`` (tables created if missing)."""

    def __init__(
        self,
        engine: Engine,
        *,
        hasher: PasswordHasher | None = None,
        clock: Callable[[], float] = time.time,
        owns_engine: bool = False,
    ) -> None:
        self.engine = engine
        self.hasher = hasher or PasswordHasher()  # argon2id, RFC 9106 low-memory profile
        self.clock = clock
        self._owns_engine = owns_engine
        self._dummy_hash: str | None = None
        AccountBase.metadata.create_all(engine)

    @classmethod
    def open(cls, url: str, *, hasher: PasswordHasher | None = None) -> AccountStore:
        """A store on its own engine for ``url`` (the command line); ``close()`` disposes of it."""
        return cls(make_engine(url), hasher=hasher, owns_engine=True)

    def close(self) -> None:
        if self._owns_engine:
            self.engine.dispose()

    # -- users ---------------------------------------------------------------------------------------------
    def add_user(self, name: str, role: str, password: str) -> User:
        check_name(name)
        check_role(role)
        check_password(password)
        now = self.clock()
        row = UserRow(
            name=name, role=role, password_hash=self.hasher.hash(password), active=True, created_at=now, changed_at=now
        )
        with Session(self.engine) as s, s.begin():
            if s.scalar(select(UserRow.id).where(UserRow.name == name)) is not None:
                raise AccountError(f"user {name!r} exists already")
            s.add(row)
        return User(name=name, role=role, active=True, created_at=now, changed_at=now)

    def set_password(self, name: str, password: str) -> None:
        """A new password; every open session of the user is closed."""
        check_password(password)
        self._change(name, password_hash=self.hasher.hash(password))

    def set_role(self, name: str, role: str) -> None:
        self._change(name, role=check_role(role))

    def disable(self, name: str) -> None:
        """The user can no longer log in; open sessions are closed at once."""
        self._change(name, active=False)

    def enable(self, name: str) -> None:
        self._change(name, active=True)

    def _change(self, name: str, **values: object) -> None:
        with Session(self.engine) as s, s.begin():
            stmt = update(UserRow).where(UserRow.name == name).values(changed_at=self.clock(), **values)
            if s.execute(stmt).rowcount == 0:  # type: ignore[attr-defined]
                raise AccountError(f"no user {name[:70]!r}")
            s.execute(delete(SessionRow).where(SessionRow.user == name))

    def set_badge(self, name: str, badge: str, pin: str) -> None:
        """Give ``name`` a badge and a PIN (replacing theirs); a badge another user holds is refused. The user's
        open sessions are closed, as at a new password."""
        badge, pin = check_badge(badge), check_pin(pin)
        digest, pin_hash, now = badge_digest(badge), self.hasher.hash(pin), self.clock()
        with Session(self.engine) as s, s.begin():
            if s.scalar(select(UserRow.id).where(UserRow.name == name)) is None:
                raise AccountError(f"no user {name[:70]!r}")
            holder = s.scalar(select(BadgeRow.user).where(BadgeRow.badge_digest == digest))
            if holder is not None and holder != name:
                raise AccountError("that badge belongs to another user")
            s.execute(delete(BadgeRow).where(BadgeRow.user == name))
            s.add(BadgeRow(user=name, badge_digest=digest, pin_hash=pin_hash, changed_at=now))
        self._change(name)

    def clear_badge(self, name: str) -> None:
        """``name`` logs in with the user name and password only."""
        with Session(self.engine) as s, s.begin():
            s.execute(delete(BadgeRow).where(BadgeRow.user == name))
        self._change(name)

    def badge_holders(self) -> set[str]:
        with Session(self.engine) as s:
            return set(s.scalars(select(BadgeRow.user)))

    def set_language(self, name: str, language: str) -> None:
        """``name``'s own screen language (a panel switches to it at their login); "" for the screen's own."""
        check_language(language)
        with Session(self.engine) as s, s.begin():
            if s.scalar(select(UserRow.id).where(UserRow.name == name)) is None:
                raise AccountError(f"no user {name[:70]!r}")
            s.execute(delete(ProfileRow).where(ProfileRow.user == name))
            s.add(ProfileRow(user=name, language=language, changed_at=self.clock()))

    def language_of(self, name: str) -> str:
        with Session(self.engine) as s:
            return s.scalar(select(ProfileRow.language).where(ProfileRow.user == name)) or ""

    def verify_badge(self, badge: str, pin: str) -> tuple[str, Role] | None:
        """(user, role) if ``badge`` is an active user's and ``pin`` is its PIN, else None (never raises for input).
        An unknown badge costs one hash check too, so the time taken does not tell which badges exist."""
        if not BADGE_PATTERN.fullmatch(badge.strip()) or not PIN_PATTERN.fullmatch(pin):
            return None
        stmt = (
            select(UserRow.name, UserRow.role, UserRow.active, BadgeRow.pin_hash)
            .join(BadgeRow, BadgeRow.user == UserRow.name)
            .where(BadgeRow.badge_digest == badge_digest(badge))
        )
        with Session(self.engine) as s:
            row = s.execute(stmt).first()
        if row is None or not row[2]:
            self._check(self._dummy(), pin)
            return None
        if not self._check(row[3], pin):
            return None
        return row[0], row[1]  # type: ignore[return-value]

    def known_names(self) -> set[str]:
        """Every user's name (active or not) and every badge's key (``badge_key``): the names whose refused logins
        are always audited one by one (``app.hmi.audit_bounds``)."""
        with Session(self.engine) as s:
            names = set(s.scalars(select(UserRow.name)))
            return names | {digest_key(digest) for digest in s.scalars(select(BadgeRow.badge_digest))}

    def users(self) -> list[User]:
        with Session(self.engine) as s:
            return [_user(r) for r in s.scalars(select(UserRow).order_by(UserRow.name))]

    def role_of(self, name: str) -> str | None:
        """The role of an active user, None for an unknown or disabled one."""
        with Session(self.engine) as s:
            return s.scalar(select(UserRow.role).where(UserRow.name == name, UserRow.active.is_(True)))

    def verify(self, name: str, password: str) -> Role | None:
        """The user's role if ``password`` is right and the user is active, else None (never raises for input).

        An unknown or disabled user costs one hash check too, so the time taken does not tell who exists.
        """
        if len(password) > MAX_PASSWORD_LEN or not NAME_PATTERN.fullmatch(name):
            return None
        with Session(self.engine) as s:
            row = s.scalar(select(UserRow).where(UserRow.name == name))
            stored = (row.password_hash, row.role, row.active) if row is not None else None
        if stored is None or not stored[2]:
            self._check(self._dummy(), password)
            return None
        if not self._check(stored[0], password):
            return None
        if self.hasher.check_needs_rehash(stored[0]):  # parameters were raised since: upgrade on login
            self._change_hash_only(name, self.hasher.hash(password))
        return stored[1]  # type: ignore[return-value]

    def _check(self, stored_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(stored_hash, password)
        except InvalidHashError:
            log.error("accounts: a stored password hash is not an argon2 hash; login refused")
            return False
        except VerificationError:  # VerifyMismatchError is one
            return False

    def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))
        return self._dummy_hash

    def _change_hash_only(self, name: str, password_hash: str) -> None:
        with Session(self.engine) as s, s.begin():
            s.execute(update(UserRow).where(UserRow.name == name).values(password_hash=password_hash))

    # -- sessions ------------------------------------------------------------------------------------------
    def open_session(self, name: str, role: str, *, now: float, lifetime_s: float) -> LoginSession:
        """A fresh random token for ``name``, valid until ``now + lifetime_s``; expired sessions are purged."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        expires = now + lifetime_s
        with Session(self.engine) as s, s.begin():
            s.execute(delete(SessionRow).where(SessionRow.expires_at <= now))
            kept = select(SessionRow.token_hash).where(SessionRow.user == name)
            kept = kept.order_by(SessionRow.issued_at.desc()).limit(MAX_SESSIONS_PER_USER - 1)
            s.execute(delete(SessionRow).where(SessionRow.user == name, SessionRow.token_hash.not_in(kept)))
            s.add(SessionRow(token_hash=token_digest(token), user=name, issued_at=now, expires_at=expires))
        return LoginSession(token=token, user=name, role=role, expires_at=expires)

    def session(self, token: str, *, now: float) -> tuple[str, str] | None:
        """(user, current role) for a live token of an active user; None if unknown, expired or disabled."""
        stmt = (
            select(UserRow.name, UserRow.role)
            .join(SessionRow, SessionRow.user == UserRow.name)
            .where(SessionRow.token_hash == token_digest(token), SessionRow.expires_at > now)
            .where(UserRow.active.is_(True))
        )
        with Session(self.engine) as s:
            row = s.execute(stmt).first()
        return (row[0], row[1]) if row is not None else None

    def close_session(self, token: str) -> str | None:
        """End a session; returns its user, or None if there was no such session."""
        digest = token_digest(token)
        with Session(self.engine) as s, s.begin():
            user = s.scalar(select(SessionRow.user).where(SessionRow.token_hash == digest))
            s.execute(delete(SessionRow).where(SessionRow.token_hash == digest))
        return user

    def session_count(self) -> int:
        with Session(self.engine) as s:
            return int(s.scalar(select(func.count()).select_from(SessionRow)) or 0)

    # -- audit log -----------------------------------------------------------------------------------------
    def audit_append(self, entry: AuditEntry) -> int:
        """Append one line to the audit log (fields truncated to their column widths); returns its id. A NUL, which
        PostgreSQL's text cannot hold, is kept as U+2400 (the symbol for null): the line is written, never lost."""
        values = {key: _storable(str(getattr(entry, key)))[:width] for key, width in AUDIT_WIDTHS.items()}
        row = AuditRow(at=entry.at, detail=_storable(entry.detail)[:AUDIT_DETAIL_WIDTH], **values)
        with Session(self.engine) as s, s.begin():
            s.add(row)
            s.flush()
            return row.id

    def audit_record(self, record: AuditRecord, *, detail: str = "") -> int:
        """The core's record of a manual operation it carried out (role looked up from the user's account)."""
        entry = AuditEntry(
            at=record.at,
            user=record.user,
            role=self.role_of(record.user) or "",
            action=record.action,
            target=record.target,
            reason=record.reason,
            result=record.result,
            detail=detail,
        )
        return self.audit_append(entry)

    def audit_prune(self, before: float, *, at: float) -> int:
        """Retention (``[service.audit] retention_days``): lines older than ``before`` go; if any did, one line
        (``action`` ``audit_retention``) says how many, so the log keeps the count. Returns how many went."""
        with Session(self.engine) as s, s.begin():
            gone = int(s.execute(delete(AuditRow).where(AuditRow.at < before)).rowcount or 0)  # type: ignore[attr-defined]
        if gone:
            cutoff = datetime.fromtimestamp(before, UTC).isoformat(timespec="seconds")
            reason = f"{gone} audit lines older than {cutoff} pruned (retention)"
            self.audit_append(
                AuditEntry(
                    at=at, user="", role="", action=RETENTION_ACTION, target="audit_log", reason=reason, result="done"
                )
            )
        return gone

    def audit_query(
        self,
        *,
        user: str | None = None,
        action: str | None = None,
        result: str | None = None,
        since: float | None = None,
        until: float | None = None,
        limit: int = 1000,
    ) -> list[AuditEntry]:
        """The newest ``limit`` matching lines, oldest first."""
        stmt = select(AuditRow)
        filters = ((AuditRow.user, user), (AuditRow.action, action), (AuditRow.result, result))
        for column, wanted in filters:
            if wanted is not None:
                stmt = stmt.where(column == wanted)
        if since is not None:
            stmt = stmt.where(AuditRow.at >= since)
        if until is not None:
            stmt = stmt.where(AuditRow.at < until)
        with Session(self.engine) as s:
            rows = s.scalars(stmt.order_by(AuditRow.id.desc()).limit(max(0, limit))).all()
            return [_entry(r) for r in reversed(rows)]


def printable(text: str) -> str:
    """``text`` safe for one line of a terminal: a backslash doubled, and every control or format character (a
    newline, ESC, a bidirectional override; Unicode categories Cc, Cf, Zl, Zp) written as ``\\xNN`` / ``\\uNNNN``,
    so a name cannot forge a line or reach the terminal as a command."""
    out: list[str] = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif unicodedata.category(ch) in _UNPRINTABLE:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(ch)
    return "".join(out)


_UNPRINTABLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def _user(row: UserRow) -> User:
    return User(name=row.name, role=row.role, active=row.active, created_at=row.created_at, changed_at=row.changed_at)


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        at=row.at,
        user=row.user,
        role=row.role,
        action=row.action,
        target=row.target,
        reason=row.reason,
        result=row.result,
        detail=row.detail,
    )


def _storable(text: str) -> str:
    """``text`` as every database can store it: NUL as U+2400 (PostgreSQL refuses NUL in text)."""
    return text.replace("\x00", "\u2400")
