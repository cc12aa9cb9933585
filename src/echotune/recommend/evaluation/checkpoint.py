"""Tuning trials kept on disk, so an interrupted evaluation resumes where it stopped.

A default run on a Last.fm-1K-sized file tunes for hours; without this, a
crash or a Ctrl-C in the last model's search lost every trial before it.
`TrialLog` appends each trial's validation score to a JSON-lines file as
soon as it is known (one line per trial, flushed and synced), under a
*context*: a digest of the validation folds (their train and test data),
the seed, the code a trial's score depends on (`SCORE_SOURCES`) and the
numeric libraries. A later run with the
same context takes those scores instead of running the trials again;
lines of other contexts (another input, seed or code) are kept and
ignored. Trials are deterministic for a given context (seeded models,
ties broken by index), so a resumed search makes the very choice an
uninterrupted one makes.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import TextIO

import numpy as np

from echotune.errors import InvalidInput
from echotune.recommend.cf import memo
from echotune.recommend.cf.registry import Param
from echotune.recommend.evaluation.split import EvalSplit

TrialKey = tuple[tuple[str, Param], ...]
# What a trial's score depends on besides its data, seed and parameters: the
# models, the split, the metrics and the trial itself (`trial.py`), relative
# to the `recommend` package; not the search, whose changes leave scores be.
SCORE_SOURCES = ("cf/*.py", "evaluation/split.py", "evaluation/metrics.py", "evaluation/trial.py")
LIBRARIES = ("implicit", "numpy", "scipy")


class TrialLog:
    """Trial scores of one evaluation context, read from and appended to `path`."""

    def __init__(self, path: Path, context: str) -> None:
        self.path = path
        self.context = context
        self._scores: dict[str, dict[TrialKey, float]] = {}
        if path.exists():
            self._load()
        open_for_append(path).close()

    def scores(self, model: str) -> dict[TrialKey, float]:
        """The scores this context already has for `model`'s trials."""
        return dict(self._scores.get(model, {}))

    def record(self, model: str, key: TrialKey, score: float) -> None:
        """Append one trial's score; on disk before this returns (a trial takes seconds,
        so opening the file for each costs nothing that matters, and holds nothing open)."""
        line = {"context": self.context, "model": model, "params": key, "score": score}
        with open_for_append(self.path) as out:
            out.write(json.dumps(line) + "\n")
            out.flush()
            os.fsync(out.fileno())
        self._scores.setdefault(model, {})[key] = score

    def _load(self) -> None:
        data = self.path.read_bytes()
        whole = data.rfind(b"\n") + 1
        if whole < len(data):
            # A last line without its newline: a write the last run did not
            # finish. Cut it off, or the next line appended would join it.
            with self.path.open("r+b") as out:
                out.truncate(whole)
        lines = data[:whole].decode("utf-8", errors="replace").split("\n")
        for number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            try:
                entry = json.loads(text)
                key = tuple((str(k), v) for k, v in entry["params"])
                context, model, score = entry["context"], entry["model"], float(entry["score"])
            except (ValueError, KeyError, TypeError) as exc:
                raise InvalidInput(
                    f"{self.path}:{number}: not a checkpoint line ({exc}); "
                    "give another --checkpoint file or remove this one"
                ) from None
            if context == self.context:
                self._scores.setdefault(model, {})[key] = score


def open_for_append(path: Path) -> TextIO:
    """`path` opened to append to, or an error naming it and why it cannot be written."""
    try:
        return path.open("a", encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot write the checkpoint {path}: {exc.strerror}") from None


def context_of(folds: Sequence[EvalSplit], seed: int) -> str:
    """A digest of what a trial's score depends on, besides its model and parameters."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"seed={seed};folds={len(folds)}".encode())
    for fold in folds:
        digest.update(memo.fingerprint(fold.train.matrix).encode())
        digest.update(memo.fingerprint(fold.test).encode())
        digest.update(np.ascontiguousarray(fold.test_sizes).tobytes())
    digest.update(code_digest().encode())
    return digest.hexdigest()


def code_digest() -> str:
    """A digest of `SCORE_SOURCES` and the versions of the libraries they use."""
    digest = hashlib.blake2b(digest_size=16)
    root = Path(__file__).resolve().parents[1]
    for pattern in SCORE_SOURCES:
        for source in sorted(root.glob(pattern)):
            digest.update(str(source.relative_to(root)).encode())
            digest.update(source.read_bytes())
    for library in LIBRARIES:
        digest.update(f"{library}={metadata.version(library)}".encode())
    return digest.hexdigest()
