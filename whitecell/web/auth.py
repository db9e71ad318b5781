"""Who is calling: join-link tokens, signed session cookies, control accounts, CSRF.

A join link carries a random token (192 bits) stored only as its SHA-256. Opening
the link sets a session cookie naming the seat row, signed with the server's key.
Control accounts log in with a password hashed by argon2. Forms and scripted
requests from a browser carry a CSRF token derived from the session.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from whitecell.engine.seats import Seat

SEAT_COOKIE = "wc_seat"
ACCOUNT_COOKIE = "wc_account"
LANG_COOKIE = "wc_lang"
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


class Signer:
    """HMAC-SHA256 signatures for cookie values and CSRF tokens."""

    def __init__(self, key: bytes) -> None:
        self.key = key

    def mac(self, value: str) -> str:
        digest = hmac.new(self.key, value.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def sign(self, value: str) -> str:
        return f"{value}.{self.mac(value)}"

    def unsign(self, signed: str | None) -> str | None:
        if not signed or "." not in signed:
            return None
        value, mac = signed.rsplit(".", 1)
        return value if hmac.compare_digest(mac, self.mac(value)) else None

    def csrf(self, session: str) -> str:
        return self.mac(f"csrf:{session}")


@dataclass(frozen=True)
class Caller:
    """An authenticated caller: a person at a seat of one game, or a control account."""

    seat: Seat
    person: str
    lead: bool
    game_id: str | None  # None for an account, which is control of every game
    seat_id: str | None = None
    account_id: str | None = None
    session: str | None = None  # what a session cookie for this seat names

    @property
    def principal(self) -> str:
        """Whose idempotency keys these are."""
        return f"seat:{self.seat_id}" if self.seat_id else f"account:{self.account_id}"

    def may_enter(self, game_id: str) -> bool:
        return self.game_id is None or self.game_id == game_id

    def seat_for(self, game_id: str) -> Seat:
        return self.seat
