"""A chart's margins from the measured size of its labels, instead of a layout pass.

matplotlib's layout engines (constrained layout, ``bbox_inches="tight"``) find the room
a chart's labels need by drawing the whole figure once to measure it, then drawing it
again: half of what a chart cost. A report's charts are simple (one axes, ticks, a title,
perhaps an axis label or a legend beside the axes), so the room each label needs can be
worked out from its text alone, each text measured once and remembered. The sizes below
are matplotlib's defaults for ticks, pads and legends (in points), which the report's
style does not change.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

EDGE = 3.0  # paper kept between the outermost text and the figure's edge (as constrained)
TICK = 3.5 + 3.5  # a major tick's length and the pad between it and its label
LABEL_PAD = 4.0  # between tick labels and the axis label
TITLE_PAD = 6.0  # between the axes and its title
LINE_SPACING = 1.2
LEGEND_ROW = 1.1  # a legend row is a little taller than its text, in its font size
MIN_AXES = 24.0  # the least width and height a plot keeps, however long its labels
GUESS = (26.0, 4.0, 21.0, 20.0)  # where to place an axes first: left, right, bottom, top
# a legend's parts, in multiples of its font size
BORDER_PAD, BORDER_AXES_PAD, HANDLE, HANDLE_PAD, COLUMN_GAP, ROW_GAP = 0.4, 0.5, 2.0, 0.8, 2.0, 0.5


@dataclass(frozen=True)
class Box:
    """A text's extent in points: ``width`` along the page, ``height`` up it."""

    width: float
    height: float


@functools.lru_cache(maxsize=8192)
def measure(text: str, size: float, families: tuple[str, ...], rotation: float = 0.0) -> Box:
    """The box ``text`` fills at ``size`` points in the first of ``families`` that has its
    glyphs, each line as matplotlib sets it; rotated by ``rotation`` degrees."""
    from matplotlib.cbook import is_math_text
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    prop = FontProperties(family=list(families), size=size)
    widths, line = [], float(size)  # a line is at least one em high
    for part in text.split("\n"):
        if not part:
            continue
        w, h, _ = text_to_path.get_text_width_height_descent(part, prop, is_math_text(part))
        widths.append(w)
        line = max(line, h)
    lines = max(1, text.count("\n") + 1)
    width, height = max(widths, default=0.0), line * (1 + LINE_SPACING * (lines - 1))
    if rotation % 180:
        a = math.radians(rotation)
        return Box(
            abs(width * math.cos(a)) + abs(height * math.sin(a)),
            abs(width * math.sin(a)) + abs(height * math.cos(a)),
        )
    return Box(width, height)


def fit(fig: Any, ax: Any, families: Iterable[str]) -> None:
    """Place ``ax`` in ``fig`` so that its tick labels, axis labels, title, texts and a
    legend outside the axes all fall inside the figure, with no more paper than needed.

    How many ticks an axis has depends on its length, so the axes is placed again until
    its ticks no longer change. A legend taller than the room beside the axes makes the
    figure taller."""
    names = tuple(families)
    # start where a small chart's axes usually ends up, so that one placing mostly does
    width, height = (float(v) * 72 for v in fig.get_size_inches())
    left, right, bottom, top = GUESS
    fig.subplots_adjust(
        left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height
    )
    for _ in range(4):
        measured, beside, below = _place(fig, ax, names)
        if measured == _ticks(ax):  # the ticks the margins were measured with
            break
    _pin(fig, ax, beside, below)


def _pin(fig: Any, ax: Any, beside: float, below: float) -> None:
    """Put the axis labels and the title where matplotlib would, so that drawing does not
    measure every tick label again to find those places: each axis label a pad beyond its
    tick labels (which reach ``beside`` the y axis and ``below`` the x axis, in points), the
    title on the axes (matplotlib moves it only past an x axis on top, which these charts
    have not, or past a y axis offset such as "1e6", left to matplotlib)."""
    ax._autotitlepos = bool(ax.yaxis.get_major_formatter().get_offset())
    width, height = (float(v) * 72 for v in fig.get_size_inches())
    box = ax.get_position()  # as the axes will be drawn (a heat map's keeps its aspect)
    ax.yaxis.set_label_coords(-(beside + LABEL_PAD) / (box.width * width), 0.5)
    ax.xaxis.set_label_coords(0.5, -(below + LABEL_PAD) / (box.height * height))


