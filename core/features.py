"""Hand-made features (edges, HOG) and learned ones (a CNN's feature maps and penultimate layer)."""
import numpy as np
import torch

# scikit-image (and the SciPy under it) is imported inside the functions that use it: it takes half a second,
# and the app's first page needs none of it.

HOG_CELL = 4  # 28×28 images → 7×7 cells of 4×4 pixels, 2×2-cell blocks: 1,296 numbers


def edges(image: np.ndarray) -> np.ndarray:
    """Sobel edge strength of a grayscale image in [0, 1]: the classic hand-made feature."""
    from skimage.filters import sobel
    return sobel(image.astype(np.float32) / 255.0)


def hog_picture(image: np.ndarray, cell: int = HOG_CELL) -> np.ndarray:
    """The HOG descriptor drawn as oriented strokes per cell (small images enlarged so strokes show), in [0, 1]."""
    from skimage.feature import hog
    scale = max(1, 24 // cell)
    big = np.kron(image.astype(np.float32), np.ones((scale, scale), np.float32))
    _, picture = hog(big, orientations=9, pixels_per_cell=(cell * scale,) * 2, cells_per_block=(2, 2), visualize=True)
    return np.clip(picture / (np.percentile(picture, 99.5) + 1e-9), 0, 1)


def hog_features(images: np.ndarray) -> np.ndarray:
    """HOG descriptors of a stack of 28×28 images: (N, 1296) float32."""
    from skimage.feature import hog
    return np.stack([hog(im, orientations=9, pixels_per_cell=(HOG_CELL, HOG_CELL), cells_per_block=(2, 2))
                     for im in images]).astype(np.float32)


def as_batch(images: np.ndarray) -> torch.Tensor:
    """uint8 (N, 28, 28) images → float (N, 1, 28, 28) in [0, 1], the CNN's input."""
    return torch.from_numpy(images.astype(np.float32)).div_(255).unsqueeze(1)


@torch.no_grad()
def feature_maps(model: torch.nn.Module, x: torch.Tensor, layers: tuple[str, ...]) -> dict[str, torch.Tensor]:
    """The output of each named layer for input x, captured by forward hooks that are always removed."""
    maps: dict[str, torch.Tensor] = {}
    handles = [model.get_submodule(name).register_forward_hook(lambda m, i, o, name=name: maps.__setitem__(name, o.detach()))
               for name in layers]
    try:
        model(x)
    finally:
        for h in handles:
            h.remove()
    return maps
