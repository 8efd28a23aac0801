"""Password hashing with Argon2id (argon2-cffi's defaults, RFC 9106's low-memory profile).

Invariants: only the hash is stored; verifying an unknown account still costs one hash verification, so the
time of an answer does not tell whether an email is registered; a hash made with older parameters is
upgraded on the next successful sign-in.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from activitylog.errors import InvalidInput

MIN_LENGTH, MAX_LENGTH = 10, 200

_hasher = PasswordHasher()
_DUMMY = _hasher.hash("a password nobody has, to spend the same time on unknown accounts")


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher.hash(password)


def check_strength(password: str, field: str = "password") -> None:
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise InvalidInput.single(field, f"must be {MIN_LENGTH} to {MAX_LENGTH} characters")
    if password.strip() != password or not password.strip():
        raise InvalidInput.single(field, "must not start or end with spaces")


def verify(stored_hash: str | None, password: str) -> bool:
    """Whether `password` matches; with no stored hash (unknown account, or no password yet), False after
    the same amount of work."""
    try:
        return _hasher.verify(stored_hash or _DUMMY, password[:MAX_LENGTH]) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def rehash(stored_hash: str | None, password: str) -> str | None:
    """A new hash of a password just verified, when the stored one used weaker parameters; else None."""
    if stored_hash is None or not _hasher.check_needs_rehash(stored_hash):
        return None
    return _hasher.hash(password)
