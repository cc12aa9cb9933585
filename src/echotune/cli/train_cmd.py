"""`echotune train`: retrain the collaborative model from everyone's plays."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from echotune.cli.runtime import run_with_services
from echotune.recommend.personal.store import TrainReport
from echotune.wiring import Services, bootstrap_catalog

console = Console(stderr=True)


def train() -> None:
    """Retrain the collaborative model now and install it (the server also retrains
    in the background after every history import)."""

    async def go(services: Services) -> TrainReport:
        await bootstrap_catalog(services)
        with console.status("training the collaborative model..."):
            return await services.models.train()

    report = run_with_services(go)
    table = Table("model", "trained", "users", "items", "interactions", "seconds")
    table.add_row(report.model, "yes" if report.trained else f"no ({report.reason})",
                  str(report.users), str(report.items), str(report.interactions),
                  f"{report.seconds:.2f}")  # fmt: skip
    Console().print(table)
