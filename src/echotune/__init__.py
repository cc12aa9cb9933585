"""EchoTune: a music discovery service.

Domains (catalog, listening, recommend, users) plug in behind the storage
Protocols in `echotune.storage.base`; `echotune.wiring` is the one place that
names concrete classes.
"""

__version__ = "0.1.0"
