"""Geometry of the server-rendered SVG charts (templates draw the shapes; no script).

Every chart here has a data table next to it in the template; the SVG is `role="img"`
with a title, and the table carries the figures for screen readers and keyboard users.
Values that are None are suppressed or undefined: no shape is drawn for them, only a label.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WIDTH = 720
LABEL_W = 230
BAR_AREA = 360
LABEL_CHARS = 26
ROW_H = 34
BAR_H = 20
TOP = 8

WOMEN_FILL = "#6a3d9a"
MEN_FILL = "#1f78b4"
GAP_FILL = "#b15928"
NEUTRAL_FILL = "#595959"


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    content: str
    anchor: str = "start"


@dataclass
class Chart:
    width: int
    height: int
    rects: list[Rect] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    lines: list[tuple[float, float, float, float]] = field(default_factory=list)
    polyline: str = ""
    points: list[tuple[float, float]] = field(default_factory=list)

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def _label(text: str) -> str:
    """Long labels are shortened in the chart; the data table has them in full."""
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _hidden_text(suppressed_label: str | list[str], i: int) -> str:
    """The label of a hidden row: one for all rows, or one per row (a row hidden only
    so that another cannot be worked out says so)."""
    if isinstance(suppressed_label, str):
        return suppressed_label
    return suppressed_label[i]


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}%"


def stacked_shares(
    rows: list[tuple[str, float | None, float | None]],
    suppressed_label: str | list[str],
    women_label: str,
    men_label: str,
) -> Chart:
    """One 100 % bar per row split into women's and men's shares (percent values)."""
    height = TOP + ROW_H * len(rows) + 30
    chart = Chart(WIDTH, height)
    for i, (label, women, men) in enumerate(rows):
        y = TOP + i * ROW_H
        chart.texts.append(Text(LABEL_W - 8, y + BAR_H * 0.75, _label(label), "end"))
        if women is None or men is None:
            chart.texts.append(
                Text(LABEL_W, y + BAR_H * 0.75, _hidden_text(suppressed_label, i))
            )
            continue
        w = BAR_AREA * max(0.0, min(100.0, women)) / 100
        chart.rects.append(Rect(LABEL_W, y, w, BAR_H, WOMEN_FILL))
        chart.rects.append(Rect(LABEL_W + w, y, BAR_AREA - w, BAR_H, MEN_FILL))
        chart.texts.append(
            Text(LABEL_W + BAR_AREA + 6, y + BAR_H * 0.75, f"{women:.1f}% / {men:.1f}%")
        )
    legend_y = TOP + ROW_H * len(rows) + 8
    chart.rects.append(Rect(LABEL_W, legend_y, 12, 12, WOMEN_FILL))
    chart.texts.append(Text(LABEL_W + 16, legend_y + 10, women_label))
    chart.rects.append(Rect(LABEL_W + 150, legend_y, 12, 12, MEN_FILL))
    chart.texts.append(Text(LABEL_W + 166, legend_y + 10, men_label))
    return chart


def diverging_bars(
    rows: list[tuple[str, float | None]],
    suppressed_label: str | list[str],
    threshold: float | None = None,
) -> Chart:
    """Horizontal bars from a zero line: right when men are paid more, left otherwise.

    With `threshold`, dashed lines mark ±threshold (the EU Article 10 five-percent line).
    """
    values = [abs(v) for _label, v in rows if v is not None]
    scale_max = max([*values, threshold or 0.0, 10.0])
    half = BAR_AREA / 2
    zero = LABEL_W + half
    height = TOP + ROW_H * len(rows) + 8
    chart = Chart(WIDTH, height)
    chart.lines.append((zero, 0, zero, height))
    if threshold is not None:
        for sign in (-1, 1):
            x = zero + sign * half * threshold / scale_max
            chart.lines.append((x, 0, x, height))
    for i, (label, value) in enumerate(rows):
        y = TOP + i * ROW_H
        chart.texts.append(Text(LABEL_W - 8, y + BAR_H * 0.75, _label(label), "end"))
        if value is None:
            chart.texts.append(
                Text(zero + 6, y + BAR_H * 0.75, _hidden_text(suppressed_label, i))
            )
            continue
        w = half * abs(value) / scale_max
        x = zero if value >= 0 else zero - w
        chart.rects.append(Rect(x, y, max(w, 1.0), BAR_H, GAP_FILL))
        text_x = LABEL_W + BAR_AREA + 6
        chart.texts.append(Text(text_x, y + BAR_H * 0.75, f"{value:.1f}%"))
    return chart


def paired_bars(
    rows: list[tuple[str, float | None]],
    suppressed_label: str | list[str],
    fills: list[str] | None = None,
) -> Chart:
    """Simple horizontal bars of percentages 0–100 (e.g. share receiving a bonus)."""
    height = TOP + ROW_H * len(rows) + 8
    chart = Chart(WIDTH, height)
    for i, (label, value) in enumerate(rows):
        y = TOP + i * ROW_H
        chart.texts.append(Text(LABEL_W - 8, y + BAR_H * 0.75, _label(label), "end"))
        if value is None:
            chart.texts.append(
                Text(LABEL_W, y + BAR_H * 0.75, _hidden_text(suppressed_label, i))
            )
            continue
        fill = fills[i % len(fills)] if fills else NEUTRAL_FILL
        w = BAR_AREA * max(0.0, min(100.0, value)) / 100
        chart.rects.append(Rect(LABEL_W, y, max(w, 1.0), BAR_H, fill))
        chart.texts.append(Text(LABEL_W + w + 6, y + BAR_H * 0.75, _pct(value)))
    return chart


def trend_line(points: list[tuple[str, float | None]], suppressed_label: str) -> Chart:
    """A line of values over time (oldest first); gaps where a value is None."""
    height = 220
    left, right, top, bottom = 80, WIDTH - 80, 30, height - 40
    chart = Chart(WIDTH, height)
    values = [v for _label, v in points if v is not None]
    if not points:
        return chart
    high = max([*values, 0.0, 5.0])
    low = min([*values, 0.0])
    span = (high - low) or 1.0

    def y_of(v: float) -> float:
        return bottom - (v - low) / span * (bottom - top)

    zero_y = y_of(0.0)
    chart.lines.append((left, zero_y, right, zero_y))
    chart.texts.append(Text(left - 6, zero_y + 4, "0%", "end"))
    if all(abs(y_of(high) - y_of(v)) > 14 for v in values):
        chart.texts.append(Text(left - 6, y_of(high) + 4, f"{high:.0f}%", "end"))
    step = (right - left) / max(len(points) - 1, 1)
    coords: list[str] = []
    for i, (label, value) in enumerate(points):
        x = left + i * step if len(points) > 1 else (left + right) / 2
        chart.texts.append(Text(x, height - 12, label, "middle"))
        if value is None:
            chart.texts.append(Text(x, zero_y - 8, suppressed_label, "middle"))
            continue
        y = y_of(value)
        chart.points.append((x, y))
        coords.append(f"{x:.1f},{y:.1f}")
        chart.texts.append(Text(x, y - 10, f"{value:.1f}%", "middle"))
    chart.polyline = " ".join(coords)
    return chart
