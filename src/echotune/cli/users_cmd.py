"""`echotune users ...` and `echotune token ...`."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from echotune.cli.runtime import run_with_services
from echotune.wiring import Services

users_app = typer.Typer(help="EchoTune users.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens (Authorization: Bearer TOKEN).", no_args_is_help=True)
console = Console()


@users_app.command("create")
def create_user(name: str) -> None:
    """Create a user (nothing changes if it exists)."""

    async def go(s: Services) -> None:
        user, created = await s.users.create_user(name)
        console.print(f"{'created' if created else 'exists'}: {user.name} ({user.id})")

    run_with_services(go)


@users_app.command("list")
def list_users() -> None:
    """List users."""

    async def go(s: Services) -> None:
        table = Table("id", "name", "created")
        for u in await s.users.list_users():
            table.add_row(u.id, u.name, u.created_at.isoformat(timespec="seconds"))
        console.print(table)

    run_with_services(go)


@token_app.command("create")
def create_token(name: str) -> None:
    """Create a token for user NAME (created if new); prints the token alone on stdout."""

    async def go(s: Services) -> str:
        _, _, secret = await s.users.create_token(name)
        return secret

    # Plain print: scripts capture this line, so no markup and nothing else on stdout.
    print(run_with_services(go))


@token_app.command("list")
def list_tokens(user: str | None = typer.Option(None, help="Only this user's tokens")) -> None:
    """List tokens (never their secrets)."""

    async def go(s: Services) -> None:
        table = Table("id", "user", "created", "revoked")
        for token, owner in await s.users.list_tokens(user):
            revoked = token.revoked_at.isoformat(timespec="seconds") if token.revoked_at else ""
            table.add_row(
                token.id, owner.name, token.created_at.isoformat(timespec="seconds"), revoked
            )
        console.print(table)

    run_with_services(go)


@token_app.command("revoke")
def revoke_token(token_id: str) -> None:
    """Revoke a token by its id (see `echotune token list`)."""

    async def go(s: Services) -> None:
        await s.users.revoke_token(token_id)
        console.print(f"revoked {token_id}")

    run_with_services(go)
