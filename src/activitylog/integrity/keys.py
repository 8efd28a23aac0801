"""The server's signing key: Ed25519, in a file outside the database.

Invariants:
- the private key never enters the database: whoever can change the database cannot sign, so a forged
  checkpoint is told apart by its signature;
- the key file is made on first start (`load_or_create`) with mode 0600, by an exclusive create, so two
  processes starting together end up with one key; an existing file is only read;
- a key's id is the first 16 hex digits of the SHA-256 of its raw public key: checkpoints name the key that
  signed them, and verification refuses any other.

Where the file lives is the configuration's choice (`settings.signing_key_path`): this module is given a path.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from activitylog.errors import ActivityLogError


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_pem(public: Ed25519PublicKey) -> str:
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def load_public_key(pem: str | bytes) -> Ed25519PublicKey:
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError as problem:
        raise ActivityLogError(f"not a PEM public key: {problem}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ActivityLogError("the public key is not an Ed25519 key")
    return key


@dataclass(frozen=True)
class Verifier:
    """Checks signatures with one public key."""

    public: Ed25519PublicKey

    @property
    def key_id(self) -> str:
        return key_id(self.public)

    @property
    def pem(self) -> str:
        return public_pem(self.public)

    def valid(self, signature: bytes, message: bytes) -> bool:
        try:
            self.public.verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class Signer(Verifier):
    """The server's key pair."""

    private: Ed25519PrivateKey

    @classmethod
    def of(cls, private: Ed25519PrivateKey) -> Signer:
        return cls(private.public_key(), private)

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)


def load_or_create(path: str | Path) -> Signer:
    """The key in `path`, made there first (mode 0600, its folder too if missing) when there is none."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first: use theirs
        else:
            with os.fdopen(descriptor, "wb") as file:
                file.write(pem)
                file.flush()
                os.fsync(file.fileno())
    try:
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as problem:
        raise ActivityLogError(f"cannot read the signing key {path}: {problem}") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise ActivityLogError(f"the signing key {path} is not an Ed25519 key")
    return Signer.of(private)
