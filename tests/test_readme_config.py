"""README.md's configuration table is the one generated from Settings."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("config_table", ROOT / "scripts/config_table.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


config_table = load_script()


def test_readme_block_is_the_generated_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert config_table.replace_block(readme, config_table.render()) == readme, (
        "README.md is stale: run `python scripts/config_table.py --write README.md`"
    )


def test_every_setting_has_a_description_and_no_secret_is_shown() -> None:
    rows = list(config_table.iter_rows())
    assert rows and all(row.description for row in rows), "add Field(description=...)"
    table = config_table.render()
    assert "dev-secret-change-me" not in table
    assert "`ECHOTUNE_STORAGE__MONGO_URI` | secret (optional) | unset |" in table


def test_write_replaces_only_the_marked_block(tmp_path: Path) -> None:
    start, end = config_table.START, config_table.END
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\n{start}\nold\n{end}\n\nAfter.\n", encoding="utf-8")
    assert config_table.main(["--write", str(readme)]) == 0
    text = readme.read_text(encoding="utf-8")
    assert text == f"# Title\n\n{start}\n{config_table.render()}{end}\n\nAfter.\n"
