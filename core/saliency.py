"""Which pixels made the network say "cat": attribution maps with Captum, for the small CNNs and EfficientNet-Lite0.

Shared models are never touched: Captum's hooks go on a private frozen copy of each model (made once, its weights
refreshed from the original on every call), one attribution at a time per copy. EfficientNet-Lite0 uses ReLU6, not
swish, so it is used as it is: `set_swish(memory_efficient=False)` would swap its ReLU6 units for swish and change
its predictions.
"""
import copy
import threading
import warnings
import weakref

import numpy as np
import torch
from captum.attr import (
    GuidedGradCam,
    IntegratedGradients,
    LayerAttribution,
    LayerGradCam,
    Occlusion,
    Saliency,
)
from PIL import Image
from torch import nn

from core.device import to_numpy

METHODS = ("Saliency", "Integrated Gradients", "Grad-CAM", "Occlusion", "Guided Grad-CAM")
BLACK = {"SmallCNN": 0.0, "EfficientNet": -1.0}  # the input value of a black pixel: [0, 1] inputs vs Lite0's [-1, 1]
HEAT = np.array([[0, 0, 4], [87, 16, 110], [188, 55, 84], [249, 142, 9], [252, 255, 164]]) / 255  # inferno, 5 stops


class MethodNotApplicable(ValueError):
    """An attribution method that has no meaning on this model; the message says why, in plain words."""


def grad_cam_layer(model: nn.Module) -> nn.Module:
    """Grad-CAM's default layer: the last convolution (SmallCNN's conv3 block, EfficientNet's 1×1 `_conv_head`)."""
    return model._conv_head if hasattr(model, "_conv_head") else model.conv3


def check_applicable(model: nn.Module, method: str) -> None:
    """Refuse a method the model cannot support, with the reason; unknown names are a ValueError."""
    if method not in METHODS:
        raise ValueError(f"Unknown attribution method {method!r}; choose one of {', '.join(METHODS)}.")
    if method == "Guided Grad-CAM" and not any(isinstance(m, nn.ReLU) for m in model.modules()):
        # Guided backprop lets only positive gradients back through ReLUs. Captum modifies nn.ReLU only, so on a net
        # of ReLU6 units (EfficientNet-Lite0) it would silently give plain gradients under the name "guided".
        raise MethodNotApplicable(
            "Guided Grad-CAM changes how gradients flow back through ReLU units, and this network has none "
            "(EfficientNet-Lite0 uses ReLU6, which guided backpropagation in Captum leaves alone), so it would only "
            "show plain gradients. Use Grad-CAM or Saliency instead.")


_COPIES: "weakref.WeakKeyDictionary[nn.Module, tuple[nn.Module, threading.Lock]]" = weakref.WeakKeyDictionary()
_COPYING = threading.Lock()


def private_copy(model: nn.Module) -> tuple[nn.Module, threading.Lock]:
    """The model's frozen eval-mode copy (made once; channels-last, faster here) and the lock that guards it."""
    with _COPYING:
        if model not in _COPIES:
            frozen = copy.deepcopy(model).eval().requires_grad_(False)
            _COPIES[model] = (frozen.to(memory_format=torch.channels_last), threading.Lock())
        return _COPIES[model]


def _saliency(model: nn.Module, x: torch.Tensor, target: int, layer: nn.Module) -> torch.Tensor:
    """|∂ score / ∂ pixel|, the largest over colour channels (Simonyan et al. 2013)."""
    return Saliency(model).attribute(x, target=target, abs=True).amax(1)  # (1, H, W)


def _integrated_gradients(model: nn.Module, x: torch.Tensor, target: int, layer: nn.Module, steps: int = 32,
                          batch: int = 2) -> torch.Tensor:
    """(x − black) × the gradient averaged along the path from a black image to x, summed over channels."""
    black = BLACK.get(type(model).__name__, 0.0)
    ig = IntegratedGradients(model).attribute(x, baselines=black, target=target, n_steps=steps,
                                              internal_batch_size=batch)
    return ig.sum(1)  # (1, H, W); the whole map sums to score(x) − score(black)


def _grad_cam(model: nn.Module, x: torch.Tensor, target: int, layer: nn.Module) -> torch.Tensor:
    """ReLU(Σ_channels mean-gradient × activation) at `layer`, upsampled to the input (Selvaraju et al. 2017)."""
    cam = LayerGradCam(model, layer).attribute(x, target=target, relu_attributions=True)  # (1, 1, h, w)
    return LayerAttribution.interpolate(cam, tuple(x.shape[-2:]), interpolate_mode="bilinear")[:, 0]