@contextmanager
def drawn_as_placed(fig: Any) -> Iterator[None]:
    """While ``fig`` is drawn, an axis whose label was pinned (``_pin``) and which has no
    offset ("1e6") skips measuring its tick labels again: drawing measures them only to
    place those two. Measuring works as before once the drawing is done."""
    skipped = [
        axis
        for ax in fig.axes
        for axis in (ax.xaxis, ax.yaxis)
        if not axis._autolabelpos and not axis.get_major_formatter().get_offset()
    ]
    for axis in skipped:
        axis._get_ticklabel_bboxes = _unmeasured
    try:
        yield
    finally:
        for axis in skipped:
            del axis._get_ticklabel_bboxes


def _unmeasured(ticks: Any, renderer: Any) -> tuple[list[Any], list[Any]]:
    return [], []


def _ticks(ax: Any) -> tuple[tuple[float, ...], tuple[float, ...]]:
    return tuple(ax.xaxis.get_majorticklocs()), tuple(ax.yaxis.get_majorticklocs())


def _place(fig: Any, ax: Any, names: tuple[str, ...]) -> tuple[object, float, float]:
    """Margins for the axes as its ticks are now; returns those ticks, and how far the tick
    labels reach beside the y axis and below the x axis (points, 0: none)."""
    width, height = (float(v) * 72 for v in fig.get_size_inches())

    def box(text: Any) -> Box:
        return measure(text.get_text(), float(text.get_fontsize()), names, text.get_rotation())

    measured = _ticks(ax)
    x_ticks = _tick_labels(ax.xaxis)
    y_ticks = _tick_labels(ax.yaxis)
    x0, x1 = ax.get_xlim()

    # left: the y tick labels and the y axis label; a rotated x tick label may reach further
    beside = TICK + max(box(t).width for _, t in y_ticks) if y_ticks else 0.0
    below = TICK + max(box(t).height for _, t in x_ticks) if x_ticks else 0.0
    left = max(beside, TICK)
    if ax.yaxis.label.get_text():
        left += LABEL_PAD + box(ax.yaxis.label).width
    # below: the x tick labels and the x axis label
    bottom = max(below, TICK)
    if ax.xaxis.label.get_text():
        bottom += LABEL_PAD + box(ax.xaxis.label).height
    # above: the tallest title, or else half the highest y tick label
    titles = [t for t in (ax.title, ax._left_title, ax._right_title) if t.get_text()]
    room = width - left - 2 * EDGE  # a title starts at the axes' left edge
    for title in titles:
        if box(title).width > room:
            title.set_text(rewrap(title.get_text(), room, float(title.get_fontsize()), names))
    top = max(
        (TITLE_PAD + box(t).height for t in titles),
        default=max((box(t).height / 2 for _, t in y_ticks), default=0.0),
    )
    if ax.yaxis.get_major_formatter().get_offset():  # "1e6" atop the y axis: a title goes above
        top += box(ax.yaxis.offsetText).height + TITLE_PAD

    # sideways: what reaches past the axes' edges, each at its place along the axes (a
    # fraction of the axes' width) plus its length beyond that place
    before: list[tuple[float, float]] = []  # (place, length to the left of it)
    past: list[tuple[float, float]] = []  # (place, length to the right of it)
    for value, text in x_ticks:
        b = box(text)
        where = (value - x0) / (x1 - x0)
        align = text.get_horizontalalignment()
        share = {"center": 0.5, "left": 0.0}.get(align, 1.0)  # of it left of its place
        before.append((where, b.width * share))
        past.append((where, b.width * (1 - share)))
    for text in ax.texts:
        if text.get_horizontalalignment() == "left":
            past.append(((text.get_position()[0] - x0) / (x1 - x0), box(text).width))
    legend = ax.get_legend()
    if legend is not None and _outside(legend):
        wide, tall = _legend_size(legend, box)
        past.append((1.0, wide))
        if top + tall + 2 * EDGE > height:  # the legend, from the axes' top, would run off
            height = top + tall + 2 * EDGE
            fig.set_size_inches(width / 72, height / 72)
    left += EDGE
    right = _room(past, left, EDGE, width)
    # a label hanging left of the first tick: left + where * (axes' width) - length >= EDGE
    for where, length in before:
        left = max(left, EDGE + length - where * (width - left - right))
    right = _room(past, left, right, width)
    # labels longer than the chart (a team named at length): the figure grows to keep the
    # plot MIN_AXES wide and tall rather than placing its axes inside out
    if width - left - right < MIN_AXES or height - bottom - top - 2 * EDGE < MIN_AXES:
        width = max(width, left + right + MIN_AXES)
        height = max(height, bottom + top + 2 * EDGE + MIN_AXES)
        fig.set_size_inches(width / 72, height / 72)
    fig.subplots_adjust(
        left=left / width,
        right=1 - right / width,
        bottom=(bottom + EDGE) / height,
        top=1 - (top + EDGE) / height,
    )
    return measured, beside, below


