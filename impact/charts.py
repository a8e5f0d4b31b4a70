"""Server-side charts of the impact figures, as SVG text.

The same SVG goes inline into the dashboard page (markup, not script, so the strict CSP
allows it) and into the PDF. Charts are drawn with matplotlib's object API (`Figure` and
the SVG canvas), never pyplot's global state, so two requests drawing at once do not share
a figure. Text stays text (`svg.fonttype: none`), which keeps the files small and lets the
PDF reader select the labels; the output is deterministic (fixed hash salt, no date), so a
re-rendered chart of the same figures is byte-for-byte the same.
"""

from __future__ import annotations

import io
import re
from itertools import count

import matplotlib

matplotlib.use("svg")

from matplotlib.backends.backend_svg import FigureCanvasSVG  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

GREY = "#6c757d"
LIGHT = "#dee2e6"
COMPARISON = "#8d6e63"
TARGET = "#212529"
# Distinct colours for the outcomes' lines of the trend chart (colour-blind safe, Okabe–Ito).
SERIES = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]

_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "impact-charts",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.edgecolor": LIGHT,
    "axes.labelcolor": "#343a40",
    "xtick.color": "#495057",
    "ytick.color": "#343a40",
}
# Beyond this many cohorts the trend chart's dots (4 pt) would touch and blur into a thick
# line, and each dot is an SVG element the PDF renderer draws on its own (hundreds of them
# were most of the report's drawing time): the lines carry the figures alone.
DOTS_UP_TO = 24
# Cohort names ("Cohort 12", 9 px) overlap beyond about eight under the 7.2 in chart: more
# cohorts get every n-th name, evenly spread.
TICK_LABELS_UP_TO = 8
_ids = count(1)
_ID = re.compile(r'id="([^"]+)"')


