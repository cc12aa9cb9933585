"""The production model's parameters: `EchoTuneModel()` defaults, or the ones `echotune eval` chose.

`echotune eval --json` tunes `echotune` on a listening file and prints the
choice under `models.echotune.params`. `echotune train --params FILE` takes
that output (or a plain JSON object of the same names), checks it, and keeps
it next to the model, so every later retrain (the background one after an
import too) uses it until `echotune train --default-params`.
"""

from __future__ import annotations

import inspect
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, cast, get_args, get_origin, get_type_hints

from echotune.errors import InvalidInput
from echotune.recommend.cf.echotune_model import EchoTuneModel
from echotune.recommend.cf.registry import Param

PARAMS_NAME = "echotune_params.json"


def read_params(path: Path) -> dict[str, Param]:
    """Checked `EchoTuneModel` parameters from an `echotune eval --json` output or a flat object."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read it ({exc.strerror or exc})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: not JSON ({exc})") from None
    if isinstance(doc, dict) and "models" in doc:
        found = doc["models"].get("echotune") if isinstance(doc["models"], dict) else None
        if not isinstance(found, dict) or not isinstance(found.get("params"), dict):
            raise InvalidInput(
                f"{path}: an eval output without models.echotune.params "
                "(run `echotune eval` with the echotune model)"
            )
        doc = found["params"]
    if not isinstance(doc, dict):
        raise InvalidInput(f"{path}: expected a JSON object of parameter names to values")
    return check_params(doc, str(path))


def check_params(params: Mapping[str, Any], source: str = "parameters") -> dict[str, Param]:
    """`params` if `EchoTuneModel` takes every one of them with a usable value, else a clear error."""
    hints = get_type_hints(EchoTuneModel.__init__)
    known = sorted(name for name in inspect.signature(EchoTuneModel).parameters)
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise InvalidInput(
            f"{source}: unknown parameter(s) {', '.join(unknown)}; known: {', '.join(known)}"
        )
    checked: dict[str, Param] = {}
    for name, value in params.items():
        checked[name] = _checked(name, value, hints[name], source)
    return checked


def _checked(name: str, value: object, hint: object, source: str) -> Param:
    choices = get_args(hint) if get_origin(hint) is Literal else ()
    if choices:
        if value not in choices:
            raise InvalidInput(f"{source}: {name} must be one of {', '.join(map(str, choices))}")
        return cast(str, value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"{source}: {name} must be a number, not {value!r}")
    if not math.isfinite(value) or value < 0:
        raise InvalidInput(f"{source}: {name} must be a finite number >= 0, not {value!r}")
    if hint is int:
        if value != int(value):
            raise InvalidInput(f"{source}: {name} must be a whole number, not {value!r}")
        return int(value)
    return float(value)


def load_kept(directory: Path) -> dict[str, Param]:
    """The parameters kept for the model in `directory` ({} = the defaults)."""
    path = directory / PARAMS_NAME
    return read_params(path) if path.exists() else {}


def keep(directory: Path, params: Mapping[str, Param]) -> None:
    """Keep `params` for later retrains (atomically); {} goes back to the defaults."""
    path = directory / PARAMS_NAME
    if not params:
        path.unlink(missing_ok=True)
        return
    directory.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(dict(params), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)
