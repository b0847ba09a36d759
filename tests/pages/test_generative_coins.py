"""“You just discriminated using a generative model” in AppTest: the notes' two coins open as presets and the first
is judged fair; bad sequences get a message; the buttons fill, swap and sample; link settings are honoured; the 2-D
comparison draws for every dataset, with samples from the generative model."""
import json

import numpy as np

import pytest
from streamlit.testing.v1 import AppTest

from core.generative import generative_vs_discriminative as gd
from tests.pages import apptest

SECTION = "You just discriminated using a generative model"


def open_page(**params) -> AppTest:
    return apptest.open_page("generative", SECTION, **params)


def messages(at: AppTest) -> str:
    return " ".join(m.value for m in [*at.error, *at.warning, *at.info, *at.success])


def chart(at: AppTest, key: str) -> dict:
    return json.loads(next(c for c in at.get("plotly_chart") if c.proto.id and key in c.proto.id).proto.spec)


@pytest.fixture(scope="module")
def page() -> AppTest:
    return open_page()


def test_the_notes_coins_open_and_the_first_is_judged_fair(page):
    at = page
    assert not at.exception
    assert at.text_input(key="gd_seq_a").value == gd.NOTES_SEQUENCES[0]
    assert at.text_input(key="gd_seq_b").value == gd.NOTES_SEQUENCES[1]
    assert "Coin A is the fair one" in at.success[0].value and "99.76 %" in at.success[0].value  # 409.6 / 410.6
    formulas = " ".join(l.value for l in at.latex)
    assert r"0.5^{11}\cdot 0.8^{11}\,0.2^{1}" in formulas and "99.76" in formulas
    assert [m.value for m in at.metric][:2] == ["0.545", "0.917"]  # p̂ = 6/11, 11/12
    assert len(at.get("plotly_chart")) == 3  # likelihood bars, L(p) curves, the 2-D scatter


def test_tossing_from_the_learned_coins_is_reproducible_and_can_be_cleared(page):
    at = page
    at.button(key="gd_toss").click().run()
    at.button(key="gd_toss").click().run()
    draws = [m.value for m in at.markdown if m.value.startswith("**Draw")]
    assert [d.split("**")[1] for d in draws] == ["Draw 2", "Draw 1"]
    first = " ".join("H" if b else "T" for b in gd.sample_tosses(6 / 11, 12, seed=2))  # click 1, coin A
    assert f"**{first}**" in draws[1]
    at.button(key="gd_clear").click().run()
    assert not [m for m in at.markdown if m.value.startswith("**Draw")]


def test_swap_generate_and_presets_fill_the_boxes(page):
    at = page
    at.button(key="gd_swap").click().run()
    assert at.text_input(key="gd_seq_a").value == gd.NOTES_SEQUENCES[1]
    assert "Coin B is the fair one" in at.success[0].value
    at.slider(key="gd_gen_p").set_value(0.2).run()
    at.button(key="gd_generate").click().run()
    generated = gd.parse_tosses(at.text_input(key="gd_seq_b").value)
    assert generated.n == 12 and generated.heads < 6
    assert at.text_input(key="gd_seq_b").value == gd.format_tosses(gd.sample_tosses(0.2, 12, seed=10_001))
    at.button(key="gd_preset").click().run()
    assert (at.text_input(key="gd_seq_a").value, at.text_input(key="gd_seq_b").value) == gd.NOTES_SEQUENCES
    assert not at.exception


@pytest.mark.parametrize("text, message", [
    ("", "Coin B: no tosses"),
    (" , , ", "Coin B: no tosses"),
    ("H, T, x, 2, H", "these characters are not a toss: “x”, “2”"),
    ("heads", "“e”, “a”, “d”, “s”"),
])
def test_bad_sequences_get_a_message_and_no_verdict(page, text, message):
    at = page
    at.text_input(key="gd_seq_b").set_value(text).run()
    assert not at.exception
    assert message in messages(at).replace("**", "")
    assert not at.success and "Fix the sequence" in messages(at)
    assert len(at.get("plotly_chart")) == 1  # the 2-D part still draws
    at.text_input(key="gd_seq_b").set_value(gd.NOTES_SEQUENCES[1]).run()
    assert at.success