def rewrap(text: str, room: float, size: float, families: tuple[str, ...]) -> str:
    """``text`` broken into lines no wider than ``room`` points where it can be: between
    words, or anywhere in text without spaces (Japanese)."""
    words = " ".join(text.split("\n")).split(" ")
    pieces = words if len(words) > 1 else list(text.replace("\n", ""))
    gap = " " if len(words) > 1 else ""
    lines: list[str] = []
    for piece in pieces:
        joined = f"{lines[-1]}{gap}{piece}" if lines else piece
        if lines and measure(joined, size, families).width <= room:
            lines[-1] = joined
        else:
            lines.append(piece)
    return "\n".join(lines)


def _room(past: list[tuple[float, float]], left: float, right: float, width: float) -> float:
    """The right margin that keeps each ``(place, length)`` inside the figure:
    left + place * (width - left - right) + length <= width - EDGE."""
    for where, length in past:
        if where > 0:
            right = max(right, width - left - (width - EDGE - length - left) / where)
    return right


def _legend_size(legend: Any, box: Any) -> tuple[float, float]:
    """The room a legend beside the axes takes: its width from the axes' edge, its height."""
    texts = legend.get_texts()
    size = float(texts[0].get_fontsize()) if texts else 6.0
    labels = [box(t) for t in texts]
    rows = max(1, math.ceil(len(labels) / max(1, int(legend._ncols))))
    columns = [labels[c : c + rows] for c in range(0, len(labels), rows)]
    wide = (
        (BORDER_AXES_PAD + 2 * BORDER_PAD + 0.5) * size
        + sum(max(b.width for b in column) for column in columns)
        + len(columns) * (HANDLE + HANDLE_PAD) * size
        + max(0, len(columns) - 1) * COLUMN_GAP * size
    )
    tall = (2 * BORDER_PAD + BORDER_AXES_PAD) * size
    for r in range(rows):
        row = max(max(c[r].height for c in columns if r < len(c)), LEGEND_ROW * size)
        tall += row + (ROW_GAP * size if r else 0.0)
    return wide, tall


def _tick_labels(axis: Any) -> list[tuple[float, Any]]:
    """The tick labels ``axis`` will draw, with their places: those inside its view."""
    low, high = sorted(axis.get_view_interval())
    slack = (high - low) * 1e-9
    placed = zip(axis.get_majorticklocs(), axis.get_majorticklabels(), strict=False)
    return [
        (float(v), t)
        for v, t in placed
        if low - slack <= v <= high + slack and t.get_visible() and t.get_text()
    ]


def _outside(legend: Any) -> bool:
    """A legend anchored at the axes' right edge, as the wide charts place theirs."""
    anchor = legend.get_bbox_to_anchor()
    axes = legend.axes.bbox
    return bool(anchor is not axes and anchor.x0 >= axes.x1 - 1e-6)
