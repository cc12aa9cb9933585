"""Storage: async repository Protocols (base.py) and their backends.

`sqlite/` is the embedded default and `mongo/` the deployment backend; both
plug in behind the Protocols in `echotune.storage.base` and must pass the one
contract suite in tests/storage/contract.py. Only `wiring` and this package
import the backends.
"""
