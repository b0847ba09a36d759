"""The adversarial page's "Physical adversarial examples" section in AppTest: the plain attack, each camera change
with its slider (at its extremes too) and the survival table, the EOT attack with its success rate against the plain
attack's over the same random cameras; targeted attacks, URL state and uploads."""
import re

import pytest
from streamlit.testing.v1 import AppTest

from tests import samples
from tests.pages import apptest

SECTION = "Physical adversarial examples"
CAMERA = {"phys_rotation": (-30, 30), "phys_scale": (0.7, 1.3), "phys_brightness": (0.5, 1.5),
          "phys_blur": (0.0, 3.0), "phys_jpeg": (5, 100)}
FASHION = {"phys_source": "Fashion-MNIST item", "phys_item_Fash": "0"}  # an ankle boot


def open_section(**params) -> AppTest:
    return apptest.open_page("adversarial", SECTION, **params)


def table(at: AppTest) -> list[str]:
    """The survival table's rows (after its header and rule)."""
    found = [m.value for m in at.main.markdown if m.value.startswith("| change")]
    assert len(found) == 1
    return found[0].splitlines()[2:]


def test_a_fashion_item_is_attacked_and_each_camera_change_judged_alone_and_together():
    at = open_section(**FASHION, phys_rotation="10", phys_jpeg="30")
    assert not at.exception and not at.error
    assert apptest.image_captions(at)[:2] == ["Original: Ankle boot (100%)", "Plain PGD: Sneaker (100%)"]
    rows = table(at)
    assert [r.split(" | ")[0] for r in rows] == ["| as it is", "| small rotation", "| JPEG compression",
                                                 "| all together"]
    assert "still fooled" in rows[0] and "+10°" in rows[1] and "quality 30" in rows[2]
    assert any("Press the button to run the EOT attack" in i.value for i in at.info)


def test_the_views_are_computed_once_and_moving_a_slider_computes_only_the_views_it_changes():
    """A class at one photo: the classifier's answer for each view is kept for everyone (cache.probabilities)."""
    from core.ui import cache
    at = open_section(**FASHION, phys_jpeg="45")  # as it is, and through JPEG: the two rows (settings no other
    # test of this process uses, so that the views are new here)
    forwards = []
    handle = cache.model("fashion_cnn").register_forward_hook(lambda *_: forwards.append(1))
    try:
        at.run()  # a rerun, and a second student, see the same table
        assert not at.exception and len(table(at)) == 2 and not forwards
        at.slider(key="phys_rotation").set_value(-7).run()
        assert len(table(at)) == 4  # as it is, turned, JPEG, all together
        assert len(forwards) == 4  # the original and the attack, turned and all together: new; the rest kept
        again = open_section(**FASHION, phys_jpeg="45", phys_rotation="-7")
        assert table(again) == table(at) and len(forwards) == 4
    finally:
        handle.remove()


def test_every_camera_slider_reaches_its_extremes():
    at = open_section(**FASHION)
    for key, ends in CAMERA.items():
        for end in ends:
            at.slider(key=key).set_value(end).run()
            assert not at.exception and not at.error, (key, end)
    assert len(table(at)) == 6  # as it is, four changes alone (JPEG back at 100), all together
    at.button(key="phys_reset").click().run()
    assert at.slider(key="phys_rotation").value == 0 and len(table(at)) == 1


def test_the_eot_attack_survives_more_random_cameras_than_the_plain_attack():
    at = open_section(**FASHION, phys_eps="0.15", phys_samples="16", phys_cameras="40", phys_blur="1")
    at.button(key="phys_run").click().run()
    assert not at.exception and not at.error
    result = [m.value for m in at.main.markdown if m.value.startswith("Through the same 40 random cameras")]
    assert len(result) == 1
    plain, eot = map(int, re.findall(r"\*\*(\d+)%\*\*", result[0]))
    assert eot >= plain and eot >= 80
    assert table(at)[0].count(":material/") == 2  # a verdict for the plain and now for the EOT attack
    assert any(c.startswith("EOT attack, as it is:") for c in apptest.image_captions(at))
    assert "random cameras" in at.get("plotly_chart")[0].proto.spec


def test_a_photo_opens_on_the_espresso_and_a_small_eot_run_completes():
    at = open_section(phys_steps="5", phys_samples_photo="2", phys_cameras="10")
    assert not at.exception and not at.error
    assert at.selectbox(key="phys_photo").value == "coffee"
    assert apptest.image_captions(at)[0].startswith("Original: espresso")
    at.button(key="phys_run").click().run()
    assert not at.exception
    assert any(m.value.startswith("Through the same 10 random cameras") for m in at.main.markdown)


def test_a_targeted_attack_names_its_target():
    at = open_section(**FASHION, phys_goal="Targeted")
    assert not at.exception
    target = at.selectbox(key="phys_target_fashion_cnn")
    assert target.value != 9  # never the class it already has
    assert "Targeted PGD towards" in " ".join(m.value for m in at.main.markdown)
    assert "target" in table(at)[0]


def test_an_out_of_range_link_is_ignored_with_a_notice():
    at = open_section(**FASHION, phys_eps="0.9", phys_jpeg="0")
    assert not at.exception
    notice = " ".join(i.value for i in at.info)
    assert "Some settings in this link were ignored" in notice and "phys_eps=0.9" in notice
    assert at.slider(key="phys_eps").value == 0.1 and at.slider(key="phys_jpeg").value == 100


@pytest.mark.parametrize("name, data, message", [
    ("notes.txt", b"plain text", "not an image"),
    ("huge.png", samples.png_claiming(10_000, 8_000), "megapixels"),
])
def test_bad_uploads_are_refused_with_a_message(name, data, message):
    at = open_section(phys_source="Upload")
    at.file_uploader(key="phys_upload").set_value((name, data, "application/octet-stream")).run()
    assert not at.exception and any(message in e.value for e in at.error)
