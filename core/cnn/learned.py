"""What has the network learned: filters, top-exciting dataset patches, and inputs synthesised to excite a unit.

For SmallCNN and its 28×28 inputs. The patches follow Zeiler & Fergus (2013); the synthesised inputs are
activation maximisation (Erhan et al. 2009) with the usual regularisers.

Nothing here changes the shared model: feature maps come from running its layers in order (no hooks), and
activation maximisation asks autograd for the gradient of the input only, never of the weights.
"""
from dataclasses import dataclass
from typing import Iterator, NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core.device import to_numpy
from core.features import as_batch
from core.training import Adam


def _check_eval(model: nn.Module) -> None:
    """Batch norm in training mode would update its running statistics: refuse rather than change the model."""
    if model.training:
        raise ValueError("The model is in training mode; call .eval() on it (shared models are loaded in eval mode).")


def feature_map(model: nn.Module, layer_name: str, x: torch.Tensor) -> torch.Tensor:
    """The output of one conv block ("conv1", "conv2", "conv3") for inputs x (B, 1, 28, 28): (B, C, h, w)."""
    _check_eval(model)
    x = (x - 0.5) / 0.5  # as SmallCNN.features does
    for name in model.feature_layers:
        x = model.get_submodule(name)(x)  # conv → batch norm → ReLU
        if name == layer_name:
            return x
        x = model.pool(x)
    raise ValueError(f"Unknown layer {layer_name!r}; choose one of {', '.join(model.feature_layers)}.")


@dataclass(frozen=True)
class ReceptiveField:
    """The input square one unit of a layer sees: side `size`; unit (r, c) starts at row start + r·jump."""
    size: int  # pixels on a side
    jump: int  # input pixels between neighbouring units (the product of the strides so far)
    start: int  # top-left of unit (0, 0), negative where it reaches into the padding

    def box(self, row: int, col: int) -> tuple[int, int]:
        """Top-left corner (row, col) in the input of the square that unit (row, col) sees."""
        return self.start + row * self.jump, self.start + col * self.jump


def _conv(model: nn.Module, layer_name: str) -> nn.Conv2d:
    """The convolution inside a conv block."""
    return next(m for m in model.get_submodule(layer_name).modules() if isinstance(m, nn.Conv2d))


def _windows(model: nn.Module, layer_name: str) -> Iterator[tuple[int, int, int, int]]:
    """(kernel, stride, padding, dilation) of each sliding window from the input up to the layer's output."""
    for name in model.feature_layers:
        conv = _conv(model, name)
        yield conv.kernel_size[0], conv.stride[0], conv.padding[0], conv.dilation[0]
        if name == layer_name:
            return
        yield model.pool.kernel_size, model.pool.stride, model.pool.padding, 1
    raise ValueError(f"Unknown layer {layer_name!r}; choose one of {', '.join(model.feature_layers)}.")


def receptive_field(model: nn.Module, layer_name: str) -> ReceptiveField:
    """How much of the input one unit sees: SmallCNN's conv1 3×3, conv2 8×8, conv3 18×18 (pools in between)."""
    size, jump, start = 1, 1, 0
    for k, s, p, d in _windows(model, layer_name):
        size += (k - 1) * d * jump  # the window spans k units of the layer below, `jump` pixels apart
        start -= p * jump
        jump *= s
    return ReceptiveField(size, jump, start)


class TopPatch(NamedTuple):
    """One of the images that excite a channel most, and the part of it that did."""
    image_index: int  # which image of the dataset
    position: tuple[int, int]  # (row, col) of the most excited unit in the layer's feature map
    patch: np.ndarray  # (size, size) uint8: the input square that unit sees, black beyond the image's border
    activation: float  # the unit's value


def crop(image: np.ndarray, field: ReceptiveField, row: int, col: int) -> np.ndarray:
    """The input square unit (row, col) sees, padded with black where it reaches past the border: (size, size)."""
    top, left = field.box(row, col)
    padded = np.pad(image, field.size)
    return padded[top + field.size:top + 2 * field.size, left + field.size:left + 2 * field.size]


class Strongest(NamedTuple):
    """Every image's strongest unit in every channel of a layer: one pass over a dataset serves all channels."""
    values: torch.Tensor  # (N, C) the unit's activation
    places: torch.Tensor  # (N, C) its position in the (h, w) feature map, flattened
    width: int  # w


