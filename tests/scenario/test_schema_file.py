"""The JSON Schema committed at the top of the repository is the one the models export."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from whitecell.scenario.library import bundled_ids

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_schema_matches_whitecell_schema() -> None:
    """Editors read scenario.schema.json; regenerate it with
    `whitecell schema > scenario.schema.json` whenever the format changes."""
    exported = subprocess.run(
        [sys.executable, "-m", "whitecell", "schema"], capture_output=True, text=True, check=True
    ).stdout
    committed = (ROOT / "scenario.schema.json").read_text(encoding="utf-8")
    assert json.loads(committed) == json.loads(exported)


@pytest.mark.parametrize("scenario_id", bundled_ids())
def test_the_bundled_scenario_points_editors_at_the_committed_schema(scenario_id: str) -> None:
    first = (ROOT / f"whitecell/scenario/library/{scenario_id}.yaml").read_text().split("\n")[0]
    assert first == "# yaml-language-server: $schema=../../../scenario.schema.json"
    assert (
        (ROOT / "whitecell/scenario/library" / "../../../scenario.schema.json").resolve().is_file()
    )
