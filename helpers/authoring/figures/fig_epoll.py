"""pics/09: how epoll avoids the scan — interest list, wait-queue callback, ready list.

Three steps of Linux ``fs/eventpoll.c`` (epoll(7)):

① ``epoll_ctl(ADD)`` inserts the descriptor once into the interest list (a red-black tree,
   ``ep->rbr``) and hooks ``ep_poll_callback`` on the file's wait queue;
② when data arrives, the protocol stack wakes the wait queue; the callback appends that
   descriptor to the ready list (``ep->rdllist``) and wakes a sleeping ``epoll_wait``;
③ ``epoll_wait`` only drains the ready list and copies those events to the caller's array —
   the N − k descriptors that are not ready are never looked at.

The drawing is original; the structure follows the kernel source.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

IDLE, READY, TREE = "#B8C4D6", "#DD8452", "#4C72B0"
CALL, CALLBACK, DRAIN = "#2F4B7C", "#C44E52", "#55A868"
FDS = [(3, False), (5, True), (7, False), (8, False), (9, True), (12, False), (15, False)]


def _box(ax, x, y, w, h, text, colour, *, fontsize=10, text_colour="white"):
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.04,rounding_size=0.12",
                                facecolor=colour, edgecolor="none"))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, color=text_colour)


def _arrow(ax, start, end, colour, *, rad=0.0, style="-|>", lw=1.6, ls="-"):
    ax.add_patch(FancyArrowPatch(start, end, connectionstyle=f"arc3,rad={rad}", arrowstyle=style, mutation_scale=14,
                                 linewidth=lw, color=colour, linestyle=ls, shrinkA=2, shrinkB=2))


def _label(ax, x, y, text, colour, *, ha="center", fontsize=10):
    ax.text(x, y, text, ha=ha, va="center", fontsize=fontsize, color=colour,
            bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.95))


def draw():
    """Return the figure: user space on top, the kernel's interest tree, sockets and ready list below."""
    fig, ax = plt.subplots(figsize=(10.4, 6.6))
    ax.set_xlim(0, 13)
    ax.set_ylim(-0.15, 8.4)
    ax.axis("off")
    ax.set_title("epoll 怎样避免每次扫描全部 N 个描述符", fontsize=14, pad=6)

    # user space / kernel boundary
    ax.axhline(6.35, color="#888888", lw=1, ls=(0, (5, 3)))
    ax.text(0.15, 6.6, "用户空间", fontsize=10, color="#555555", va="bottom")
    ax.text(0.15, 6.1, "内核", fontsize=10, color="#555555", va="top")
    _box(ax, 2.3, 7.35, 3.6, 0.8, "应用进程：epoll_ctl(ADD, fd)\n（每个 fd 只做一次）", CALL)
    _box(ax, 9.8, 7.35, 5.0, 0.8, "应用进程：epoll_wait(epfd, events, …)\n只拿回就绪的 k 个", CALL)

    # interest list: a red-black tree of all N watched fds
    ax.text(2.3, 2.85, "兴趣列表（红黑树 rbr）：\n全部 N 个 fd", ha="center", va="center", fontsize=10.5, color=TREE)
    nodes = {0: (2.3, 5.05), 1: (1.2, 4.3), 2: (3.4, 4.3), 3: (0.65, 3.55), 4: (1.75, 3.55), 5: (2.85, 3.55),
             6: (3.95, 3.55)}
    order = [8, 5, 12, 3, 7, 9, 15]
    for child, parent in ((1, 0), (2, 0), (3, 1), (4, 1), (5, 2), (6, 2)):
        ax.plot(*zip(nodes[parent], nodes[child]), color=TREE, lw=1.2, zorder=0)
    for i, (x, y) in nodes.items():
        ax.add_patch(plt.Circle((x, y), 0.3, color=TREE, zorder=1))
        ax.text(x, y, str(order[i]), ha="center", va="center", fontsize=10, color="white", zorder=2)
    _arrow(ax, (2.3, 6.9), (2.3, 5.4), CALL)
    _label(ax, 2.35, 5.9, "① 插入一次", CALL)

    # the sockets, each with its wait queue and the hooked callback
    ax.text(7.55, 5.95, "被监视的 socket 和它们的等待队列", ha="center", fontsize=10.5, color="#333333")
    xs = [5.7 + 0.62 * i for i in range(len(FDS))]
    for x, (fd, ready) in zip(xs, FDS):
        _box(ax, x, 4.85, 0.52, 0.62, f"fd\n{fd}", READY if ready else IDLE, fontsize=8.5,
             text_colour="white" if ready else "#333333")
        ax.text(x, 4.25, "cb", ha="center", va="center", fontsize=8, color=CALLBACK)
    ax.text(7.55, 5.5, "cb = 挂在每个 socket 等待队列上的 ep_poll_callback", ha="center", fontsize=9, color=CALLBACK)
    _arrow(ax, (4.35, 4.3), (5.1, 4.7), TREE, ls="--", lw=1.1)
    _label(ax, 4.9, 4.02, "① 同时挂上 cb", TREE, fontsize=8.5)
    _box(ax, 7.55, 2.95, 3.6, 0.6, "数据到达 → 协议栈唤醒等待队列", "#8C8C8C", fontsize=9.5)
    _arrow(ax, (6.4, 3.25), (xs[1], 4.15), "#8C8C8C", rad=-0.2)
    _arrow(ax, (8.4, 3.25), (xs[4], 4.15), "#8C8C8C", rad=0.2)

    # the ready list
    ax.text(10.15, 0.62, "就绪链表 rdllist：只有就绪的 k 个", ha="center", va="center", fontsize=10.5, color=READY)
    for j, fd in enumerate(fd for fd, ready in FDS if ready):
        _box(ax, 9.5 + 1.3 * j, 1.2, 1.0, 0.6, f"fd {fd}", READY)
        if j:
            _arrow(ax, (9.5 + 1.3 * (j - 1) + 0.5, 1.2), (9.5 + 1.3 * j - 0.5, 1.2), READY)
    _arrow(ax, (xs[1] + 0.1, 4.1), (9.4, 1.55), CALLBACK, rad=0.25)
    _arrow(ax, (xs[4] + 0.1, 4.1), (10.7, 1.55), CALLBACK, rad=0.15)
    _label(ax, 7.9, 1.75, "② 回调把就绪的 fd\n挂到就绪链表上", CALLBACK)

    # epoll_wait drains the ready list only
    _arrow(ax, (12.1, 1.35), (11.5, 6.9), DRAIN, rad=0.25, lw=2.0)
    _label(ax, 12.35, 4.3, "③ 取走就绪链表，\n拷贝 k 个事件\n到 events 数组", DRAIN)
    ax.text(6.5, 0.12, "select/poll 每次调用都把 N 个 fd 拷进内核、逐个调用 poll 方法；epoll_wait 的开销随就绪数 k 增长，与 N 无关。",
            ha="center", va="center", fontsize=9.5, color="#333333")
    fig.tight_layout()
    return fig


FIGURES = {"09": draw}
