"""Spotify tokens are sealed before storage and opened only when a request needs them.

Format of a sealed token: one version byte, a 12-byte random nonce, then the
AES-256-GCM ciphertext and its 16-byte tag. The version byte is also the
associated data, so it cannot be changed without failing authentication.
"""

from __future__ import annotations

import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import SecretStr

from echotune.errors import EchotuneError

# Bumped with the format or the derivation; old versions then need a migration.
VERSION = 1
_HEADER = bytes([VERSION])
# The same secret key serves other purposes (signing ...): the label keeps this
# derived key apart from any other key derived from it.
KDF_LABEL = b"echotune:spotify-tokens:v1"
_NONCE_BYTES = 12
_TAG_BYTES = 16


class TokenDecryptError(EchotuneError):
    """A stored token cannot be opened: another ECHOTUNE_SECRET_KEY sealed it,
    or the stored bytes were damaged. The account has to be reconnected."""


def derive_key(secret_key: str) -> bytes:
    """The 32-byte AES key for `secret_key`.

    HKDF, not a password hash: ECHOTUNE_SECRET_KEY is meant to be a long random
    value (settings refuse placeholders outside dev).
    """
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=KDF_LABEL, info=KDF_LABEL)
    return hkdf.derive(secret_key.encode("utf-8"))


class TokenCipher:
    """Seals and opens token strings with a key derived from the secret key."""

    def __init__(self, secret_key: str | SecretStr) -> None:
        raw = secret_key.get_secret_value() if isinstance(secret_key, SecretStr) else secret_key
        if not raw:
            raise ValueError("TokenCipher needs a non-empty secret key")
        self._aead = AESGCM(derive_key(raw))

    def __repr__(self) -> str:
        return "TokenCipher(<key hidden>)"

    def encrypt(self, plaintext: str) -> bytes:
        # A fresh random nonce per token: with 96 bits, repeats are negligible
        # for the number of tokens one key ever seals.
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode("utf-8"), _HEADER)
        return _HEADER + nonce + sealed

    def decrypt(self, token: bytes) -> str:
        if len(token) < 1 + _NONCE_BYTES + _TAG_BYTES:
            raise TokenDecryptError("Stored Spotify token is empty or truncated")
        if token[:1] != _HEADER:
            raise TokenDecryptError(f"Stored Spotify token has unknown format version {token[0]}")
        nonce, sealed = token[1 : 1 + _NONCE_BYTES], token[1 + _NONCE_BYTES :]
        try:
            plain = self._aead.decrypt(nonce, sealed, _HEADER)
        except InvalidTag:
            raise TokenDecryptError(
                "Stored Spotify token cannot be decrypted: ECHOTUNE_SECRET_KEY changed "
                "or the data was altered; reconnect Spotify"
            ) from None
        return plain.decode("utf-8")


def session_id_hash(cookie_value: str) -> str:
    """What a session is stored under: the SHA-256 (hex) of its cookie value."""
    return hashlib.sha256(cookie_value.encode("utf-8")).hexdigest()
