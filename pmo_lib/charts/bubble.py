"""Cost against schedule performance: one bubble per project, CPI over SPI, sized by budget."""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from pmo_lib.charts._common import (
    HEIGHT,
    MONEY_FORMAT,
    MUTED,
    RULE,
    category_scale,
    chart_title,
    is_empty,
    legend,
    money_title,
    no_data,
)
from pmo_lib.rag import RAG_COLOURS, RAG_NAMES, normalize_rag

# Quadrants split at SPI = CPI = 1: (right of 1?, above 1?, label, fill).
_QUADRANTS = (
    (True, True, "Ahead of schedule, under budget", "#e6f4ea"),
    (False, True, "Behind schedule, under budget", "#fff6db"),
    (True, False, "Ahead of schedule, over budget", "#fff6db"),
    (False, False, "Behind schedule, over budget", "#fdecec"),
)


def _domain(values: pd.Series) -> list[float]:
    """An axis range around 1.0 that holds every value, in steps of 0.05."""
    low, high = min(0.8, float(values.min()) - 0.03), max(1.2, float(values.max()) + 0.03)
    return [math.floor(low * 20) / 20, math.ceil(high * 20) / 20]


_MIN_AREA, _MAX_AREA, _FONT = 60, 1400, 10  # bubble areas (px²) and label font size
# Where a label may go around its bubble: (x direction, y direction); tried in order.
_SPOTS = ((1, -1), (1, 1), (-1, -1), (-1, 1), (0, -1), (0, 1), (1, 0), (-1, 0))


def _place_labels(frame: pd.DataFrame, xs, ys, width: int, height: int) -> pd.DataFrame:
    """Put each project id next to its bubble where it overlaps no other label or bubble.

    Greedy, largest bubbles first; a label with no free spot is left out.
    Returns ``project_id, spi, cpi``, the label centre ``lx, ly`` and the
    end of its leader line ``ex, ey``, in data units.
    """
    px = (frame["spi"] - xs[0]) / (xs[1] - xs[0]) * width
    py = (ys[1] - frame["cpi"]) / (ys[1] - ys[0]) * height
    top = frame["size"].max() if "size" in frame.columns else float("nan")
    area = (_MIN_AREA + (_MAX_AREA - _MIN_AREA) * frame["size"].fillna(0) / top
            if "size" in frame.columns and top > 0 else pd.Series(_MIN_AREA * 2.0, index=frame.index))
    radius = (area / math.pi) ** 0.5
    circles = list(zip(px, py, radius))
    boxes, rows = [], []
    for i in radius.sort_values(ascending=False).index:
        text = frame.at[i, "project_id"]
        w, h = 0.62 * _FONT * len(text), _FONT + 2
        for sx, sy in _SPOTS:
            cx = px[i] + sx * (radius[i] + 2 + w / 2)
            cy = py[i] + sy * (radius[i] * 0.7 + h / 2)
            box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            if box[0] < 0 or box[2] > width or box[1] < 0 or box[3] > height:
                continue
            hits_box = any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in boxes)
            hits_circle = any(
                (max(box[0], min(x, box[2])) - x) ** 2 + (max(box[1], min(y, box[3])) - y) ** 2 < r * r
                for x, y, r in circles)
            if not (hits_box or hits_circle):
                boxes.append(box)
                ex, ey = cx - sx * (w / 2 + 1), cy - (sy * h / 2 if sx == 0 else 0)  # leader end
                rows.append({"project_id": text, "spi": frame.at[i, "spi"], "cpi": frame.at[i, "cpi"],
                             "lx": xs[0] + cx / width * (xs[1] - xs[0]), "ly": ys[1] - cy / height * (ys[1] - ys[0]),
                             "ex": xs[0] + ex / width * (xs[1] - xs[0]), "ey": ys[1] - ey / height * (ys[1] - ys[0])})
                break
    return pd.DataFrame(rows, columns=["project_id", "spi", "cpi", "lx", "ly", "ex", "ey"])


