"""An ensemble summary (``whitecell ensemble --json``) checked and shaped for a report.

Pure: the parsed JSON in, an :class:`EnsembleReport` out, or a :class:`SummaryError`
that names the field that is wrong. Labels come from the scenario when it is at
hand (the bundled library or a file given on the command line), else the ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from whitecell.i18n import t
from whitecell.scenario.compiled import Scenario, localize

SUMMARY_FORMAT = "whitecell-ensemble"
SUMMARY_VERSION = 1
PATHS_SHOWN = 10


class SummaryError(Exception):
    """A summary this whitecell cannot report on, and why."""


@dataclass
class Proportion:
    id: str
    label: str
    p: float
    low: float
    high: float
    count: int


@dataclass
class Numeric:
    id: str
    label: str
    mean: float | None
    std: float | None
    p5: float | None
    p50: float | None
    p95: float | None


@dataclass
class Fan:
    key: str
    label: str
    unit: str
    rounds: list[str]
    p5: list[float]
    p50: list[float]
    p95: list[float]


@dataclass
class Path:
    path: str
    count: int
    share: float
    seed: int | None


@dataclass
class Part:
    """One ensemble: the whole run, or one value of a sweep."""

    title: str
    runs: int
    interrupted: bool
    proportions: list[Proportion]
    numerics: list[Numeric]
    fans: list[Fan]
    paths: list[Path]
    distinct_paths: int
    change: dict[str, dict[str, float]] = field(default_factory=dict)
    balance: list[str] | None = None  # the balance check's findings (None: not in the summary)


@dataclass
class Spread:
    """The escalation index of one round (or the whole game) over the runs."""

    label: str
    mean: float
    p5: float
    p25: float
    p50: float
    p75: float
    p95: float


@dataclass
class EscalationFan:
    """The escalation index over an ensemble's runs: all teams' per round (a fan chart) and
    in total, and one team's per round by who played it (``by_kind``: kind, team-runs, the
    spread of each round)."""

    rounds: list[Spread]
    total: Spread
    by_kind: list[tuple[str, int, list[Spread]]]
    missing: list[str]  # kinds of player no run had (people: a game's own report)


@dataclass
class EnsembleReport:
    lang: str
    scenario_id: str
    title: str
    digest: str
    seed: int
    requested: int
    executor: str
    workers: int
    settings: dict[str, Any]
    main: Part
    sweep_keys: list[str]
    sweep: list[Part]
    escalation: EscalationFan | None = None


def _need(data: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in data:
        raise SummaryError(f"{where}: field '{key}' is missing")
    value = data[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
        names = " or ".join(k.__name__ for k in _as_tuple(kind))
        raise SummaryError(f"{where}: field '{key}' should be {names}, not {type(value).__name__}")
    return value


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def check_header(data: Any) -> None:
    if not isinstance(data, dict):
        raise SummaryError("not an ensemble summary: the JSON is not an object")
    if data.get("format") != SUMMARY_FORMAT:
        raise SummaryError(f'not an ensemble summary (expected "format": "{SUMMARY_FORMAT}")')
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise SummaryError(f"the summary has no valid format version (found {version!r})")
    if version > SUMMARY_VERSION:
        raise SummaryError(
            f"summary format version {version} is newer than this whitecell reads "
            f"(up to {SUMMARY_VERSION}): upgrade whitecell"
        )


def build_ensemble_report(data: Any, scenario: Scenario | None, lang: str) -> EnsembleReport:
    check_header(data)
    where = "summary"
    sweep_entries = data.get("sweep")
    main = _part(data, scenario, lang, where, t("report.ensemble.all_runs", lang))
    sweep: list[Part] = []
    keys: list[str] = []
    if sweep_entries is not None:
        if not isinstance(sweep_entries, list) or not sweep_entries:
            raise SummaryError(f"{where}: field 'sweep' should be a non-empty list")
        for i, entry in enumerate(sweep_entries):
            at = f"{where}: sweep[{i}]"
            if not isinstance(entry, dict):
                raise SummaryError(f"{at} should be an object")
            values = _need(entry, "values", dict, at)
            keys = list(values)
            title = ", ".join(f"{k} = {v}" for k, v in values.items())
            part = _part(entry, scenario, lang, at, title)
            change = entry.get("change") or {}
            part.change = change if isinstance(change, dict) else {}
            sweep.append(part)
    return EnsembleReport(
        lang=lang,
        scenario_id=str(_need(data, "scenario", str, where)),
        title=localize(scenario.title, lang) if scenario else str(data["scenario"]),
        digest=str(data.get("scenario_digest", "")),
        seed=_need(data, "seed", int, where),
        requested=int(data.get("requested_runs", data.get("runs", 0))),
        executor=str(data.get("executor", "")),
        workers=int(data.get("workers", 0) or 0),
        settings=data.get("settings") or {},
        main=main,
        sweep_keys=keys,
        sweep=sweep,
        escalation=_escalation(data.get("escalation"), f"{where}: escalation"),
    )


def _spread(stats: Any, label: str, at: str) -> Spread:
    if not isinstance(stats, dict):
        raise SummaryError(f"{at} should be an object")
    keys = ("mean", "p5", "p25", "p50", "p75", "p95")
    return Spread(label, *(_number(stats, key, at) for key in keys))


def _escalation(data: Any, at: str) -> EscalationFan | None:
    """The summary's escalation index (summaries before it, or of a scenario whose actions
    stand on no rung, have none)."""
    if data is None:
        return None
    if not isinstance(data, dict):
        raise SummaryError(f"{at} should be an object")

    def rounds(rows: Any, where: str) -> list[Spread]:
        if not isinstance(rows, list):
            raise SummaryError(f"{where} should be a list")
        return [_spread(row, f"R{i + 1}", f"{where}[{i}]") for i, row in enumerate(rows)]

    kinds = _need(data, "by_kind", dict, at)
    by_kind = []
    for kind, entry in kinds.items():
        where = f"{at}.by_kind.{kind}"
        if kind not in ("heuristic", "model", "human") or not isinstance(entry, dict):
            raise SummaryError(f"{where}: not a kind of player (heuristic, model or human)")
        by_kind.append(
            (
                kind,
                int(_need(entry, "team_runs", int, where)),
                rounds(entry.get("rounds"), f"{where}.rounds"),
            )
        )
    return EscalationFan(
        rounds=rounds(data.get("rounds"), f"{at}.rounds"),
        total=_spread(data.get("total"), "", f"{at}.total"),
        by_kind=by_kind,
        missing=[str(k) for k in data.get("kinds_missing", []) if isinstance(k, str)],
    )


def _part(
    data: dict[str, Any], scenario: Scenario | None, lang: str, where: str, title: str
) -> Part:
    runs = _need(data, "runs", int, where)
    outcomes = _need(data, "outcomes", dict, where)
    variables = _need(data, "variables", dict, where)
    paths = _need(data, "paths", list, where)
    labels = {o.id: localize(o.label, lang) for o in scenario.outcomes} if scenario else {}
    proportions, numerics = [], []
    for key, stats in outcomes.items():
        at = f"{where}: outcomes.{key}"
        if not isinstance(stats, dict):
            raise SummaryError(f"{at} should be an object")
        label = labels.get(key, key)
        if "p" in stats:
            proportions.append(
                Proportion(
                    key,
                    label,
                    _number(stats, "p", at),
                    _number(stats, "ci_low", at),
                    _number(stats, "ci_high", at),
                    int(stats.get("count", 0)),
                )
            )
        else:
            numerics.append(
                Numeric(key, label, *(stats.get(k) for k in ("mean", "std", "p5", "p50", "p95")))
            )
    fans = [
        _fan(key, rows, scenario, lang, f"{where}: variables.{key}")
        for key, rows in variables.items()
    ]
    shown = []
    for i, p in enumerate(paths[:PATHS_SHOWN]):
        if not isinstance(p, dict) or "path" not in p:
            raise SummaryError(f"{where}: paths[{i}] should be an object with a 'path'")
        shown.append(
            Path(
                str(p["path"]),
                int(p.get("count", 0)),
                float(p.get("share", 0.0)),
                p.get("example_seed"),
            )
        )
    return Part(
        title=title,
        runs=runs,
        interrupted=bool(data.get("interrupted", False)),
        proportions=proportions,
        numerics=numerics,
        fans=fans,
        paths=shown,
        distinct_paths=int(data.get("distinct_paths", len(paths))),
        balance=_balance(data.get("balance"), outcomes, scenario, lang),
    )


def _balance(
    balance: Any, outcomes: dict[str, Any], scenario: Scenario | None, lang: str
) -> list[str] | None:
    """The balance check in the report's language: every warning, or that all is well."""
    if not isinstance(balance, dict) or not isinstance(balance.get("warnings"), list):
        return None
    sc = scenario
    names = {
        "outcome": {o.id: localize(o.label, lang) for o in sc.outcomes} if sc else {},
        "action": {a.id: localize(a.label, lang) for a in sc.actions} if sc else {},
        "clause": {c.id: localize(c.label, lang) for c in sc.clauses.values()} if sc else {},
    }
    lines = []
    for w in balance["warnings"]:
        if not isinstance(w, dict) or w.get("kind") not in names:
            continue
        kind, key = w["kind"], str(w.get("id", ""))
        name = names[kind].get(key, key)
        if kind == "outcome":
            found = outcomes.get(key)
            stats: dict[str, Any] = found if isinstance(found, dict) else {}
            if "p" in stats:
                which = "always" if stats.get("count") else "never"
                lines.append(t(f"report.balance.outcome_{which}", lang, outcome=name))
            else:
                value = stats.get("mean")
                shown = f"{value:g}" if isinstance(value, int | float) else "?"
                lines.append(t("report.balance.outcome_constant", lang, outcome=name, value=shown))
        else:
            lines.append(t(f"report.balance.{kind}", lang, name=name))
    return lines


def _number(stats: dict[str, Any], key: str, at: str) -> float:
    value = stats.get(key)
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise SummaryError(f"{at}: field '{key}' should be a number, not {value!r}")
    return float(value)


def _fan(key: str, rows: Any, scenario: Scenario | None, lang: str, at: str) -> Fan:
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise SummaryError(f"{at} should be a list of per-round percentiles")
    var = scenario.var.get(key) if scenario else None
    label = localize(var.label, lang) if var else key
    if scenario is not None and var is not None and var.team:
        label = f"{label} ({scenario.actor_name(var.team, lang)})"
    rounds, p5, p50, p95 = [], [], [], []
    if var is not None:  # the known start value anchors the fan
        rounds.append(t("report.start", lang))
        p5.append(var.initial)
        p50.append(var.initial)
        p95.append(var.initial)
    for r in rows:
        rounds.append(f"R{r.get('round', len(rounds))}")
        p5.append(_number(r, "p5", at))
        p50.append(_number(r, "p50", at))
        p95.append(_number(r, "p95", at))
    unit = localize(var.unit, lang) if var is not None and var.unit else ""
    return Fan(key, label, unit, rounds, p5, p50, p95)
