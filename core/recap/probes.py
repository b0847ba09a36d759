"""Which features make classification easy: a linear classifier on raw pixels, on hand-made HOG features, and on
the features the Fashion CNN learned."""
import numpy as np
import torch

from core import checkpoints, features
from core.models.cnn import LinearProbes, SmallCNN
from core.training import Progress, Recipe, accuracy, fit


def probe_inputs(images: np.ndarray, cnn: SmallCNN) -> dict[str, torch.Tensor]:
    """The three representations of the same images that the linear probes read."""
    x = features.as_batch(images)
    with torch.no_grad():
        learned = torch.cat([cnn.features(x[i:i + 1000]) for i in range(0, len(x), 1000)])
    return {"pixels": x.flatten(1), "hog": torch.from_numpy(features.hog_features(images)), "learned": learned}


def train_feature_probes(recipe: Recipe, on_progress: Progress | None = None) -> tuple:
    """A linear classifier on raw pixels, on HOG, and on the Fashion CNN's learned features."""
    from core.data.images import fashion_mnist
    cnn = checkpoints.load_model("fashion_cnn").cpu()
    (Xtr, ytr), (Xte, yte) = fashion_mnist(train=True), fashion_mnist(train=False)
    tr, te = probe_inputs(Xtr, cnn), probe_inputs(Xte, cnn)
    ytr, yte = torch.tensor(ytr), torch.tensor(yte)
    probes = LinearProbes({k: v.shape[1] for k, v in tr.items()})
    metrics = {}
    for i, (name, probe) in enumerate(probes.items()):
        probe.mean.copy_(tr[name].mean(0))
        probe.std.copy_(tr[name].std(0) + 1e-3)
        progress = None if on_progress is None else (
            lambda s, n, loss, i=i: on_progress(i * recipe.steps + s, 3 * recipe.steps, loss))
        torch.manual_seed(recipe.seed)
        fit(probe, tr[name], ytr, steps=recipe.steps, batch_size=256, lr=3e-3, seed=recipe.seed, on_progress=progress)
        metrics[f"{name}_test_accuracy"] = round(accuracy(probe, te[name], yte), 4)
    return probes, {"class": "LinearProbes", "config": {k: v.shape[1] for k, v in tr.items()}}, metrics

