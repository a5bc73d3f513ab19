"""A time-series line chart as inline SVG text: axes, ticks, grid, lines with points, legend.

Hand-written instead of matplotlib: the report's six small charts need none of its
machinery, and importing it and encoding PNGs was the largest cost of a check run after
Great Expectations (bench/NOTES.md). Inline SVG is also sharp at any zoom, and its text
(titles, labels, each point's value in a tooltip) can be searched in the page.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from html import escape

# Points, in the size the PNG charts had (6.2 × 2.6 inches at 90 dpi) and the same margins.
WIDTH, HEIGHT = 558, 234
LEFT, RIGHT, TOP, BOTTOM = 61, 402, 28, 187
# matplotlib's default colour cycle ("tab10"), so the charts look as they did.
COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
MAX_TICKS = 6
TIME_STEPS = (
    [timedelta(minutes=n) for n in (1, 2, 5, 10, 15, 30)]
    + [timedelta(hours=n) for n in (1, 2, 3, 6, 12)]
    + [timedelta(days=n) for n in (1, 2, 7, 14, 28)]
)
FONT = 'font-family="DejaVu Sans,Arial,sans-serif"'

Points = Sequence[tuple[datetime, float]]


def line_chart(
    title: str,
    unit: str,
    series: Mapping[str, Points],
    *,
    log_scale: bool,
    zone: tzinfo,
    zone_name: str,
) -> str:
    """An `<svg>` element charting each label's (time, value) points, oldest first."""
    clean = {
        label: [(_aware(moment), value) for moment, value in points if math.isfinite(value)]
        for label, points in sorted(series.items())
    }
    clean = {label: points for label, points in clean.items() if points}
    values = [value for points in clean.values() for _, value in points]
    moments = [moment.timestamp() for points in clean.values() for moment, _ in points]
    if not values:
        moments, values = [datetime.now(UTC).timestamp()], [0.0]
    log_scale = log_scale and min(values) > 0
    low, high, y_ticks = _log_axis(values) if log_scale else _linear_axis(values)
    start, end = min(moments), max(moments)
    if end - start < 60:  # one run: an hour either side, not a decade
        start, end = start - 3600, end + 3600

    def x(moment: datetime) -> float:
        return LEFT + (moment.timestamp() - start) / (end - start) * (RIGHT - LEFT)

    def y(value: float) -> float:
        if log_scale:
            share = (math.log10(value) - math.log10(low)) / (math.log10(high) - math.log10(low))
        else:
            share = (value - low) / (high - low)
        return BOTTOM - share * (BOTTOM - TOP)

    parts = [
        f'<svg class="dbguard-chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" {FONT} '
        f'aria-label="{escape(title)}" data-title="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>',
        _text((LEFT + RIGHT) / 2, TOP - 9, title, size=10, anchor="middle"),
    ]
    for value in y_ticks:
        level = y(value)
        parts.append(_line(LEFT, level, RIGHT, level, "#000", opacity=0.15))
        parts.append(_text(LEFT - 4, level + 2.5, _number(value), size=7, anchor="end"))
    for moment, label in _time_ticks(start, end, zone):
        place = x(moment)
        parts.append(_line(place, TOP, place, BOTTOM, "#000", opacity=0.15))
        parts.append(_text(place, BOTTOM + 11, label, size=7, anchor="middle"))
    parts.append(
        f'<rect x="{LEFT}" y="{TOP}" width="{RIGHT - LEFT}" height="{BOTTOM - TOP}" '
        'fill="none" stroke="#000" stroke-width="0.8"/>'
    )
    parts.append(_text(LEFT + (RIGHT - LEFT) / 2, HEIGHT - 12, f"time ({zone_name})", size=7))
    parts.append(
        _text(14, (TOP + BOTTOM) / 2, unit, size=8, anchor="middle", rotate=True),
    )
    for number, (label, points) in enumerate(clean.items()):
        colour = COLOURS[number % len(COLOURS)]
        coordinates = " ".join(f"{x(m):.1f},{y(v):.1f}" for m, v in points)
        parts.append(
            f'<polyline class="dbguard-series" data-label="{escape(label)}" fill="none" '
            f'stroke="{colour}" stroke-width="1.2" points="{coordinates}"/>'
        )
        for moment, value in points:
            tip = f"{label}: {_number(value)} {unit} at {moment.astimezone(zone):%Y-%m-%d %H:%M}"
            parts.append(
                f'<circle cx="{x(moment):.1f}" cy="{y(value):.1f}" r="2" fill="{colour}">'
                f"<title>{escape(tip)}</title></circle>"
            )
        legend_y = TOP + 6 + number * 11
        parts.append(_line(RIGHT + 6, legend_y, RIGHT + 18, legend_y, colour, width=1.2))
        parts.append(_text(RIGHT + 22, legend_y + 2.5, label, size=6, anchor="start"))
    parts.append("</svg>")
    return "".join(parts)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _line(
    x1: float,
    y1: float,
    x2: float,
    y2: float,
    colour: str,
    *,
    width: float = 0.8,
    opacity: float = 1.0,
) -> str:
    fade = f' stroke-opacity="{opacity:g}"' if opacity < 1 else ""
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" '
        f'stroke-width="{width:g}"{fade}/>'
    )


