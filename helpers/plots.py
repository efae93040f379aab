"""Charts for the course: Gantt timelines, grouped bars, log-log scaling curves.

Every function draws one figure of a fixed size with Chinese labels in a real CJK font,
shows it, closes it and returns None — so a cell that ends with a plot call leaves no
``<Figure …>`` or ``[<Line2D …>]`` text behind.  Pass ``save="path.png"`` to also write
the figure to a file (outside the repository, unless it is a figure for ``pics/``).

Used in: 01, 02, 03, 04, 05, 06, 07, 08, 09.
"""
from __future__ import annotations

import math
from typing import Mapping, Sequence

import matplotlib

from helpers.fonts import use_cjk_font
from helpers.timing import Timeline

use_cjk_font()

import matplotlib.pyplot as plt  # noqa: E402  (after the font is set)

__all__ = ["KIND_COLORS", "KIND_HATCHES", "KIND_LABELS", "MARK_STYLES", "PALETTE", "bars", "gantt", "loglog"]

KIND_COLORS = {"run": "#4C72B0", "wait": "#DD8452", "io": "#DD8452", "cpu": "#4C72B0", "switch": "#55A868",
               "error": "#C44E52", "idle": "#BBBBBB", "blocked": "#8C2D04", "parked": "#FDAE6B", "ready": "#9E9AC8"}
KIND_LABELS = {"run": "运行 run", "wait": "等待 wait", "io": "I/O 等待", "cpu": "计算 CPU", "switch": "切换 switch",
               "error": "失败 error", "idle": "空闲 idle", "blocked": "线程阻塞 blocked（整个线程停住）",
               "parked": "挂起 parked（线程空闲，可运行别人）", "ready": "就绪未运行 ready（轮不到线程）"}
#: Kinds drawn hatched as well as colored, so they differ in print and for colour-blind readers too.
KIND_HATCHES = {"blocked": "////"}
# points drawn over a Gantt row (``gantt(..., marks=[(task, seconds, kind), ...])``)
MARK_STYLES = {"look": {"marker": "|", "color": "black", "s": 160, "label": "查看一次 look"},
               "notify": {"marker": "*", "color": "#C44E52", "s": 150, "label": "得知结果 notified"}}
PALETTE = ["#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#DA8BC3", "#8C8C8C"]


def _finish(fig, save: str | None) -> None:
    fig.tight_layout()
    if save:
        fig.savefig(save, dpi=110, metadata={"Software": None} if str(save).endswith(".png") else None)
    backend = matplotlib.get_backend().lower()
    if "inline" in backend or "ipympl" in backend or "widget" in backend:
        from IPython.display import display

        display(fig)
    plt.close(fig)


def gantt(timeline: Timeline, title: str | None = None, *, xlabel: str = "时间 (秒)", save: str | None = None,
          width: float = 9.0, annotate: bool = True, order: Sequence[str] | None = None,
          marks: Sequence[tuple[str, float, str]] | None = None) -> None:
    """Draw *timeline* as a Gantt chart: one row per task, one bar per span, colored by kind.

    Rows follow *order* if given (tasks not named there come after), else first appearance.
    *marks* are points ``(task, seconds, kind)`` drawn over the bars (times relative to the
    timeline, as its spans are), styled by :data:`MARK_STYLES` (``"look"``, ``"notify"``).
    A row with ``"look"`` marks gets no duration labels: its ticks would be drawn over them.
    """
    spans = timeline.spans
    if not spans:
        raise ValueError("the timeline is empty: record some spans first")
    tasks = timeline.tasks
    if order is not None:
        tasks = [t for t in order if t in tasks] + [t for t in tasks if t not in order]
    row = {t: i for i, t in enumerate(tasks)}
    looked_at = {task for task, _t, kind in marks or () if kind == "look"}  # its ticks would cover a label
    height = min(max(1.6, 0.42 * len(tasks) + 1.2), 9.0)
    fig, ax = plt.subplots(figsize=(width, height))
    kinds_seen: dict[str, None] = {}
    for s in spans:
        color = KIND_COLORS.get(s.kind, PALETTE[len(kinds_seen) % len(PALETTE)])
        kinds_seen.setdefault(s.kind, None)
        hatch = KIND_HATCHES.get(s.kind)
        ax.barh(row[s.task], s.duration, left=s.start, height=0.6, color=color, linewidth=0.5,
                edgecolor="#FFFFFF99" if hatch else "white", hatch=hatch)
        if annotate and len(spans) <= 40 and s.task not in looked_at and s.duration > 0.06 * max(timeline.elapsed, 1e-9):
            ax.text(s.start + s.duration / 2, row[s.task], f"{s.duration:.2f}", ha="center", va="center",
                    fontsize=8, color="white")
    marks_seen: dict[str, None] = {}
    for task, t, kind in marks or ():
        if task not in row:
            raise ValueError(f"mark on {task!r}, which has no span in the timeline")
        style = dict(MARK_STYLES.get(kind, {"marker": "o", "color": "#333333", "s": 40, "label": kind}))
        style.pop("label")
        ax.scatter([t], [row[task]], zorder=3, **style)
        marks_seen.setdefault(kind, None)
    ax.set_yticks(range(len(tasks)))
    ax.set_yticklabels(tasks)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    start = min(s.start for s in spans)
    ax.set_xlim(min(0.0, start), max(s.end for s in spans) * 1.02 + 1e-9)
    ax.set_title(title if title is not None else timeline.title or f"时间线：总耗时 {timeline.elapsed:.2f} 秒")
    if len(kinds_seen) > 1 or next(iter(kinds_seen)) != "run" or marks_seen:
        handles = [matplotlib.patches.Patch(facecolor=KIND_COLORS.get(k, "#888888"), hatch=KIND_HATCHES.get(k),
                                            edgecolor="#FFFFFF99" if k in KIND_HATCHES else None,
                                            label=KIND_LABELS.get(k, k))
                   for k in kinds_seen]
        for k in marks_seen:
            style = MARK_STYLES.get(k, {"marker": "o", "color": "#333333", "label": k})
            handles.append(matplotlib.lines.Line2D([], [], linestyle="none", marker=style["marker"],
                                                   color=style["color"], markersize=10, label=style["label"]))
        # outside the axes: a Gantt chart's bars reach the right edge, a legend inside would hide them
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    _finish(fig, save)


