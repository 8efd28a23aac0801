"""Two-factor sign-in: TOTP codes from an authenticator app (RFC 6238, 30 s steps, 6 digits) and one-time
recovery codes.

Invariants: a code is accepted within one step of the server's clock either way (clock drift), and signs a
teammate in once (the sign-in records its time step; see accounts/signin.py); recovery
codes are stored only as SHA-256 digests (they carry 60 random bits each and are used once), and a used one
is removed in the same transaction that signs the teammate in.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

import pyotp

ISSUER = "activitylog"
RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud or typed from paper
_DIGITS = frozenset("0123456789")
_SECRET = re.compile(r"[A-Z2-7]{32}")  # what `new_secret` makes: 160 bits in base32


def new_secret() -> str:
    return pyotp.random_base32()


def valid_secret(secret: str) -> bool:
    """Whether `secret` has the shape `new_secret` gives. The enrolment form carries the secret back, so it may
    have been tampered with; pyotp raises on one that is not base32."""
    return bool(_SECRET.fullmatch(secret))


def provisioning_uri(secret: str, email: str, workspace_name: str) -> str:
    """The otpauth:// URI an authenticator app takes (typed in, or as a QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=f"{ISSUER} ({workspace_name})")


def matching_step(secret: str, code: str, *, at: float | None = None) -> int | None:
    """The time step (30 s since the epoch) whose code `code` is: the current one or one either side, for clock
    drift; None when it is none of them. Only ASCII digits count: `str.isdigit` also takes Arabic-Indic or
    full-width digits, which no authenticator shows and which `hmac.compare_digest` refuses to compare."""
    digits = "".join(ch for ch in code if ch in _DIGITS)
    if len(digits) != 6 or len(code) > 64:
        return None
    totp = pyotp.TOTP(secret)
    now = int((time.time() if at is None else at) // totp.interval)
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(totp.generate_otp(step), digits):
            return step
    return None


def verify_code(secret: str, code: str, *, at: float | None = None) -> bool:
    return matching_step(secret, code, at=at) is not None


def new_recovery_codes() -> list[str]:
    """Ten codes like `k7qm-x2pd-9tha` (60 bits each), shown once."""
    return [
        "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3)) for _ in range(RECOVERY_CODES)
    ]


def digest(code: str) -> str:
    normalised = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


def match_recovery_code(stored: list[str], code: str) -> str | None:
    """The stored digest this code matches, or None; compared in constant time."""
    wanted = digest(code)
    found = None
    for candidate in stored:
        if hmac.compare_digest(candidate, wanted):
            found = candidate
    return found
