"""The `echotune` command."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from echotune.cli.catalog_cmd import import_app
from echotune.cli.eval_cmd import eval_command
from echotune.cli.export_cmd import export_app
from echotune.cli.history_cmd import import_history
from echotune.cli.runtime import load_settings
from echotune.cli.spotify_cmd import spotify_app
from echotune.cli.train_cmd import train
from echotune.cli.users_cmd import token_app, users_app

app = typer.Typer(
    help="EchoTune: music discovery from your listening history.", no_args_is_help=True
)
config_app = typer.Typer(help="Configuration.", no_args_is_help=True)
app.add_typer(config_app, name="config")
app.add_typer(users_app, name="users")
app.add_typer(token_app, name="token")
app.add_typer(spotify_app, name="spotify")
import_app.command("history")(import_history)
app.add_typer(import_app, name="import", help="Import data (catalog CSV, listening history).")
app.add_typer(export_app, name="export", help="Export data (plays for echotune eval).")
app.command("train")(train)
app.command("eval")(eval_command)


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Bind address (default ECHOTUNE_HOST or 127.0.0.1)"),
    port: int | None = typer.Option(None, help="Port (default ECHOTUNE_PORT or 8000)"),
) -> None:
    """Serve the API, the /v1 Spotify-compatible endpoints and the docs."""
    import uvicorn

    from echotune.app import create_app

    settings = load_settings(serving=True)
    if host is not None or port is not None:
        settings = settings.model_copy(
            update={
                "host": host or settings.host,
                "port": port if port is not None else settings.port,
            }
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)


def _flatten(prefix: str, data: dict[str, object]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for key, value in data.items():
        name = f"{prefix}{key.upper()}"
        if isinstance(value, dict):
            rows.extend(_flatten(name + "__", value))
        else:
            rows.append((name, "" if value is None else str(value)))
    return rows


@config_app.command("show")
def config_show(as_json: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """Print the effective configuration, secrets masked."""
    data = load_settings().masked()
    if as_json:
        print(json.dumps(data, indent=2))
        return
    table = Table("setting", "value")
    for name, value in _flatten("ECHOTUNE_", data):
        table.add_row(name, value)
    Console().print(table)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
