"""Reports as bytes: HTML (one self-contained file), Markdown or PDF (WeasyPrint).

The HTML and the PDF come from the same template, so what a teacher projects is
what students print. Markdown leaves the charts out and gives their numbers as
tables, for pasting into a course page.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

import jinja2

from whitecell import __version__
from whitecell.engine.log import GameLog, LogError, replay_log
from whitecell.i18n import t
from whitecell.report.aar import GameReport, build_game_report
from whitecell.report.charts import Band, Charts
from whitecell.report.ensemble import EnsembleReport, SummaryError, build_ensemble_report
from whitecell.report.fonts import FontMissing, css_families
from whitecell.scenario.compiled import Scenario
from whitecell.verify import verify_log

FORMATS = ("html", "md", "pdf")
AUDIENCES = ("control", "debrief", "public")
LANGS = ("en", "ja")


class ReportError(Exception):
    """A report that cannot be made, with a message for the person who asked."""


def _check(fmt: str, lang: str, audience: str | None = None) -> None:
    if fmt not in FORMATS:
        raise ReportError(f"unknown format '{fmt}' (allowed: {', '.join(FORMATS)})")
    if lang not in LANGS:
        raise ReportError(f"unknown language '{lang}' (allowed: {', '.join(LANGS)})")
    if audience is not None and audience not in AUDIENCES:
        raise ReportError(f"unknown audience '{audience}' (allowed: {', '.join(AUDIENCES)})")


def game_report(
    log: GameLog,
    *,
    fmt: str = "html",
    lang: str = "en",
    audience: str = "control",
    debrief: dict[str, Any] | None = None,
) -> bytes:
    """The after-action report of one game, for the white cell or for everyone; with the
    ``debrief`` (``whitecell.debrief``) its turning points are counterfactual."""
    _check(fmt, lang, audience)
    try:
        state = replay_log(log)
    except LogError as exc:
        raise ReportError(str(exc)) from None
    if state.ended:
        verdict = verify_log(log)
        if not verdict.ok:
            raise ReportError(
                f"{log.source}: the log does not verify, so it was altered or damaged: "
                f"{verdict.message}"
            )
        checked = t("report.verified", lang, rolls=verdict.rolls)
    else:
        checked = t("report.not_verified", lang)
    report = build_game_report(log, lang=lang, audience=audience, verdict=checked, debrief=debrief)
    return _laid_out("aar", report, _game_charts, fmt, lang)


def ensemble_report(
    summary: Any, *, fmt: str = "html", lang: str = "en", scenario: Scenario | None = None
) -> bytes:
    """The report of an ensemble summary; ``scenario`` supplies labels when at hand."""
    _check(fmt, lang)
    try:
        report = build_ensemble_report(summary, scenario, lang)
    except SummaryError as exc:
        raise ReportError(str(exc)) from None
    return _laid_out("ensemble", report, _ensemble_charts, fmt, lang)


def _laid_out(name: str, report: Any, draw: Any, fmt: str, lang: str) -> bytes:
    """``report`` through template ``name``: Markdown without charts; HTML with the charts
    ``draw`` makes, and PDF from the same HTML with the same charts as images."""
    if fmt == "md":
        return _template(f"{name}.md", markdown=True).render(r=report, **_common(lang)).encode()
    try:
        # the PDF takes each chart as an image: the same SVG, read far faster by WeasyPrint
        charts = draw(report, Charts(lang, images=fmt == "pdf"))
    except FontMissing as exc:
        raise ReportError(str(exc)) from None
    html = _template(f"{name}.html").render(r=report, charts=charts, **_common(lang))
    return html.encode() if fmt == "html" else _pdf(html)


# -- charts -------------------------------------------------------------------
def _game_charts(r: GameReport, c: Charts) -> dict[str, Any]:
    families: dict[str, list[Any]] = {}
    for s in r.series:
        families.setdefault(s.family, []).append(s)
    variables = []
    for members in families.values():
        first = members[0]
        if len(members) == 1 and not first.team:
            args = (first.label, first.unit, r.round_labels, first.values)
            variables.append(c.variable(*args, first.lo, first.hi, first.is_flag))
        else:  # a per-team variable: one chart, a line per team
            lines = [(m.team, m.values) for m in members]
            variables.append(
                c.family(first.family_label, first.unit, r.round_labels, lines, first.lo, first.hi)
            )
    relations = ""
    if any(n for row in r.relations for n, _ in row):
        relations = c.relations(
            r.relation_teams,
            r.relations,
            t("report.chart.relations", r.lang),
            t("report.chart.actor", r.lang),
            t("report.chart.target", r.lang),
        )
    agreements = ""
    if r.agreements:
        rows = [(a.label, a.signed_round, a.broken_round, a.ended_by) for a in r.agreements]
        rounds = max(len(r.round_labels) - 1, max(a.signed_round for a in r.agreements))
        agreements = c.agreements(
            rows, rounds, t("report.chart.agreements", r.lang), t("report.chart.round", r.lang)
        )
    escalation = ""
    if r.escalation is not None and r.escalation.rounds:
        e = r.escalation
        escalation = c.escalation(
            e.rounds,
            [(row.name, row.colour, row.values) for row in e.rows],
            (e.overall.name, e.overall.values),
            t("report.escalation.chart", r.lang),
        )
    forecast = ""
    if r.debrief is not None and r.debrief.forecast:
        d = r.debrief
        lines = [(line.label, line.points) for line in d.forecast]
        forecast = c.forecast_line(d.forecast_rounds, lines, t("report.forecast_line", r.lang))
    return {
        "variables": variables,
        "relations": relations,
        "agreements": agreements,
        "escalation": escalation,
        "forecast": forecast,
    }


def _ensemble_charts(r: EnsembleReport, c: Charts) -> dict[str, Any]:
    out: dict[str, Any] = {"proportions": "", "fans": [], "sweep": [], "escalation": ""}
    if r.escalation is not None and r.escalation.rounds:
        spreads = r.escalation.rounds
        band = Band(
            t("report.escalation.chart", r.lang),
            [s.label for s in spreads],
            [s.p5 for s in spreads],
            [s.p50 for s in spreads],
            [s.p95 for s in spreads],
            [s.p25 for s in spreads],
            [s.p75 for s in spreads],
        )
        mean = (t("report.ensemble.mean", r.lang), [s.mean for s in spreads])
        median = t("report.escalation.median", r.lang)
        out["escalation"] = c.escalation_fan(band, median, mean)
    if r.main.proportions:
        rows = [(p.label, p.p, p.low, p.high) for p in r.main.proportions]
        out["proportions"] = c.proportions(rows, t("report.ensemble.proportions", r.lang))
    out["fans"] = [c.fan(Band(f.label, f.rounds, f.p5, f.p50, f.p95), f.unit) for f in r.main.fans]
    if r.sweep:
        values = [_sweep_value(part.title, r.sweep_keys) for part in r.sweep]
        xlabel = " × ".join(r.sweep_keys)
        for i, p in enumerate(r.sweep[0].proportions):
            series = [part.proportions[i] for part in r.sweep if i < len(part.proportions)]
            out["sweep"].append(
                c.sweep(
                    values,
                    p.label,
                    [s.p for s in series],
                    [s.low for s in series],
                    [s.high for s in series],
                    xlabel,
                )
            )
    return out


def _sweep_value(title: str, keys: list[str]) -> str:
    """``a = 1, b = 2`` → ``1, 2`` for an axis whose label already names a and b."""
    parts = [item.split(" = ", 1)[-1] for item in title.split(", ")]
    return " · ".join(parts) if len(keys) > 1 else parts[0]


# -- templates ----------------------------------------------------------------
def _common(lang: str) -> dict[str, Any]:
    def tr(key: str, **values: Any) -> str:
        return t(key, lang, **values)

    return {
        "t": tr,
        "lang": lang,
        "version": __version__,
        "fonts": css_families(lang),
        "pct": lambda p: "—" if p is None else f"{p * 100:.1f}%",
        "pct0": lambda p: "—" if p is None else f"{p * 100:.0f}%",
        "num": lambda x: (
            "—" if x is None else (f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}")
        ),
    }


@cache
def _environment(markdown: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("whitecell.report", "templates"),
        autoescape=not markdown,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md"] = md_escape
    return env


def _template(name: str, markdown: bool = False) -> jinja2.Template:
    return _environment(markdown).get_template(name)


_MD_SPECIAL = {c: f"\\{c}" for c in "\\`*_[]#|~"} | {"<": "&lt;", ">": "&gt;", "&": "&amp;"}


def md_escape(text: Any) -> str:
    """Text safe inside a Markdown paragraph or table cell: no markup, no raw HTML."""
    s = " ".join(str(text).split())
    return "".join(_MD_SPECIAL.get(c, c) for c in s)


def _pdf(html: str) -> bytes:
    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return HTML(string=html).write_pdf()
