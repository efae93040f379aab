"""Knobs for a demo: a static result first, then interactive controls (ipywidgets).

:func:`explore` calls ``fn(**defaults)`` once, so the cell has a plain output that nbval,
the HTML export and GitHub can show, and then (inside a live kernel with ipywidgets)
displays sliders and a "重新运行" button that re-run ``fn`` with the chosen values.  Where no
widget can be drawn (a static page, an HTML export, GitHub) the controls show :data:`STATIC_TEXT`
instead of the widget's ``repr`` (``interactive(children=(IntSlider(…``).

Used in: 01.
"""
from __future__ import annotations

from typing import Callable

__all__ = ["STATIC_TEXT", "explore", "widget_bundle"]

STATIC_TEXT = "（这里是滑块和“重新运行”按钮：在运行中的 JupyterLab 里执行本单元格即可使用；静态页面只显示上面默认设置的结果。）"


def widget_bundle(widget, text: str = STATIC_TEXT) -> dict:
    """The widget's display data with *text* as its plain-text fallback."""
    bundle = dict(widget._repr_mimebundle_() or {})
    bundle["text/plain"] = text
    return bundle


def explore(fn: Callable[..., object], **controls: tuple[int, int, int]) -> None:
    """Run *fn* with each control's default, then show sliders for ``name=(min, max, default)``."""
    if not controls:
        raise ValueError("give at least one control: name=(min, max, default)")
    defaults = {}
    for name, spec in controls.items():
        if len(spec) != 3 or not spec[0] <= spec[2] <= spec[1]:
            raise ValueError(f"control {name!r} must be (min, max, default) with min <= default <= max")
        defaults[name] = spec[2]
    fn(**defaults)
    try:
        import ipywidgets
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # static fallback only
        return
    if get_ipython() is None or not hasattr(get_ipython(), "kernel"):
        return
    sliders = {name: ipywidgets.IntSlider(value=d, min=lo, max=hi, description=name, continuous_update=False)
               for name, (lo, hi, d) in controls.items()}
    ui = ipywidgets.interactive(fn, {"manual": True, "manual_name": "重新运行"}, **sliders)
    display(widget_bundle(ui), raw=True)