@torch.no_grad()
def strongest_units(model: nn.Module, layer_name: str, images: np.ndarray, batch: int = 250) -> Strongest:
    """For images (N, 28, 28) uint8: each one's strongest unit in each channel of the layer, and where it is."""
    dev = next(model.parameters()).device
    values, places = [], []
    for i in range(0, len(images), batch):
        maps = feature_map(model, layer_name, as_batch(images[i:i + batch]).to(dev))  # (b, C, h, w)
        value, place = maps.flatten(2).max(2)  # (b, C)
        values.append(value.cpu())
        places.append(place.cpu())
    return Strongest(torch.cat(values), torch.cat(places), maps.shape[-1])


def top_patches(model: nn.Module, layer_name: str, channel: int, images: np.ndarray, k: int = 9,
                batch: int = 250, strongest: Strongest | None = None) -> list[TopPatch]:
    """The k images (N, 28, 28) uint8 that excite `channel` of a layer most, each with the patch its top unit sees
    (`strongest`: the layer's strongest_units over the same images, if already computed)."""
    strongest = strongest or strongest_units(model, layer_name, images, batch)
    peaks, places = strongest.values[:, channel], strongest.places[:, channel]  # (N,)
    field = receptive_field(model, layer_name)
    found = []
    for i in peaks.topk(min(k, len(peaks))).indices.tolist():
        row, col = divmod(places[i].item(), strongest.width)
        found.append(TopPatch(i, (row, col), crop(images[i], field, row, col), peaks[i].item()))
    return found


def filters(model: nn.Module, layer_name: str) -> np.ndarray:
    """The convolution weights of a block: (C_out, C_in, k, k) float32; conv1's are the 3×3 filters seen by pixels."""
    return to_numpy(_conv(model, layer_name).weight.detach().float()).copy()


def score(model: nn.Module, target: tuple, x: torch.Tensor) -> torch.Tensor:
    """What activation maximisation climbs, per input: a class's logit, or a channel's summed activation. (B,)"""
    if target[0] == "class":
        _check_eval(model)
        return model(x)[:, target[1]]
    if target[0] == "channel":
        _, layer_name, channel = target
        return feature_map(model, layer_name, x)[:, channel].sum((1, 2))  # the sum: about the size of a logit
    raise ValueError(f'A target is ("class", index) or ("channel", layer, index), not {target!r}.')


def total_variation(image: torch.Tensor) -> torch.Tensor:
    """Mean absolute difference between neighbouring pixels: small for smooth images."""
    return (image[..., 1:, :] - image[..., :-1, :]).abs().mean() + (image[..., 1:] - image[..., :-1]).abs().mean()


def activation_maximisation(model: nn.Module, target: tuple, steps: int = 100, lr: float = 0.1, seed: int = 0,
                            jitter: int = 2, resolution: int = 14, smoothness: float = 10.0,
                            darkness: float = 3.0) -> np.ndarray:
    """A (28, 28) image in [0, 1] synthesised to excite `target`: ("class", i) or ("channel", layer, i).

    Gradient ascent with Adam on pixel logits z (image = sigmoid(z)); the model stays frozen. Left alone, the ascent
    finds high-frequency textures, so the usual regularisers keep it image-like: z is a `resolution`² grid enlarged
    bilinearly (a blur), each step sees the image shifted by up to `jitter` pixels, and the objective pays
    `smoothness` × total variation and `darkness` × mean brightness (the datasets have black backgrounds).
    """
    dev = next(model.parameters()).device
    g = torch.Generator().manual_seed(seed)
    z = (torch.randn(1, 1, resolution, resolution, generator=g) * 0.5 - 1.0).to(dev).requires_grad_()  # dim noise
    opt = Adam([z], lr=lr)

    def image() -> torch.Tensor:  # (1, 1, 28, 28) in [0, 1]
        return torch.sigmoid(F.interpolate(z, size=(28, 28), mode="bilinear", align_corners=False))

    for _ in range(steps):
        x = image()
        dy, dx = torch.randint(-jitter, jitter + 1, (2,), generator=g).tolist()
        objective = (score(model, target, torch.roll(x, (dy, dx), (2, 3)))[0]
                     - smoothness * total_variation(x) - darkness * x.mean())
        (z.grad,) = torch.autograd.grad(-objective, z)  # the input's gradient only: the weights get none
        opt.step()
    return to_numpy(image()[0, 0])
