"""pics/01: the three states of a process (or thread) — 运行 running, 就绪 ready, 阻塞 blocked.

The seed (section 协程前篇) shows this figure as ``pics/01.png`` but does not ship it.  The two
ways the CPU is taken away from a running task that the seed names are marked ① (it blocks
on I/O) and ② (its time slice is used up); only ① leaves time that another task could use.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

STATES = {  # name: (x, y, colour)
    "running": (5.0, 5.0, "#4C72B0"),
    "ready": (1.8, 1.4, "#55A868"),
    "blocked": (8.2, 1.4, "#DD8452"),
}
TEXT = {"running": "运行 running", "ready": "就绪 ready", "blocked": "阻塞 blocked"}
BOX_W, BOX_H = 2.9, 1.1


def _box(ax, key: str) -> None:
    x, y, colour = STATES[key]
    ax.add_patch(FancyBboxPatch((x - BOX_W / 2, y - BOX_H / 2), BOX_W, BOX_H, boxstyle="round,pad=0.08,rounding_size=0.3",
                                facecolor=colour, edgecolor="none"))
    ax.text(x, y, TEXT[key], ha="center", va="center", fontsize=15, color="white")


def _arrow(ax, start, end, rad: float, colour: str = "#333333") -> None:
    ax.add_patch(FancyArrowPatch(start, end, connectionstyle=f"arc3,rad={rad}", arrowstyle="-|>", mutation_scale=22,
                                 linewidth=2.0, color=colour, shrinkA=0, shrinkB=0))


def draw():
    """Return the figure: three rounded boxes and four labelled transitions."""
    fig, ax = plt.subplots(figsize=(9.0, 5.4))
    ax.set_xlim(-0.6, 10.6)
    ax.set_ylim(0.1, 6.7)
    ax.set_aspect("equal")
    ax.axis("off")
    for key in STATES:
        _box(ax, key)
    # ready -> running (scheduled) and running -> ready (time slice used up): a pair of arcs
    _arrow(ax, (1.3, 2.05), (3.6, 4.6), -0.25, "#55A868")
    ax.text(0.2, 3.75, "调度器选中它\n(dispatch)", ha="center", va="center", fontsize=11, color="#2F6B3C")
    _arrow(ax, (4.2, 4.4), (2.5, 2.05), -0.2, "#C44E52")
    ax.text(3.95, 3.05, "② 时间片用完 / 被抢占\n(preempted)", ha="left", va="center", fontsize=11, color="#C44E52")
    # running -> blocked (waits for I/O) and blocked -> ready (I/O done)
    _arrow(ax, (6.4, 4.6), (8.7, 2.05), -0.25, "#C44E52")
    ax.text(8.7, 3.9, "① 发起 I/O，等待事件\n(wait for I/O)", ha="left", va="center", fontsize=11, color="#C44E52")
    _arrow(ax, (6.65, 1.25), (3.35, 1.25), 0.0, "#8172B3")
    ax.text(5.0, 1.62, "I/O 完成 / 事件发生\n(I/O done)", ha="center", va="center", fontsize=11, color="#5A4E8C")
    ax.text(5.0, 6.35, "进程（线程）的三种状态", ha="center", va="center", fontsize=16)
    ax.text(5.0, 0.45, "阻塞态不能直接回到运行态：必须先进入就绪态，等调度器再次选中", ha="center", va="center",
            fontsize=10, color="#555555")
    return fig


FIGURES = {"01": draw}
