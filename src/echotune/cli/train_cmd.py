"""`echotune train`: retrain the collaborative model from everyone's plays."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from echotune.cli.runtime import run_with_services
from echotune.cli.tables import train_table
from echotune.errors import InvalidInput
from echotune.recommend.cf.similarity import default_block_workers
from echotune.recommend.personal.model_params import read_params
from echotune.recommend.personal.store import TrainReport
from echotune.wiring import Services, bootstrap_catalog

console = Console(stderr=True)


def train(
    params: Annotated[
        Path | None,
        typer.Option(
            "--params",
            help="Use these model parameters from now on: an `echotune eval --json` "
            "output (its models.echotune.params) or a JSON object of them",
        ),
    ] = None,
    default_params: Annotated[
        bool, typer.Option("--default-params", help="Go back to the built-in defaults")
    ] = False,
    threads: Annotated[
        int | None,
        typer.Option(
            "--threads",
            min=1,
            max=64,
            help="Threads training may use: item-neighbour blocks (each holds up to "
            "~240 MB) and the ALS fit; the model is the same for any count [default: the "
            "CPUs this process may use, at most 4]",
        ),
    ] = None,
) -> None:
    """Retrain the collaborative model now and install it (the server also retrains
    in the background after every history import, with the same parameters, and
    a running server picks up a model trained here within a second)."""

    async def go(services: Services) -> TrainReport:
        if params is not None and default_params:
            raise InvalidInput("give --params FILE or --default-params, not both")
        if params is not None or default_params:
            # Checked before anything else runs: a bad file changes nothing.
            services.models.set_params(read_params(params) if params is not None else {})
        await bootstrap_catalog(services)
        with console.status("training the collaborative model..."):
            return await services.models.train(threads or default_block_workers())

    Console().print(train_table(run_with_services(go)))
