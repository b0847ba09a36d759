"""Convolution by hand, as on the slide: a small filter slides over the image and sums what it covers."""
from dataclasses import dataclass
from typing import Iterator

import numpy as np

_GAUSS_3 = np.array([1.0, 2.0, 1.0])
_GAUSS_5 = np.array([1.0, 4.0, 6.0, 4.0, 1.0])

KERNELS: dict[str, np.ndarray] = {  # name: (k, k) filter; all 3×3 except the 5×5 Gaussian
    "Identity": np.array([[0.0, 0, 0], [0, 1, 0], [0, 0, 0]]),
    "Edge: Sobel x": np.array([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]]),  # dark → bright from left to right
    "Edge: Sobel y": np.array([[-1.0, -2, -1], [0, 0, 0], [1, 2, 1]]),  # dark → bright from top to bottom
    "Edge: Laplacian": np.array([[0.0, 1, 0], [1, -4, 1], [0, 1, 0]]),  # edges in every direction
    "Blur: box 3×3": np.full((3, 3), 1 / 9),
    "Blur: Gaussian 3×3": np.outer(_GAUSS_3, _GAUSS_3) / 16,
    "Blur: Gaussian 5×5": np.outer(_GAUSS_5, _GAUSS_5) / 256,
    "Sharpen": np.array([[0.0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
    "Emboss": np.array([[-2.0, -1, 0], [-1, 1, 1], [0, 1, 2]]),
}


@dataclass(frozen=True)
class Step:
    """One position of the sliding filter: where it sits, what it covers, and the number it writes."""
    row: int  # top-left corner of the window, in padded-image coordinates
    col: int
    patch: np.ndarray  # (k, k) pixels under the filter's taps
    product: np.ndarray  # (k, k) patch * kernel, element by element
    value: float  # product.sum(): one pixel of the output map


def output_size(size: int, k: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """Positions the filter takes along a side: ⌊(size + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1."""
    return (size + 2 * padding - dilation * (k - 1) - 1) // stride + 1


def windows(image: np.ndarray, k: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> np.ndarray:
    """Every (k, k) patch the filter sees, as a view: (H', W', k, k)."""
    span = dilation * (k - 1) + 1  # the window's width on the image, taps `dilation` apart
    if min(image.shape) + 2 * padding < span or min(stride, dilation, k) < 1 or padding < 0:
        raise ValueError(f"a {k}×{k} filter with dilation {dilation} does not fit a {image.shape} image "
                         f"padded by {padding} (stride, dilation and size must be ≥ 1)")
    padded = np.pad(image, padding)  # zeros around the border
    every = np.lib.stride_tricks.sliding_window_view(padded, (span, span))  # (H+2p−span+1, W+2p−span+1, span, span)
    return every[::stride, ::stride, ::dilation, ::dilation]


def convolve(image: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: int = 0, dilation: int = 1) -> np.ndarray:
    """The output map (H', W'): at each position, the sum of patch × kernel (cross-correlation, as torch's conv2d)."""
    patches = windows(image, kernel.shape[0], stride, padding, dilation)  # (H', W', k, k)
    return np.einsum("hwij,ij->hw", patches, kernel)


def steps(image: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: int = 0,
          dilation: int = 1) -> Iterator[Step]:
    """The convolution one position at a time, row by row, for the step-by-step view."""
    patches = windows(image, kernel.shape[0], stride, padding, dilation)  # (H', W', k, k)
    for i in range(patches.shape[0]):
        for j in range(patches.shape[1]):
            product = patches[i, j] * kernel
            yield Step(i * stride, j * stride, patches[i, j], product, float(product.sum()))


def relu(x: np.ndarray) -> np.ndarray:
    """The activation after the convolution: negative responses become 0."""
    return np.maximum(x, 0)


def parameter_counts(height: int, width: int, channels_in: int, channels_out: int, kernel: int) -> dict[str, int]:
    """Weights + biases of a dense layer vs a convolution, both H×W×C_in → H×W×C_out ("parameter sharing")."""
    inputs, outputs = height * width * channels_in, height * width * channels_out
    return {
        "dense": inputs * outputs + outputs,  # one weight per (input pixel, output pixel) pair
        "conv": kernel * kernel * channels_in * channels_out + channels_out,  # one small filter reused everywhere
    }


def step_at(image: np.ndarray, kernel: np.ndarray, position: int, stride: int = 1, padding: int = 0,
            dilation: int = 1) -> Step:
    """The `position`-th step of `steps` (0-based, reading order), without going through the ones before it."""
    patches = windows(image, kernel.shape[0], stride, padding, dilation)  # (H', W', k, k)
    if not 0 <= position < patches.shape[0] * patches.shape[1]:
        raise IndexError(f"position {position} outside the {patches.shape[0]}×{patches.shape[1]} output map")
    i, j = divmod(position, patches.shape[1])
    product = patches[i, j] * kernel
    return Step(i * stride, j * stride, patches[i, j], product, float(product.sum()))


def kernel_from_text(text: str, k: int) -> np.ndarray:
    """A k×k filter written as k·k numbers, row by row, comma-separated ("-1,0,1,-2,0,2,-1,0,1")."""
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise ValueError(f"{k * k} comma-separated numbers, row by row") from None
    if len(values) != k * k:
        raise ValueError(f"{k * k} comma-separated numbers, row by row, not {len(values)}")
    if not all(np.isfinite(v) and abs(v) <= 100 for v in values):
        raise ValueError("each number between -100 and 100")
    return np.array(values).reshape(k, k)


def kernel_to_text(kernel: np.ndarray) -> str:
    """The filter as `kernel_from_text` reads it: numbers in their shortest form, row by row."""
    return ",".join(f"{v:g}" for v in np.asarray(kernel, float).ravel())
