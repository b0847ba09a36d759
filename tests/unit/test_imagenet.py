"""The pretrained ImageNet classifier, offline: it recognises the shipped photos. The optional torchvision classifiers:
found in a torch cache the tests write themselves, or explained when absent or damaged."""
import io
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import torch

from core.data.imagenet import imagenet_classes
from core.data.images import photos
from core.lecture import ROOT
from core.models import imagenet


def test_lite0_recognises_the_cat_the_coffee_and_the_rocket():
    model, names, pics = imagenet.efficientnet_lite0(), imagenet_classes(), photos()
    cats = {"tiger cat", "Egyptian cat", "tabby"}
    with torch.no_grad():
        for photo, expected in [("chelsea", cats), ("coffee", {"espresso"}), ("rocket", {"missile"})]:
            x = imagenet.to_input(pics[photo].image)
            assert x.shape == (1, 3, 224, 224) and -1 <= x.min() and x.max() <= 1
            assert names[model(x).argmax().item()] in expected


def test_to_input_handles_small_and_extreme_aspect_ratios():
    for shape in [(10, 10, 3), (30, 900, 3), (900, 30, 3)]:
        x = imagenet.to_input(np.zeros(shape, np.uint8))
        assert x.shape == (1, 3, 224, 224)
        assert imagenet.to_gray(x).shape == (224, 224)


def test_class_names_read_as_text_match_torchvision():
    from torchvision.models import ResNet18_Weights
    assert imagenet_classes() == list(ResNet18_Weights.IMAGENET1K_V1.meta["categories"])


# The optional torchvision classifiers, with weights the tests write themselves into a TORCH_HOME of their own.


@pytest.fixture
def torch_home(tmp_path, monkeypatch):
    """An empty torch cache, and a machine that is offline unless a test says otherwise."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setattr(imagenet, "online", lambda url: False)
    return tmp_path / "torch"


def write_random_resnet18(seed: int = 0) -> tuple[torch.nn.Module, Path]:
    """A randomly initialised ResNet-18 saved where torchvision would keep the real weights."""
    from torchvision.models import resnet18
    torch.manual_seed(seed)
    model = resnet18(weights=None).eval()
    path = imagenet.availability("ResNet-18").path
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), path)
    return model, path


def test_weights_path_follows_torch_home(torch_home):
    from torchvision.models import ResNet18_Weights
    path = imagenet.weights_path(ResNet18_Weights.IMAGENET1K_V1.url)
    assert path.parent == torch_home / "hub" / "checkpoints"
    assert path.name == ResNet18_Weights.IMAGENET1K_V1.url.rsplit("/", 1)[1]


def test_the_weights_files_are_read_from_torchvisions_source_as_torchvision_names_them():
    import torchvision.models
    for model in imagenet.OPTIONAL.values():
        for tag in model.weights:
            enum, member = tag.split(".")
            weights = getattr(torchvision.models, enum)[member]
            assert imagenet.weights_file(tag) == (weights.url, weights.meta["_file_size"])


def test_checking_the_optional_models_imports_no_torchvision(torch_home):
    """Importing torchvision.models costs a server 160 MB: the classification section's check must not."""
    code = ("import sys; from core.models import imagenet; [imagenet.availability(n) for n in imagenet.OPTIONAL]; "
            "print('torchvision' in sys.modules)")
    answer = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert answer.stdout.strip() == "False", answer.stderr


def test_cached_weights_load_into_a_working_model(torch_home):
    model, path = write_random_resnet18()
    av = imagenet.availability("ResNet-18")
    assert av.cached and av.usable and av.path == path and av.reason() is None
    assert av.online is None  # cached weights need no connection test
    loaded = imagenet.load(av)
    x = imagenet.torchvision_input(photos()["coffee"].image, av.weights)
    assert x.shape == (1, 3, 224, 224) and x.min() < -1  # ImageNet mean/std normalisation, not Lite0's [-1, 1]
    with torch.no_grad():
        assert torch.allclose(loaded(x), model(x), atol=1e-5)


def test_missing_weights_offline_say_why(torch_home):
    av = imagenet.availability("ResNet-50")
    assert not av.cached and not av.usable
    reason = av.reason()
    assert "ResNet-50's weights are not in your torch cache" in reason and "offline" in reason
    assert av.path.name in reason and str(torch_home) in reason
    with pytest.raises(imagenet.WeightsError, match="not in your torch cache"):
        imagenet.load(av)


def test_missing_weights_online_can_be_offered_for_download(torch_home, monkeypatch):
    monkeypatch.setattr(imagenet, "online", lambda url: True)
    av = imagenet.availability("ResNet-18")
    assert av.usable and not av.cached and av.reason() is None and av.size_mb > 40


@pytest.mark.parametrize("content", [b"", b"this is not a checkpoint", b"PK\x03\x04" + b"\0" * 100, "wrong keys"])
def test_a_corrupt_weights_file_gives_a_clear_message(torch_home, content):
    path = imagenet.availability("ResNet-18").path
    path.parent.mkdir(parents=True)
    if content == "wrong keys":
        torch.save({"conv.weight": torch.zeros(1)}, path)
    else:
        path.write_bytes(content)
    av = imagenet.availability("ResNet-18")
    assert av.cached
    with pytest.raises(imagenet.WeightsError, match="could not be read") as err:
        imagenet.load(av)
    assert "delete it" in str(err.value) and "\n" not in str(err.value)


def test_the_connection_test_is_quick_and_remembered(monkeypatch):
    calls = []

    def slow(url, timeout):
        calls.append(url)
        return False
    imagenet.forget_connectivity()
    monkeypatch.setattr(imagenet, "_reachable", slow)
    from torchvision.models import ResNet50_Weights
    url = ResNet50_Weights.IMAGENET1K_V2.url
    assert not imagenet.online(url) and not imagenet.online(url)
    assert len(calls) == 1  # asked once, then remembered
    imagenet.forget_connectivity()
    imagenet.online(url)
    assert len(calls) == 2
    imagenet.forget_connectivity()


def test_reachable_gives_up_after_its_timeout(monkeypatch):
    released = threading.Event()

    def hang(*args, **kwargs):  # a name that never resolves: answers only once the test has its verdict
        released.wait(30)
        raise OSError("released")
    monkeypatch.setattr(urllib.request, "urlopen", hang)
    try:
        assert imagenet._reachable("http://example.invalid/x.pth", 0.2) is False
        assert not released.is_set()  # it returned while the request still hung
    finally:
        released.set()


def test_seen_crop_is_the_centre_square():
    rgb = np.zeros((300, 400, 3), np.uint8)
    assert imagenet.seen_crop(rgb).shape == (262, 262, 3)
    assert imagenet.seen_crop(np.zeros((10, 900, 3), np.uint8)).shape == (9, 9, 3)


class _FakeResponse(io.BytesIO):
    headers = {"Content-Length": "2048"}


def test_a_damaged_or_failed_download_leaves_nothing_in_the_cache(torch_home, monkeypatch):
    av = imagenet.availability("ResNet-18")
    seen = []
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: _FakeResponse(b"x" * 2048))
    with pytest.raises(imagenet.WeightsError, match="checksum"):
        imagenet.download(av, lambda done, total: seen.append((done, total)))
    assert seen[-1] == (2048, 2048)
    assert not any(av.path.parent.iterdir())

    def refused(url, timeout):
        raise urllib.error.URLError("no route to host")
    monkeypatch.setattr(urllib.request, "urlopen", refused)
    with pytest.raises(imagenet.WeightsError, match="failed"):
        imagenet.download(av)
    assert not any(av.path.parent.iterdir())
