"""The seam between the ranker and whatever collaborative model training produced."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]


class CollaborativeScorer(Protocol):
    """Scores a listener's current items against the catalog (no retraining needed)."""

    @property
    def ready(self) -> bool: ...

    def scores(self, track_weights: Mapping[str, float]) -> F32 | None:
        """One score per row of the feature index the scorer was built for, or None
        without signal."""
        ...

    def explain(
        self, track_weights: Mapping[str, float], track_id: str, n: int = 1
    ) -> list[tuple[str, float]]:
        """The listener's tracks that contributed most to `track_id`, with their share."""
        ...
