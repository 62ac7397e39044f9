"""The user check of every OPC UA server the project runs (the line's SCADA/MES server and the simulated devices).

Never accept-all: a user name must be in the table of hashed passwords (``plc_io.opcua.security.UserTable``);
anonymous only where the profile allows it (dev); in the plant profile the secure channel's own client
certificate must be in the trust list too (CreateSession checked the certificate the client CLAIMED, this checks
the one it actually encrypts with). Every refusal is counted and logged with its reason.
"""

from __future__ import annotations

import logging
from typing import Any

from asyncua.crypto.permission_rules import User, UserRole
from asyncua.server.user_managers import UserManager

from plc_io.opcua.security import TrustList, UserTable

log = logging.getLogger(__name__)


class CheckedUserManager(UserManager):
    def __init__(self, users: UserTable, *, allow_anonymous: bool, server: str) -> None:
        self.users = users
        self.allow_anonymous = allow_anonymous
        self.server = server  # named in the log: which server refused
        self.trust: TrustList | None = None  # set in the plant profile once the trust list is loaded
        self.refused = 0

    def get_user(
        self, iserver: Any, username: str | None = None, password: str | None = None, certificate: Any = None
    ) -> User | None:
        if self.trust is not None and not self.trust.contains(certificate):
            return self._refuse("channel certificate not in the trust list", username)
        if username is None:
            return User(role=UserRole.User, name="anonymous") if self.allow_anonymous else self._refuse("anonymous")
        if not self.users.check(username, password):
            return self._refuse("unknown user or wrong password", username)
        return User(role=UserRole.User, name=username)

    def _refuse(self, reason: str, username: str | None = None) -> User | None:
        self.refused += 1
        log.warning("%s: OPC UA session refused: %s (user %r)", self.server, reason, username)
        return None
