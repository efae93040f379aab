"""``python -m helpers.authoring.figures``: redraw every figure in pics/."""
import matplotlib

matplotlib.use("Agg")

from helpers.authoring.figures import render_all  # noqa: E402

for path in render_all():
    print(f"wrote pics/{path.name}")
