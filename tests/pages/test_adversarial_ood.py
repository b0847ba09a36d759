"""The adversarial page's "Out-of-distribution generalization" section in AppTest: the live view with every slider
(at its extremes too), the accuracy-vs-severity view (recorded curves, and the live sweep when they do not fit the
models), the time view on a Fashion item and a photo; URL state and uploads good and bad."""
import json

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from core.adversarial.ui import out_of_distribution as section_module
from core.data.images import photos
from core.ui import cache
from tests import samples
from tests.pages import apptest

SECTION = "Out-of-distribution generalization"
LIVE, SEVERITY, TIME = section_module.LIVE, section_module.SEVERITY, section_module.TIME
SLIDERS = ("ood_rotation", "ood_scale", "ood_hue", "ood_inversion", "ood_contrast", "ood_texture", "ood_noise",
           "ood_blur", "ood_blur_angle")


def open_section(**params) -> AppTest:
    return apptest.open_page("adversarial", SECTION, **params)


def text(at: AppTest) -> str:
    return " ".join(m.value for m in at.main.markdown)


def test_the_live_view_compares_both_fashion_cnns_and_every_slider_reaches_its_extremes():
    at = open_section()
    assert not at.exception and not at.error
    assert at.segmented_control(key="ood_view").value == LIVE
    assert "**plain CNN**: :green[Ankle boot" in text(at) and "**CNN trained with augmentation**:" in text(at)
    assert apptest.image_captions(at) == ["As it is", "Changed"]
    assert at.slider(key="ood_hue").disabled  # a grayscale item has no hue
    for key in (k for k in SLIDERS if k != "ood_hue"):
        for end in (at.slider(key=key).min, at.slider(key=key).max):
            at.slider(key=key).set_value(end).run()
            assert not at.exception and not at.error, (key, end)
    at.button(key="ood_reset").click().run()
    assert at.slider(key="ood_rotation").value == 0 and at.slider(key="ood_contrast").value == 1.0


def test_a_turned_item_fools_the_plain_cnn_but_not_the_augmented_one():
    at = open_section(ood_item_Fash="1", ood_rotation="90")  # a pullover
    assert not at.exception
    verdicts = [m.value for m in at.main.markdown if m.value.startswith("**")]
    plain, augmented = [v for v in verdicts if "→" in v]
    assert plain.split("→")[1].strip().startswith(":red[")
    assert augmented.split("→")[1].strip().startswith(":green[Pullover")


def test_a_photo_gets_hue_and_a_top_5_from_the_imagenet_classifier():
    at = open_section(ood_source="Photo", ood_photo="coffee", ood_hue="-180", ood_blur="20", ood_blur_angle="45")
    assert not at.exception and not at.error
    assert not at.slider(key="ood_hue").disabled and at.slider(key="ood_hue").value == -180
    assert "**EfficientNet-Lite0**: espresso" in text(at)
    assert "Top 5 for the changed image" in at.get("plotly_chart")[0].proto.spec


def test_settings_come_from_the_url_and_an_out_of_range_one_is_ignored():
    at = open_section(ood_rotation="45", ood_scale="0.5")
    assert at.slider(key="ood_rotation").value == 45 and at.slider(key="ood_scale").value == 0.5
    at = open_section(ood_rotation="500", ood_view="Sideways")
    assert not at.exception
    notice = " ".join(i.value for i in at.info)
    assert "Some settings in this link were ignored" in notice and "ood_rotation=500" in notice
    assert at.slider(key="ood_rotation").value == 0 and at.segmented_control(key="ood_view").value == LIVE


