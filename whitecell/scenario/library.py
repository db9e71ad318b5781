"""The scenarios bundled with whitecell."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from whitecell.scenario.compiled import Scenario
from whitecell.scenario.load import load_scenario_file


class UnknownScenario(LookupError):
    """Neither a bundled scenario id nor an existing file."""

    def __init__(self, ref: str) -> None:
        super().__init__(
            f"no bundled scenario '{ref}' and no such file "
            f"(bundled: {', '.join(bundled_ids()) or 'none'})"
        )


def _library() -> Path:
    return Path(str(resources.files("whitecell.scenario") / "library"))


def bundled_ids() -> list[str]:
    """Ids of the bundled scenarios (file names without .yaml), sorted."""
    return sorted(p.stem for p in _library().glob("*.yaml"))


def bundled_path(scenario_id: str) -> Path:
    return _library() / f"{scenario_id}.yaml"


@cache
def load_bundled(scenario_id: str) -> Scenario:
    """A bundled scenario by id (compiled once per process)."""
    path = bundled_path(scenario_id)
    if not path.is_file():
        raise UnknownScenario(scenario_id)
    return load_scenario_file(path)


def resolve(ref: str) -> Scenario:
    """A bundled scenario id or a path to a YAML file."""
    if ref in bundled_ids():
        return load_bundled(ref)
    if ref.endswith((".yaml", ".yml")) or Path(ref).exists():
        return load_scenario_file(ref)
    raise UnknownScenario(ref)
