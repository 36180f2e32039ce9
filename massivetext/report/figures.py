"""The report's plots as Plotly figures (JSON-ready dicts that the page's script draws).

Plotly (docs/report.md says why): interactive hover with exact numbers, one bundled
``plotly.min.js`` that the page inlines, so the report opens without a network.
"""

from __future__ import annotations

import json

import plotly.graph_objects as go
import plotly.io as pio

from massivetext.report.signals import SignalHistogram

KEPT, REMOVED, LINE = "#4c78a8", "#e45756", "#222222"
_LAYOUT = dict(template="plotly_white", margin=dict(l=48, r=48, t=36, b=64),
               font=dict(size=11), showlegend=False)


def as_json(figure: go.Figure) -> dict:
    """The figure as plain JSON data (what ``Plotly.newPlot`` takes)."""
    return json.loads(pio.to_json(figure, validate=False))


def funnel_figure(*runs: list[tuple[str, int]], names: tuple[str, ...] = ()) -> dict:
    """Records left after each stage; several runs side by side (A, B) when given."""
    figure = go.Figure()
    for index, points in enumerate(runs):
        labels, values = zip(*points, strict=True)
        figure.add_trace(go.Funnel(
            y=list(labels), x=list(values), textinfo="value+percent initial",
            name=names[index] if names else "", marker=dict(color=(KEPT, "#f58518")[index % 2]),
            connector=dict(line=dict(color="#bbbbbb"))))
    figure.update_layout(**_LAYOUT, height=380)
    figure.update_layout(showlegend=len(runs) > 1)
    figure.update_layout(margin=dict(l=120, r=16, t=8, b=8))
    return as_json(figure)


def _beyond(histogram: SignalHistogram, index: int) -> bool:
    """Whether bin ``index`` lies wholly beyond one of the thresholds."""
    low = histogram.edges[index]
    high = histogram.edges[index + 1] if index + 1 < len(histogram.edges) else float("inf")
    return any((t.bound == "max" and low >= t.value) or (t.bound == "min" and high <= t.value)
               for t in histogram.thresholds)


def histogram_figure(histogram: SignalHistogram) -> dict:
    """Bars per bin (red: wholly beyond a threshold), the thresholds as vertical lines,
    and, per threshold, the share a threshold at each bin edge would remove."""
    colours = [REMOVED if _beyond(histogram, i) else KEPT for i in range(len(histogram.counts))]
    figure = go.Figure(go.Bar(
        x=histogram.ticks, y=histogram.counts, marker=dict(color=colours),
        customdata=histogram.labels, hovertemplate="%{customdata}: %{y} documents<extra></extra>"))
    for threshold in histogram.thresholds:
        shares = histogram.share_beyond(threshold.bound)
        side = "≥" if threshold.bound == "max" else "<"
        figure.add_trace(go.Scatter(
            x=histogram.ticks, y=shares, yaxis="y2", mode="lines+markers",
            line=dict(color=LINE, width=1, shape="hv"), marker=dict(size=4),
            customdata=[f"{edge:g}" for edge in histogram.edges],
            hovertemplate=(f"threshold at %{{customdata}}: removes {side} %{{customdata}}, "
                           "%{y:.1%} of documents<extra></extra>")))
        position = histogram.position(threshold.value)
        figure.add_shape(type="line", x0=position, x1=position, xref="x", y0=0, y1=1,
                         yref="paper", line=dict(color=REMOVED, width=2, dash="dash"))
        figure.add_annotation(x=position, y=1, yref="paper", yanchor="bottom", showarrow=False,
                              text=f"{threshold.bound} {threshold.value:g}",
                              font=dict(color=REMOVED))
    figure.update_layout(
        **_LAYOUT, height=260, bargap=0.05,
        xaxis=dict(tickfont=dict(size=9), type="category", title=histogram.signal),
        yaxis=dict(title="documents", rangemode="tozero"),
        yaxis2=dict(overlaying="y", side="right", range=[0, 1], tickformat=".0%",
                    showgrid=False, title="removed if threshold here"))
    return as_json(figure)


def bars_figure(labels: list[str], values: list[float], axis_title: str,
                colour: str = KEPT, height: int = 240, horizontal: bool = False) -> dict:
    """A plain bar chart (cluster sizes, time per pipeline step)."""
    bar = (go.Bar(y=labels, x=values, orientation="h", marker=dict(color=colour))
           if horizontal else go.Bar(x=labels, y=values, marker=dict(color=colour)))
    figure = go.Figure(bar)
    figure.update_layout(**_LAYOUT, height=height)
    if horizontal:
        figure.update_layout(xaxis=dict(title=axis_title), yaxis=dict(autorange="reversed"),
                             margin=dict(l=160, r=16, t=16, b=40))
    else:
        figure.update_layout(xaxis=dict(type="category"), yaxis=dict(title=axis_title))
    return as_json(figure)
