"""Accessibility audits for the browser tests: axe-core's WCAG 2.0/2.1 A and AA rules, a few
checks axe leaves out (one h1, a main landmark, a skip link, phone width, tap targets), and
full-page screenshots at desktop and phone size.

axe-core is vendored in tests/e2e/axe/ (see VENDORED.md): nothing is fetched at test time.

How the script gets into the page: the app's Content-Security-Policy is
``script-src 'self'``, so ``page.add_script_tag(content=...)`` (an inline ``<script>``) is
refused by the browser. ``page.evaluate(source)`` runs the same text through the DevTools
protocol, which a page's CSP does not govern, in the page's own JavaScript world, so
``window.axe`` is defined there. The page keeps its real CSP while it is audited
(no ``bypass_csp`` context): what axe sees is what people get.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from tests.e2e.conftest import ARTIFACTS

AXE = Path(__file__).resolve().parent / "axe" / "axe.min.js"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
SERIOUS = ("critical", "serious")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
MIN_TAP = 44  # px: the height of a button at phone size
SHOW = 4  # elements shown per finding
ROOMS = ARTIFACTS / "rooms"

_source: str | None = None


def axe_source() -> str:
    global _source
    if _source is None:
        _source = AXE.read_text(encoding="utf-8")
    return _source


@dataclass(frozen=True)
class Node:
    """One element a rule failed on: where it is, its markup, and what axe says is wrong."""

    target: str
    html: str
    summary: str


@dataclass(frozen=True)
class Violation:
    """An axe rule that fails on the page, with the first few elements it fails on."""

    rule: str
    impact: str
    help: str
    help_url: str
    count: int  # elements it fails on
    nodes: tuple[Node, ...]

    def __str__(self) -> str:
        lines = [f"[{self.impact}] {self.rule}: {self.help} ({self.count} element(s))"]
        lines.append(f"    {self.help_url}")
        for node in self.nodes:
            lines.append(f"    - {node.target}")
            lines.append(f"      {_cut(node.html, 200)}")
            if node.summary:
                lines.append(f"      {_cut(node.summary, 240)}")
        if self.count > len(self.nodes):
            lines.append(f"    … and {self.count - len(self.nodes)} more")
        return "\n".join(lines)


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _summary(text: str) -> str:
    """axe's failure summary on one line: "Fix any of the following: a; b; c"."""
    head, *items = [line.strip() for line in text.splitlines() if line.strip()] or [""]
    return f"{head} {'; '.join(items)}".strip()


_RUN = """async (tags) => {
  const result = await window.axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return {
    rules: result.passes.length + result.violations.length + result.incomplete.length,
    violations: result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => {
        const target = n.target.map((t) => Array.isArray(t) ? t.join(" >>> ") : t).join(" ");
        let el = null;
        try { el = document.querySelector(target); } catch (e) { el = null; }
        const panel = el && el.closest("section[id], [role=region][id]");
        return {
          target: panel && panel !== el ? `${target} (in #${panel.id})` : target,
          html: n.html,
          summary: n.failureSummary || "",
        };
      }),
    })),
  };
}"""


def audit(page: Page) -> list[Violation]:
    """axe-core's WCAG 2.0/2.1 A and AA rules on the page as it is now: the violations of
    impact critical or serious, each with its first few elements."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    found: dict[str, Any] = page.evaluate(_RUN, list(WCAG_TAGS))
    assert found["rules"] > 0, "axe ran no rule at all: the audit itself is broken"
    out = []
    for v in found["violations"]:
        if v["impact"] not in SERIOUS:
            continue
        nodes = tuple(
            Node(n["target"], n["html"], _summary(n["summary"])) for n in v["nodes"][:SHOW]
        )
        out.append(Violation(v["id"], v["impact"], v["help"], v["helpUrl"], len(v["nodes"]), nodes))
    out.sort(key=lambda v: (SERIOUS.index(v.impact), v.rule))
    return out


def screenshots(page: Page, name: str) -> list[Path]:
    """Full-page screenshots at desktop (1280×900) and phone (390×844) size, into
    test-artifacts/e2e/rooms/{name}-{desktop|phone}.png; the viewport is put back."""
    ROOMS.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size
    paths = []
    try:
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            path = ROOMS / f"{name}-{label}.png"
            page.screenshot(path=str(path), full_page=True)
            paths.append(path)
    finally:
        if before is not None:
            page.set_viewport_size(before)
    return paths


def grouped(items: list[str], show: int = 20) -> list[str]:
    """The same finding once, with how many elements it is (×3), in page order; at most
    ``show`` lines and a line for the rest."""
    counts: dict[str, int] = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    lines = [f"{item} (×{n})" if n > 1 else item for item, n in counts.items()]
    if len(lines) > show:
        lines = [*lines[:show], f"… and {len(lines) - show} more kinds"]
    return lines


def settle(page: Page, timeout: float = 5.0) -> None:
    """Wait until htmx has no request in flight for a few polls in a row (a room's panels
    refresh themselves when its live stream opens; axe must not see a half-swapped page)."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while quiet < 3 and time.monotonic() < deadline:
        busy = page.evaluate(
            "document.readyState !== 'complete' || !!document.querySelector('.htmx-request')"
        )
        quiet = 0 if busy else quiet + 1
        page.wait_for_timeout(100)


# -- the checks axe leaves out -----------------------------------------------------------

