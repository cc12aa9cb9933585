"""TokenCipher: tokens sealed at rest with a key derived from ECHOTUNE_SECRET_KEY."""

from __future__ import annotations

import hashlib

import pytest
from pydantic import SecretStr

from echotune.accounts.crypto import TokenCipher, TokenDecryptError, derive_key, session_id_hash
from echotune.errors import EchotuneError

TOKEN = "BQD3x-access-token_with.odd~chars/and+more=="


def test_round_trip() -> None:
    cipher = TokenCipher("a long random secret key")
    for text in (TOKEN, "", "ünïcödé ♫"):
        assert cipher.decrypt(cipher.encrypt(text)) == text


def test_another_instance_with_the_same_key_opens_it() -> None:
    sealed = TokenCipher("k1-secret").encrypt(TOKEN)
    assert TokenCipher(SecretStr("k1-secret")).decrypt(sealed) == TOKEN


def test_ciphertext_hides_the_plaintext() -> None:
    sealed = TokenCipher("k1-secret").encrypt(TOKEN)
    assert TOKEN.encode() not in sealed
    assert TOKEN[:8].encode() not in sealed
    # version byte + 12-byte nonce + ciphertext + 16-byte tag
    assert len(sealed) == 1 + 12 + len(TOKEN) + 16
    assert sealed[0] == 1


def test_nonces_differ() -> None:
    cipher = TokenCipher("k1-secret")
    sealed = [cipher.encrypt(TOKEN) for _ in range(50)]
    assert len({s[1:13] for s in sealed}) == 50
    assert len(set(sealed)) == 50


def test_wrong_key_is_refused_clearly() -> None:
    sealed = TokenCipher("k1-secret").encrypt(TOKEN)
    with pytest.raises(TokenDecryptError, match="ECHOTUNE_SECRET_KEY") as info:
        TokenCipher("k2-secret").decrypt(sealed)
    assert isinstance(info.value, EchotuneError)
    assert TOKEN not in str(info.value)


@pytest.mark.parametrize("position", [0, 1, 12, 13, -1])
def test_any_changed_byte_is_refused(position: int) -> None:
    cipher = TokenCipher("k1-secret")
    sealed = bytearray(cipher.encrypt(TOKEN))
    sealed[position] ^= 0x01
    with pytest.raises(TokenDecryptError):
        cipher.decrypt(bytes(sealed))


@pytest.mark.parametrize("damaged", [b"", b"\x01", b"\x01" + bytes(27)])
def test_empty_or_truncated_is_refused(damaged: bytes) -> None:
    with pytest.raises(TokenDecryptError, match="empty or truncated"):
        TokenCipher("k1-secret").decrypt(damaged)


def test_truncated_tag_is_refused() -> None:
    cipher = TokenCipher("k1-secret")
    with pytest.raises(TokenDecryptError):
        cipher.decrypt(cipher.encrypt(TOKEN)[:-1])


def test_unknown_version_is_named() -> None:
    sealed = TokenCipher("k1-secret").encrypt(TOKEN)
    with pytest.raises(TokenDecryptError, match="version 2"):
        TokenCipher("k1-secret").decrypt(b"\x02" + sealed[1:])


def test_key_derivation_is_stable_and_separates_secrets() -> None:
    key = derive_key("k1-secret")
    assert len(key) == 32
    assert derive_key("k1-secret") == key
    assert derive_key("k2-secret") != key
    # Not the secret itself nor its plain hash: HKDF with our own label.
    assert key != hashlib.sha256(b"k1-secret").digest()


def test_empty_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        TokenCipher("")


def test_repr_hides_the_key() -> None:
    assert "k1-secret" not in repr(TokenCipher("k1-secret"))


def test_session_id_hash_is_sha256_hex() -> None:
    assert session_id_hash("cookie") == hashlib.sha256(b"cookie").hexdigest()
    assert len(session_id_hash("cookie")) == 64
