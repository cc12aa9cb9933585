"""Logs, metrics and request ids, shared by every layer.

Nothing here is a module-level singleton: `Metrics` owns its own registry and
is built once per app by `echotune.wiring`.
"""
