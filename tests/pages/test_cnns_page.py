"""The CNN page in AppTest: its sections in lecture order; saliency, what the network learned and retrieval with
their controls, URL state and uploads good and bad. (Convolution, training and classification have their own files.)"""
import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from tests import samples
from tests.pages import apptest

SECTIONS = ("Convolution", "Layers of convolutions", "What has the network learned?", "Why a house, a dog, a train",
            "Classification", "Retrieval")
SALIENCY, LEARNED, RETRIEVAL = SECTIONS[3], SECTIONS[2], SECTIONS[5]


def open_page(section: str | None, **params) -> AppTest:
    return apptest.open_page("cnns", section, **params)


def text(at: AppTest) -> str:
    return " ".join(m.value for m in at.main.markdown)


def test_the_sections_follow_the_lecture_and_the_first_opens_by_default():
    at = open_page(None)
    assert not at.exception
    assert at.segmented_control(key="section").options == list(SECTIONS)
    assert at.segmented_control(key="section").value == "Convolution"


def test_saliency_opens_on_the_cat_beside_the_coffee_explaining_cat_and_espresso():
    at = open_page(SALIENCY)
    assert not at.exception and not at.error
    assert at.selectbox(key="sal_photo").value == "cat and coffee"
    assert [s.value for s in at.subheader] == ["Why “Egyptian cat” (45.0%)", "Why “espresso” (1.7%)"]
    assert apptest.image_captions(at).count("Grad-CAM") == 2 and "Guided Grad-CAM" not in apptest.image_captions(at)
    assert "No Guided Grad-CAM here" in at.info[0].value and "ReLU6" in at.info[0].value


def test_on_a_photo_the_slow_maps_wait_for_a_click_then_everyone_has_them():
    at = open_page(SALIENCY, sal_photo="astronaut")
    assert apptest.image_captions(at) == ["Saliency", "Grad-CAM"]  # at once; the slow two are buttons
    assert [b.label for b in apptest.asks(at)] == ["Compute Integrated Gradients · a few seconds",
                                           "Compute Occlusion · a few seconds"]
    apptest.asks(at)[0].click().run()
    assert not at.exception and apptest.image_captions(at) == ["Saliency", "Integrated Gradients", "Grad-CAM"]
    apptest.asks(at)[0].click().run()
    assert apptest.image_captions(at) == ["Saliency", "Integrated Gradients", "Grad-CAM", "Occlusion"]
    other = open_page(SALIENCY, sal_photo="astronaut")  # another student: kept for everyone, no button
    assert not apptest.asks(other) and len(apptest.image_captions(other)) == 4


def test_the_small_cnns_get_all_five_methods_and_the_classes_follow_the_item():
    at = open_page(SALIENCY, sal_source="Fashion-MNIST item", sal_item_Fash="0")
    assert not at.exception and not at.error and not at.info
    assert apptest.image_captions(at) == ["Saliency", "Integrated Gradients", "Grad-CAM", "Occlusion", "Guided Grad-CAM"]
    assert at.selectbox(key="sal_class").value == 9 and at.selectbox(key="sal_other").value == -1  # ankle boot
    at.selectbox(key="sal_other").set_value(7).run()  # why sneaker, too
    assert [s.value.split(" (")[0] for s in at.subheader] == ["Why “Ankle boot”", "Why “Sneaker”"]
    at.slider(key="sal_item_Fash").set_value(1).run()  # a pullover: both choices start again from its own classes
    assert at.selectbox(key="sal_class").value == 2 and at.selectbox(key="sal_other").value == -1
    at.toggle(key="sal_overlay").set_value(False).run()
    assert not at.exception and len(apptest.image_captions(at)) == 5


def test_a_class_to_explain_can_come_from_the_url():
    at = open_page(SALIENCY, sal_source="Handwritten digit", sal_class="3", sal_other="8")
    assert not at.exception
    assert [s.value.split(" (")[0] for s in at.subheader] == ["Why “3”", "Why “8”"]


@pytest.mark.parametrize("name, data, message", [
    ("notes.txt", b"plain text", "not an image"),
    ("cut.jpg", samples.jpeg_cut_in_half(), "truncated or corrupt"),
    ("huge.png", samples.png_claiming(10_000, 8_000), "megapixels"),
])
def test_bad_uploads_are_refused_with_a_message(name, data, message):
    at = open_page(SALIENCY, sal_source="Upload")
    at.file_uploader(key="sal_upload").set_value((name, data, "application/octet-stream")).run()
    assert not at.exception and any(message in e.value for e in at.error)


