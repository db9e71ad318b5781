"""Charts as inline SVG, drawn with matplotlib.

Text is drawn as paths (``svg.fonttype = "path"``), so a chart looks the same on
a phone without Japanese fonts, in a browser and in WeasyPrint's PDF. Each SVG
gets its own id prefix because a report inlines dozens of them in one page.

Drawing is most of what a report costs, and a chart depends only on its data, its
language and its fonts: each is drawn once and kept (``DRAWN``), so the same game's
report made again, in the other format or for another audience, draws nothing.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import io
import pickle
import re
import textwrap
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec, cast

from whitecell.report.flatten import for_weasyprint
from whitecell.report.fonts import chart_families
from whitecell.report.margins import drawn_as_placed, fit

INK = "#1f2933"
MUTED = "#7b8794"
ACCENT = "#1d4ed8"
GOOD = "#15803d"
BAD = "#b91c1c"
BAND = "#93c5fd"


@dataclass(frozen=True)
class Band:
    """A variable's 5/50/95 percentiles over the rounds."""

    label: str
    rounds: list[str]
    p5: list[float]
    p50: list[float]
    p95: list[float]
    p25: list[float] | None = None
    p75: list[float] | None = None


# A chart is about 25 kB, 75 kB once a PDF has asked for it as an image; a game's report
# has about 20: 256 hold a few games' reports in both languages in under 20 MB.
CACHE_ENTRIES = 256


@dataclass(frozen=True)
class Drawn:
    """A chart as matplotlib drew it: the ``<svg>`` element, ids not yet made unique."""

    svg: str
    title: str

    @functools.cached_property
    def image(self) -> str:
        """The chart as a ``data:`` URL of a standalone SVG for WeasyPrint, each label's
        glyphs joined into one path (see ``flatten``)."""
        label = html.escape(self.title)
        document = for_weasyprint(self.svg).replace(
            "<svg", f'<svg role="img" aria-label="{label}"', 1
        )
        return "data:image/svg+xml;base64," + base64.b64encode(document.encode()).decode("ascii")


class ChartCache:
    """The charts drawn lately, by the hash of what each was drawn from; the least recently
    used goes first. Shared by the threads of a server, hence the lock."""

    def __init__(self, entries: int = CACHE_ENTRIES) -> None:
        self.entries = entries
        self.drawn: OrderedDict[str, Drawn] = OrderedDict()
        self.lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> Drawn | None:
        with self.lock:
            drawn = self.drawn.get(key)
            if drawn is None:
                self.misses += 1
            else:
                self.hits += 1
                self.drawn.move_to_end(key)
            return drawn

    def put(self, key: str, drawn: Drawn) -> None:
        with self.lock:
            self.drawn[key] = drawn
            self.drawn.move_to_end(key)
            while len(self.drawn) > self.entries:
                self.drawn.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.drawn.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self.drawn)


DRAWN = ChartCache()
_DRAWING = threading.Lock()
TICKS_MADE = 8  # ticks an axis of a blank figure has ready
# a blank figure with its axes in the report's style, pickled, by size and fonts
_BLANK: dict[tuple[float, float, tuple[str, ...]], bytes] = {}
P = ParamSpec("P")


def _kept(draw: Callable[Concatenate[Charts, P], Drawn]) -> Callable[Concatenate[Charts, P], str]:
    """A chart method that draws only what is not in the cache, then places the chart."""

    @functools.wraps(draw)
    def placed(self: Charts, /, *args: P.args, **options: P.kwargs) -> str:
        key = self.key(draw.__name__, args, options)
        drawn = self.cache.get(key)
        if drawn is None:
            with _DRAWING:  # matplotlib's settings are global: one chart at a time
                drawn = draw(self, *args, **options)
            self.cache.put(key, drawn)
        return self.place(drawn)

    return placed


