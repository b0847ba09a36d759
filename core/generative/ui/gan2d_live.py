"""The GAN Lab's live view, trained and drawn in the student's browser (gan2d_engine.js, its matrix products
gan2d_products.wat built to .wasm, gan2d_view.js): what Python sends it (both networks' start, the target, the
fixed noise and samples the pictures use, the settings, the style) and how the state it sends back on a pause
(weights, Adam's moments, the iteration count, the losses) is taken into core's torch GAN."""
import hashlib
import json
from pathlib import Path

import numpy as np
import torch
from torch import nn

from core.generative import gan2d
from core.plots import PlotStyle
from core.ui import live_loop

HERE = Path(__file__).parent
ENGINE, VIEW, CSS = HERE / "gan2d_engine.js", HERE / "gan2d_view.js", HERE / "gan2d.css"
PRODUCTS_SOURCE, PRODUCTS = HERE / "gan2d_products.wat", HERE / "gan2d_products.wasm"  # built by make wasm
KEY = "gan_live"  # the component's fixed key: its snapshot lives in st.session_state[KEY]
MAP_RESOLUTION = 40  # the discriminator's map: 40 × 40 points, scaled smoothly to the picture
EQUILIBRIUM = {"log": (2 * np.log(2), np.log(2)), "least squares": (0.25, 0.125)}  # (L_D, L_G) where D = ½


def _products() -> str:
    return live_loop.wasm_bytes("GAN2D_PRODUCTS_WASM", PRODUCTS)


def engine_script() -> str:
    """The engine as one ES module: the products' bytes, then the maths."""
    return live_loop.script(_products(), ENGINE)


renderer = live_loop.component("gan2d_live", [_products(), ENGINE, VIEW], CSS)


def _linears(net: nn.Sequential) -> list[nn.Linear]:
    return [m for m in net if isinstance(m, nn.Linear)]


def start_of(gan: gan2d.Gan) -> dict:
    """Both networks as the engine starts from them: per linear layer its weight (out × in) and bias, as lists."""
    def layers(net):
        return [{"weight": m.weight.double().tolist(), "bias": m.bias.double().tolist()} for m in _linears(net)]
    return {"G": layers(gan.G), "D": layers(gan.D)}


def settings_of(config: gan2d.GanConfig) -> dict:
    return {"loss": config.loss, "batch": config.batch, "noiseDim": config.noise_dim, "gLr": config.g_lr,
            "dLr": config.d_lr, "dSteps": config.d_steps}


def run_id(structure: tuple, generation: int) -> str:
    """Names one start: the same networks, target and seed (and no reset since) give the same name, so reruns keep
    the browser's run."""
    return hashlib.sha1(json.dumps([list(structure), generation]).encode()).hexdigest()[:16]


def target_of(gan: gan2d.Gan) -> dict:
    """How the browser samples the target: two moons, or a mixture of Gaussians (the ring's, the grid's, or the
    student's points with a little jitter)."""
    target = gan.config.target
    if target == "two moons":
        return {"kind": "moons"}
    means, std = {"ring": (gan2d.ring_centres(), gan2d.RING_STD), "grid": (gan2d.grid_centres(), gan2d.GRID_STD),
                  "your points": (gan.points, gan2d.USER_JITTER)}[target]
    return {"kind": "mixture", "means": np.asarray(means, np.float64).ravel().tolist(), "std": std}


def data(run: str, start: dict, gan: gan2d.Gan, resume: dict | None, style: PlotStyle, view: dict) -> dict:
    """Everything the browser needs, sent with every rerun: a new `run` restarts it (from `resume` if that is its
    snapshot); the settings, the view and the style change in place."""
    shares = gan.real_histogram.ravel()
    real_histogram = np.append(shares, max(0.0, 1 - shares.sum()))  # with one cell for the share off the canvas
    return {"run": run, "seed": gan.config.seed, "start": start, "resume": resume, "settings": settings_of(gan.config),
            "target": target_of(gan), "mapResolution": MAP_RESOLUTION,
            "evalNoise": gan.eval_z.double().numpy().ravel().tolist(),
            "evalReal": gan.eval_real[:gan.VIEW_POINTS].astype(np.float64).ravel().tolist(),
            "realHistogram": real_histogram.tolist(), "histogramBins": gan2d.HIST_BINS, "canvas": gan2d.CANVAS,
            "means": None if gan.means is None else gan.means.ravel().tolist(), "modeRadius": gan2d.MODE_RADIUS,
            "modeShare": gan2d.MODE_SHARE, "jsFloor": gan.js_floor, "equilibrium": EQUILIBRIUM[gan.config.loss],
            "view": view, "style": {"projector": style.font_size > 16, "fontSize": style.font_size,
                                    "lineWidth": style.line_width, "markerSize": style.marker_size}}


def _tensor(values, like: torch.Tensor) -> torch.Tensor:
    """JSON lists (None where the browser's value was not finite) as a tensor shaped and typed as `like`."""
    array = np.array(values, dtype=np.float64)  # None becomes NaN
    return torch.from_numpy(array.reshape(tuple(like.shape))).to(like.dtype)


def adopt(gan: gan2d.Gan, snapshot: dict) -> None:
    """Take the browser's state into core's GAN: both networks' weights, Adam's moments and step counts, the
    iteration count, the losses, whether it diverged (the measures come with the snapshot, for the page)."""
    for net, opt, saved in ((gan.G, gan.g_opt, snapshot["G"]), (gan.D, gan.d_opt, snapshot["D"])):
        with torch.no_grad():
            for layer, values, moments in zip(_linears(net), saved["layers"], saved["moments"], strict=True):
                for param, value, (m, v) in ((layer.weight, values["weight"], moments[:2]),
                                             (layer.bias, values["bias"], moments[2:])):
                    param.copy_(_tensor(value, param))
                    opt.state[param] = {"step": int(saved["steps"]),
                                        "exp_avg": _tensor(m, param), "exp_avg_sq": _tensor(v, param)}
    gan.iteration, gan.diverged = snapshot["iteration"], snapshot["diverged"]
    gan.history = [(int(i), *(np.nan if v is None else float(v) for v in rest)) for i, *rest in snapshot["history"]]
