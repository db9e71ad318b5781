"""Time after-action reports: a whole game of ukraine-ceasefire-2025 and an ensemble
summary (with a sweep), in each format and language. Prints one JSON object of medians.

    .venv/bin/python bench/report.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from whitecell.engine.log import dump_log, parse_log
from whitecell.play import play_game
from whitecell.report import ensemble_report, game_report
from whitecell.scenario.library import load_bundled

SCENARIO = "ukraine-ceasefire-2025"


def timed(make, repeats: int, **options) -> tuple[float, int]:
    runs, size = [], 0
    for _ in range(repeats):
        started = time.perf_counter()
        size = len(make(**options))
        runs.append(time.perf_counter() - started)
    return round(statistics.median(runs), 3), size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sc = load_bundled(SCENARIO)
    game = play_game(sc, 3)
    log = parse_log(dump_log(sc, game.events), "game.jsonl")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "summary.json"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "whitecell",
                "ensemble",
                SCENARIO,
                "-n",
                "400",
                "--workers",
                "1",
                "--sweep",
                "automation.temperature=0.05,0.1,0.2",
                "--json",
                str(out),
            ],
            check=True,
            capture_output=True,
        )
        summary = json.loads(out.read_text())
    game_report(log, fmt="md")  # imports and font caches, not counted
    result: dict[str, object] = {
        "scenario": SCENARIO,
        "events": len(log.events),
        "repeats": args.repeats,
    }
    for fmt in ("html", "md", "pdf"):
        for lang in ("en", "ja"):
            seconds, size = timed(game_report, args.repeats, log=log, fmt=fmt, lang=lang)
            result[f"game_{fmt}_{lang}_s"] = seconds
            result[f"game_{fmt}_{lang}_bytes"] = size
    for fmt in ("html", "pdf"):
        seconds, size = timed(ensemble_report, args.repeats, summary=summary, fmt=fmt, scenario=sc)
        result[f"ensemble_sweep_{fmt}_s"] = seconds
        result[f"ensemble_sweep_{fmt}_bytes"] = size
    print(json.dumps(result))


if __name__ == "__main__":
    main()
