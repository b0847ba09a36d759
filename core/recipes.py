"""How every shipped checkpoint is trained, and the command that rebuilds them. A sink: only this command and the
cache layer (for a checkpoint that is missing) import it.

    python -m core.recipes NAME      # one checkpoint, e.g. fashion_cnn
    python -m core.recipes all       # every checkpoint, in dependency order
"""
import sys
import time

from core import checkpoints
from core.adversarial import attacks, out_of_distribution
from core.data.images import fashion_mnist, mnist_5k
from core.device import device, set_threads
from core.generative import autoencoders, gan_images
from core.recap import probes
from core.rnn import sentiment, translation
from core.small_cnn import train_small_cnn
from core.training import Progress, Recipe, random_shift


def train_fashion_cnn(recipe: Recipe, on_progress: Progress | None = None) -> tuple:
    return train_small_cnn(recipe, on_progress, *fashion_mnist(train=True), *fashion_mnist(train=False))


def train_mnist_cnn(recipe: Recipe, on_progress: Progress | None = None) -> tuple:
    return train_small_cnn(recipe, on_progress, *mnist_5k("train"), *mnist_5k("test"), augment=random_shift)


RECIPES = {r.name: r for r in [
    Recipe("fashion_cnn", "Fashion-MNIST: 60,000 train / 10,000 official test", seed=0, steps=3600, train=train_fashion_cnn),
    Recipe("fashion_cnn_augmented", "Fashion-MNIST: 60,000 train / 10,000 official test; each training image randomly "
           "turned, scaled, shifted, dulled, inverted or blurred", seed=0, steps=7200,
           train=out_of_distribution.train_fashion_cnn_augmented, needs=("fashion_cnn",)),  # its metrics: both models' OOD sweeps
    Recipe("mnist_cnn", "MNIST 5k: 4,000 train / 1,000 held out, stratified", seed=0, steps=1500, train=train_mnist_cnn),
    Recipe("fashion_cnn_adversarial", "Fashion-MNIST: 60,000 train (as FGSM examples, ε = 0.1) / 10,000 official "
           "test", seed=0, steps=1800, train=attacks.train_fashion_cnn_adversarial, needs=("fashion_cnn", "mnist_cnn")),
    Recipe("feature_probes", "Fashion-MNIST, as pixels / HOG / fashion_cnn features", seed=0, steps=1500,
           train=probes.train_feature_probes, needs=("fashion_cnn",)),
    Recipe("translator", "Ding dictionary example sentences, German→English: 10,956 train / 1,369 val / 1,370 test "
           "pairs", seed=0, steps=2500, train=translation.train_translator),  # 15 passes over the train split
    Recipe("sentiment_lstm", sentiment.DATA, seed=0, steps=1330, train=sentiment.train_sentiment_lstm),
    Recipe("sentiment_gru", sentiment.DATA, seed=0, steps=1330, train=sentiment.train_sentiment_gru),
    Recipe("sentiment_minilm", sentiment.MINILM_DATA, seed=0, steps=933, train=sentiment.train_sentiment_minilm),
    Recipe("fashion_gan", "Fashion-MNIST: the 60,000 training images (labels unused); judged by fashion_cnn",
           seed=0, steps=8000, train=gan_images.train_fashion_gan, needs=("fashion_cnn",)),
    Recipe("ae_fashion", autoencoders.DATASETS["fashion"].data, seed=0, steps=3000,
           train=autoencoders.train_ae_fashion),  # ae2, ae8, ae32 and dae32, 3000 steps each
    Recipe("ae_mnist", autoencoders.DATASETS["mnist"].data, seed=0, steps=1500, train=autoencoders.train_ae_mnist),
    Recipe("vae_fashion", autoencoders.DATASETS["fashion"].data, seed=0, steps=4000,
           train=autoencoders.train_vae_fashion),
    Recipe("vae_mnist", autoencoders.DATASETS["mnist"].data, seed=0, steps=2000, train=autoencoders.train_vae_mnist),
    Recipe("vae_faces", autoencoders.DATASETS["faces"].data, seed=0, steps=3000, train=autoencoders.train_vae_faces),
]}  # in dependency order


def rebuild(name: str, on_progress: Progress | None = None) -> checkpoints.Entry:
    """Train one checkpoint from its recipe, measure it, and save it with its manifest entry."""
    threads = set_threads()
    recipe = RECIPES[name]
    start = time.perf_counter()
    model, architecture, metrics = recipe.train(recipe, on_progress)
    metrics["train_seconds"] = round(time.perf_counter() - start, 1)
    metrics["device"] = device().type
    metrics["threads"] = threads
    entry = checkpoints.Entry(name, architecture, recipe.data, recipe.seed, recipe.steps, metrics)
    return checkpoints.save(model, entry)


def _progress_bar(step: int, total: int, loss: float) -> None:
    done = int(30 * step / total)
    sys.stderr.write(f"\r  [{'#' * done}{'.' * (30 - done)}] {step}/{total} steps  loss {loss:.3f}")
    if step == total:
        sys.stderr.write("\n")


def main(argv: list[str]) -> int:
    names = list(RECIPES) if argv == ["all"] else argv
    unknown = [n for n in names if n not in RECIPES]
    if not names or unknown:
        print(f"usage: python -m core.recipes NAME [NAME ...] | all   (names: {', '.join(RECIPES)})", file=sys.stderr)
        return 2
    for name in names:
        print(f"{name}: {RECIPES[name].data}", file=sys.stderr)
        entry = rebuild(name, _progress_bar)
        print(f"{name}: {entry.metrics}", file=sys.stderr)
    return 0




if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