# a short, readable name for an element: tag#id.class "text"
_DESCRIBE = """(el) => {
  let s = el.tagName.toLowerCase();
  if (el.id) s += "#" + el.id;
  for (const c of Array.from(el.classList).slice(0, 3)) s += "." + c;
  for (const a of ["name", "type", "href"]) {
    const v = el.getAttribute(a);
    if (v) s += `[${a}="${v.length > 40 ? v.slice(0, 39) + "…" : v}"]`;
  }
  const panel = el.closest("section[id^=panel-]");
  if (panel && panel !== el) s = "#" + panel.id + " " + s;
  const text = (el.innerText || el.value || el.getAttribute("aria-label") || "")
    .replace(/\\s+/g, " ").trim();
  if (text) s += ` "${text.length > 40 ? text.slice(0, 39) + "…" : text}"`;
  return s;
}"""


def _js(source: str) -> str:
    """A script with ``describe`` (the element namer above) in scope."""
    return source.replace("DESCRIBE", _DESCRIBE)


def structure(page: Page) -> dict[str, Any]:
    """The page's h1 elements and main landmarks."""
    return page.evaluate(
        """() => ({
          h1: Array.from(document.querySelectorAll("h1"))
            .map((h) => h.innerText.replace(/\\s+/g, " ").trim()),
          main: document.querySelectorAll("main, [role=main]").length,
        })"""
    )


_FIRST_FOCUS = _js("""() => {
  const describe = DESCRIBE;
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const href = el.getAttribute("href") || "";
  const id = href.startsWith("#") ? decodeURIComponent(href.slice(1)) : null;
  const target = id ? document.getElementById(id) : null;
  return {
    what: describe(el),
    link: el.tagName === "A" && id !== null,
    target: target ? describe(target) : null,
  };
}""")

_LANDED = _js("""() => {
  const describe = DESCRIBE;
  const el = document.activeElement;
  const main = document.querySelector("main, [role=main]");
  return {
    what: el && el !== document.body ? describe(el) : "the page's body",
    inMain: !!(main && el && main.contains(el)),
  };
}""")


_TOP = """() => {
  window.scrollTo(0, 0);
  const mark = document.createElement("span");
  mark.id = "a11y-top";
  mark.tabIndex = -1;
  document.body.prepend(mark);
  mark.focus();
}"""


def skip_link(page: Page) -> list[str]:
    """What is wrong with the page's skip link (nothing: an empty list). The first Tab from
    the top of the page must reach a link to a fragment, and following it must put focus
    in the ``main`` landmark."""
    # start the tab order at the top: from an unfocusable mark before everything else
    page.evaluate(_TOP)
    page.keyboard.press("Tab")
    page.evaluate("document.getElementById('a11y-top')?.remove()")
    first = page.evaluate(_FIRST_FOCUS)
    if first is None:
        return ["the first Tab from the top of the page focuses nothing"]
    if not first["link"]:
        return [
            f"the first focusable element is {first['what']}, not a skip link "
            '(an <a href="#main"> to the main landmark)'
        ]
    if first["target"] is None:
        return [f"the skip link {first['what']} points to no element on the page"]
    page.keyboard.press("Enter")
    page.wait_for_timeout(50)
    landed = page.evaluate(_LANDED)
    if not landed["inMain"]:
        return [
            f"the skip link {first['what']} leads to {first['target']}, but focus stays on "
            f"{landed['what']}, not in main (give the target tabindex=-1)"
        ]
    return []


_PHONE = _js("""([width, minTap, limit]) => {
  const describe = DESCRIBE;
  // rendered and shown (not in a closed <details>, whose content is skipped, not removed)
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && el.checkVisibility({visibilityProperty: true});
  };
  // elements past the right edge that widen the page: not inside a box that clips or
  // scrolls its overflow
  // (an element's right edge: its box's, or its content's if that overflows visibly)
  const right = (el) => {
    const r = el.getBoundingClientRect();
    const own = getComputedStyle(el).overflowX === "visible" ? r.left + el.scrollWidth : 0;
    return Math.max(r.right, own);
  };
  const past = new Set();
  for (const el of document.body.querySelectorAll("*")) {
    if (right(el) <= width + 0.5 || !visible(el)) continue;
    let clipped = false;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible") { clipped = true; break; }
    }
    if (!clipped) past.add(el);
  }
  // the innermost of them: their overflow is their own
  const wide = [];
  for (const el of past) {
    if (Array.from(el.children).some((c) => past.has(c))) continue;
    wide.push(`${describe(el)}: right edge at ${Math.round(right(el))} px`);
  }
  const buttons = document.querySelectorAll(
    "button, [role=button], input[type=submit], input[type=button], input[type=reset], " +
    "a.button");
  const small = [];
  for (const b of buttons) {
    if (!visible(b)) continue;
    const h = b.getBoundingClientRect().height;
    if (h < minTap) small.push(`${describe(b)}: ${Math.round(h)} px`);
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    wide: wide.slice(0, limit),
    wideCount: wide.length,
    small: small.slice(0, limit),
    smallCount: small.length,
    buttons: buttons.length,
  };
}""")


def phone_problems(page: Page) -> dict[str, Any]:
    """At phone width (390 px): how wide the document is, the elements that reach past the
    viewport's right edge (the innermost ones), and the visible buttons (``button``,
    ``role=button``, input buttons, links styled ``a.button``) under 44 px high. The
    viewport is put back."""
    before = page.viewport_size
    page.set_viewport_size(PHONE)
    try:
        page.wait_for_timeout(100)
        return page.evaluate(_PHONE, [PHONE["width"], MIN_TAP, 500])
    finally:
        if before is not None:
            page.set_viewport_size(before)


__all__ = [
    "DESKTOP",
    "MIN_TAP",
    "PHONE",
    "ROOMS",
    "WCAG_TAGS",
    "Node",
    "Violation",
    "audit",
    "grouped",
    "phone_problems",
    "screenshots",
    "settle",
    "skip_link",
    "structure",
]