@pytest.mark.parametrize("name, data", [
    ("45mp.jpg", samples.jpeg_huge(7746, 5810)), ("rgba.png", samples.png("RGBA")), ("grey16.png", samples.png("I;16")),
    ("cmyk.jpg", samples.cmyk_jpeg()), ("turned.jpg", samples.jpeg_rotated_by_exif()),
])
def test_odd_uploads_are_converted_and_explained(name, data):
    at = open_page(SALIENCY, sal_source="Upload")
    at.file_uploader(key="sal_upload").set_value((name, data, "image/jpeg")).run()
    assert not at.exception and not at.error
    assert len(apptest.image_captions(at)) == 2 and len(apptest.asks(at)) == 2  # the ImageNet classifier: 2 maps, 2 buttons
    assert at.subheader[0].value.startswith("Why")
    at.radio(key="sal_reader").set_value("Fashion-MNIST CNN").run()
    assert not at.exception and len(apptest.image_captions(at)) == 5


def test_what_the_network_learned_shows_every_layer_its_filters_and_the_top_patches():
    at = open_page(LEARNED)
    assert not at.exception and not at.error
    assert [s.value for s in at.subheader] == ["Feature maps, low → high", "The learned filters",
                                              "What excites one channel", "An input made to excite a class"]
    shown = apptest.image_captions(at)
    assert [c.split(":")[0] for c in shown if "feature maps (" in c] == ["low layer conv1", "middle layer conv2",
                                                                       "high layer conv3"]
    assert any("all 96 feature maps (7×7)" in c for c in shown)
    assert any("The 24 3×3 filters of conv1" in c for c in shown)
    assert any("excite channel 0 of conv3 most: the 18×18 pixels" in c for c in shown)
    assert len(at.main.markdown[-1].value.split(" · ")) == 9  # the nine images' classes


def test_synthesising_an_input_on_request_and_the_url_choosing_the_channel():
    at = open_page(LEARNED, learn_network="Digit CNN", learn_layer="conv1", learn_channel_conv1="5")
    assert not at.exception
    assert any("excite channel 5 of conv1 most: the 3×3 pixels" in c for c in apptest.image_captions(at))
    assert not any(c.startswith("an input synthesised") for c in apptest.image_captions(at))
    at.button(key="learn_synth_class").click().run()
    assert "an input synthesised to excite “0”" in apptest.image_captions(at)
    at.selectbox(key="learn_class_mnist_cnn").set_value(7).run()
    assert "an input synthesised to excite “7”" not in apptest.image_captions(at)  # only once asked for


def test_a_channel_beyond_the_layer_is_ignored_with_a_notice():
    at = open_page(LEARNED, learn_layer="conv1", learn_channel_conv1="500")
    assert not at.exception
    assert "learn_channel_conv1=500" in " ".join(i.value for i in at.info)


def test_retrieval_shows_neighbours_in_both_spaces_and_precision_by_class():
    at = open_page(RETRIEVAL, ret_item_Fash="0", ret_k="5")
    assert not at.exception and not at.error
    labels = [m.value for m in at.main.markdown if m.value.startswith(":")]
    assert len(labels) == 10  # five neighbours in each space
    features = labels[:5]
    assert all(label == ":green[Ankle boot]" for label in features)
    chart = at.get("plotly_chart")[0].proto.spec  # the figures themselves are checked in tests/unit/test_retrieval.py
    assert "features: " in chart and "pixels: " in chart and "overall" in chart


def test_retrieval_of_an_upload_and_of_a_digit():
    at = open_page(RETRIEVAL, ret_source="Upload")
    image = np.zeros((28, 28), np.uint8)
    image[4:24, 12:16] = 255  # a stroke: a one, or trousers
    at.file_uploader(key="ret_upload").set_value(("one.png", samples.encode(Image.fromarray(image), "PNG"),
                                                  "image/png")).run()
    assert not at.exception and not at.error
    assert "Nearest in the CNN's learned features" in text(at) and "Nearest in raw pixels" in text(at)
    assert not any(m.value.startswith(":red") for m in at.main.markdown)  # an upload's class is not known
    at.radio(key="ret_network").set_value("Digit CNN").run()
    assert not at.exception
