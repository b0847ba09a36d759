"""The pretrained ImageNet classifier, offline: it recognises the shipped photos."""
import numpy as np
import torch

from core.data.images import photos
from core.data.imagenet import imagenet_classes
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
