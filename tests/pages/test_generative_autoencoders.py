"""The generative page's autoencoders section in AppTest: reconstructions of chosen images beside PCA and JPEG at the
same bytes, the error-against-bytes figure and table, the test set in the 2-D code space, denoising with a noise
slider; settings in the URL, odd ones ignored with a notice, bad image numbers turned into a message."""
from streamlit.testing.v1 import AppTest

from core.generative import autoencoders as ae
from tests.pages import apptest

SECTION = "Autoencoders"


def open_page(**params) -> AppTest:
    return apptest.open_page("generative", SECTION, **params)


def notices(at: AppTest) -> str:
    return " ".join(e.value for e in [*at.info, *at.warning])


def test_reconstructions_show_the_autoencoder_pca_and_jpeg_at_the_same_bytes():
    at = open_page()
    assert not at.exception and not at.error
    assert at.segmented_control(key="ae_data").value == "fashion"
    assert at.segmented_control(key="ae_code").value == 8 and at.segmented_control(key="ae_part").value == \
        "Reconstructions"
    labels = ae.images("fashion", "test")[1]
    assert at.text_input(key="ae_images").value == ", ".join(map(str, ae.first_of_each_class(labels)))
    text = apptest.markdown(at)
    for row in ("**Original**", "**Autoencoder**: 8 numbers = **16 bytes**", "**PCA**: 8 numbers = **16 bytes**",
                "**JPEG** at ≈ 16 bytes"):
        assert row in text
    assert len(at.get("image")) >= 4
    assert "JPEG cannot get this small" in apptest.captions(at)  # 16 bytes is below JPEG's smallest scan for 28×28

    at.segmented_control(key="ae_code").set_value(32).run()
    assert not at.exception and "**Autoencoder**: 32 numbers = **64 bytes**" in apptest.markdown(at)
    assert "JPEG cannot get this small" not in apptest.captions(at)  # 64 bytes it can reach

    at.text_input(key="ae_images").set_value("5, 6").run()
    assert not at.exception and not notices(at) and "#5: " in apptest.captions(at) and "#6: " in apptest.captions(at)
    at.button(key="ae_shuffle").click().run()
    assert len(ae.parse_indices(at.text_input(key="ae_images").value, 10_000, 12)[0]) == 10


def test_bad_image_numbers_give_a_message_and_what_can_be_shown():
    at = open_page(ae_data="mnist")
    for text, message, shown in [("", "No image numbers were given", "#0: 0"),
                                 ("12, 5000, cat", "Not an image number from 0 to 999", "#12: 0"),
                                 ("💥" * 300, "Not an image number", "#900: 9")]:
        at.text_input(key="ae_images").set_value(text).run()
        assert not at.exception and not at.error, text[:20]
        assert message in notices(at) and shown in apptest.captions(at), text[:20]
    at.text_input(key="ae_images").set_value("1, 2").run()
    assert not notices(at)


def test_bytes_against_error_puts_the_autoencoder_below_pca_at_every_size():
    at = open_page(ae_part="Bytes stored vs error", ae_data="mnist", ae_code="2")
    assert not at.exception and not at.error
    assert len(at.get("plotly_chart")) == 1
    table = at.dataframe[0].value
    assert list(table.index) == list(ae.CODES)
    assert (table["autoencoder MSE"] < table["PCA MSE"]).all()
    assert list(table["bytes (fp16 code)"]) == [4, 16, 64]
    assert "Google stores your images" in apptest.markdown(at)
    assert "On the whole test set" in apptest.captions(at)


def test_the_code_space_shows_every_test_image_and_the_one_picked_in_the_link():
    at = open_page(ae_part="2-D code space", ae_point="42")
    assert not at.exception and not at.error
    assert len(at.get("plotly_chart")) == 1
    labels = ae.images("fashion", "test")[1]
    assert f"**Test image #42** ({ae.DATASETS['fashion'].classes[labels[42]]})" in apptest.markdown(at)
    assert "rebuilt from 2 numbers" in apptest.captions(at)
    at.segmented_control(key="ae_data").set_value("mnist").run()  # a smaller test set: the point stays inside it
    assert not at.exception and "**Test image #42**" in apptest.markdown(at)


def test_denoising_compares_the_plain_and_the_denoising_autoencoder_at_the_chosen_noise():
    at = open_page(ae_part="Denoising", ae_noise="0.5")
    assert not at.exception and not at.error
    assert at.slider(key="ae_noise").value == 0.5
    text = apptest.markdown(at)
    for row in ("**Clean**", "**Noisy input**", "**Plain autoencoder**", "**Denoising autoencoder**"):
        assert row in text
    errors = {row: float(text.split(row)[1].split("error ")[1][:6])
              for row in ("**Noisy input**", "**Plain autoencoder**", "**Denoising autoencoder**")}
    assert errors["**Denoising autoencoder**"] < errors["**Plain autoencoder**"]
    assert errors["**Denoising autoencoder**"] < errors["**Noisy input**"]
    assert len(at.get("plotly_chart")) == 1
    at.slider(key="ae_noise").set_value(0.0).run()
    assert not at.exception and "**Noisy input**  \nerror 0.0000" in apptest.markdown(at)


def test_odd_link_settings_are_ignored_with_a_notice():
    at = open_page(ae_code="5", ae_data="cifar", ae_noise="3", ae_point="99999", ae_part="Denoising")
    assert not at.exception
    assert any("Some settings in this link were ignored" in i.value for i in at.info)
    assert at.segmented_control(key="ae_code").value == 8 and at.segmented_control(key="ae_data").value == "fashion"
    assert at.slider(key="ae_noise").value == 0.3
