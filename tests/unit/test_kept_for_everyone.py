"""What core/ui/cache.py keeps for everyone: a shared model's class probabilities for an input, pictures encoded."""
import torch

from core.ui import cache


class Counting(torch.nn.Module):
    def __init__(self, seed: int):
        super().__init__()
        self.linear = torch.nn.Linear(4, 3)
        torch.nn.init.normal_(self.linear.weight, generator=torch.Generator().manual_seed(seed))
        self.calls = 0

    def forward(self, x):
        self.calls += 1
        return self.linear(x)


def test_probabilities_are_the_softmax_computed_once_per_model_and_input():
    net, x = Counting(0), torch.arange(4.0)[None]
    probs = cache.probabilities(net, x)
    assert torch.allclose(torch.from_numpy(probs), net.linear(x).softmax(1)[0], atol=1e-7)
    assert cache.probabilities(net, x.clone()) is probs and net.calls == 1  # the same pixels: kept
    assert not probs.flags.writeable
    other = Counting(1)
    assert not torch.allclose(torch.from_numpy(cache.probabilities(other, x)), torch.from_numpy(probs))
    cache.probabilities(net, x + 1)
    assert net.calls == 2


def test_feature_maps_are_computed_once_per_model_input_and_layers():
    net, x = Counting(0), torch.arange(4.0)[None]
    maps = cache.feature_maps("counting", net, x, ("linear",))
    assert torch.allclose(torch.from_numpy(maps["linear"]), net.linear(x)[0]) and net.calls == 1
    assert cache.feature_maps("counting", net, x.clone(), ("linear",)) is maps and net.calls == 1
    assert not maps["linear"].flags.writeable
    cache.feature_maps("counting", net, x, ("linear", "")) and cache.feature_maps("counting", net, x * 2, ("linear",))
    assert net.calls == 3  # other layers, another input: computed


def test_a_picture_is_encoded_once_and_decodes_to_itself():
    import io

    import numpy as np
    from PIL import Image

    rgb = np.random.default_rng(0).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    png = cache.encoded(rgb)
    assert cache.encoded(rgb.copy()) is png  # the same pixels: kept
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(png))), rgb)  # PNG: lossless
    assert Image.open(io.BytesIO(cache.encoded(rgb, "JPEG"))).format == "JPEG"


def test_every_shipped_model_is_loaded_once_however_many_sections_take_turns(monkeypatch):
    """A class uses every model at once: none is dropped to make room for another and loaded again."""
    from core import checkpoints
    names = list(checkpoints.read_manifest())
    loads = []
    monkeypatch.setattr(checkpoints, "load_model", lambda name: loads.append(name) or Counting(len(loads)))
    cache._checkpoint_model.clear()
    try:
        first = {name: cache.model(name) for name in names}
        again = {name: cache.model(name) for name in reversed(names)}
    finally:
        cache._checkpoint_model.clear()
    assert len(names) >= 15 and sorted(loads) == sorted(names)
    assert all(again[name] is first[name] for name in names)
