"""The five I/O models as timelines (pics/02–08), in the spirit of Stevens' UNP figures 6.1–6.6.

Each timeline has two columns, 应用进程 (application) and 内核 (kernel); time runs downward.
Arrows are system calls and their returns; shaded bands on the right are the two phases of
a read: 等待数据 (wait for data) and 将数据从内核拷贝到用户空间 (copy to user); the bracket on
the left says when the process is blocked.

- 02 blocking I/O        - 03 non-blocking I/O     - 04 I/O multiplexing (select)
- 05 asynchronous I/O    - 06 select watching several sockets (the seed's 网络IO模型)
- 07 the five models compared              - 08 signal-driven I/O (SIGIO)

The drawings are original; only the idea (two columns, two phases) follows UNP §6.2.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, Rectangle

APP_X, KERNEL_X = 2.9, 6.3
WAIT_COLOR, COPY_COLOR = "#FBE3C8", "#CFE0F3"
BLOCK_COLOR, RUN_COLOR = "#C44E52", "#55A868"
CALL_COLOR, RET_COLOR = "#2F4B7C", "#7A5195"


@dataclass
class SequenceDiagram:
    """A declarative sequence diagram of one I/O model (application vs kernel; y grows downward, 0–10)."""

    title: str
    calls: list = field(default_factory=list)    # (y0, y1, label, "call"|"ret")
    notes: list = field(default_factory=list)    # (y, text) beside the kernel lifeline
    app_notes: list = field(default_factory=list)  # (y, text) left of the application lifeline
    states: list = field(default_factory=list)   # (y0, y1, label, "blocked"|"running")
    wait: tuple = (1.0, 6.0)
    copy: tuple = (6.0, 8.6)
    footer: str = ""


def _arrow(ax, x0, y0, x1, y1, color, label, above=True):
    ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=12, color=color, lw=1.4))
    xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
    ax.text(xm, ym - 0.12 if above else ym + 0.12, label, ha="center", va="bottom" if above else "top",
            fontsize=9, color=color, rotation=0,
            bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.9))


def draw_diagram(t: SequenceDiagram):
    """Draw *t* and return the Figure."""
    fig, ax = plt.subplots(figsize=(9.6, 6.4))
    ax.set_xlim(0, 10.6)
    ax.set_ylim(10.2, -0.9)
    ax.axis("off")
    ax.set_title(t.title, fontsize=14, pad=6)
    # phase bands across the kernel side
    for (y0, y1), color, label in ((t.wait, WAIT_COLOR, "等待数据\n(wait for data)"),
                                   (t.copy, COPY_COLOR, "将数据从内核\n拷贝到用户空间\n(copy to user)")):
        ax.add_patch(Rectangle((KERNEL_X - 0.25, y0), 3.6, y1 - y0, color=color, zorder=0))
        ax.plot([9.75, 9.9, 9.9, 9.75], [y0 + 0.05, y0 + 0.05, y1 - 0.05, y1 - 0.05], color="#555555", lw=1)
        ax.text(10.0, (y0 + y1) / 2, label, ha="left", va="center", fontsize=9.5, color="#333333")
    # lifelines and column headers
    for x, name in ((APP_X, "应用进程\napplication"), (KERNEL_X, "内核\nkernel")):
        ax.text(x, -0.35, name, ha="center", va="bottom", fontsize=11)
        ax.plot([x, x], [-0.2, 9.6], color="#888888", lw=1, ls=(0, (4, 3)))
    # process states on the far left
    for y0, y1, label, kind in t.states:
        color = BLOCK_COLOR if kind == "blocked" else RUN_COLOR
        ax.add_patch(Rectangle((0.15, y0), 0.22, y1 - y0, color=color, alpha=0.85))
        ax.text(0.5, (y0 + y1) / 2, label, ha="left", va="center", fontsize=9, color=color)
    for y0, y1, label, kind in t.calls:
        if kind == "call":
            _arrow(ax, APP_X, y0, KERNEL_X, y1, CALL_COLOR, label)
        else:
            _arrow(ax, KERNEL_X, y0, APP_X, y1, RET_COLOR, label)
    for y, text in t.notes:
        ax.text(KERNEL_X + 0.15, y, text, ha="left", va="center", fontsize=9.5)
    for y, text in t.app_notes:
        ax.text(APP_X - 0.12, y, text, ha="right", va="center", fontsize=9.5)
    if t.footer:
        ax.text(5.3, 10.05, t.footer, ha="center", va="center", fontsize=10, color="#333333")
    fig.tight_layout()
    return fig


def blocking():
    """pics/02: recvfrom blocks through both phases."""
    return draw_diagram(SequenceDiagram(
        title="阻塞式 I/O（blocking I/O）",
        calls=[(1.0, 1.0, "recvfrom  (系统调用)", "call"), (8.6, 8.6, "返回成功，带回数据", "ret")],
        notes=[(1.6, "无数据报准备好"), (5.7, "数据报准备好"), (6.5, "拷贝数据报"), (8.2, "拷贝完成")],
        app_notes=[(9.3, "处理数据")],
        states=[(1.0, 8.6, "进程阻塞于\nrecvfrom 调用", "blocked"), (8.6, 9.6, "运行", "running")],
        footer="一个系统调用；两个阶段都在 recvfrom 里度过",
    ))


def nonblocking():
    """pics/03: recvfrom returns EWOULDBLOCK until the data is there, then copies."""
    calls = []
    for i, y in enumerate((1.0, 2.3, 3.6, 4.9)):
        calls.append((y, y, "recvfrom", "call"))
        calls.append((y + 0.55, y + 0.55, "EWOULDBLOCK (BlockingIOError)", "ret"))
    calls += [(6.2, 6.2, "recvfrom", "call"), (8.6, 8.6, "返回成功，带回数据", "ret")]
    return draw_diagram(SequenceDiagram(
        title="非阻塞式 I/O（non-blocking I/O）",
        calls=calls,
        notes=[(1.25, "无数据报准备好"), (2.55, "无数据报准备好"), (3.85, "无数据报准备好"),
               (5.7, "数据报准备好"), (6.6, "拷贝数据报"), (8.2, "拷贝完成")],
        app_notes=[(3.0, "反复调用 recvfrom\n轮询 (polling)\n—— 一直占用 CPU")],
        states=[(1.0, 6.2, "运行：忙等\n(busy wait)", "running"), (6.2, 8.6, "阻塞于\n拷贝", "blocked"),
                (8.6, 9.6, "运行", "running")],
        wait=(1.0, 6.2), copy=(6.2, 8.6),
        footer="第一阶段不阻塞但在空转；第二阶段（拷贝）照样阻塞",
    ))


def multiplexing():
    """pics/04: select blocks in phase 1, recvfrom in phase 2 — two system calls."""
    return draw_diagram(SequenceDiagram(
        title="I/O 多路复用（I/O multiplexing：select / poll / epoll）",
        calls=[(1.0, 1.0, "select  (系统调用 1)", "call"), (5.6, 5.6, "返回“可读” (readable)", "ret"),
               (6.3, 6.3, "recvfrom  (系统调用 2)", "call"), (8.6, 8.6, "返回成功，带回数据", "ret")],
        notes=[(1.6, "无数据报准备好"), (5.2, "数据报准备好"), (6.7, "拷贝数据报"), (8.2, "拷贝完成")],
        app_notes=[(7.4, "数据已就绪，\nrecvfrom 不会等"), (9.3, "处理数据")],
        states=[(1.0, 5.6, "进程阻塞于\nselect 调用", "blocked"), (5.6, 6.3, "", "running"),
                (6.3, 8.6, "阻塞于拷贝", "blocked"), (8.6, 9.6, "运行", "running")],
        wait=(1.0, 5.6), copy=(6.3, 8.6),
        footer="多一个系统调用；好处是一次 select 可以同时等多个描述符",
    ))


def asynchronous():
    """pics/05: submit and return at once; the kernel does both phases, then notifies."""
    return draw_diagram(SequenceDiagram(
        title="异步 I/O（asynchronous I/O：io_uring / IOCP）",
        calls=[(1.0, 1.0, "提交读请求 (io_uring_enter)", "call"), (1.7, 1.7, "立即返回", "ret"),
               (8.6, 8.6, "完成通知 (completion)", "ret")],
        notes=[(2.3, "无数据报准备好"), (5.7, "数据报准备好"), (6.5, "拷贝数据报\n（内核完成）"),
               (8.2, "拷贝完成")],
        app_notes=[(4.6, "进程继续执行\n做别的事"), (9.3, "数据已在缓冲区：\n直接处理")],
        states=[(1.0, 9.6, "两个阶段都不阻塞", "running")],
        footer="内核把两个阶段都做完再通知：数据到达用户缓冲区后才有完成事件\n（glibc 的 POSIX aio_read 不是这样：它在用户态用线程模拟，见 aio(7)）",
    ))


def select_many():
    """pics/06: the seed's 网络IO模型 — one select watches the listening socket and two connections."""
    return draw_diagram(SequenceDiagram(
        title="网络 I/O 多路复用：一次 select 等多个 socket",
        calls=[(1.0, 1.0, "select([sk, conn1, conn2])", "call"), (5.6, 5.6, "返回 r_list = [conn2]", "ret"),
               (6.3, 6.3, "conn2.recv(1024)", "call"), (8.6, 8.6, "返回数据", "ret")],
        notes=[(1.6, "sk：无新连接\nconn1：无数据\nconn2：无数据"), (3.6, "内核在等待队列上\n让进程睡眠（不轮询）"),
               (5.1, "conn2 数据到达 → 可读"), (6.7, "拷贝 conn2 的数据"), (8.2, "拷贝完成")],
        app_notes=[(7.4, "只读就绪的那个"), (9.3, "处理后再次 select")],
        states=[(1.0, 5.6, "阻塞于 select\n(同时等 3 个)", "blocked"), (5.6, 6.3, "", "running"),
                (6.3, 8.6, "阻塞于拷贝", "blocked"), (8.6, 9.6, "运行", "running")],
        wait=(1.0, 5.6), copy=(6.3, 8.6),
        footer="整个进程被 select 阻塞，而不是被某一个 socket 的 recv 阻塞",
    ))


