"""How long this machine's browser takes to draw the app's 3-D figures, against a 2-D one: plotly.js alone in
headless Chromium, no Streamlit, no server.

Run from anywhere:  .venv/bin/python tests/bench/bench_3d.py [--runs 3]

Not a test: it prints figures and never fails on them. Each figure is drawn by `Plotly.newPlot` in a fresh page
(the time until two animation frames later, so the drawing has reached the screen), then once more in the same page;
median of --runs. The 3-D figures are WebGL scenes, which this machine's Chromium draws in software.
"""
import argparse
import statistics
import sys
from pathlib import Path

import numpy as np
import plotly
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from core import plots  # noqa: E402
from core.feed_forward import descent  # noqa: E402
from core.recap import separability  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_ARGS, VIEWPORT  # noqa: E402

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
DRAW_TWICE = """async (spec) => {
    const times = [];
    for (const id of ["first", "second"]) {
        const figure = JSON.parse(spec), start = performance.now();
        await Plotly.newPlot(id, figure.data, figure.layout, {});
        await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
        times.push(performance.now() - start);
    }
    return times;
}"""


def figures() -> dict:
    style = plots.NORMAL
    X, y = separability.data_b(300, 0.1, 0)
    lifted = separability.lift(X)
    surface = descent.one_neuron_surface()
    path = descent.path(surface, "gradient descent", surface.start, 3.0, 100)
    return {
        "Data B, 2-D scatter": plots.scatter_classes(X, y, separability.CLASSES, style),
        "Data B lifted, 3-D scatter + plane": plots.scatter3d_classes(lifted, y, separability.CLASSES, style,
                                                                     ("x₁", "x₂", "x₁² + x₂²"),
                                                                     plane_z=float(np.median(lifted[:, 2]))),
        "hidden layer, 3-D animation": plots.hidden_space_animation(
            separability.hidden_layer_over_training(X, y, seed=0), y, separability.CLASSES, style),
        "loss landscape, 3-D surface": plots.loss_surface_3d(surface.x, surface.y, surface.z,
                                                             {"gradient descent": (path, surface.loss(path))}, surface.axes, style),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    script = PLOTLY_JS.read_text()
    print(f"Chromium {CHROMIUM}, plotly.js {plotly.__version__}; median of {runs} (ms): first plot in a page, the "
          "same figure again in that page")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, figure in figures().items():
            spec, times = figure.to_json(), []
            for _ in range(runs):
                page = browser.new_page(viewport=VIEWPORT)
                page.set_content("<div id=first style='width:900px;height:560px'></div>"
                                 f"<div id=second style='width:900px;height:560px'></div><script>{script}</script>")
                times.append(page.evaluate(DRAW_TWICE, spec))
                page.close()
            first, again = (statistics.median(t[i] for t in times) for i in (0, 1))
            print(f"{name:38s} {first:7.0f} {again:7.0f}   ({len(spec) / 1e3:.0f} kB)", flush=True)
        browser.close()


if __name__ == "__main__":
    main()
