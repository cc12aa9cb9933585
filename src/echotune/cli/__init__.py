"""The `echotune` command line: Typer sub-apps per domain, mounted in cli/main.py.

Commands call the same services as the API, built by `echotune.wiring`.
"""