def test_a_huge_sequence_is_cut_with_a_notice(page):
    at = page
    at.text_input(key="gd_seq_a").set_value("HT" * 12_000).run()
    assert not at.exception
    assert "24,000 tosses typed; only the first 10,000 are used" in messages(at)
    assert "Coin A is the fair one" in at.success[0].value
    assert "gd_seq_a" not in at.query_params  # too long for a link
    at.text_input(key="gd_seq_a").set_value(gd.NOTES_SEQUENCES[0]).run()


def test_link_settings_are_honoured():
    at = open_page(gd_seq_a="1 1 0 1", gd_seq_b="hthtth", gd_bias_mode="learned", gd_prior="0.3",
                   gd_data="Two moons", gd_show_samples="1", gd_quadratic="1", gd_points="200")
    assert not at.exception and not any("ignored" in m.value for m in at.info)
    assert at.text_input(key="gd_seq_a").value == "1 1 0 1" and at.radio(key="gd_bias_mode").value == "learned"
    assert at.slider(key="gd_p_biased").disabled and at.slider(key="gd_prior").value == 0.3
    a, b = gd.parse_tosses("1 1 0 1"), gd.parse_tosses("hthtth")
    expected = gd.posterior(a, b, None, 0.3)  # B is the fair-looking one (3/6 heads)
    assert "Coin B is the fair one" in at.success[0].value
    assert f"{expected.b_fair:.2%}".replace("%", " %") in at.success[0].value
    assert at.segmented_control(key="gd_data").value == "Two moons" and at.slider(key="gd_points").value == 200
    names = [t.get("name") for t in chart(at, "gd_scatter")["data"]]
    assert "samples from the generative model" in names
    assert any("quadratic" in (n or "") for n in names)


def test_odd_link_settings_are_ignored_with_a_notice():
    at = open_page(gd_p_biased="1.5", gd_prior="0", gd_data="Spirals", gd_points="abc")
    assert not at.exception
    assert any("Some settings in this link were ignored" in m.value for m in at.info)
    assert at.slider(key="gd_p_biased").value == 0.8 and at.slider(key="gd_prior").value == 0.5
    assert at.segmented_control(key="gd_data").value == "Gaussian blobs" and at.slider(key="gd_points").value == 300


@pytest.mark.parametrize("dataset", list(gd.DATASETS))
def test_the_2d_part_draws_for_every_dataset(page, dataset):
    at = page
    at.segmented_control(key="gd_data").set_value(dataset).run()
    at.toggle(key="gd_show_samples").set_value(True).run()
    assert not at.exception
    names = [t.get("name") for t in chart(at, "gd_scatter")["data"]]
    assert {"class 0", "class 1", "samples from the generative model", "generative boundary (Gaussians)"} <= set(names)
    assert any(n and n.startswith("discriminative boundary") for n in names)
    accuracies = [m.value for m in at.metric][2:]
    assert len(accuracies) == 2 and all(v.endswith("%") for v in accuracies)
    expected = gd.compare(dataset, 300, 0.1, 0)
    assert accuracies == [f"{expected.accuracy_generative:.0%}", f"{expected.accuracy_discriminative:.0%}"]


def test_the_boundaries_are_drawn_where_each_model_says_one_half(page):
    at = page
    at.segmented_control(key="gd_data").set_value("Gaussian blobs").run()
    traces = {t.get("name"): t for t in chart(at, "gd_scatter")["data"]}
    c = gd.compare("Gaussian blobs", 300, 0.1, 0)
    models = {"generative boundary (Gaussians)": c.generative.predict_proba,
              "discriminative boundary (logistic regression)": gd.logistic_regression(c.X_train, c.y_train, False)}
    for name, predict in models.items():
        x, y = (np.array([v for v in traces[name][axis] if v is not None]) for axis in ("x", "y"))
        assert len(x) > 20
        np.testing.assert_allclose(predict(np.stack([x, y], axis=1))[:, 1], 0.5, atol=0.02)