def cpi_spi_bubble(
    metrics: pd.DataFrame,
    *,
    color: str | None = "overall_rag",
    size: str | None = "bac",
    label: bool = True,
    currency: str = "EUR",
    title: str = "Cost and schedule performance",
    width: int = 720,
    height: int = HEIGHT + 60,
) -> alt.LayerChart | alt.Chart:
    """Plot every project at (SPI, CPI), sized by budget, over four shaded quadrants.

    Projects whose SPI or CPI is undefined (no baseline, nothing planned yet)
    are left out, and the subtitle says how many.

    Parameters
    ----------
    metrics : DataFrame
        ``project_id, spi, cpi`` and the columns named by ``color`` and
        ``size``; ``name`` is shown in the tooltip when present
        (``PortfolioAnalysis.metrics``).
    color : str or None, default "overall_rag"
        Column to colour by; a column ending in ``_rag`` uses the RAG
        colours; None for one colour. Every report page colours this chart
        by overall RAG, so a colour means the same on each page.
    size : str or None, default "bac"
        Money column for the bubble area; None for equal bubbles.
    label : bool, default True
        Write the project id next to each bubble.
    currency : str, default "EUR"
    title : str
    width, height : int

    Returns
    -------
    alt.LayerChart
        Quadrants, reference rules at 1.0, bubbles and labels; a "No data"
        chart when no project has both indices.

    Examples
    --------
    >>> metrics = pd.DataFrame({"project_id": ["P1", "P2", "P3"], "overall_rag": ["red", "green", "amber"],
    ...                         "spi": [0.9, 1.05, float("nan")], "cpi": [1.1, 0.95, 1.0],
    ...                         "bac": [1e6, 2e5, 3e5]})
    >>> spec = cpi_spi_bubble(metrics).to_dict()
    >>> spec["title"]["subtitle"]
    ['Bubble area: BAC. 1 project without SPI/CPI not shown.']
    """
    needed = ["project_id", "spi", "cpi"] + [c for c in (color, size) if c]
    if is_empty(metrics, needed):
        return no_data(title, width=width)
    frame = pd.DataFrame({
        "project_id": metrics["project_id"].astype(str),
        "name": metrics["name" if "name" in metrics.columns else "project_id"].astype(str),
        "spi": pd.to_numeric(metrics["spi"], errors="coerce"),
        "cpi": pd.to_numeric(metrics["cpi"], errors="coerce"),
    }, index=metrics.index)
    if color:
        is_rag = color.endswith("_rag")
        frame["colour"] = (metrics[color].map(normalize_rag).map(RAG_NAMES) if is_rag
                           else metrics[color].astype(str))
    if size:
        frame["size"] = pd.to_numeric(metrics[size], errors="coerce")
    known = frame["spi"].notna() & frame["cpi"].notna()
    left_out = int((~known).sum())
    frame = frame[known]
    subtitle = " ".join(filter(None, [
        f"Bubble area: {size.upper()}." if size else "",
        f"{left_out} project{'s' if left_out != 1 else ''} without SPI/CPI not shown." if left_out else ""]))
    if frame.empty:
        return no_data(title, width=width, message="No project has both SPI and CPI")

    xs, ys = _domain(frame["spi"]), _domain(frame["cpi"])

    def x(field: str) -> alt.X:
        return alt.X(f"{field}:Q", title="Schedule performance index (SPI)", axis=alt.Axis(format=".2f"),
                     scale=alt.Scale(domain=xs, nice=False, zero=False))

    def y(field: str) -> alt.Y:
        return alt.Y(f"{field}:Q", title="Cost performance index (CPI)", axis=alt.Axis(format=".2f"),
                     scale=alt.Scale(domain=ys, nice=False, zero=False))

    quadrants = pd.DataFrame([
        {"x": 1.0 if right else xs[0], "x2": xs[1] if right else 1.0,
         "y": 1.0 if above else ys[0], "y2": ys[1] if above else 1.0,
         "tx": xs[1] if right else xs[0], "ty": ys[1] if above else ys[0],
         "right": right, "above": above, "label": text, "fill": fill}
        for right, above, text, fill in _QUADRANTS
    ])
    shade = alt.Chart(quadrants).mark_rect().encode(
        x=x("x"), x2=alt.X2("x2"), y=y("y"), y2=alt.Y2("y2"), color=alt.Color("fill:N", scale=None))
    corner_labels = [
        alt.Chart(quadrants[quadrants["right"].eq(right) & quadrants["above"].eq(above)])
        .mark_text(align="right" if right else "left", baseline="top" if above else "bottom",
                   dx=-6 if right else 6, dy=5 if above else -5, fontSize=10, color=MUTED)
        .encode(x=x("tx"), y=y("ty"), text=alt.Text("label:N"))
        for right, above, _, _ in _QUADRANTS
    ]
    rules = alt.Chart(pd.DataFrame({"one": [1.0]})).mark_rule(color=RULE, strokeWidth=1)

    tooltip = [alt.Tooltip("project_id:N", title="Project"), alt.Tooltip("name:N", title="Name"),
               alt.Tooltip("spi:Q", title="SPI", format=".2f"), alt.Tooltip("cpi:Q", title="CPI", format=".2f")]
    encoding = {"x": x("spi"), "y": y("cpi")}
    if color:
        rags = ("red", "amber", "green", "grey")
        scale = (alt.Scale(domain=[RAG_NAMES[k] for k in rags], range=[RAG_COLOURS[k] for k in rags]) if is_rag
                 else category_scale(sorted(frame["colour"].unique())))
        legend_title = color.replace("_", " ").capitalize().replace("rag", "RAG")
        encoding["color"] = alt.Color("colour:N", title=legend_title, scale=scale, legend=legend())
        tooltip.append(alt.Tooltip("colour:N", title=legend_title))
    if size:
        encoding["size"] = alt.Size("size:Q", title=money_title(size.upper(), currency), legend=None,
                                    scale=alt.Scale(range=[_MIN_AREA, _MAX_AREA], zero=True))
        tooltip.append(alt.Tooltip("size:Q", title=money_title(size.upper(), currency), format=MONEY_FORMAT))
    bubbles = alt.Chart(frame).mark_circle(opacity=0.75, stroke="white", strokeWidth=1).encode(
        **encoding, tooltip=tooltip)
    layers = [shade, *corner_labels, rules.encode(x=x("one")), rules.encode(y=y("one"))]
    if label:
        labels = _place_labels(frame, xs, ys, width, height)
        layers.append(alt.Chart(labels).mark_rule(color="#8c959f", strokeWidth=0.8).encode(
            x=x("spi"), y=y("cpi"), x2=alt.X2("ex"), y2=alt.Y2("ey")))
    layers.append(bubbles)
    if label:
        layers.append(alt.Chart(labels).mark_text(fontSize=_FONT, baseline="middle").encode(
            x=x("lx"), y=y("ly"), text=alt.Text("project_id:N")))
        if len(labels) < len(frame):
            subtitle = " ".join(filter(None, [subtitle, "Some bubbles overlap: not every one is labelled."]))
    return alt.layer(*layers, title=chart_title(title, subtitle), width=width, height=height)
