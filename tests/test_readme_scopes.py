"""README.md lists exactly the OAuth scopes the code asks Spotify for, with their reasons."""

from __future__ import annotations

from pathlib import Path

from echotune.spotify.scopes import SCOPES

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_scope_table_matches_the_code() -> None:
    text = README.read_text(encoding="utf-8")
    block = text.split("<!-- scopes:start -->")[1].split("<!-- scopes:end -->")[0]
    rows = [line for line in block.strip().splitlines()[2:]]
    expected = [f"| `{s.name}` | {s.reason} |" for s in SCOPES]
    assert rows == expected, "update the scope table in README.md from echotune.spotify.scopes"
