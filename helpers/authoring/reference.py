"""The reference run: what every measured claim gave on one named machine, as a generated table.

A number a measurement produces never goes into a chapter's prose (the learner's machine is
not the author's).  A reader of the static site or a teacher preparing a class may still want
one recorded run to compare with: ``make execute`` (which refreshes the committed outputs)
records every verdict of :func:`helpers.claims.claim` while it runs, and this module writes

- ``reference/claims.json`` — the machine (CPU model, usable CPUs, Python, kernel, date) and
  the verdicts per chapter, exactly as recorded;
- ``reference/README.md`` — the same, rendered as tables (:func:`render`); never edited by
  hand (a test regenerates it from the JSON and compares).
"""
from __future__ import annotations

import json
import platform
import sys
from datetime import datetime, timezone
from pathlib import Path

from helpers import machine
from helpers.authoring import ROOT
from helpers.claims import format_value

__all__ = ["REFERENCE", "machine_label", "write", "render"]

REFERENCE = ROOT / "reference"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_label() -> dict:
    """The facts that name a machine for a reader: CPU, usable CPUs, memory, Python, kernel."""
    lim = machine.limits()
    return {"cpu": _cpu_model(), "usable_cpus": lim.cpus, "memory_gib": round(lim.memory / 2**30, 1),
            "python": platform.python_version(), "kernel": platform.release(), "system": platform.system(),
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d")}


def write(verdicts: dict[str, list[dict]], folder: Path = REFERENCE) -> Path:
    """Record *verdicts* (chapter file name → verdict dicts) with this machine's label; render the table.

    Chapters recorded earlier and not in *verdicts* are kept, with the machine they ran on.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "claims.json"
    chapters = json.loads(path.read_text(encoding="utf-8"))["chapters"] if path.exists() else {}
    label = machine_label()
    chapters.update({k: {"machine": label, "claims": v} for k, v in verdicts.items()})
    data = {"chapters": {k: chapters[k] for k in sorted(chapters)}}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (folder / "README.md").write_text(render(data), encoding="utf-8")
    return folder / "README.md"


def _value(row: dict) -> str:
    value = row["value"]
    if isinstance(value, bool):
        return "是" if value else "否"
    unit = row.get("unit", "")
    return format_value(value, unit) if isinstance(value, (int, float)) else str(value)


def _describe(m: dict) -> list[str]:
    return [f"- CPU：{m['cpu']}，可用 {m['usable_cpus']:g} 个", f"- 内存可用：{m['memory_gib']} GiB",
            f"- Python {m['python']}，{m['system']} {m['kernel']}", f"- 日期：{m['date']}"]


def _same(a: dict, b: dict) -> bool:
    return all(a[k] == b[k] for k in ("cpu", "usable_cpus", "python", "kernel", "system"))


def render(data: dict) -> str:
    """Markdown tables of a recorded run, headed by the machine(s) it ran on."""
    status = {"holds": "✅", "inconclusive": "⚠️", "fails": "❌"}
    machines = [c["machine"] for c in data["chapters"].values()]
    one = bool(machines) and all(_same(machines[0], m) for m in machines)
    lines = [
        "# 参考运行 / reference run",
        "",
        "这一页由 `make execute` 自动生成（`helpers.authoring.reference`），不要手改。",
        "它记录了**一台参考机器**上每个测量结论的结果，供阅读静态网页的读者和备课的老师对照；",
        "你自己的机器在 notebook 里打印的数字才是你的结果，两者不同很正常。",
        "",
    ]
    if one:
        lines += ["参考机器：", "", *_describe(machines[0]), ""]
    for chapter, entry in data["chapters"].items():
        lines += [f"## {chapter}", ""]
        if not one:
            lines += [*_describe(entry["machine"]), ""]
        lines += ["| | 结论 | 测得 | 预测 |", "|---|---|---|---|"]
        for r in entry["claims"]:
            text = r["text"].replace("|", "\\|")
            lines.append(f"| {status.get(r['status'], r['status'])} | {text} | {_value(r)} | {r['expected']} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(json.loads((REFERENCE / "claims.json").read_text(encoding="utf-8"))), end="")
    sys.exit(0)