class Charts:
    """Draws one report's charts in its language; ``svg`` ids are unique across the report.

    A chart is a function of what it is drawn from, its language and its fonts, so each is
    drawn once and kept in ``cache``: a report made again, or for the other audience, only
    lays out charts already drawn. With ``images``, each chart is an ``<img>`` holding the
    same SVG as a standalone document, which WeasyPrint reads far faster than inline SVG.
    """

    def __init__(self, lang: str, *, images: bool = False, cache: ChartCache | None = None) -> None:
        self.lang = lang
        self.families = chart_families(lang)
        self.images = images
        self.cache = DRAWN if cache is None else cache
        self.count = 0

    @contextmanager
    def figure(self, width: float, height: float) -> Iterator[tuple[Any, Any]]:
        """A figure and its axes in the report's style: a bare ``Figure``, not pyplot's, so
        nothing is added to (or must be removed from) pyplot's global list of figures."""
        import matplotlib
        from matplotlib.figure import Figure

        style: dict[Any, Any] = {  # matplotlib types its keys as a Literal of every name
            "font.family": self.families,
            "font.size": 8,
            "svg.fonttype": "path",
            "svg.hashsalt": "whitecell",
            "axes.edgecolor": MUTED,
            "axes.labelcolor": INK,
            "xtick.color": INK,
            "ytick.color": INK,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
        with matplotlib.rc_context(style):
            key = (width, height, tuple(self.families))
            blank = _BLANK.get(key)
            if blank is None:  # made once, then copied: a copy costs half of making one
                made = Figure(figsize=(width, height))
                axes = made.subplots()
                for axis in (axes.xaxis, axes.yaxis):  # ticks are copied too, not made
                    axis.get_major_ticks(TICKS_MADE)
                blank = _BLANK[key] = pickle.dumps(made)
            fig = pickle.loads(blank)
            yield fig, fig.axes[0]

    def svg(self, fig: Any, title: str) -> Drawn:
        """The figure drawn once, its axes placed so that every label just fits (see
        ``margins``): no layout engine, which would draw it twice."""
        for ax in fig.axes:
            fit(fig, ax, self.families)
        buffer = io.StringIO()
        with drawn_as_placed(fig):
            fig.savefig(buffer, format="svg", metadata={"Date": None, "Title": title})
        return Drawn(_bare(buffer.getvalue()), title)

    def key(self, kind: str, args: tuple[Any, ...], options: dict[str, Any]) -> str:
        """What a chart is drawn from, hashed: its kind, data, language and fonts."""
        import matplotlib

        what = (
            kind,
            args,
            sorted(options.items()),
            self.lang,
            self.families,
            matplotlib.__version__,
        )
        return hashlib.sha256(repr(what).encode()).hexdigest()

    def place(self, drawn: Drawn) -> str:
        """A drawn chart as it goes in this report: inline with its ids made unique, or as
        an image."""
        self.count += 1
        label = html.escape(drawn.title)
        if self.images:
            return f'<img class="chart" alt="{label}" src="{drawn.image}">'
        prefix = f"c{self.count}-"
        body = _ID.sub(lambda m: f"{m.group(1)}{prefix}{m.group(2)}", drawn.svg)
        return body.replace("<svg", f'<svg role="img" aria-label="{label}"', 1)

    # -- a game --------------------------------------------------------------
    @_kept
    def variable(
        self,
        label: str,
        unit: str,
        x: Sequence[str],
        y: Sequence[float],
        lo: float,
        hi: float,
        flag: bool,
    ) -> Drawn:
        with self.figure(2.6, 1.55) as (fig, ax):
            ax.plot(range(len(y)), y, color=ACCENT, marker="o", markersize=3, linewidth=1.6)
            ax.set_xticks(range(len(x)), list(x))
            ax.set_ylim(lo - (hi - lo) * 0.04, hi + (hi - lo) * 0.04)
            if flag:
                ax.set_yticks([0, 1], [_yes_no(self.lang, False), _yes_no(self.lang, True)])
            ax.set_title(_wrap(label), fontsize=8, loc="left", color=INK)
            if unit:
                ax.set_ylabel(unit, fontsize=7, color=MUTED)
            ax.grid(axis="y", color="#e4e7eb", linewidth=0.6)
            return self.svg(fig, label)

    @_kept
    def family(
        self,
        label: str,
        unit: str,
        x: Sequence[str],
        lines: Sequence[tuple[str, Sequence[float]]],
        lo: float,
        hi: float,
    ) -> Drawn:
        """A per-team variable: one line per team, named at its end."""
        import matplotlib
        from matplotlib.colors import ListedColormap

        palette = matplotlib.colormaps["tab10"]
        assert isinstance(palette, ListedColormap)  # a list of colours, not a gradient
        colours = cast(Sequence[Any], palette.colors)
        with self.figure(2.6, 1.9) as (fig, ax):
            for i, (team, y) in enumerate(lines):
                colour = colours[i % len(colours)]
                ax.plot(range(len(y)), y, color=colour, linewidth=1.3, label=team)
            ax.set_xticks(range(len(x)), list(x))
            ax.set_ylim(lo - (hi - lo) * 0.04, hi + (hi - lo) * 0.04)
            ax.set_title(_wrap(label), fontsize=8, loc="left", color=INK)
            if unit:
                ax.set_ylabel(unit, fontsize=7, color=MUTED)
            ax.grid(axis="y", color="#e4e7eb", linewidth=0.6)
            ax.legend(fontsize=5.5, ncols=2 if len(lines) > 4 else 1, frameon=False, loc="best")
            return self.svg(fig, label)

    @_kept
    def relations(
        self,
        names: Sequence[str],
        grid: Sequence[Sequence[tuple[int, int]]],
        title: str,
        actor: str,
        target: str,
    ) -> Drawn:
        import numpy as np

        counts = np.array([[n for n, _ in row] for row in grid], dtype=float)
        size = max(3.2, 0.62 * len(names) + 1.6)
        with self.figure(size, size * 0.82) as (fig, ax):
            ax.imshow(counts, cmap="Blues", vmin=0, vmax=max(1.0, counts.max()))
            ax.set_xticks(range(len(names)), list(names), rotation=35, ha="right")
            ax.set_yticks(range(len(names)), list(names))
            ax.set_xlabel(target)
            ax.set_ylabel(actor)
            for i, row in enumerate(grid):
                for j, (n, k) in enumerate(row):
                    if n:
                        dark = counts[i, j] > counts.max() * 0.6
                        ax.text(
                            j,
                            i,
                            f"{k}/{n}",
                            ha="center",
                            va="center",
                            fontsize=7,
                            color="white" if dark else INK,
                        )
            ax.set_title(title, fontsize=9, loc="left")
            return self.svg(fig, title)

    @_kept
    def agreements(
        self, rows: Sequence[tuple[str, int, int | None, str]], rounds: int, title: str, xlabel: str
    ) -> Drawn:
        """``rows``: (label, signed round, broken round or None, who broke it)."""
        height = max(1.4, 0.42 * len(rows) + 0.9)
        with self.figure(6.0, height) as (fig, ax):
            for i, (_, signed, broken, by) in enumerate(rows):
                # a bar covers the rounds the agreement was in force, its last one included
                last = broken if broken is not None else rounds
                colour = BAD if broken is not None else GOOD
                ax.barh(i, last - signed + 0.8, left=signed - 0.4, height=0.5, color=colour)
                if broken is not None:
                    ax.plot([broken + 0.4], [i], marker="x", color=INK, markersize=7, mew=2)
                    if by:
                        ax.text(broken + 0.55, i, by, fontsize=7, color=BAD, va="center")
            ax.set_yticks(range(len(rows)), [r[0] for r in rows])
            ax.set_xlim(0.4, rounds + 1.4)
            ax.set_xticks(range(1, rounds + 1), [f"R{n}" for n in range(1, rounds + 1)])
            ax.set_xlabel(xlabel)
            ax.invert_yaxis()
            ax.set_title(title, fontsize=9, loc="left")
            return self.svg(fig, title)

    @_kept
    def escalation(
        self,
        x: Sequence[str],
        lines: Sequence[tuple[str, str, Sequence[float]]],
        overall: tuple[str, Sequence[float]],
        title: str,
    ) -> Drawn:
        """The escalation index by round: a line per team in its colour (``lines``: name,
        colour, values), all teams' together in black and dashed."""
        styles = ("-", "--", ":", "-.")
        with self.figure(6.0, 2.6) as (fig, ax):
            xs = range(len(x))
            for i, (name, colour, values) in enumerate(lines):
                style = styles[(i // 8) % len(styles)]  # colours repeat after eight teams
                ax.plot(
                    xs, values, color=colour, linestyle=style, marker="o", markersize=2.5,
                    linewidth=1.2, label=name,
                )  # fmt: skip
            name, values = overall
            ax.plot(xs, values, color=INK, linestyle="--", linewidth=2.0, label=name)
            ax.axhline(0, color=MUTED, linewidth=0.6)
            ax.set_xticks(list(xs), list(x))
            ax.set_title(title, fontsize=9, loc="left")
            ax.grid(axis="y", color="#e4e7eb", linewidth=0.6)
            ax.legend(
                fontsize=6, ncols=2 if len(lines) > 5 else 1, frameon=False,
                loc="upper left", bbox_to_anchor=(1.0, 1.0),
            )  # fmt: skip
            return self.svg(fig, title)

    @_kept
    def forecast_line(
        self,
        x: Sequence[str],
        lines: Sequence[tuple[str, Sequence[tuple[float, float, float]]]],
        title: str,
    ) -> Drawn:
        """Each headline outcome's chance over the rounds (``lines``: label, (p, low, high)
        per point), its 95% interval as a band."""
        colours = (ACCENT, "#b45309", "#047857", "#7c3aed", "#be123c")
        with self.figure(6.0, 2.4) as (fig, ax):
            xs = list(range(len(x)))
            for i, (label, points) in enumerate(lines):
                colour = colours[i % len(colours)]
                ax.fill_between(
                    xs, [p[1] for p in points], [p[2] for p in points], color=colour,
                    alpha=0.15, linewidth=0,
                )  # fmt: skip
                ax.plot(
                    xs, [p[0] for p in points], color=colour, marker="o", markersize=3,
                    linewidth=1.6, label=_wrap(label, 34),
                )  # fmt: skip
            ax.set_ylim(-0.03, 1.03)
            ax.yaxis.set_major_formatter(_percent())
            ax.set_xticks(xs, list(x))
            ax.grid(axis="y", color="#e4e7eb", linewidth=0.6)
            ax.set_title(title, fontsize=9, loc="left")
            ax.legend(fontsize=6, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
            return self.svg(fig, title)

    @_kept
    def escalation_fan(self, band: Band, median: str, mean: tuple[str, Sequence[float]]) -> Drawn:
        """The ensemble's escalation index by round: 5-95 and 25-75 bands, the median and
        the mean."""
        with self.figure(6.0, 2.4) as (fig, ax):
            xs = list(range(len(band.rounds)))
            ax.fill_between(xs, band.p5, band.p95, color=BAND, alpha=0.45, linewidth=0)
            if band.p25 and band.p75:
                ax.fill_between(xs, band.p25, band.p75, color=BAND, alpha=0.9, linewidth=0)
            ax.plot(xs, band.p50, color=ACCENT, linewidth=1.8, label=median)
            ax.plot(xs, mean[1], color=INK, linestyle=":", linewidth=1.2, label=mean[0])
            ax.axhline(0, color=MUTED, linewidth=0.6)
            ax.set_xticks(xs, band.rounds)
            ax.grid(axis="y", color="#e4e7eb", linewidth=0.6)
            ax.set_title(band.label, fontsize=9, loc="left")
            ax.legend(fontsize=6, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
            return self.svg(fig, band.label)

    # -- an ensemble -----------------------------------------------------------
    @_kept
    def proportions(self, rows: Sequence[tuple[str, float, float, float]], title: str) -> Drawn:
        """``rows``: (label, p, ci_low, ci_high) drawn as dots with their 95% intervals."""
        height = max(1.5, 0.34 * len(rows) + 0.8)
        with self.figure(6.0, height) as (fig, ax):
            for i, (_, p, low, high) in enumerate(rows):
                ax.plot([low, high], [i, i], color=ACCENT, linewidth=2.2, solid_capstyle="butt")
                ax.plot([p], [i], marker="o", color=INK, markersize=4.5)
                ax.text(min(high + 0.015, 0.93), i, f"{p * 100:.1f}%", va="center", fontsize=7)
            ax.set_yticks(range(len(rows)), [r[0] for r in rows])
            ax.set_xlim(0, 1)
            ax.xaxis.set_major_formatter(_percent())
            ax.invert_yaxis()
            ax.grid(axis="x", color="#e4e7eb", linewidth=0.6)
            ax.set_title(title, fontsize=9, loc="left")
            return self.svg(fig, title)

    @_kept
    def fan(self, band: Band, unit: str) -> Drawn:
        with self.figure(2.6, 1.55) as (fig, ax):
            x = range(len(band.rounds))
            ax.fill_between(x, band.p5, band.p95, color=BAND, alpha=0.55, linewidth=0)
            ax.plot(x, band.p50, color=ACCENT, linewidth=1.6)
            ax.set_xticks(list(x), band.rounds)
            ax.set_title(_wrap(band.label), fontsize=8, loc="left")
            if unit:
                ax.set_ylabel(unit, fontsize=7, color=MUTED)
            ax.grid(axis="y", color="#e4e7eb", linewidth=0.6)
            return self.svg(fig, band.label)

    @_kept
    def sweep(
        self,
        values: Sequence[str],
        label: str,
        p: Sequence[float],
        low: Sequence[float],
        high: Sequence[float],
        xlabel: str,
    ) -> Drawn:
        with self.figure(3.0, 1.9) as (fig, ax):
            x = list(range(len(values)))
            ax.fill_between(x, low, high, color=BAND, alpha=0.5, linewidth=0)
            ax.plot(x, p, color=ACCENT, marker="o", markersize=3.5, linewidth=1.6)
            ax.set_xticks(x, list(values), rotation=20 if len(values) > 4 else 0)
            ax.set_ylim(0, 1)
            ax.yaxis.set_major_formatter(_percent())
            ax.set_xlabel(xlabel, fontsize=7)
            ax.set_title(_wrap(label), fontsize=8, loc="left")
            ax.grid(axis="y", color="#e4e7eb", linewidth=0.6)
            return self.svg(fig, label)


def _wrap(label: str, width: int = 40) -> str:
    """A small chart's title on two lines at most (Japanese has no spaces: cut anywhere)."""
    if len(label) <= width:
        return label
    wide = sum(1 for c in label if ord(c) > 0x2E80) > len(label) // 2
    limit = width // 2 if wide else width
    if wide:
        lines = [label[i : i + limit] for i in range(0, len(label), limit)]
    else:
        lines = textwrap.wrap(label, limit)
    return "\n".join(lines[:2]) + ("…" if len(lines) > 2 else "")


def _percent() -> Any:
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(xmax=1, decimals=0)


def _yes_no(lang: str, value: bool) -> str:
    from whitecell.i18n import t

    return t("game.yes" if value else "game.no", lang)


_ID = re.compile(r'(id="|href="#|url\(#)([^")]+)')


def _bare(svg: str) -> str:
    """The ``<svg>`` element alone, sized to its container."""
    body = svg[svg.index("<svg") :]
    return re.sub(
        r'<svg([^>]*?) width="[^"]+" height="[^"]+"', r'<svg\1 class="chart"', body, count=1
    )
