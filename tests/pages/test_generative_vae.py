"""The generative page's VAE section in AppTest: the latent explorer (sliders and the scatter), the grid over the
plane, interpolation in latent and pixel space, samples from the prior beside the plain autoencoder's, the holes
view with its measured empty cells, the faces tab; settings in the URL, odd ones ignored with a notice."""
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.generative import autoencoders as ae
from core.generative.ui import vae as vae_ui
from tests.pages import apptest

SECTION = "Variational autoencoders"


def open_page(**params) -> AppTest:
    return apptest.open_page("generative", SECTION, **params)


def test_the_latent_explorer_decodes_the_point_the_sliders_or_the_link_choose():
    at = open_page(vae_z1="1.5", vae_z2="-0.5")
    assert not at.exception and not at.error
    assert at.segmented_control(key="vae_part").options == list(vae_ui.PARTS)
    assert at.segmented_control(key="vae_data").value == "fashion"
    assert (at.slider(key="vae_z1").value, at.slider(key="vae_z2").value) == (1.5, -0.5)
    assert "decoded at (1.50, -0.50)" in apptest.captions(at) and "nearest test image: #" in apptest.captions(at)
    assert len(at.get("plotly_chart")) == 1
    at.slider(key="vae_z2").set_value(2.0).run()
    assert not at.exception and "decoded at (1.50, 2.00)" in apptest.captions(at)


def test_the_grid_decodes_the_whole_plane():
    at = open_page(vae_part="Grid over the plane", vae_data="mnist")
    assert not at.exception and not at.error
    assert at.slider(key="vae_grid").value == 12 and "12 × 12 points of the latent plane" in apptest.captions(at)
    at.slider(key="vae_grid").set_value(6).run()
    assert not at.exception and "6 × 6 points" in apptest.captions(at)


def test_interpolation_in_latent_space_beside_a_cross_fade_of_pixels():
    at = open_page(vae_part="Interpolation", vae_steps="7")
    assert not at.exception and not at.error
    text = apptest.markdown(at)
    for row in ("**VAE**", "**Plain autoencoder** (2 numbers)", "**Pixels**: a cross-fade"):
        assert row in text
    assert at.slider(key="vae_steps").value == 7
    labels = ae.images("fashion", "test")[1]
    candidates = [int(i) for c in range(10) for i in np.flatnonzero(labels == c)[:2]]
    assert len(at.selectbox(key="vae_to").options) == 20 and at.selectbox(key="vae_to").value == candidates[-1]
    at.selectbox(key="vae_to").set_value(candidates[3]).run()
    assert not at.exception and at.selectbox(key="vae_to").value == candidates[3]
    assert at.query_params["vae_to"] == str(candidates[3])


def test_prior_samples_are_drawn_again_with_a_new_seed():
    at = open_page(vae_part="Samples from the prior", vae_seed="5")
    assert not at.exception and not at.error
    assert at.slider(key="vae_seed").value == 5
    assert "**VAE**: z drawn from the prior N(0, I), decoded" in apptest.markdown(at)
    assert "**Plain autoencoder**: z drawn from a Gaussian" in apptest.markdown(at)
    assert "**Plain autoencoder**: z drawn from N(0, I), as for the VAE" in apptest.markdown(at)
    assert len(at.get("image")) == 3
    at.button(key="vae_draw").click().run()
    assert not at.exception and at.slider(key="vae_seed").value == 6


def test_the_holes_view_measures_both_planes_and_says_what_it_measured():
    at = open_page(vae_part="Autoencoder vs VAE: the holes", vae_data="mnist")
    assert not at.exception and not at.error
    shown = {m.label: float(m.value.rstrip("%")) / 100 for m in at.metric}
    assert set(shown) == {f"{who}: {what}" for who in ("Autoencoder", "VAE")
                          for what in ("empty cells", "draws in a hole")}
    assert all(0 <= v <= 1 for v in shown.values())
    text = apptest.markdown(at)
    ae_empty, vae_empty = shown["Autoencoder: empty cells"], shown["VAE: empty cells"]
    expected = ("the VAE's plane has fewer holes" if ae_empty - vae_empty > 0.03 else
                "the plain autoencoder's plane has fewer empty cells" if vae_empty - ae_empty > 0.03 else
                "the two planes have about as many holes")
    assert expected in text and "beyond just your data" in text
    assert len(at.get("plotly_chart")) == 2 and len(at.get("image")) == 2


@pytest.mark.parametrize("part", vae_ui.PARTS)
def test_the_faces_tab_says_it_has_only_100_faces_and_every_part_works(part):
    at = open_page(vae_data="faces", vae_part=part)
    assert not at.exception and not at.error
    assert any("Only 100 faces" in i.value for i in at.info)


def test_odd_link_settings_are_ignored_with_a_notice():
    at = open_page(vae_z1="9", vae_data="celeba", vae_part="Everything", vae_point="-3")
    assert not at.exception
    assert any("Some settings in this link were ignored" in i.value for i in at.info)
    assert at.slider(key="vae_z1").value == 0.0 and at.segmented_control(key="vae_data").value == "fashion"
