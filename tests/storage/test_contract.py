"""The storage contract, run once per backend through the parametrized `storage` fixture."""

from __future__ import annotations

from tests.storage.contract import StorageContract


class TestStorageContract(StorageContract):
    pass