@torch.no_grad()
def _occlusion(model: nn.Module, x: torch.Tensor, target: int, layer: nn.Module, window: int | None = None,
               stride: int | None = None, batch: int = 8) -> torch.Tensor:
    """How much the score drops when a square is blanked out (0: black for the CNNs, grey for Lite0), per pixel."""
    channels, side = x.shape[1], min(x.shape[-2:])
    stride = stride or max(1, side // 11)  # by default 10 positions a side, covering the image exactly:
    window = window or side - 9 * stride  # 224 → window 44, stride 20 (100 forward passes); 28 → 10, 2
    occ = Occlusion(model).attribute(x, sliding_window_shapes=(channels, window, window),
                                     strides=(channels, stride, stride), baselines=0.0, target=target,
                                     perturbations_per_eval=batch)
    return occ.mean(1)  # every channel holds the same value


def _guided_grad_cam(model: nn.Module, x: torch.Tensor, target: int, layer: nn.Module) -> torch.Tensor:
    """Guided backprop (fine detail) × Grad-CAM (where), the largest magnitude over channels."""
    with warnings.catch_warnings():  # Captum announces the ReLU hooks it sets (and removes) on every call
        warnings.filterwarnings("ignore", "Setting backward hooks on ReLU")
        guided = GuidedGradCam(model, layer).attribute(x, target=target, interpolate_mode="bilinear")
    return guided.abs().amax(1)


def _name_in(model: nn.Module, layer: nn.Module) -> str:
    """The dotted name of `layer` inside `model`, to find the same layer in the private copy."""
    for name, module in model.named_modules():
        if module is layer:
            return name
    raise ValueError("The Grad-CAM layer must be a module of the model being explained.")


_ATTRIBUTE = dict(zip(METHODS, (_saliency, _integrated_gradients, _grad_cam, _occlusion, _guided_grad_cam)))


def attribute(model: nn.Module, x: torch.Tensor, target: int, method: str, layer: nn.Module | None = None,
              **opts) -> np.ndarray:
    """A per-pixel map (H, W) of how much each pixel of x (1, C, H, W) matters for class `target`, by one of METHODS.

    opts: Integrated Gradients `steps` (32), `batch` (2: on Lite0 as fast as 8 with a sixth of the memory);
    Occlusion `window`, `stride` (10 positions a side),
    `batch` (8). `layer` (Grad-CAM, Guided Grad-CAM) is a module of `model`.
    """
    check_applicable(model, method)
    layer_name = _name_in(model, grad_cam_layer(model) if layer is None else layer) if "Grad-CAM" in method else ""
    frozen, lock = private_copy(model)
    with lock:
        frozen.load_state_dict(model.state_dict())  # the copy sees the weights as they are now
        x = x.detach().to(next(frozen.parameters()).device).requires_grad_()  # a fresh leaf, not the caller's
        attribution = _ATTRIBUTE[method](frozen, x, target, frozen.get_submodule(layer_name), **opts)
    return to_numpy(attribution[0].detach().float())


def overlay(image: np.ndarray, attribution: np.ndarray, opacity: float = 0.7) -> np.ndarray:
    """The image with the attribution's magnitude laid over it as heat: (H, W, 3) uint8."""
    base = image.astype(np.float32) / 255 if image.dtype == np.uint8 else image.astype(np.float32)  # [0, 1]
    base = np.repeat(base[..., None], 3, -1) if base.ndim == 2 else base  # (H, W, 3)
    heat = np.abs(attribution).astype(np.float32)
    if heat.shape != base.shape[:2]:
        heat = np.asarray(Image.fromarray(heat).resize(base.shape[1::-1], Image.BILINEAR))
    heat = np.clip(heat / (np.percentile(heat, 99.5) + 1e-12), 0, 1)  # (H, W): a few hot pixels do not wash it out
    stops = np.linspace(0, 1, len(HEAT))
    colour = np.stack([np.interp(heat, stops, HEAT[:, c]) for c in range(3)], -1)  # (H, W, 3)
    alpha = opacity * heat[..., None]
    return np.round(255 * ((1 - alpha) * base + alpha * colour)).astype(np.uint8)