def _finish(figure: Figure, *, title: str, prefix: str) -> str:
    """The figure as an SVG element: no XML prologue, no script, ids made unique per chart
    (several charts share one HTML page), scalable to its container, with a title for
    screen readers."""
    buffer = io.StringIO()
    FigureCanvasSVG(figure).print_svg(buffer, metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<script\b.*?</script>", "", svg, flags=re.S | re.I)
    svg = re.sub(r"<metadata\b.*?</metadata>", "", svg, flags=re.S)
    # matplotlib adds a <style> element of defaults (round line joins): a strict CSP blocks
    # style elements without a nonce, so it goes; the drawing does not depend on it.
    svg = re.sub(r"<style\b.*?</style>", "", svg, flags=re.S)
    for old in set(_ID.findall(svg)):
        new = f"{prefix}-{old}"
        svg = svg.replace(f'id="{old}"', f'id="{new}"')
        svg = svg.replace(f"url(#{old})", f"url(#{new})")
        svg = svg.replace(f'href="#{old}"', f'href="#{new}"')
    title_text = (
        title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
    svg = svg.replace(
        "<svg ",
        f'<svg role="img" aria-label="{title_text}" class="impact-chart" ',
        1,
    )
    head_end = svg.index(">") + 1
    return f"{svg[:head_end]}<title>{title_text}</title>{svg[head_end:]}"


def _spread(n: int, most: int) -> list[int]:
    """Indexes of at most `most` of n points, every step-th from the first, the step a
    round number (1, 2, 5, 10, 20, 50, …) so the labelled cohorts read as a sequence."""
    step, factors = 1, iter((2, 2.5, 2) * 10)
    while -(-n // step) > most:
        step = round(step * next(factors))
    return list(range(0, n, step))


def _prefix(name: str, prefix: str | None) -> str:
    return prefix or f"{name}{next(_ids)}"


def shares_chart(rows: list[dict], *, accent: str = "#0b5394", prefix: str | None = None) -> str:
    """Horizontal bars of the share of respondents reporting each outcome, with the 95%
    interval as a whisker, the programme's target as a black tick and the comparison group's
    share as a hollow diamond. `rows` are the outcome rows of `impact.reports.report_context`
    (label, share, low, high, target, comparison_share); outcomes nobody answered are left
    out."""
    rows = [r for r in rows if r["share"] is not None]
    with matplotlib.rc_context(_RC):
        height = 0.55 * max(len(rows), 1) + 1.0
        figure = Figure(figsize=(7.2, height))
        axes = figure.add_subplot()
        if not rows:
            axes.text(0.5, 0.5, "No answers yet", ha="center", va="center", color=GREY)
            axes.set_axis_off()
            return _finish(figure, title="No answers yet", prefix=_prefix("shares", prefix))
        labels = [r["label"] for r in rows]
        positions = list(range(len(rows)))[::-1]
        shares = [r["share"] * 100 for r in rows]
        # max(0, …): at a share of 0 or 1 the interval's end can miss the share by a rounding
        # error, which matplotlib refuses as a negative error bar.
        lower = [max(0.0, (r["share"] - r["low"]) * 100) for r in rows]
        upper = [max(0.0, (r["high"] - r["share"]) * 100) for r in rows]
        axes.barh(positions, shares, height=0.6, color=accent, zorder=2)
        axes.errorbar(
            shares,
            positions,
            xerr=[lower, upper],
            fmt="none",
            ecolor="#343a40",
            elinewidth=1,
            capsize=3,
            zorder=3,
        )
        for position, row in zip(positions, rows, strict=True):
            axes.text(
                min(row["high"] * 100 + 1.5, 101),
                position,
                f"{row['percent']}%",
                va="center",
                ha="left",
                fontsize=8.5,
                color="#212529",
            )
        has_target = has_comparison = False
        for position, row in zip(positions, rows, strict=True):
            if row.get("target") is not None:
                has_target = True
                axes.plot(
                    [row["target"]] * 2,
                    [position - 0.38, position + 0.38],
                    color=TARGET,
                    linewidth=2,
                    zorder=4,
                )
            if row.get("comparison_share") is not None:
                has_comparison = True
                axes.plot(
                    row["comparison_share"] * 100,
                    position,
                    marker="D",
                    markersize=6,
                    markerfacecolor="white",
                    markeredgecolor=COMPARISON,
                    markeredgewidth=1.5,
                    linestyle="none",
                    zorder=5,
                )
        axes.set_yticks(positions, labels)
        axes.set_xlim(0, 110)
        axes.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
        axes.grid(axis="x", color=LIGHT, zorder=0)
        axes.tick_params(axis="y", length=0)
        for side in ("top", "right", "left"):
            axes.spines[side].set_visible(False)
        legend = ["Bars: share of the companies that answered", "whiskers: 95% interval"]
        if has_target:
            legend.append("black tick: target")
        if has_comparison:
            legend.append("diamond: comparison group")
        axes.set_xlabel(
            "; ".join(legend[:2]) + ("\n" + "; ".join(legend[2:]) if legend[2:] else ""),
            fontsize=7.5,
            color=GREY,
        )
        figure.tight_layout()
        return _finish(
            figure,
            title="Share of companies reporting each outcome, with 95% intervals",
            prefix=_prefix("shares", prefix),
        )


def trend_chart(
    trend: list[dict],
    outcomes: list[tuple[str, str]],
    *,
    prefix: str | None = None,
) -> str:
    """The share reporting each outcome, cohort by cohort: one line per outcome over the
    cohorts (bars would crowd beyond three cohorts). `outcomes` are (key, label) pairs."""
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(7.2, 3.2))
        axes = figure.add_subplot()
        if not trend:
            axes.text(0.5, 0.5, "No answers yet", ha="center", va="center", color=GREY)
            axes.set_axis_off()
            return _finish(figure, title="No answers yet", prefix=_prefix("trend", prefix))
        x = list(range(len(trend)))
        dots = len(trend) <= DOTS_UP_TO
        for index, (key, label) in enumerate(outcomes):
            values = [
                (row["shares"][key] * 100) if row["shares"].get(key) is not None else None
                for row in trend
            ]
            if all(v is None for v in values):
                continue
            colour = SERIES[index % len(SERIES)]
            axes.plot(
                x,
                [float("nan") if v is None else v for v in values],
                marker="o" if dots else None,
                markersize=4,
                linewidth=1.8,
                color=colour,
                label=label,
            )
            if not dots:
                # A cohort whose neighbours have no answer has no line to sit on: it keeps
                # its dot, so no figure of the table is missing from the chart.
                alone = [
                    i
                    for i, v in enumerate(values)
                    if v is not None
                    and (i == 0 or values[i - 1] is None)
                    and (i == len(values) - 1 or values[i + 1] is None)
                ]
                if alone:
                    axes.plot(
                        alone,
                        [values[i] for i in alone],
                        marker="o",
                        markersize=4,
                        linestyle="none",
                        color=colour,
                    )
        labelled = _spread(len(trend), TICK_LABELS_UP_TO)
        axes.set_xticks(labelled, [trend[i]["label"] for i in labelled])
        if len(x) == 1:
            axes.set_xlim(-0.5, 0.5)
        axes.set_ylim(0, 100)
        axes.set_yticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
        axes.grid(axis="y", color=LIGHT)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        axes.legend(
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            frameon=False,
            fontsize=8,
        )
        figure.tight_layout()
        return _finish(
            figure,
            title="Share of companies reporting each outcome, by cohort",
            prefix=_prefix("trend", prefix),
        )