def test_the_severity_view_shows_the_recorded_curves_and_numbers(monkeypatch):
    monkeypatch.setattr(section_module, "PHOTO_SWEEP", ("coffee",))  # one photo: a short sweep
    at = open_section(ood_view=SEVERITY)
    assert not at.exception and not at.error
    assert [m.label for m in at.metric] == ["Unchanged test images", "Changes it trained on ★",
                                            "Changes it never saw"]
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    titles = [a["text"] for a in figure["layout"]["annotations"]]
    assert titles == ["rotation ★", "scale ★", "inversion ★", "contrast ★", "texture", "noise", "motion blur ★"]
    assert {t["name"] for t in figure["data"]} == {"plain", "trained with augmentation"}
    assert "all 10,000 test images" in " ".join(c.value for c in at.caption)
    table = at.dataframe[0].value
    assert len(table) == 2 * 7 and set(table["model"]) == {"plain", "trained with augmentation"}
    at.button(key="ood_photo_sweep").click().run()
    assert not at.exception
    photo = json.loads(at.get("plotly_chart")[1].proto.spec)
    assert "hue shift" in [a["text"] for a in photo["layout"]["annotations"]]
    assert {t["name"] for t in photo["data"]} == {"top class kept"}


def test_curves_that_do_not_fit_the_models_are_swept_again_here(monkeypatch):
    monkeypatch.setattr(cache, "metrics", lambda name: {})  # as if the recorded curves were for other models
    monkeypatch.setattr(section_module, "FALLBACK_ITEMS", 40)
    at = open_section(ood_view=SEVERITY)
    assert not at.exception and not at.error
    assert "40 random test images, measured on this server" in " ".join(c.value for c in at.caption)


def test_the_time_view_counts_the_flicker_of_both_cnns_over_the_frames(monkeypatch):
    monkeypatch.setattr(section_module, "FLICKER_ITEMS", 6)  # the average over the first test items: fewer, faster
    at = open_section(ood_view=TIME, ood_item_Fash="3", ood_pan="60", ood_shake="4", ood_frames="20")
    assert not at.exception and not at.error
    assert [m.label for m in at.metric] == ["plain CNN: label flips", "CNN trained with augmentation: label flips"]
    assert all(int(m.value) >= 0 for m in at.metric)
    frames = apptest.image_captions(at)
    assert len(frames) == 20 and frames[0].startswith("1: ") and frames[-1].startswith("20: ")
    assert "Over the first 6 test items" in text(at)
    for key, end in (("ood_pan", 100), ("ood_shake", 10.0), ("ood_frames", 10), ("ood_pan", 0), ("ood_shake", 0.0)):
        at.slider(key=key).set_value(end).run()
        assert not at.exception, key


def test_the_time_view_films_a_photo_for_the_imagenet_classifier():
    at = open_section(ood_view=TIME, ood_source="Photo", ood_photo="coffee", ood_frames="10")
    assert not at.exception and not at.error
    assert [m.label for m in at.metric] == ["EfficientNet-Lite0: label flips"]
    assert len(apptest.image_captions(at)) == 10


@pytest.mark.parametrize("name, data, message", [
    ("notes.txt", b"plain text", "not an image"),
    ("cut.jpg", samples.jpeg_cut_in_half(), "truncated or corrupt"),
])
def test_bad_uploads_are_refused_with_a_message(name, data, message):
    at = open_section(ood_source="Upload")
    assert any("Upload a photo" in i.value for i in at.info)
    at.file_uploader(key="ood_upload").set_value((name, data, "application/octet-stream")).run()
    assert not at.exception and any(message in e.value for e in at.error)


def test_an_upload_is_changed_live_and_filmed():
    photo = np.asarray(Image.fromarray(photos()["coffee"].image).resize((200, 150)))
    at = open_section(ood_source="Upload")
    at.file_uploader(key="ood_upload").set_value(("mine.png", samples.encode(Image.fromarray(photo), "PNG"),
                                                  "image/png")).run()
    assert not at.exception and not at.error and "**EfficientNet-Lite0**:" in text(at)
    at.radio(key="ood_reader").set_value("Fashion-MNIST CNN").run()
    assert not at.exception and "**CNN trained with augmentation**:" in text(at)
