"""Ed25519 keys and signatures (the `cryptography` package), in the text forms this app stores and prints.

Keys are kept as hex of their raw 32 bytes; signatures travel as unpadded base64url (86 characters),
short enough for a QR code on every printed page.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

_RAW = serialization.Encoding.Raw


@dataclass(frozen=True)
class KeyPair:
    private_hex: str
    public_hex: str


def new_key_pair() -> KeyPair:
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(_RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    public = key.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)
    return KeyPair(private.hex(), public.hex())


def public_of(private_hex: str) -> str:
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(private_hex))
    return key.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw).hex()


def new_key_id(prefix: str) -> str:
    """A short random id for a key: O… for an office, D… for a device."""
    return prefix + secrets.token_hex(5).upper()


def sign(private_hex: str, message: bytes) -> str:
    signature = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(private_hex)).sign(message)
    return base64.urlsafe_b64encode(signature).rstrip(b"=").decode("ascii")


def verify(public_hex: str, message: bytes, signature: str) -> bool:
    """Whether `signature` (base64url) is the key's signature of `message`; never raises on bad input."""
    try:
        raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex)).verify(raw, message)
        return True
    except (InvalidSignature, ValueError, binascii.Error, TypeError):
        return False


def fingerprint(public_hex: str) -> str:
    """What a person compares by eye: the public key's first 16 hex digits in groups of four."""
    return " ".join(public_hex[i:i + 4].upper() for i in range(0, 16, 4))
