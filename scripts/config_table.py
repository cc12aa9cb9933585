"""Print the Markdown table of every EchoTune setting, or write it into README.md.

    python scripts/config_table.py                    # print the table
    python scripts/config_table.py --write README.md  # replace the marked block

The table is generated from `echotune.settings.Settings`, so the README cannot
drift from the code: tests/test_readme_config.py compares the two.
"""

from __future__ import annotations

import argparse
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Literal, NamedTuple, Union, get_args, get_origin

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo

from echotune.settings import Settings

START = "<!-- config-table:start -->"
END = "<!-- config-table:end -->"
HEADER = ("Variable", "Type", "Default", "Description")
TYPE_NAMES: dict[type, str] = {SecretStr: "secret", Path: "path"}


class Row(NamedTuple):
    env: str
    type: str
    default: str
    description: str


def iter_rows(model: type[BaseModel] = Settings, prefix: str | None = None) -> Iterator[Row]:
    """One row per leaf setting; nested sections are walked with the `__` delimiter."""
    if prefix is None:
        prefix = str(Settings.model_config.get("env_prefix", ""))
    delimiter = str(Settings.model_config.get("env_nested_delimiter", "__"))
    for name, field in model.model_fields.items():
        env = f"{prefix}{name}".upper()
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from iter_rows(annotation, env + delimiter)
        else:
            yield Row(env, type_name(annotation), default_text(field), field.description or "")


def type_name(annotation: object) -> str:
    origin = get_origin(annotation)
    if origin is Literal:
        return " | ".join(str(value) for value in get_args(annotation))
    if origin in (Union, types.UnionType):
        args = [arg for arg in get_args(annotation) if arg is not type(None)]
        optional = len(args) < len(get_args(annotation))
        name = " | ".join(type_name(arg) for arg in args)
        return f"{name} (optional)" if optional else name
    if origin is list:
        (item,) = get_args(annotation)
        inner = "object" if isinstance(item, type) and issubclass(item, BaseModel) else type_name(item)
        return f"JSON list of {inner}s"
    if isinstance(annotation, type):
        return TYPE_NAMES.get(annotation, annotation.__name__)
    return str(annotation)


def default_text(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "unset"
    if isinstance(value, SecretStr):
        # Never print a secret, not even a dev default.
        return "`**********`" if value.get_secret_value() else "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    return f"`{value}`"


def cell_text(text: str) -> str:
    """Escape what Markdown would eat: `<x>` outside code spans is HTML, `|` ends a cell."""
    parts = text.split("`")
    parts[::2] = [part.replace("<", "&lt;").replace(">", "&gt;") for part in parts[::2]]
    # GFM accepts an escaped pipe in a cell, even inside a code span.
    return "`".join(parts).replace("|", "\\|")


def render() -> str:
    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(cell_text(cell) for cell in cells) + " |"

    lines = [line(HEADER), "| " + " | ".join("---" for _ in HEADER) + " |"]
    lines += [line((f"`{env}`", *rest)) for env, *rest in iter_rows()]
    return "\n".join(lines) + "\n"


def replace_block(text: str, table: str) -> str:
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"markers {START} ... {END} not found in order")
    return text[: start + len(START)] + "\n" + table + text[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, metavar="FILE", help="replace the marked block")
    args = parser.parse_args(argv)
    table = render()
    if args.write is None:
        sys.stdout.write(table)
        return 0
    try:
        updated = replace_block(args.write.read_text(encoding="utf-8"), table)
    except ValueError as exc:
        parser.error(f"{args.write}: {exc}")
    args.write.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