def _text(
    x: float, y: float, text: str, *, size: float, anchor: str = "middle", rotate: bool = False
) -> str:
    turn = f' transform="rotate(-90 {x:.1f} {y:.1f})"' if rotate else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" text-anchor="{anchor}"{turn}>'
        f"{escape(text)}</text>"
    )


def _linear_axis(values: Sequence[float]) -> tuple[float, float, list[float]]:
    """Axis limits on round numbers around `values`, and the ticks between them."""
    low, high = min(values), max(values)
    if high == low:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw_step = (high - low) / (MAX_TICKS - 1)
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw_step)
    first = math.floor(low / step) * step
    last = math.ceil(high / step) * step
    count = round((last - first) / step)
    return first, last, [first + index * step for index in range(count + 1)]


def _log_axis(values: Sequence[float]) -> tuple[float, float, list[float]]:
    """Whole decades around `values` (at least one), a tick at each."""
    first = math.floor(math.log10(min(values)))
    last = max(math.ceil(math.log10(max(values))), first + 1)
    return 10.0**first, 10.0**last, [10.0**power for power in range(first, last + 1)]


def _time_ticks(start: float, end: float, zone: tzinfo) -> list[tuple[datetime, str]]:
    """At most MAX_TICKS moments on round local times between `start` and `end`, labelled."""
    span = end - start
    step = next(
        (s for s in TIME_STEPS if span / s.total_seconds() <= MAX_TICKS - 1), TIME_STEPS[-1]
    )
    seconds = step.total_seconds()
    first_local = datetime.fromtimestamp(start, zone)
    if step >= timedelta(days=1):
        moment = first_local.replace(hour=0, minute=0, second=0, microsecond=0)
    else:
        midnight = first_local.replace(hour=0, minute=0, second=0, microsecond=0)
        elapsed = (first_local - midnight).total_seconds()
        moment = midnight + timedelta(seconds=math.ceil(elapsed / seconds) * seconds)
    ticks: list[tuple[datetime, str]] = []
    previous_day = None
    while moment.timestamp() <= end and len(ticks) <= MAX_TICKS * 2:
        if moment.timestamp() >= start:
            day = moment.date()
            if step >= timedelta(days=1):
                label = f"{moment:%m-%d}"
            elif day != previous_day:
                label = f"{moment:%m-%d %H:%M}"
            else:
                label = f"{moment:%H:%M}"
            ticks.append((moment, label))
            previous_day = day
        moment = (moment + step).astimezone(zone)
    return ticks


def _number(value: float) -> str:
    """A value as a person reads it: 13,680, 2.5, 0.25."""
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"
