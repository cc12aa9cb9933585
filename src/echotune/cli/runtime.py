"""Running a CLI command against the real services."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console

from echotune.errors import EchotuneError, RateLimited
from echotune.observability.logging import configure_logging
from echotune.settings import Settings
from echotune.wiring import Services, build_services

T = TypeVar("T")
err_console = Console(stderr=True)


# One-shot commands show their own progress bars and tables; their routine
# INFO log lines would only interleave with them.
COMMAND_LOG_LEVEL = "WARNING"


def load_settings(serving: bool = False) -> Settings:
    """The settings, with logging configured: at ECHOTUNE_LOG_LEVEL when it is set
    or when `serving`, else at WARNING and up."""
    try:
        settings = Settings()
    except ValueError as exc:
        err_console.print(f"[red]Invalid configuration:[/red] {exc}")
        raise typer.Exit(2) from None
    chosen = serving or "log_level" in settings.model_fields_set
    configure_logging(settings.log_level if chosen else COMMAND_LOG_LEVEL, settings.log_json)
    return settings


def run_with_services(fn: Callable[[Services], Awaitable[T]]) -> T:
    """Build the services, run `fn`, close them; domain errors exit 1 with their message."""
    settings = load_settings()

    async def main() -> T:
        services = await build_services(settings)
        try:
            return await fn(services)
        finally:
            await services.close()

    try:
        return asyncio.run(main())
    except RateLimited as exc:
        err_console.print(
            f"[red]error:[/red] {exc.message}; stopped now instead of waiting "
            f"{round(exc.retry_after)} s. Run the command again after that: it resumes."
        )
        raise typer.Exit(1) from None
    except EchotuneError as exc:
        err_console.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(1) from None
