"""Find a real CJK font for matplotlib so Chinese labels are not drawn as tofu boxes.

matplotlib's default DejaVu Sans has no Chinese glyphs.  :func:`use_cjk_font` prefers a
font the operating system already has (Noto/Source Han on Linux, PingFang on macOS,
Microsoft YaHei on Windows); where there is none, it registers Noto Sans CJK SC
(SIL Open Font License) from the ``mplfonts`` package that requirements.txt installs.

Used in: 00 (and every chart, through plots and the figures).
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

__all__ = ["BUNDLED", "PREFERRED", "bundled_font_path", "find_cjk_font", "use_cjk_font"]

PREFERRED = [
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Microsoft YaHei",
    "SimHei",
]
BUNDLED = "NotoSansCJKsc-Regular.otf"


def bundled_font_path() -> Path | None:
    """Path of Noto Sans CJK SC inside the installed ``mplfonts`` package, or None."""
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        path = Path(location) / "fonts" / BUNDLED
        if path.exists():
            return path
    return None


def find_cjk_font() -> tuple[str, str] | None:
    """``(family, source)`` of the CJK font to use; source is ``"system"`` or ``"mplfonts"``."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in PREFERRED:
        if family in installed:
            return family, "system"
    path = bundled_font_path()
    if path is not None:
        font_manager.fontManager.addfont(str(path))
        return font_manager.FontProperties(fname=str(path)).get_name(), "mplfonts"
    return None


def use_cjk_font() -> str:
    """Make matplotlib draw Chinese with a real CJK font; returns the family name.

    Raises RuntimeError (with the fix) when no CJK font can be found.
    """
    import matplotlib

    found = find_cjk_font()
    if found is None:
        raise RuntimeError("no CJK font found: `pip install mplfonts` (in requirements.txt) or install fonts-noto-cjk")
    family, _ = found
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [family, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False  # CJK fonts may lack U+2212 MINUS SIGN
    return family

