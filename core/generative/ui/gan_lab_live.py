"""The 2-D GAN Lab's browser engine (gan_lab_engine.js) and what Python gives it: both networks' initial weights as
the seed made them, the target to sample, and the settings that change in place. The section does not use it yet:
see docs/benchmarks.md ("The GAN Lab's browser engine") for why."""
from pathlib import Path

import numpy as np
from torch import nn

from core import gan2d
from core.ui import live_loop

HERE = Path(__file__).parent
ENGINE = HERE / "gan_lab_engine.js"


def engine_script() -> str:
    """The engine as Node runs it in the tests: the random numbers, the scaffold's helpers and the maths."""
    return live_loop.script(live_loop.MULBERRY32, live_loop.SCAFFOLD, ENGINE)


def _layers(net: nn.Sequential) -> list[dict]:
    """Each linear layer's weight (fan_out × fan_in, as torch keeps it) and bias, in float64."""
    return [{"weight": m.weight.detach().double().tolist(), "bias": m.bias.detach().double().tolist()}
            for m in net if isinstance(m, nn.Linear)]


def target_of(gan: gan2d.Gan) -> dict:
    """The target as the browser samples it: Gaussians around centres (ring, grid, the student's points) or moons."""
    config = gan.config
    if config.target == "two moons":
        return {"kind": "moons"}
    centres, std = {"ring": (gan2d.ring_centres(), gan2d.RING_STD), "grid": (gan2d.grid_centres(), gan2d.GRID_STD)
                    }.get(config.target, (gan.points, gan2d.USER_JITTER))
    return {"kind": "mixture", "centres": np.asarray(centres, np.float64).tolist(), "std": std}


def start_of(gan: gan2d.Gan) -> dict:
    """What the browser trains from: both networks as the seed made them, the loss, the batch and the target."""
    config = gan.config
    return {"generator": _layers(gan.G), "discriminator": _layers(gan.D), "loss": config.loss, "batch": config.batch,
            "noiseDim": config.noise_dim, "target": target_of(gan)}


def settings_of(config: gan2d.GanConfig) -> dict:
    """What changes in place while it trains, as in GAN Lab: both learning rates and the D steps per G step."""
    return {"gLr": config.g_lr, "dLr": config.d_lr, "dSteps": config.d_steps}
