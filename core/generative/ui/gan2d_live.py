"""The 2-D GAN's browser engine (gan2d_engine.js, its matrix products gan2d_products.wat built to .wasm): what
Python gives it to start from. Not yet mounted by the GAN Lab, which still trains on the server (see
docs/benchmarks.md); Node runs it in the tests and the benchmark."""
from pathlib import Path

from torch import nn

from core.generative import gan2d
from core.ui import live_loop

HERE = Path(__file__).parent
ENGINE = HERE / "gan2d_engine.js"
PRODUCTS_SOURCE, PRODUCTS = HERE / "gan2d_products.wat", HERE / "gan2d_products.wasm"  # built by make wasm


def engine_script() -> str:
    """The engine as one ES module: the products' bytes, then the maths."""
    return live_loop.script(live_loop.wasm_bytes("GAN2D_PRODUCTS_WASM", PRODUCTS), ENGINE)


def start_of(gan: gan2d.Gan) -> dict:
    """Both networks as the engine starts from them: per linear layer its weight (out × in) and bias, as lists."""
    def layers(net):
        return [{"weight": m.weight.double().tolist(), "bias": m.bias.double().tolist()}
                for m in net if isinstance(m, nn.Linear)]
    return {"G": layers(gan.G), "D": layers(gan.D)}


def settings_of(config: gan2d.GanConfig) -> dict:
    return {"loss": config.loss, "batch": config.batch, "noiseDim": config.noise_dim, "gLr": config.g_lr,
            "dLr": config.d_lr, "dSteps": config.d_steps}
