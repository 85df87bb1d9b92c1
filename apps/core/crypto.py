"""Symmetric encryption for secrets we must read back (API secret keys, storage keys)."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    # Fernet wants 32 url-safe base64 bytes; derive them so any operator string works.
    digest = hashlib.sha256(f"groundwork-encryption:{settings.ENCRYPTION_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    """Raises `cryptography.fernet.InvalidToken` if the key changed or the data was altered."""
    return _fernet().decrypt(token.encode()).decode()


__all__ = ["InvalidToken", "decrypt", "encrypt"]