def signal_driven():
    """pics/08: sigaction(SIGIO) returns at once; SIGIO says 'ready'; the handler calls recvfrom."""
    return draw_diagram(SequenceDiagram(
        title="信号驱动式 I/O（signal-driven I/O：SIGIO）",
        calls=[(1.0, 1.0, "sigaction(SIGIO) + fcntl(F_SETOWN, O_ASYNC)", "call"), (1.7, 1.7, "立即返回", "ret"),
               (5.6, 5.6, "递交 SIGIO 信号", "ret"),
               (6.3, 6.3, "信号处理函数里 recvfrom", "call"), (8.6, 8.6, "返回成功，带回数据", "ret")],
        notes=[(2.3, "无数据报准备好"), (5.2, "数据报准备好"), (6.7, "拷贝数据报"), (8.2, "拷贝完成")],
        app_notes=[(3.6, "进程继续执行\n做别的事")],
        states=[(1.0, 6.3, "运行（不阻塞）", "running"), (6.3, 8.6, "阻塞于拷贝", "blocked"),
                (8.6, 9.6, "运行", "running")],
        wait=(1.0, 5.6), copy=(6.3, 8.6),
        footer="内核只通知“可以读了”；拷贝仍由进程自己的 recvfrom 完成",
    ))


def comparison():
    """pics/07: the five models side by side (phase 1 differs, phase 2 blocks for the first four)."""
    fig, ax = plt.subplots(figsize=(11.0, 6.6))
    ax.set_xlim(-1.4, 10.2)
    ax.set_ylim(10.6, -1.0)
    ax.axis("off")
    ax.set_title("五种 I/O 模型的比较", fontsize=14, pad=4)
    names = ["阻塞式 I/O", "非阻塞式 I/O", "I/O 多路复用", "信号驱动式 I/O", "异步 I/O"]
    xs = [0.8 + 2.0 * i for i in range(5)]
    wait, copy = (0.6, 5.6), (5.6, 8.2)
    for (y0, y1), color, label in ((wait, WAIT_COLOR, "等待数据"), (copy, COPY_COLOR, "将数据从内核\n拷贝到用户空间")):
        ax.add_patch(Rectangle((-0.2, y0), 10.0, y1 - y0, color=color, zorder=0))
        ax.text(-0.3, (y0 + y1) / 2, label, ha="right", va="center", fontsize=10)
    for x, name in zip(xs, names):
        ax.text(x, 0.35, name, ha="center", va="bottom", fontsize=10.5)

    def bar(x, y0, y1, kind):
        color = BLOCK_COLOR if kind == "blocked" else RUN_COLOR
        ax.add_patch(Rectangle((x - 0.07, y0), 0.14, y1 - y0, color=color, alpha=0.85))

    def label(x, y, text, **kw):
        ax.text(x + 0.15, y, text, ha="left", va="center", fontsize=8.5, **kw)

    # 1 blocking
    bar(xs[0], 0.8, 8.2, "blocked"); label(xs[0], 0.9, "发起 recvfrom"); label(xs[0], 4.0, "阻塞")
    # 2 non-blocking
    for y in (0.9, 1.9, 2.9, 3.9, 4.9):
        ax.plot([xs[1] - 0.12, xs[1] + 0.12], [y, y], color=RUN_COLOR, lw=2.5)
    label(xs[1], 0.9, "检查 (EWOULDBLOCK)"); label(xs[1], 2.9, "反复检查\n(忙等)")
    bar(xs[1], 5.7, 8.2, "blocked"); label(xs[1], 5.9, "发起 recvfrom")
    # 3 multiplexing
    bar(xs[2], 0.8, 5.3, "blocked"); label(xs[2], 0.9, "select"); label(xs[2], 3.0, "阻塞")
    label(xs[2], 5.3, "就绪 (readable)")
    bar(xs[2], 5.8, 8.2, "blocked"); label(xs[2], 6.1, "发起 recvfrom")
    # 4 signal-driven
    bar(xs[3], 0.8, 5.3, "running"); label(xs[3], 0.9, "sigaction(SIGIO)"); label(xs[3], 3.0, "继续运行")
    label(xs[3], 5.3, "SIGIO 通知")
    bar(xs[3], 5.8, 8.2, "blocked"); label(xs[3], 6.1, "发起 recvfrom")
    # 5 asynchronous
    bar(xs[4], 0.8, 8.2, "running"); label(xs[4], 0.9, "提交读请求"); label(xs[4], 4.0, "继续运行")
    label(xs[4], 8.05, "完成通知")
    for x in xs[:4]:
        label(x, 7.9, "拷贝完成返回")
    # braces at the bottom
    ax.plot([xs[0] - 0.3, xs[0] - 0.3, xs[3] + 1.2, xs[3] + 1.2], [8.6, 8.8, 8.8, 8.6], color="#333333", lw=1)
    ax.text((xs[0] + xs[3] + 0.9) / 2, 9.05, "第一阶段各不相同；第二阶段相同：进程阻塞于 recvfrom，自己拷贝\n"
            "—— POSIX 意义上的同步 I/O (synchronous I/O)", ha="center", va="top", fontsize=10)
    ax.plot([xs[4] - 0.3, xs[4] - 0.3, xs[4] + 1.2, xs[4] + 1.2], [8.6, 8.8, 8.8, 8.6], color="#333333", lw=1)
    ax.text(xs[4] + 0.45, 9.05, "两个阶段都由内核完成\n—— 异步 I/O", ha="center", va="top", fontsize=10)
    # legend
    ax.add_patch(Rectangle((6.4, -0.85), 0.14, 0.35, color=BLOCK_COLOR, alpha=0.85))
    ax.text(6.6, -0.68, "进程阻塞", fontsize=9, va="center")
    ax.add_patch(Rectangle((7.8, -0.85), 0.14, 0.35, color=RUN_COLOR, alpha=0.85))
    ax.text(8.0, -0.68, "进程运行 / 可做别的事", fontsize=9, va="center")
    fig.tight_layout()
    return fig


FIGURES = {
    "02": blocking,
    "03": nonblocking,
    "04": multiplexing,
    "05": asynchronous,
    "06": select_many,
    "07": comparison,
    "08": signal_driven,
}
