"""``whitecell new-scenario``: a commented skeleton that validates, plays and verifies,
with the modeline that points editors at the JSON Schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from whitecell.engine.log import dump_log, parse_log
from whitecell.play import play_game
from whitecell.scenario import load_scenario_file, load_scenario_text
from whitecell.scenario.skeleton import skeleton
from whitecell.verify import verify_log


def whitecell(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "whitecell", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=cwd,
    )


def test_the_skeleton_is_written_with_its_schema_and_validates(tmp_path: Path) -> None:
    made = whitecell("new-scenario", "my-crisis", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    path = tmp_path / "my-crisis.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=./scenario.schema.json"
    assert text.count("\n#") > 10, "it explains itself in comments"
    exported = whitecell("schema", cwd=tmp_path).stdout
    schema = json.loads((tmp_path / "scenario.schema.json").read_text(encoding="utf-8"))
    assert schema == json.loads(exported)
    checked = whitecell("validate", "my-crisis.yaml", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout
    assert checked.stdout.strip() == "my-crisis.yaml: ok"
    assert load_scenario_file(path).id == "my-crisis"


def test_the_skeleton_shows_every_section_of_the_format(tmp_path: Path) -> None:
    text = skeleton("every-part", "every-part.yaml")
    schema = json.loads(whitecell("schema", cwd=tmp_path).stdout)
    for section in schema["properties"]:
        assert f"\n{section}:" in text or text.startswith(f"{section}:"), section


def test_the_skeleton_plays_and_verifies() -> None:
    sc = load_scenario_text(skeleton("play-me", "play-me.yaml"), "play-me.yaml")
    assert sc.dynamics and sc.cards
    game = play_game(sc, 3)
    log = parse_log(dump_log(sc, game.events), "play-me.jsonl")
    assert verify_log(log).ok


def test_it_writes_where_asked_and_never_over_a_file(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "crisis.yaml"
    assert whitecell("new-scenario", "crisis", "-o", str(target), cwd=tmp_path).returncode == 0
    assert target.is_file() and (target.parent / "scenario.schema.json").is_file()
    again = whitecell("new-scenario", "crisis", "-o", str(target), cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr
    forced = whitecell("new-scenario", "other", "-o", str(target), "--force", cwd=tmp_path)
    assert forced.returncode == 0
    assert "id: other" in target.read_text(encoding="utf-8")


def test_it_can_print_the_skeleton_instead(tmp_path: Path) -> None:
    printed = whitecell("new-scenario", "to-stdout", "-o", "-", cwd=tmp_path)
    assert printed.returncode == 0
    assert "id: to-stdout" in printed.stdout
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("bad", ["My Crisis", "-dash", "crisis_1", "x" * 65])
def test_a_bad_id_is_a_message_and_exit_2(tmp_path: Path, bad: str) -> None:
    result = (
        whitecell("new-scenario", "--", bad, cwd=tmp_path)
        if bad.startswith("-")
        else (whitecell("new-scenario", bad, cwd=tmp_path))
    )
    assert result.returncode == 2
    assert "is not a scenario id" in result.stderr
    assert "Traceback" not in result.stderr
