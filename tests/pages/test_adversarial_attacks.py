"""The adversarial page's first two sections in AppTest: attacks on a photo, a Fashion item and an upload, with their
controls, URL state and extremes of ε; the accuracy-vs-ε curves of the plain and the adversarially trained CNN,
precomputed and recomputed, and the same items attacked against each."""
import numpy as np
from PIL import Image
from streamlit.testing.v1 import AppTest

from core.adversarial.ui import robustness
from tests import samples
from tests.pages import apptest

ATTACKS, ROBUSTNESS = "Adversarial examples", "How fragile, how defended"


def open_section(section: str, **params) -> AppTest:
    return apptest.open_page("adversarial", section, **params)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_fgsm_on_the_default_photo_shows_every_view_and_fools_the_classifier():
    at = open_section(ATTACKS)
    assert not at.exception and not at.error
    shown = apptest.image_captions(at)
    assert shown[0].startswith("Original: ") and shown[1].startswith("The change, amplified ×32")
    assert shown[2].startswith("Adversarial: ") and shown[3].startswith("Before: why") and shown[4].startswith("After")
    m = metrics(at)
    assert m["L∞ size of the change"] == "4/255" and float(m["L2 size of the change"]) > 0
    assert m["Fooled?"] == "yes"
    assert len(at.get("plotly_chart")) == 3  # top 5 before, after, and the objective per step
    at.segmented_control(key="adv_attack").set_value("PGD").run()  # PGD brings its own controls
    assert not at.exception and at.slider(key="adv_steps").value == 10
    at.segmented_control(key="adv_goal").set_value("Targeted").run()  # towards "toaster", the notes' adv loss
    assert not at.exception and at.selectbox(key="adv_target").value == 859
    assert metrics(at)["Target reached?"] == "yes" and at.radio(key="adv_objective").value == "logit"
    at.slider(key="adv_steps").set_value(3).run()
    assert not at.exception and apptest.bound(at, "adv_steps")


def test_a_targeted_pgd_from_the_url_reaches_its_target_on_a_fashion_item():
    at = open_section(ATTACKS, adv_source="Fashion-MNIST item", adv_item_Fash="0", adv_attack="PGD",
                      adv_goal="Targeted", adv_target="8", adv_eps="0.2", adv_objective="cross-entropy")
    assert not at.exception and not at.error
    assert at.selectbox(key="adv_target").value == 8  # Bag
    m = metrics(at)
    assert m["Target reached?"] == "yes" and "p(Bag)" in m
    assert float(m["L∞ size of the change"]) <= 0.2 + 1e-6
    assert apptest.image_captions(at)[2].startswith("Adversarial: Bag")


def test_eps_at_its_extremes_and_an_out_of_range_link():
    at = open_section(ATTACKS, adv_source="Handwritten digit", adv_eps="0")
    assert not at.exception and any("ε = 0" in i.value for i in at.info)
    shown = apptest.image_captions(at)
    assert shown[0].replace("Original", "") == shown[2].replace("Adversarial", "")  # same prediction, same confidence
    assert metrics(at)["L∞ size of the change"] == "0" and metrics(at)["Fooled?"] == "no"
    at.slider(key="adv_eps").set_value(0.5).run()  # the largest budget: still a valid image
    assert not at.exception and float(metrics(at)["L∞ size of the change"]) <= 0.5 + 1e-6
    at = open_section(ATTACKS, adv_source="Handwritten digit", adv_eps="2", adv_steps="999")
    assert not at.exception
    assert any("Some settings in this link were ignored" in i.value for i in at.info)
    assert at.slider(key="adv_eps").value == 0.1


def test_uploads_are_attacked_with_the_chosen_reader_and_bad_ones_get_a_message():
    at = open_section(ATTACKS, adv_source="Upload")
    assert not at.exception and any("Upload a photo" in i.value for i in at.info)
    at.file_uploader(key="adv_upload").set_value(("notes.txt", b"plain text", "text/plain")).run()
    assert not at.exception and any("not an image" in e.value for e in at.error)
    photo = np.random.default_rng(0).integers(0, 255, (120, 160, 3), dtype=np.uint8)
    at.file_uploader(key="adv_upload").set_value(("mine.png", samples.encode(Image.fromarray(photo), "PNG"),
                                                  "image/png")).run()
    assert not at.exception and not at.error and metrics(at)["L∞ size of the change"] == "4/255"
    at.radio(key="adv_reader").set_value("Fashion-MNIST CNN").run()
    assert not at.exception and not at.error and apptest.bound(at, "adv_eps")


def test_both_curves_on_one_plot_with_the_numbers_and_the_attacked_items():
    at = open_section(ROBUSTNESS)
    assert not at.exception and not at.error
    chart = at.get("plotly_chart")[0].proto.spec
    for name in ("plain CNN, FGSM", "plain CNN, PGD-10", "adversarially trained CNN, FGSM",
                 "adversarially trained CNN, PGD-10"):
        assert name in chart
    assert any("precomputed when the checkpoint was built" in c.value for c in at.caption)
    m = metrics(at)
    assert set(m) == {"Plain CNN, clean", "Plain CNN, PGD ε = 0.1", "Adv. trained, clean", "Adv. trained, PGD ε = 0.1"}
    assert float(m["Adv. trained, PGD ε = 0.1"][:-1]) > 10 * float(m["Plain CNN, PGD ε = 0.1"][:-1])
    assert len(at.get("image")) == 3 * robustness.SHOWN  # originals, and the items attacked against each model
    at.slider(key="rob_eps").set_value(0.0).run()
    assert not at.exception and sum("of 8 fooled" in m.value for m in at.markdown) == 2


def test_recompute_with_a_progress_bar_and_the_digit_cnn():
    at = open_section(ROBUSTNESS, rob_data="Handwritten digits", rob_items="200", rob_steps="2", rob_eps="0.5")
    assert not at.exception
    assert any("Some settings in this link were ignored" in i.value for i in at.info)  # ε 0.5 is out of range
    assert "adversarially trained" not in at.get("plotly_chart")[0].proto.spec
    at.button(key="rob_recompute").click().run()
    assert not at.exception and not at.error
    assert any("recomputed on this server" in c.value and "200 fixed random test items" in c.value
               for c in at.caption)


def test_curves_measured_on_another_checkpoint_are_not_shown(monkeypatch):
    monkeypatch.setattr(robustness, "_sha", lambda name: "a checkpoint rebuilt since")
    robustness._recomputed().clear()
    at = open_section(ROBUSTNESS)
    assert not at.exception and any("No precomputed curves match" in i.value for i in at.info)
