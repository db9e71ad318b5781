"""Time after-action reports: a whole game of ukraine-ceasefire-2025 and an ensemble
summary (with a sweep), in each format and language. Prints one JSON object of medians.

A game's charts are kept once drawn (``whitecell.report.charts.DRAWN``), so a game's
report is timed two ways: ``_s`` is a report made again (its charts in the cache, as
when a second person asks for it or the PDF follows the HTML), ``_cold_s`` one made
with the cache emptied first. ``_cpu_s`` is the process's CPU time for the former:
on a shared machine it moves less than the wall clock.

    .venv/bin/python bench/report.py [--repeats 3] [--game-only]
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
from whitecell.report.charts import DRAWN
from whitecell.scenario.library import load_bundled

SCENARIO = "ukraine-ceasefire-2025"


def timed(make, repeats: int, cold: bool = False, **options) -> tuple[float, float, int]:
    """Median wall and CPU seconds of ``repeats`` runs, and the size of what was made;
    ``cold`` empties the chart cache before each run."""
    runs, cpu, size = [], [], 0
    for _ in range(repeats):
        if cold:
            DRAWN.clear()
        started, started_cpu = time.perf_counter(), time.process_time()
        size = len(make(**options))
        runs.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return round(statistics.median(runs), 3), round(statistics.median(cpu), 3), size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--game-only", action="store_true", help="leave the ensemble out")
    args = parser.parse_args()
    sc = load_bundled(SCENARIO)
    game = play_game(sc, 3)
    log = parse_log(dump_log(sc, game.events), "game.jsonl")
    game_report(log, fmt="md")  # imports and font caches, not counted
    result: dict[str, object] = {
        "scenario": SCENARIO,
        "events": len(log.events),
        "repeats": args.repeats,
    }
    for fmt in ("html", "md", "pdf"):
        for lang in ("en", "ja"):
            name = f"game_{fmt}_{lang}"
            if fmt != "md":
                seconds, cpu, _ = timed(
                    game_report, args.repeats, True, log=log, fmt=fmt, lang=lang
                )
                result[f"{name}_cold_s"] = seconds
                result[f"{name}_cold_cpu_s"] = cpu
            game_report(log, fmt=fmt, lang=lang)  # its charts drawn
            seconds, cpu, size = timed(game_report, args.repeats, log=log, fmt=fmt, lang=lang)
            result[f"{name}_s"] = seconds
            result[f"{name}_cpu_s"] = cpu
            result[f"{name}_bytes"] = size
    if not args.game_only:
        summary = _summary()
        for fmt in ("html", "pdf"):
            seconds, cpu, size = timed(
                ensemble_report, args.repeats, summary=summary, fmt=fmt, scenario=sc
            )
            result[f"ensemble_sweep_{fmt}_s"] = seconds
            result[f"ensemble_sweep_{fmt}_cpu_s"] = cpu
            result[f"ensemble_sweep_{fmt}_bytes"] = size
    print(json.dumps(result))


def _summary() -> dict[str, object]:
    """An ensemble of 400 games with a sweep of three temperatures, as the CLI writes it."""
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
        summary: dict[str, object] = json.loads(out.read_text())
    return summary


if __name__ == "__main__":
    main()