def bars(data: Mapping[str, float] | Mapping[str, Mapping[str, float]], title: str = "", *, ylabel: str = "",
         log: bool = False, save: str | None = None, fmt: str = "{:.3g}", width: float = 8.0,
         groups: Sequence[str] | None = None) -> None:
    """Bar chart of ``{label: value}``, or grouped bars of ``{group: {series: value}}``.

    For a plain ``{label: value}`` chart, *groups* (one name per bar) colours the bars by group
    and adds a legend — e.g. the waves in which a thread pool served its requests.
    """
    if not data:
        raise ValueError("nothing to plot: data is empty")
    fig, ax = plt.subplots(figsize=(width, 4.0))
    first = next(iter(data.values()))
    if isinstance(first, Mapping):
        series = list(dict.fromkeys(k for g in data.values() for k in g))
        n = len(series)
        w = 0.8 / n
        for j, name in enumerate(series):
            xs = [i + (j - (n - 1) / 2) * w for i in range(len(data))]
            ys = [data[g].get(name, math.nan) for g in data]
            rects = ax.bar(xs, ys, width=w, label=name, color=PALETTE[j % len(PALETTE)])
            ax.bar_label(rects, labels=["" if math.isnan(y) else fmt.format(y) for y in ys], fontsize=8)
        ax.set_xticks(range(len(data)))
        ax.set_xticklabels(list(data))
        ax.legend(fontsize=9)
    else:
        labels, values = list(data), [float(v) for v in data.values()]
        if groups is None:
            colors = [PALETTE[i % len(PALETTE)] for i in range(len(labels))]
        else:
            if len(groups) != len(labels):
                raise ValueError(f"groups has {len(groups)} names for {len(labels)} bars")
            order = list(dict.fromkeys(groups))
            colors = [PALETTE[order.index(g) % len(PALETTE)] for g in groups]
        rects = ax.bar(labels, values, color=colors)
        ax.bar_label(rects, labels=[fmt.format(v) for v in values], fontsize=9)
        if groups is not None:
            from matplotlib.patches import Patch
            ax.legend(handles=[Patch(color=PALETTE[i % len(PALETTE)], label=g) for i, g in enumerate(order)],
                      fontsize=9)
    if log:
        ax.set_yscale("log")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
    _finish(fig, save)


def loglog(x: Sequence[float], series: Mapping[str, Sequence[float]], title: str = "", *, xlabel: str = "",
           ylabel: str = "", reference: Mapping[str, Sequence[float]] | None = None, save: str | None = None) -> None:
    """Log-log curves ``{name: ys}`` over *x*; optional *reference* curves (dashed), e.g. published numbers."""
    if not series:
        raise ValueError("nothing to plot: series is empty")
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for i, (name, ys) in enumerate(series.items()):
        if len(ys) > len(x):
            raise ValueError(f"series {name!r} has more points than x")
        ax.plot(x[: len(ys)], ys, marker="o", label=name, color=PALETTE[i % len(PALETTE)])
    for i, (name, ys) in enumerate((reference or {}).items()):
        ax.plot(x[: len(ys)], ys, linestyle="--", marker="x", label=name, color=PALETTE[i % len(PALETTE)], alpha=0.6)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=9)
    _finish(fig, save)
