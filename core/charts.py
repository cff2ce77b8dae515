"""Server-side SVG charts: the one chart module of the dashboards and the PDF reports.

Every function is pure (data in, markup out) and returns a ``SafeString`` holding one
``<svg>`` element that reads without JavaScript and prints the same in WeasyPrint:

* ``line_chart`` — a series over years against a reference series (school vs municipality);
* ``bar_chart`` — grouped or stacked vertical bars (e.g. the distribution of marks 2/3/4/5);
* ``hbar_chart`` — horizontal bars with long labels above them (e.g. risk levels per factor).

Class names inside the SVG are prefixed or chart-specific so page CSS (Bootstrap's ``.row``,
whose ``width: 100%`` would stretch SVG shapes) never restyles them.

Accessibility: the root has ``role="img"`` and is labelled by its ``<title>`` and ``<desc>``;
the desc lists every value in words unless the caller gives one. Meaning never rests on
colour alone: series differ by marker shape and dash pattern, values are printed as text and
every mark carries its own ``<title>``. Numbers are formatted the Russian way (decimal comma,
a non-breaking space between thousands, the minus sign «−»). All text is escaped.

Geometry uses a plain dot in coordinates (SVG's syntax), whatever the locale.

Size: ``width`` × ``height`` is the drawing (the viewBox). A chart never overflows its box
(``max-width: 100%``); a ``fluid=True`` chart also grows to fill it (class ``opora-chart-fluid``,
``width: 100%``), so a page's main chart takes the card's width instead of ~60 % of it — draw
such a chart about as wide as the box (``FULL_WIDTH``), so its 12-px text stays 12-px-ish.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core.text import number

__all__ = [
    "FULL_WIDTH",
    "LEVEL_COLOURS",
    "MARK_COLOURS",
    "HBar",
    "Series",
    "bar_chart",
    "fmt_number",
    "hbar_chart",
    "histogram_chart",
    "line_chart",
]

# Bootstrap 5 hues: they match the pages and print well in grey.
PALETTE = ("#0d6efd", "#6c757d", "#198754", "#fd7e14", "#6f42c1", "#dc3545", "#20c997", "#0dcaf0")
# Colours of marks «2», «3», «4», «5» — conventional red → green; labels carry the meaning.
MARK_COLOURS = ("#dc3545", "#fd7e14", "#9ec5a0", "#198754")
LEVEL_COLOURS = {"low": "#198754", "medium": "#fd7e14", "high": "#dc3545"}
MARKERS = ("circle", "square", "triangle", "diamond")
DASHES = ("", "6 4", "2 3", "8 3 2 3")
FONT = "PT Sans, Arial, sans-serif"
# The drawing width of a chart that fills a page's full-width card (Bootstrap's container at ≥ 1200 px).
FULL_WIDTH = 1040
NO_DATA = "Нет данных"


@dataclass(frozen=True)
class Series:
    """One named series: ``values[i]`` belongs to ``categories[i]``; ``None`` is a gap."""

    label: str
    values: Sequence[float | None]
    color: str | None = None


@dataclass(frozen=True)
class HBar:
    """One horizontal bar: its label, value, an optional text note (e.g. «высокий») and tone."""

    label: str
    value: float | None
    note: str = ""
    tone: str = ""  # a key of LEVEL_COLOURS, or a colour, or "" for the palette's first
    extra: dict = field(default_factory=dict, compare=False)


# Charts name it fmt_number; the one definition is core.text.number.
fmt_number = number


# ---------------------------------------------------------------------------------------------
# helpers


def _e(text: object) -> str:
    return escape(str(text))


def _n(x: float) -> str:
    """A coordinate: one decimal, dot separator, no «-0.0»."""
    text = f"{x:.1f}"
    return "0" if text in ("0.0", "-0.0") else text.removesuffix(".0")


def _chart_id(kind: str, *parts: object) -> str:
    """A stable id prefix, so two charts on one page never share title/desc ids."""
    digest = hashlib.sha1(repr((kind, *parts)).encode(), usedforsecurity=False).hexdigest()[:8]
    return f"chart-{kind}-{digest}"


def _nice_step(span: float, target_ticks: int = 5, *, whole: bool = False) -> float:
    """A round tick step (1, 2, 2.5, 5 × 10ⁿ); ``whole`` keeps it a whole number ≥ 1 (counts
    of pupils or schools: no «2,5 уч.» or «7,5» on the axis)."""
    raw = span / max(target_ticks, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        step = m * magnitude
        if whole and not float(step).is_integer():
            continue
        if raw <= step:
            return max(step, 1.0) if whole else step
    return 10 * magnitude


def _scale(values: Sequence[float], y_min: float | None, y_max: float | None) -> tuple[float, float, list[float]]:
    """Axis bounds and ticks covering ``values`` (and zero unless bounds are given)."""
    lo = min([*values, 0.0]) if y_min is None else y_min
    hi = max([*values, 0.0]) if y_max is None else y_max
    if hi <= lo:
        hi = lo + 1
    # Counts of schools or people: whole ticks only (no «0,2 школы», no «2,5 уч.»).
    whole = all(float(v).is_integer() for v in values) and float(lo).is_integer() and float(hi).is_integer()
    step = _nice_step(hi - lo, whole=whole)
    if y_min is None:
        lo = math.floor(lo / step) * step
    if y_max is None:
        hi = math.ceil(hi / step) * step
    ticks = []
    tick = lo
    while tick <= hi + step * 1e-9:
        ticks.append(round(tick, 10))
        tick += step
    return lo, hi, ticks


def _decimals_for(ticks: Sequence[float]) -> int:
    return 0 if all(float(t).is_integer() for t in ticks) else 1


def _open(chart_id: str, width: int, height: int, title: str, desc: str, kind: str, fluid: bool = False) -> list[str]:
    fluid_class = " opora-chart-fluid" if fluid else ""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="opora-chart opora-chart-{kind}{fluid_class}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="{FONT}" font-size="12">',
        f'<title id="{chart_id}-title">{_e(title)}</title>',
        f'<desc id="{chart_id}-desc">{_e(desc)}</desc>',
    ]


def _no_data(parts: list[str], width: int, height: int) -> SafeString:
    parts.append(
        f'<text class="no-data" x="{_n(width / 2)}" y="{_n(height / 2)}" text-anchor="middle" '
        f'fill="#6c757d">{NO_DATA}</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through _e()  # nosec B308 B703 # every text in the SVG went through _e()


def _marker(shape: str, x: float, y: float, color: str, tooltip: str, value: float | None) -> str:
    """A point of a line; ``value=None`` draws a legend sample (no ``point`` class)."""
    attrs = f'fill="{color}" stroke="#fff" stroke-width="1"'
    if value is not None:
        attrs = f'class="point" data-value="{value!r}" ' + attrs
    if shape == "square":
        body = f'<rect {attrs} x="{_n(x - 4)}" y="{_n(y - 4)}" width="8" height="8">'
        end = "</rect>"
    elif shape == "triangle":
        pts = f"{_n(x)},{_n(y - 5)} {_n(x + 5)},{_n(y + 4)} {_n(x - 5)},{_n(y + 4)}"
        body, end = f'<polygon {attrs} points="{pts}">', "</polygon>"
    elif shape == "diamond":
        pts = f"{_n(x)},{_n(y - 5)} {_n(x + 5)},{_n(y)} {_n(x)},{_n(y + 5)} {_n(x - 5)},{_n(y)}"
        body, end = f'<polygon {attrs} points="{pts}">', "</polygon>"
    else:
        body, end = f'<circle {attrs} cx="{_n(x)}" cy="{_n(y)}" r="4.5">', "</circle>"
    return f"{body}<title>{_e(tooltip)}</title>{end}"


def _legend_item(x: float, y: float, index: int, label: str, color: str, kind: str) -> tuple[str, float]:
    """One legend entry (sample + text); returns its markup and width."""
    if kind == "line":
        dash = DASHES[index % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        sample = (
            f'<line x1="{_n(x)}" y1="{_n(y)}" x2="{_n(x + 24)}" y2="{_n(y)}" stroke="{color}" '
            f'stroke-width="2"{dash_attr}/>'
        ) + _marker(MARKERS[index % len(MARKERS)], x + 12, y, color, label, None)
        text_x = x + 30
    else:
        sample = f'<rect x="{_n(x)}" y="{_n(y - 6)}" width="12" height="12" fill="{color}"/>'
        text_x = x + 17
    width = (text_x - x) + 6.5 * len(label) + 16
    return f'<g class="legend-item">{sample}<text x="{_n(text_x)}" y="{_n(y + 4)}">{_e(label)}</text></g>', width


def _legend(series: Sequence[Series], colours: Sequence[str], x0: float, y: float, x_max: float, kind: str) -> str:
    parts, x = ['<g class="legend">'], x0
    for i, s in enumerate(series):
        item, width = _legend_item(x, y, i, s.label, colours[i], kind)
        if x > x0 and x + width > x_max:
            y += 18
            x = x0
            item, width = _legend_item(x, y, i, s.label, colours[i], kind)
        parts.append(item)
        x += width
    parts.append("</g>")
    return "".join(parts)


def _y_axis(ticks: Sequence[float], to_y, x0: float, x1: float, unit: str) -> str:
    decimals = _decimals_for(ticks)
    parts = ['<g class="y-axis" fill="#6c757d" text-anchor="end">']
    for t in ticks:
        y = to_y(t)
        parts.append(f'<line x1="{_n(x0)}" y1="{_n(y)}" x2="{_n(x1)}" y2="{_n(y)}" stroke="#dee2e6"/>')
        parts.append(f'<text class="tick" x="{_n(x0 - 6)}" y="{_n(y + 4)}">{_e(fmt_number(t, decimals, unit))}</text>')
    parts.append("</g>")
    return "".join(parts)


def _auto_desc(categories: Sequence[object], series: Sequence[Series], decimals: int, unit: str) -> str:
    chunks = []
    for s in series:
        values = ", ".join(f"{c}: {fmt_number(v, decimals, unit)}" for c, v in zip(categories, s.values, strict=False))
        chunks.append(f"{s.label} — {values}")
    return "; ".join(chunks) + "."


def _text_on(background: str) -> str:
    """Dark or white text, whichever reads on a ``#rrggbb`` background (WCAG relative luminance)."""
    if not (background.startswith("#") and len(background) == 7):
        return "#212529"
    r, g, b = (int(background[i : i + 2], 16) / 255 for i in (1, 3, 5))
    lum = sum(
        w * (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
        for w, c in zip((0.2126, 0.7152, 0.0722), (r, g, b), strict=True)
    )
    return "#212529" if lum > 0.25 else "#fff"


def _colours(series: Sequence[Series], default: Sequence[str] = PALETTE) -> list[str]:
    return [_e(s.color) if s.color else default[i % len(default)] for i, s in enumerate(series)]


# ---------------------------------------------------------------------------------------------
# charts


def line_chart(
    *,
    title: str,
    categories: Sequence[object],
    series: Sequence[Series],
    desc: str = "",
    unit: str = "",
    decimals: int = 1,
    y_min: float | None = None,
    y_max: float | None = None,
    width: int = 640,
    height: int = 300,
    fluid: bool = False,
) -> SafeString:
    """Lines over ``categories`` (usually years), e.g. the school's share of «2» against the
    municipality's. The first series is drawn solid with circles, the next dashed with squares…
    Every point is labelled with its value; a ``None`` leaves a gap in its line."""
    series = list(series)
    cid = _chart_id("line", title, tuple(categories), tuple((s.label, tuple(s.values)) for s in series))
    desc = desc or _auto_desc(categories, series, decimals, unit)
    parts = _open(cid, width, height, title, desc, "line", fluid)
    values = [v for s in series for v in s.values if v is not None]
    if not categories or not values:
        return _no_data(parts, width, height)

    left, right, top = 52, 16, 16
    legend_h = 18 * (1 + len(series) // 4)
    bottom = 28 + legend_h
    x0, x1, y0, y1 = left, width - right, top, height - bottom
    lo, hi, ticks = _scale(values, y_min, y_max)
    step = (x1 - x0) / len(categories)

    def to_x(i: int) -> float:
        return x0 + (i + 0.5) * step

    def to_y(v: float) -> float:
        return y1 - (v - lo) / (hi - lo) * (y1 - y0)

    colours = _colours(series)
    parts.append(_y_axis(ticks, to_y, x0, x1, unit))
    parts.append('<g class="x-axis" fill="#212529" text-anchor="middle">')
    for i, c in enumerate(categories):
        parts.append(f'<text class="category" x="{_n(to_x(i))}" y="{_n(y1 + 18)}">{_e(c)}</text>')
    parts.append("</g>")

    for si, s in enumerate(series):
        color = colours[si]
        dash = DASHES[si % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<g class="series" data-label="{_e(s.label)}">')
        # A gap (None) splits the line into runs.
        runs: list[list[tuple[float, float]]] = [[]]
        for i, v in enumerate(s.values[: len(categories)]):
            if v is None:
                runs.append([])
            else:
                runs[-1].append((to_x(i), to_y(v)))
        for run in runs:
            if len(run) > 1:
                pts = " ".join(f"{_n(x)},{_n(y)}" for x, y in run)
                parts.append(
                    f'<polyline class="line" points="{pts}" fill="none" stroke="{color}" stroke-width="2"{dash_attr}/>'
                )
        for i, v in enumerate(s.values[: len(categories)]):
            if v is None:
                continue
            x, y = to_x(i), to_y(v)
            label = fmt_number(v, decimals, unit)
            parts.append(_marker(MARKERS[si % len(MARKERS)], x, y, color, f"{s.label}, {categories[i]}: {label}", v))
            # The first series labels above its points, the others below, so labels rarely collide.
            dy = -9 if si % 2 == 0 else 17
            parts.append(
                f'<text class="value" x="{_n(x)}" y="{_n(y + dy)}" text-anchor="middle" fill="{color}">'
                f"{_e(label)}</text>"
            )
        parts.append("</g>")
    parts.append(_legend(series, colours, x0, height - legend_h + 4, x1, "line"))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through _e()  # nosec B308 B703 # every text in the SVG went through _e()


def bar_chart(
    *,
    title: str,
    categories: Sequence[object],
    series: Sequence[Series],
    stacked: bool = False,
    desc: str = "",
    unit: str = "",
    decimals: int = 1,
    y_max: float | None = None,
    colours: Sequence[str] | None = None,
    width: int = 640,
    height: int = 300,
    fluid: bool = False,
) -> SafeString:
    """Vertical bars per category: side by side (``stacked=False``) or stacked (e.g. the shares
    of marks «2»…«5» adding up to 100 %). Each bar or segment has its value as text (inside a
    segment when it fits) and its own tooltip; the legend names the series."""
    series = list(series)
    cid = _chart_id("bar", title, stacked, tuple(categories), tuple((s.label, tuple(s.values)) for s in series))
    desc = desc or _auto_desc(categories, series, decimals, unit)
    parts = _open(cid, width, height, title, desc, "bar", fluid)
    values = [v for s in series for v in s.values if v is not None]
    if not categories or not values:
        return _no_data(parts, width, height)

    if stacked:
        totals = [sum(s.values[i] or 0 for s in series) for i in range(len(categories))]
        lo, hi, ticks = _scale(totals, 0, y_max)
    else:
        lo, hi, ticks = _scale(values, None, y_max)
    left, right, top = 52, 16, 18
    legend_h = 18 * (1 + len(series) // 5)
    bottom = 28 + legend_h
    x0, x1, y0, y1 = left, width - right, top, height - bottom
    step = (x1 - x0) / len(categories)

    def to_y(v: float) -> float:
        return y1 - (v - lo) / (hi - lo) * (y1 - y0)

    colours = [_e(c) for c in colours] if colours else _colours(series)
    parts.append(_y_axis(ticks, to_y, x0, x1, unit))
    parts.append('<g class="x-axis" fill="#212529" text-anchor="middle">')
    for i, c in enumerate(categories):
        parts.append(f'<text class="category" x="{_n(x0 + (i + 0.5) * step)}" y="{_n(y1 + 18)}">{_e(c)}</text>')
    parts.append("</g>")

    group_w = step * 0.7
    bar_w = group_w if stacked else group_w / len(series)
    parts.append('<g class="bars">')
    for i, c in enumerate(categories):
        gx = x0 + i * step + (step - group_w) / 2
        base = 0.0
        for si, s in enumerate(series):
            v = s.values[i] if i < len(s.values) else None
            if v is None:
                continue
            label = fmt_number(v, decimals, unit)
            if stacked:
                top_y, bottom_y, x = to_y(base + v), to_y(base), gx
                base += v
            else:
                top_y, bottom_y, x = to_y(max(v, 0)), to_y(min(v, 0)), gx + si * bar_w
            h = max(bottom_y - top_y, 0)
            parts.append(
                f'<rect class="bar" data-series="{_e(s.label)}" data-value="{v!r}" x="{_n(x)}" y="{_n(top_y)}" '
                f'width="{_n(bar_w)}" height="{_n(h)}" fill="{colours[si]}" stroke="#fff" stroke-width="1">'
                f"<title>{_e(f'{c}, {s.label}: {label}')}</title></rect>"
            )
            cx = x + bar_w / 2
            if stacked:
                # Inside the segment when it is tall enough; tiny segments keep their tooltip and the desc.
                if h >= 14 and bar_w >= 6.5 * len(label) + 4:
                    parts.append(
                        f'<text class="value" x="{_n(cx)}" y="{_n(top_y + h / 2 + 4)}" text-anchor="middle" '
                        f'fill="{_text_on(colours[si])}">{_e(label)}</text>'
                    )
            else:
                parts.append(
                    f'<text class="value" x="{_n(cx)}" y="{_n(top_y - 4)}" text-anchor="middle" '
                    f'font-size="{11 if bar_w > 28 else 9}">{_e(label)}</text>'
                )
    parts.append("</g>")
    parts.append(_legend(series, colours, x0, height - legend_h + 4, x1, "bar"))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through _e()  # nosec B308 B703 # every text in the SVG went through _e()


def hbar_chart(
    *,
    title: str,
    bars: Sequence[HBar],
    desc: str = "",
    unit: str = "",
    decimals: int = 1,
    max_value: float | None = None,
    width: int = 640,
    fluid: bool = False,
) -> SafeString:
    """Horizontal bars, one per row, the (possibly long) label above its bar and the value plus
    the note (e.g. «2 — средний») after it; ``tone`` colours the bar (low/medium/high)."""
    bars = list(bars)
    row_h, top = 40, 8
    height = top + row_h * max(len(bars), 1) + 8
    cid = _chart_id("hbar", title, tuple((b.label, b.value, b.note) for b in bars))
    if not desc:
        desc = "; ".join(
            f"{b.label}: {fmt_number(b.value, decimals, unit)}{' — ' + b.note if b.note else ''}" for b in bars
        )
        desc = (desc + ".") if desc else NO_DATA
    parts = _open(cid, width, height, title, desc, "hbar", fluid)
    values = [b.value for b in bars if b.value is not None]
    if not bars:
        return _no_data(parts, width, height)
    hi = max_value if max_value is not None else max([*values, 0]) or 1
    texts = [
        (b.note or "—") if b.value is None else fmt_number(b.value, decimals, unit) + (f" — {b.note}" if b.note else "")
        for b in bars
    ]
    # Room after the bar for the value and the note, as wide as the longest (up to 45 % of the chart).
    x0 = 8
    x1 = width - min(max(6.5 * max(len(t) for t in texts) + 16, 60), width * 0.45)
    for i, (b, text) in enumerate(zip(bars, texts, strict=True)):
        y = top + i * row_h
        parts.append(f'<g class="hbar-row" data-label="{_e(b.label)}">')
        parts.append(f'<text class="hbar-label" x="{_n(x0)}" y="{_n(y + 12)}" fill="#212529">{_e(b.label)}</text>')
        parts.append(
            f'<rect class="track" x="{_n(x0)}" y="{_n(y + 18)}" width="{_n(x1 - x0)}" height="14" fill="#f1f3f5"/>'
        )
        if b.value is not None:
            w = max(min(b.value, hi), 0) / hi * (x1 - x0)
            color = LEVEL_COLOURS.get(b.tone, b.tone or PALETTE[0])
            parts.append(
                f'<rect class="bar" data-value="{b.value!r}" x="{_n(x0)}" y="{_n(y + 18)}" width="{_n(w)}" '
                f'height="14" fill="{_e(color)}"><title>{_e(f"{b.label}: {text}")}</title></rect>'
            )
        parts.append(f'<text class="value" x="{_n(x1 + 8)}" y="{_n(y + 29)}" fill="#212529">{_e(text)}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through _e()  # nosec B308 B703 # every text in the SVG went through _e()


def histogram_chart(
    *,
    title: str,
    counts: Sequence[tuple[int, int]],
    max_score: int | None,
    boundaries: Sequence[tuple[int, int]] = (),
    desc: str = "",
    width: int = 640,
    height: int = 260,
    fluid: bool = False,
) -> SafeString:
    """Participants by primary score (every score from 0 to the maximum, empty ones as gaps),
    with the mark boundaries drawn as dashed verticals labelled «3», «4», «5» at the lowest
    score of each mark — so peaks right at a boundary (an objectivity signal) show at a glance."""
    by_score = dict(counts)
    top = max([max_score or 0, *by_score.keys(), 0])
    cid = _chart_id("hist", title, tuple(sorted(by_score.items())), top, tuple(boundaries))
    if not desc:
        bounds = ", ".join(f"«{mark}» с {score} б." for mark, score in boundaries)
        filled = ", ".join(f"{score} б.: {n}" for score, n in sorted(by_score.items()))
        desc = f"Участников по первичному баллу — {filled or NO_DATA}." + (
            f" Границы отметок: {bounds}." if bounds else ""
        )
    parts = _open(cid, width, height, title, desc, "hist", fluid)
    if not by_score:
        return _no_data(parts, width, height)
    left, right, top_pad, bottom = 44, 12, 22, 34
    x0, x1, y0, y1 = left, width - right, top_pad, height - bottom
    lo, hi, ticks = _scale(list(by_score.values()), 0, None)
    step = (x1 - x0) / (top + 1)

    def to_y(v: float) -> float:
        return y1 - (v - lo) / (hi - lo) * (y1 - y0)

    parts.append(_y_axis(ticks, to_y, x0, x1, ""))
    every = max(1, math.ceil((top + 1) / 20))
    parts.append('<g class="x-axis" fill="#212529" text-anchor="middle">')
    for score in range(0, top + 1, every):
        parts.append(f'<text class="category" x="{_n(x0 + (score + 0.5) * step)}" y="{_n(y1 + 14)}">{score}</text>')
    parts.append(f'<text x="{_n((x0 + x1) / 2)}" y="{_n(height - 4)}" fill="#6c757d">первичный балл</text></g>')
    mark_of = {}
    for mark, score in boundaries:
        for s in range(score, top + 1):
            mark_of[s] = mark
    parts.append('<g class="bars">')
    for score, n in sorted(by_score.items()):
        colour = MARK_COLOURS[mark_of.get(score, 2) - 2] if boundaries else PALETTE[0]
        y = to_y(n)
        parts.append(
            f'<rect class="bar" data-value="{n}" x="{_n(x0 + score * step + step * 0.1)}" y="{_n(y)}" '
            f'width="{_n(step * 0.8)}" height="{_n(y1 - y)}" fill="{colour}">'
            f"<title>{_e(f'{score} б.: {n} уч.')}</title></rect>"
        )
    parts.append("</g>")
    parts.append('<g class="boundaries">')
    for mark, score in boundaries:
        x = x0 + score * step
        parts.append(
            f'<line class="boundary" data-mark="{mark}" x1="{_n(x)}" y1="{_n(y0 - 8)}" x2="{_n(x)}" y2="{_n(y1)}" '
            f'stroke="#212529" stroke-width="1.5" stroke-dasharray="5 3"/>'
            f'<text x="{_n(x + 3)}" y="{_n(y0 - 10 + 8)}" fill="#212529">«{mark}» от {score}</text>'
        )
    parts.append("</g></svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through _e()  # nosec B308 B703 # every text in the SVG went through _e()
