"""How long this machine's browser takes to draw the app's 3-D figures (core/scene3d.py, painted on a canvas by
core/ui/scene3d.js), against a 2-D plotly figure: in headless Chromium, no Streamlit, no server.

Run from anywhere:  .venv/bin/python tests/bench/bench_3d.py [--runs 3]

Not a test: it prints figures and never fails on them. Each 3-D figure is mounted as the component mounts it, in a
fresh page, and timed until two animation frames later (the picture has reached the screen); then the student turns
it by one drag step, timed the same way. The 2-D figure is drawn by `Plotly.newPlot`. Median of --runs.
"""
import argparse
import json
import statistics
import sys
from pathlib import Path

import numpy as np
import plotly
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from core import plots, scene3d  # noqa: E402
from core.feed_forward import descent  # noqa: E402
from core.recap import separability  # noqa: E402
from core.ui import live_loop  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_ARGS, VIEWPORT  # noqa: E402

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
SCENE_JS = live_loop.script(live_loop.LINE_CHART, ROOT / "core" / "ui" / "scene3d.js").replace(
    "export default function", "window.mountScene = function")
FRAMES = "new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
DRAW_AND_TURN = f"""async (spec) => {{
    const host = document.getElementById("host"), start = performance.now();
    window.mountScene({{ data: JSON.parse(spec), parentElement: host }});
    await {FRAMES};
    const first = performance.now() - start, canvas = host.querySelector("canvas"), box = canvas.getBoundingClientRect();
    const at = (dx) => ({{ clientX: box.x + box.width / 2 + dx, clientY: box.y + box.height / 2, pointerId: 1,
                          bubbles: true }});
    canvas.setPointerCapture = () => {{}};
    canvas.dispatchEvent(new PointerEvent("pointerdown", at(0)));
    const turned = performance.now();
    canvas.dispatchEvent(new PointerEvent("pointermove", at(20)));
    await {FRAMES};
    return [first, performance.now() - turned, Number(host.querySelector(".scene3d").dataset.drawn)];
}}"""
PLOTLY_TWICE = f"""async (spec) => {{
    const figure = JSON.parse(spec), start = performance.now();
    await Plotly.newPlot("host", figure.data, figure.layout, {{}});
    await {FRAMES};
    return [performance.now() - start, NaN, 1];
}}"""


def figures() -> dict:
    style = plots.NORMAL
    X, y = separability.data_b(300, 0.1, 0)
    lifted = separability.lift(X)
    surface = descent.one_neuron_surface()
    path = descent.path(surface, "gradient descent", surface.start, 3.0, 100)
    return {
        "Data B, 2-D plotly scatter": plots.scatter_classes(X, y, separability.CLASSES, style),
        "Data B lifted, points + plane": scene3d.classes(lifted, y, separability.CLASSES, style,
                                                         ("x₁", "x₂", "x₁² + x₂²"),
                                                         plane_z=float(np.median(lifted[:, 2]))),
        "hidden layer, 21-frame animation": scene3d.hidden_space_animation(
            separability.hidden_layer_over_training(X, y, seed=0), y, separability.CLASSES, style),
        "loss landscape, surface + path": scene3d.loss_landscape(surface.x, surface.y, surface.z,
                                                                 {"gradient descent": (path, surface.loss(path))},
                                                                 surface.axes, style),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    print(f"Chromium {CHROMIUM}, plotly.js {plotly.__version__}; median of {runs} (ms): first picture in a page, "
          "one drag step's picture")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, figure in figures().items():
            is_plotly = not isinstance(figure, dict)
            spec = figure.to_json() if is_plotly else json.dumps(figure)
            script = PLOTLY_JS.read_text() if is_plotly else SCENE_JS
            times = []
            for _ in range(runs):
                page = browser.new_page(viewport=VIEWPORT)
                page.set_content(f"<div id=host style='width:900px;height:560px'></div><script"
                                 f"{'' if is_plotly else ' type=module'}>{script}</script>")
                page.wait_for_function("() => window.Plotly || window.mountScene")
                times.append(page.evaluate(PLOTLY_TWICE if is_plotly else DRAW_AND_TURN, spec))
                page.close()
            first, turn = (statistics.median(t[i] for t in times) for i in (0, 1))
            assert all(t[2] >= (1 if is_plotly else 2) for t in times), "a turn did not draw again"
            print(f"{name:36s} {first:7.0f} {turn:7.0f}   ({len(spec) / 1e3:.0f} kB)", flush=True)
        browser.close()


if __name__ == "__main__":
    main()
