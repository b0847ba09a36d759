"""The CNN page's Classification section in AppTest: the shipped photos' top-5 with EfficientNet-Lite0; ResNet-18/50
absent with a reason when offline; ResNet-18 chosen and used with weights the test writes into its own torch cache;
uploads added to the grid or refused with a message."""
import io

import numpy as np
import pytest
import torch
from PIL import Image
from streamlit.testing.v1 import AppTest

from core.cnn.ui import classification
from core.data.imagenet import imagenet_classes
from core.data.images import photos
from core.models import imagenet
from tests.pages import apptest

CATS = ("tabby", "tiger cat", "Persian cat", "Siamese cat", "Egyptian cat")


@pytest.fixture(autouse=True)
def offline_empty_torch_cache(tmp_path, monkeypatch):
    """Each test starts with an empty torch cache of its own, offline, and nothing remembered from another test."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setattr(imagenet, "online", lambda url: False)
    classification._torchvision_model.clear()
    classification._photo_top.clear()
    yield
    classification._torchvision_model.clear()
    classification._photo_top.clear()


def open_section(**params) -> AppTest:
    return apptest.open_page("cnns", "Classification", **params)


def lists(at: AppTest) -> list[str]:
    """The top-5 lists under the photos, in grid order."""
    return [m.value for m in at.main.markdown if m.value.startswith("<div")]


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.main.caption)


def write_random_resnet18() -> torch.nn.Module:
    from torchvision.models import resnet18
    torch.manual_seed(0)
    model = resnet18(weights=None).eval()
    path = imagenet.availability("ResNet-18").path
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), path)
    return model


def test_every_shipped_photo_gets_its_top_5_from_lite0():
    at = open_section()
    assert not at.exception and not at.error
    assert at.radio(key="cls_model").value == imagenet.LITE0
    shown = lists(at)
    assert len(shown) == len(photos())
    assert all(s.count("%</span>") == 5 for s in shown)
    chelsea = shown[list(photos()).index("chelsea")]
    assert any(f"<span>{cat}</span>" in chelsea for cat in CATS)
    assert "1.28 million" in captions(at) and "softmax" in captions(at)


def test_offline_without_weights_the_resnets_say_why_they_are_absent():
    at = open_section()
    assert at.radio(key="cls_model").options == [imagenet.LITE0]
    text = captions(at)
    for name in ("ResNet-18", "ResNet-50"):
        assert f"Not offered: {name}'s weights are not in your torch cache" in text
    assert "offline" in text


def test_a_link_to_an_absent_resnet_is_ignored_with_a_notice():
    at = open_section(cls_model="ResNet-50")
    assert not at.exception and not at.error
    assert at.radio(key="cls_model").value == imagenet.LITE0
    assert any("cls_model=ResNet-50" in i.value for i in at.info)


def test_with_weights_in_the_torch_cache_resnet18_can_be_chosen_and_classifies():
    model = write_random_resnet18()
    at = open_section()
    assert at.radio(key="cls_model").options == [imagenet.LITE0, "ResNet-18"]
    at.radio(key="cls_model").set_value("ResNet-18").run()
    assert not at.exception and not at.error
    av = imagenet.availability("ResNet-18")
    with torch.no_grad():
        probs = model(imagenet.torchvision_input(photos()["chelsea"].image, av.weights)).softmax(1)[0]
    best = imagenet_classes()[probs.argmax().item()]
    shown = lists(at)
    assert len(shown) == len(photos())
    assert f"<span>{best}</span>" in shown[list(photos()).index("chelsea")]
    assert f"{probs.max().item():.1%}" in shown[list(photos()).index("chelsea")]
    assert "ResNet-18" in captions(at) and "11.7 M parameters" in captions(at)
    assert apptest.bound(at, "cls_model")


def test_a_corrupt_weights_file_gives_a_message_not_a_traceback():
    path = imagenet.availability("ResNet-18").path
    path.parent.mkdir(parents=True)
    path.write_bytes(b"half a download")
    at = open_section(cls_model="ResNet-18")
    assert not at.exception
    assert any("could not be read" in e.value and "delete it" in e.value for e in at.error)


def test_online_without_weights_offers_a_download_and_waits_for_the_click(monkeypatch):
    monkeypatch.setattr(imagenet, "online", lambda url: True)
    at = open_section(cls_model="ResNet-50")
    assert not at.exception and not at.error
    assert at.button(key="cls_download")
    assert not lists(at)  # nothing is downloaded until the user asks


def _png(mode: str) -> bytes:
    rgb = np.asarray(Image.fromarray(photos()["coffee"].image).resize((120, 80)))
    img = Image.fromarray(rgb).convert(mode) if mode != "I;16" else Image.fromarray(rgb[..., 0].astype(np.uint16) * 256)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def test_uploads_join_the_grid_and_bad_ones_are_refused_with_a_message():
    at = open_section()
    at.file_uploader(key="cls_upload").set_value([("mug.png", _png("RGBA"), "image/png"),
                                                  ("grey.png", _png("I;16"), "image/png"),
                                                  ("notes.txt", b"not an image at all", "text/plain")]).run()
    assert not at.exception
    assert len(lists(at)) == len(photos()) + 2
    assert any("notes.txt" in e.value and "not an image" in e.value for e in at.error)
    assert "your photo" in captions(at)


def test_the_lecturers_photos_join_the_grid_with_their_true_label(tmp_path, monkeypatch):
    folder = tmp_path / "photos"
    folder.mkdir()
    monkeypatch.setenv("DASHBOARD_PHOTOS", str(folder))
    chelsea = photos()["chelsea"].image
    Image.fromarray(chelsea).save(folder / "our cat__tabby.png")
    Image.fromarray(chelsea).save(folder / "the cat again__container ship.png")
    at = open_section()
    assert not at.exception
    shown = " ".join(m.value for m in at.main.markdown)
    assert "**our cat**" in shown and "True label: **tabby** :green[in the top 5]" in shown
    assert "True label: **container ship** :orange[not in the top 5]" in shown
    sal = apptest.open_page("cnns", "Why a house, a dog, a train", sal_photo="our cat")
    assert not sal.exception and sal.selectbox(key="sal_photo").value == "our cat"
