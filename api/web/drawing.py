"""Pictures drawn on the server as SVG: a forest plot of evidence lines, a
neighbourhood of claims, and mechanism paths. Accessible (``role="group"``, a title, a
description, a ``<title>`` on every mark) and shown without JavaScript.

Direction is told by colour *and* shape (supports ■, no effect ○, disputes ▲,
undetermined ◆), so a reader who does not see colour loses nothing.

>>> svg = forest_plot([ForestRow("Ng 2018", "/claims/x", "supports", "SMD", -0.3, -0.5, -0.1)])
>>> svg.count('class="line-mark')
1
>>> no_effect("OR"), no_effect("SMD")
(1.0, 0.0)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from markupsafe import Markup

#: The value of "no effect" for each effect measure.
RATIO_MEASURES = frozenset({"OR", "RR", "HR"})
COLOURS = {
    "supports": "#1b7837",
    "no-effect": "#4d4d4d",
    "disputes": "#b2182b",
    "undetermined": "#6a51a3",
    "assertion": "#8c8c8c",
}
WORDS = {
    "supports": "supports",
    "no-effect": "no effect (null result)",
    "disputes": "disputes",
    "undetermined": "undetermined",
    "assertion": "assertion (not tested)",
}
CERTAINTY_WIDTH = {"high": 7.0, "moderate": 5.0, "low": 3.5, "very low": 2.2}


def no_effect(measure: str | None) -> float:
    """1 for ratio measures (OR, RR, HR), 0 for differences and correlations."""
    return 1.0 if measure in RATIO_MEASURES else 0.0


def _a(value: object) -> str:
    return escape(str(value), quote=True)


def _mark(direction: str, x: float, y: float, size: float = 6.0) -> str:
    colour = COLOURS.get(direction, COLOURS["undetermined"])
    if direction == "no-effect":
        return (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:.1f}" fill="#fff" '
            f'stroke="{colour}" stroke-width="2.5"/>'
        )
    if direction == "disputes":
        s = size * 1.2
        return (
            f'<path d="M{x:.1f},{y - s:.1f} L{x + s:.1f},{y + s * 0.8:.1f} '
            f'L{x - s:.1f},{y + s * 0.8:.1f} Z" fill="{colour}"/>'
        )
    if direction == "undetermined":
        return (
            f'<path d="M{x:.1f},{y - size:.1f} L{x + size:.1f},{y:.1f} L{x:.1f},{y + size:.1f} '
            f'L{x - size:.1f},{y:.1f} Z" fill="{colour}"/>'
        )
    return (
        f'<rect x="{x - size:.1f}" y="{y - size:.1f}" width="{2 * size:.1f}" '
        f'height="{2 * size:.1f}" fill="{colour}"/>'
    )


@dataclass(frozen=True)
class ForestRow:
    """One evidence line: who found what, with which estimate (if any)."""

    label: str
    href: str | None
    direction: str
    measure: str | None = None
    size: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    note: str = ""


def _ticks(low: float, high: float, ratio: bool) -> list[float]:
    if ratio:
        candidates = [0.1, 0.2, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 10.0]
        return [t for t in candidates if low <= t <= high]
    span = high - low
    step = next(s for s in (0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 20, 50, 100) if span / s <= 6)
    start = math.ceil(low / step) * step
    ticks, t = [], start
    while t <= high + 1e-9:
        ticks.append(round(t, 6))
        t += step
    return ticks


class _Scale:
    """Values to x positions: linear, or logarithmic for ratios; ``values`` empty: the
    middle (no estimate to place)."""

    def __init__(self, values: list[float], ratio: bool, left: float, right: float) -> None:
        self.ratio, self.left, self.right = ratio, left, right
        kept = [self._f(v) for v in values if not ratio or v > 0]
        if not kept:
            self.lo, self.hi = -1.0, 1.0
            self.empty = True
            return
        self.empty = False
        lo, hi = min(kept), max(kept)
        pad = (hi - lo) * 0.12 or 0.5
        self.lo, self.hi = lo - pad, hi + pad

    def _f(self, v: float) -> float:
        return math.log(v) if self.ratio else v

    def x(self, v: float) -> float:
        if self.empty:
            return (self.left + self.right) / 2
        return self.left + (self._f(v) - self.lo) / (self.hi - self.lo) * (self.right - self.left)

    def bounds(self) -> tuple[float, float]:
        if self.ratio:
            return math.exp(self.lo), math.exp(self.hi)
        return self.lo, self.hi


def forest_plot(rows: Sequence[ForestRow], *, title: str = "Forest plot") -> Markup:
    """Each row's estimate and CI on its measure's axis, with the no-effect line; rows are
    grouped by measure; a line without an estimate is marked on the no-effect line."""
    width, left, right, row_h, head_h = 720, 250, 690, 30, 34
    groups: dict[str, list[ForestRow]] = {}
    for row in rows:
        key = row.measure if row.size is not None and row.measure else ""
        groups.setdefault(key, []).append(row)
    order = sorted(groups, key=lambda k: (k == "", k))
    height = sum(head_h + row_h * len(groups[k]) + 26 for k in order) + 10
    parts: list[str] = []
    y0 = 8.0
    for key in order:
        members = groups[key]
        ratio = key in RATIO_MEASURES
        base = no_effect(key) if key else None
        if key:
            values = [no_effect(key)] + [
                v for r in members for v in (r.size, r.ci_low, r.ci_high) if v is not None
            ]
            scale = _Scale(values, ratio, left, right)
            heading = f"{key}: no effect at {base:g}" + (" (log scale)" if ratio else "")
        else:
            scale = _Scale([], False, left, right)
            heading = "No estimate reported: marked on the no-effect line"
        x_of = scale.x
        parts.append(
            f'<text x="4" y="{y0 + 18:.1f}" class="group-heading" font-weight="bold">'
            f"{_a(heading)}</text>"
        )
        top = y0 + head_h
        bottom = top + row_h * len(members)
        x0 = x_of(base if base is not None else 0.0)
        parts.append(
            f'<line x1="{x0:.1f}" y1="{top - 6:.1f}" x2="{x0:.1f}" y2="{bottom:.1f}" '
            'stroke="#333" stroke-dasharray="4 3" class="no-effect-line"/>'
        )
        for i, row in enumerate(members):
            y = top + row_h * i + row_h / 2
            label = row.label if len(row.label) <= 34 else row.label[:33] + "…"
            text = f'<text x="4" y="{y + 4:.1f}">{_a(label)}</text>'
            if row.href:
                text = f'<a href="{_a(row.href)}">{text}</a>'
            parts.append(text)
            estimate = ""
            if key and row.size is not None:
                if row.ci_low is not None and row.ci_high is not None:
                    parts.append(
                        f'<line x1="{x_of(row.ci_low):.1f}" y1="{y:.1f}" '
                        f'x2="{x_of(row.ci_high):.1f}" y2="{y:.1f}" stroke="#222" '
                        'stroke-width="2" class="ci"/>'
                    )
                    estimate = f" {row.size:g} [{row.ci_low:g}, {row.ci_high:g}]"
                else:
                    estimate = f" {row.size:g}"
                mx = x_of(row.size)
            else:
                mx = x0
            tip = f"{row.label}: {WORDS.get(row.direction, row.direction)}{estimate} {row.note}"
            parts.append(
                f'<g class="line-mark" data-direction="{_a(row.direction)}">'
                f"<title>{_a(tip.strip())}</title>{_mark(row.direction, mx, y)}</g>"
            )
        axis_y = bottom + 4
        if key:
            parts.append(
                f'<line x1="{left}" y1="{axis_y:.1f}" x2="{right}" y2="{axis_y:.1f}" '
                'stroke="#555"/>'
            )
            for t in _ticks(*scale.bounds(), ratio):
                tx = x_of(t)
                parts.append(
                    f'<line x1="{tx:.1f}" y1="{axis_y:.1f}" x2="{tx:.1f}" y2="{axis_y + 4:.1f}" '
                    f'stroke="#555"/><text x="{tx:.1f}" y="{axis_y + 16:.1f}" '
                    f'text-anchor="middle" font-size="11">{t:g}</text>'
                )
        y0 = bottom + 26
    desc = f"{len(rows)} evidence lines; " + "; ".join(
        f"{r.label}: {WORDS.get(r.direction, r.direction)}" for r in rows
    )
    return Markup(
        f'<svg class="forest" viewBox="0 0 {width} {height:.0f}" role="group" '
        f'aria-labelledby="forest-title forest-desc" font-family="system-ui, sans-serif" '
        f'font-size="13" preserveAspectRatio="xMinYMin meet">'
        f'<title id="forest-title">{_a(title)}</title><desc id="forest-desc">{_a(desc)}</desc>'
        + "".join(parts)
        + "</svg>"
    )


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    href: str


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    direction: str
    certainty: str | None
    label: str
    href: str | None = None
    pair: bool = False


@dataclass
class Picture:
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


def _short(text: str, n: int = 22) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _width(certainty: str | None) -> float:
    return CERTAINTY_WIDTH.get(certainty or "", 1.6)


def _edge_svg(edge: Edge, a: tuple[float, float], b: tuple[float, float], bend: float) -> str:
    (x1, y1), (x2, y2) = a, b
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy) or 1.0
    cx, cy = mx - dy / length * bend, my + dx / length * bend
    colour = COLOURS.get(edge.direction, COLOURS["undetermined"])
    dash = ' stroke-dasharray="6 4"' if edge.direction in ("assertion", "no-effect") else ""
    classes = "edge pair" if edge.pair else "edge"
    tip = f"{edge.label} ({WORDS.get(edge.direction, edge.direction)}" + (
        f", {edge.certainty} certainty)" if edge.certainty else ")"
    )
    path = (
        f'<path d="M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {x2:.1f},{y2:.1f}" fill="none" '
        f'stroke="{colour}" stroke-width="{_width(edge.certainty):.1f}"{dash} '
        f'marker-end="url(#arrow-{_a(edge.direction)})" stroke-opacity="0.85"/>'
    )
    body = f"<title>{_a(tip)}</title>{path}"
    if edge.href:
        body = f'<a href="{_a(edge.href)}">{body}</a>'
    return f'<g class="{classes}" data-direction="{_a(edge.direction)}">{body}</g>'


def _arrows() -> str:
    return (
        "<defs>"
        + "".join(
            f'<marker id="arrow-{name}" viewBox="0 0 10 10" refX="22" refY="5" markerWidth="5" '
            f'markerHeight="5" orient="auto-start-reverse" markerUnits="userSpaceOnUse" '
            f'><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
            for name, colour in COLOURS.items()
        )
        + "</defs>"
    )


def _node_svg(node: Node, x: float, y: float, main: bool) -> str:
    r = 16 if main else 10
    fill = "#fdf6e3" if main else "#eef3f8"
    anchor = "middle"
    bold = ' font-weight="bold"' if main else ""
    return (
        f'<a href="{_a(node.href)}" class="node"><title>{_a(node.label)}</title>'
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{fill}" stroke="#333" '
        f'stroke-width="{2 if main else 1}"/>'
        f'<text x="{x:.1f}" y="{y - r - 8 if main else y + r + 14:.1f}" text-anchor="{anchor}" '
        f'font-size="{13 if main else 11}"{bold}>'
        f"{_a(_short(node.label))}</text></a>"
    )


def neighbourhood(picture: Picture, a: str, b: str, *, title: str) -> Markup:
    """``a`` left, ``b`` right, the claims between them as bent edges, and each end's
    other neighbours on its side."""
    width, height = 760, 420
    pos: dict[str, tuple[float, float]] = {a: (280.0, 200.0), b: (480.0, 200.0)}
    others = [n.id for n in picture.nodes if n.id not in (a, b)]
    touching_a = [n for n in others if any({e.source, e.target} == {a, n} for e in picture.edges)]
    touching_b = [n for n in others if n not in touching_a]
    for side, members, cx in ((-1, touching_a, 280.0), (1, touching_b, 480.0)):
        for i, n in enumerate(members):
            angle = math.pi * (i + 1) / (len(members) + 1) - math.pi / 2
            pos[n] = (cx + side * 175 * math.cos(angle), 200 + 165 * math.sin(angle))
    seen: dict[frozenset[str], int] = {}
    edges_svg: list[str] = []
    for edge in picture.edges:
        if edge.source not in pos or edge.target not in pos:
            continue
        key = frozenset((edge.source, edge.target))
        k = seen.get(key, 0)
        seen[key] = k + 1
        bend = ((k + 1) // 2) * 22 * (1 if k % 2 else -1) if k else 0.0
        edges_svg.append(_edge_svg(edge, pos[edge.source], pos[edge.target], bend))
    nodes_svg = [
        _node_svg(n, *pos[n.id], main=n.id in (a, b)) for n in picture.nodes if n.id in pos
    ]
    desc = f"{len(edges_svg)} claims drawn as edges between {len(nodes_svg)} entities"
    return Markup(
        f'<svg class="neighbourhood" viewBox="0 0 {width} {height}" role="group" '
        f'aria-labelledby="nb-title nb-desc" font-family="system-ui, sans-serif" '
        f'data-edges="{len(edges_svg)}">'
        f'<title id="nb-title">{_a(title)}</title><desc id="nb-desc">{_a(desc)}</desc>'
        + _arrows()
        + "".join(edges_svg)
        + "".join(nodes_svg)
        + "</svg>"
    )


def path_picture(steps: Sequence[tuple[Node, Edge, Node]], *, title: str) -> Markup:
    """One path as a chain of entities, its steps drawn as the neighbourhood's edges."""
    n = len(steps) + 1
    gap = 170
    width, height = max(400, gap * (n - 1) + 200), 110
    nodes = [steps[0][0]] + [s[2] for s in steps] if steps else []
    xs = [100 + gap * i for i in range(n)]
    parts = [_arrows()]
    for i, (_, edge, _) in enumerate(steps):
        parts.append(_edge_svg(edge, (xs[i], 45.0), (xs[i + 1], 45.0), 0.0))
        parts.append(
            f'<text x="{(xs[i] + xs[i + 1]) / 2:.1f}" y="32" text-anchor="middle" '
            f'font-size="11">{_a(_short(edge.label, 26))}</text>'
        )
    for i, node in enumerate(nodes):
        parts.append(_node_svg(node, xs[i], 45.0, main=i in (0, n - 1)))
    return Markup(
        f'<svg class="path-picture" viewBox="0 0 {width} {height}" role="group" '
        f'aria-label="{_a(title)}" font-family="system-ui, sans-serif">' + "".join(parts) + "</svg>"
    )
