"""``jis users``: add, list, disable and re-enable HMI users, change a password or a role, give an operator a badge
and PIN (``badge``) or a user their own screen language (``lang``); read the audit log.

What it is for: the administrator's tool on the service host (it opens the plant's database directly, so the
operating system's file permissions decide who may run it). The demo's users are ``app.proof.demo_users``.
What it must not do: take a password, a badge or a PIN from the command line (visible in ``ps`` and the shell
history) or ever use a default one: a password (a PIN) is typed twice at a prompt without echo, or read as one line
from stdin with ``--password-stdin`` (``badge --stdin``: the badge, then the PIN) for scripts. It never prints a
stored hash, and only ``add`` may find no database and make one: every other action refuses a database that is not
there. The demo's passwords are random per run.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TextIO

from app.cli.context import database_of
from app.cli.options import Subparsers, add_config, add_database, at_least
from app.hmi.roles import ROLE_TITLES, ROLES

if TYPE_CHECKING:
    from app.hmi.accounts import AccountStore

HELP = "manage HMI users and read the audit log"
NAME_HELP = "the user's login name"
CREATES = frozenset({"add"})  # the only action that may make the database: every other one needs it there


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("users", help=HELP, description="Manage the users who may log in to an HMI.")
    add_config(parser, help="plant file whose database to use (default: the shipped demo plant)")
    add_database(parser)
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    roles = ", ".join(f"{r} ({ROLE_TITLES[r]})" for r in ROLES)
    add = sub.add_parser("add", help="add a user (password from a prompt or --password-stdin)")
    add.add_argument("name", help=NAME_HELP)
    add.add_argument("--role", required=True, choices=ROLES, help=roles)
    add.add_argument("--password-stdin", action="store_true", help="read the password as one line from stdin")
    sub.add_parser("list", help="list users, their roles and whether they may log in")
    passwd = sub.add_parser("passwd", help="set a new password (closes the user's open sessions)")
    passwd.add_argument("name", help=NAME_HELP)
    passwd.add_argument("--password-stdin", action="store_true", help="read the password as one line from stdin")
    for verb, text in (("disable", "stop a user logging in (closes open sessions)"), ("enable", "allow again")):
        sub.add_parser(verb, help=text).add_argument("name", help=NAME_HELP)
    badge = sub.add_parser(
        "badge", help="give a user a badge and a PIN for the operator panel (badge and PIN from prompts or stdin)"
    )
    badge.add_argument("name", help=NAME_HELP)
    badge.add_argument("--stdin", action="store_true", help="read the badge id, then the PIN, a line each, from stdin")
    badge.add_argument("--clear", action="store_true", help="take the user's badge away (password login only)")
    lang = sub.add_parser("lang", help="set the user's own screen language (a panel switches to it at their login)")
    lang.add_argument("name", help=NAME_HELP)
    lang.add_argument("language", help="en, de, es ... or '' for the screen's own")
    role = sub.add_parser("role", help="change a user's role (closes the user's open sessions)")
    role.add_argument("name", help=NAME_HELP)
    role.add_argument("role", choices=ROLES, help=roles)
    audit = sub.add_parser("audit", help="print the newest lines of the audit log")
    audit.add_argument("--user", default=None, help="only this user's lines")
    audit.add_argument("--limit", type=at_least(int, 1), default=50, help="lines at most (default 50)")
    parser.set_defaults(run=run)
    return parser


class _Io:
    """Where a command reads its password and writes its output."""

    def __init__(self, stdin: TextIO, stdout: TextIO, stderr: TextIO, prompt: Callable[[str], str]) -> None:
        self.stdin, self.stdout, self.stderr, self.prompt = stdin, stdout, stderr, prompt

    def password(self, args: argparse.Namespace) -> str:
        if args.password_stdin:
            return self.stdin.readline().rstrip("\r\n")
        first = self.prompt(f"password for {args.name}: ")
        if self.prompt("again: ") != first:
            from app.hmi.accounts import AccountError

            raise AccountError("the two passwords differ")
        return first

    def badge_and_pin(self, args: argparse.Namespace) -> tuple[str, str]:
        """The badge (a reader types it at the prompt, without echo) and the PIN, typed twice; or two lines of
        stdin with ``--stdin``."""
        if args.stdin:
            return self.stdin.readline().strip(), self.stdin.readline().rstrip("\r\n")
        badge = self.prompt(f"badge for {args.name} (hold it to the reader): ")
        pin = self.prompt("PIN (4-8 digits): ")
        if self.prompt("again: ") != pin:
            from app.hmi.accounts import AccountError

            raise AccountError("the two PINs differ")
        return badge, pin


def _add(store: AccountStore, args: argparse.Namespace, io: _Io) -> str:
    store.add_user(args.name, args.role, io.password(args))
    return f"added {args.name} as {args.role}"


def _passwd(store: AccountStore, args: argparse.Namespace, io: _Io) -> str:
    store.set_password(args.name, io.password(args))
    return f"password of {args.name} changed"


def _badge(store: AccountStore, args: argparse.Namespace, io: _Io) -> str:
    if args.clear:
        store.clear_badge(args.name)
        return f"badge of {args.name} taken away"
    badge, pin = io.badge_and_pin(args)
    store.set_badge(args.name, badge, pin)
    return f"badge and PIN of {args.name} set"


def _lang(store: AccountStore, args: argparse.Namespace, io: _Io) -> str:
    store.set_language(args.name, args.language)
    return f"language of {args.name}: {args.language or 'the screen’s own'}"


def _disable(store: AccountStore, args: argparse.Namespace, io: _Io) -> str:
    store.disable(args.name)
    return f"{args.name} disabled"


def _enable(store: AccountStore, args: argparse.Namespace, io: _Io) -> str:
    store.enable(args.name)
    return f"{args.name} enabled"


def _role(store: AccountStore, args: argparse.Namespace, io: _Io) -> str:
    store.set_role(args.name, args.role)
    return f"{args.name} is now {args.role}"


def _list(store: AccountStore, args: argparse.Namespace, io: _Io) -> str:
    from app.hmi.accounts import printable

    badges = store.badge_holders()
    rows = [
        f"{printable(u.name):<24} {u.role:<9} {'active' if u.active else 'disabled':<8} {_when(u.changed_at)}"
        f"  {'yes' if u.name in badges else 'no':<5} {store.language_of(u.name) or '-'}"
        for u in store.users()
    ]
    return "\n".join([f"{'name':<24} {'role':<9} {'state':<8} {'changed':<19}  {'badge':<5} lang", *rows])


def _audit(store: AccountStore, args: argparse.Namespace, io: _Io) -> str:
    """One line per audit line; every field through ``printable`` (what a screen sent is in them: a newline in a
    user name must not forge a line, an escape sequence must not reach the administrator's terminal)."""
    from app.hmi.accounts import printable as p

    lines = [
        f"{_when(e.at)} {p(e.user) or '-'}/{p(e.role) or '-'} {p(e.action)} [{p(e.target)}] {p(e.result)}: "
        f"{p(e.reason)} {p(e.detail)}"
        for e in store.audit_query(user=args.user, limit=args.limit)
    ]
    return "\n".join(lines) or "(no audit lines)"


ACTIONS: dict[str, Callable[[AccountStore, argparse.Namespace, _Io], str]] = {
    "add": _add,
    "passwd": _passwd,
    "disable": _disable,
    "enable": _enable,
    "role": _role,
    "badge": _badge,
    "lang": _lang,
    "list": _list,
    "audit": _audit,
}


def run(args: argparse.Namespace) -> int:
    """``jis users ...``: 0 done, 1 refused (unknown user, weak password, ...); a mistake ends in 2 or 3."""
    from app.hmi.accounts import AccountError, AccountStore

    io = _Io(sys.stdin, sys.stdout, sys.stderr, getpass.getpass)
    store = AccountStore.open(database_of(args, must_exist=args.action not in CREATES))
    try:
        print(ACTIONS[args.action](store, args, io), file=io.stdout)
        return 0
    except AccountError as exc:
        print(f"jis users: {exc}", file=io.stderr)
        return 1
    except (KeyboardInterrupt, EOFError):
        print("jis users: cancelled", file=io.stderr)
        return 1
    finally:
        store.close()


def _when(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M:%S")
