"""The RNN page's "Translation with attention" section in AppTest: the lecture's sentence opens translated, with its
attention map, one word's attention, the nearest encoder words, the beam tree and the recorded BLEU; the beam slider
grows the tree; change and pivot re-decode, and two sentences compare and swap, each in a fold made only once opened;
bad input gives messages, never a traceback; the URL carries every control; MarianMT, absent here, says why. Exact
English outputs are not asserted: the translator may be retrained."""
import html
import importlib.util
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core import checkpoints
from core.rnn.translation import MAX_SOURCE_WORDS, PRESET
from core.rnn.ui.translation import COMPARE
from tests.pages import apptest

SECTION = "Translation with attention"


def open_page(**params) -> AppTest:
    return apptest.open_page("rnns", SECTION, **params)


def figure(at: AppTest, key: str) -> dict:
    return json.loads(next(c for c in at.get("plotly_chart") if c.key == key).proto.spec)


def chart_keys(at: AppTest) -> list[str]:
    return [c.key for c in at.get("plotly_chart")]


def heatmap(at: AppTest, key: str) -> tuple[np.ndarray, list[str], list[str]]:
    """An attention map's weights (English × German), its German and its English labels."""
    fig = figure(at, key)
    z = np.array(next(t for t in fig["data"] if t["type"] == "heatmap")["z"], dtype=float)
    return z, fig["layout"]["xaxis"]["ticktext"], fig["layout"]["yaxis"]["ticktext"]


def tree_nodes(at: AppTest) -> int:
    return sum(len(t["x"]) for t in figure(at, "tr_tree")["data"] if "markers" in t["mode"])


def unfold(at: AppTest, key: str) -> AppTest:
    """Open one of the section's folded parts (change and pivot, compare), as a student does."""
    at.session_state[key] = True
    return at.run()


def text(at: AppTest) -> str:
    return " ".join(m.value for m in at.main.markdown)


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def ok(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def test_the_lecture_sentence_opens_translated_with_attention_tree_and_bleu():
    at = open_page()
    ok(at)
    assert at.text_input(key="tr_text").value == PRESET and at.slider(key="tr_beam").value == 5
    assert chart_keys(at) == ["tr_attention", "tr_word_chart", "tr_near_chart", "tr_tree"]
    folds = {e.label: e for e in at.expander if e.label in ("**Change and pivot**", "**Compare two sentences**")}
    assert len(folds) == 2 and not any(e.children for e in folds.values())  # made only once opened
    z, german, english = heatmap(at, "tr_attention")
    assert len(german) == len(PRESET.split()) and z.shape == (len(english), len(german))
    np.testing.assert_allclose(z.sum(1), 1, atol=1e-4)  # every English word's attention is a distribution
    assert english[-1] == "&lt;/s&gt;"
    assert "Encoder reads:" in text(at) and "final hypotheses" in text(at)
    recorded = {k: v for k, v in checkpoints.read_manifest()["translator"].metrics.items() if "bleu" in k}
    shown = {m.label: m.value for m in at.metric if "BLEU" in m.label}
    assert "Test BLEU, greedy" in shown and "Test BLEU, beam 5" in shown
    assert sorted(shown.values()) == sorted(f"{v:.1f}" for v in recorded.values())
    # one English word's bars are its row of the map; picking another word shows that row
    row = at.get("button_group")[1]
    assert row.key == "tr_word"
    np.testing.assert_allclose(figure(at, "tr_word_chart")["data"][0]["y"], z[row.value], atol=1e-6)
    other = next(i for i, w in enumerate(english) if english.count(w) == 1 and i != row.value)  # AppTest picks
    # a pill by its label, so one that occurs once
    row.set_value(other).run()
    ok(at)
    np.testing.assert_allclose(figure(at, "tr_word_chart")["data"][0]["y"], z[other], atol=1e-6)
    assert at.query_params["tr_word"] == str(other)
    near = at.selectbox(key="tr_near")
    assert near.value in PRESET.split()
    bars = figure(at, "tr_near_chart")["data"][0]["x"]
    assert len(bars) == 8 and bars == sorted(bars)  # nearest on top


def test_a_pivot_and_a_change_re_decode_from_the_chosen_step():
    at = unfold(open_page(), "tr_fold_interventions")
    ok(at)
    model = checkpoints.load_model("translator")
    groups = {g.key: g for g in at.get("button_group")}
    step, word = groups["tr_pivot_step"].value, groups["tr_pivot_word"].value
    best = next(t for t in figure(at, "tr_pivot_tree")["data"] if t.get("name") == "best translation")
    written = dict(zip(best["x"], (c[0] for c in best["customdata"])))[step + 1]  # the words up to the pivot
    assert written.endswith(html.escape(model.target_words[word]))
    assert "tr_change_attention" not in chart_keys(at) and "Pick German words" in captions(at)
    at.button_group(key="tr_change_to").set_value([1, 2]).run()
    ok(at)
    z, german, _ = heatmap(at, "tr_change_attention")
    pinned = np.zeros(len(german))
    pinned[[1, 2]] = 0.5
    np.testing.assert_allclose(z[at.button_group(key="tr_change_word").value], pinned, atol=1e-6)


def test_the_beam_slider_grows_the_tree():
    at = open_page(tr_beam="1")
    ok(at)
    greedy = tree_nodes(at)
    assert "The final hypothesis" in text(at)
    assert figure(at, "tr_tree")["data"][-1]["name"] == "best translation"
    at.slider(key="tr_beam").set_value(5).run()
    ok(at)
    five = tree_nodes(at)
    at.slider(key="tr_beam").set_value(10).run()
    ok(at)
    assert greedy < five < tree_nodes(at)
    assert apptest.bound(at, "tr_beam")
    assert "final hypotheses" in text(at)


@pytest.mark.parametrize("typed, expect", [
    ("", "info"),
    ("   ", "info"),
    ("Hallo " * 1667, "truncated"),  # 10,002 characters
    (" ".join(["Straßenbahnhaltestelle"] * 500), "truncated"),  # 500 words
    ("?! … ,; -- !!!", "translated"),  # punctuation only
    ("Les plus longs voyages commencent quand il fait nuit dans les rues.", "unknown"),  # French
    ("😀🎉 👍🏽", "unknown"),
    ("<b>HTML</b> <script>alert('x')</script>", "unknown"),
    ("The longest journeys begin when it gets dark in the streets.", "unknown"),
    ("Quetzalcoatl xyzzyplatz blorf", "nothing known"),
])
def test_bad_input_gives_a_message_never_a_traceback(typed, expect):
    at = open_page()
    at.text_input(key="tr_text").set_value(typed).run()
    ok(at)
    if expect == "info":
        assert any("Type a German sentence" in i.value for i in at.info)
        assert "tr_attention" not in chart_keys(at) and at.metric  # the model's BLEU stays
        return
    assert "tr_attention" in chart_keys(at) and "tr_tree" in chart_keys(at)
    z, german, _ = heatmap(at, "tr_attention")
    assert "<script" not in "".join(german) and "<b>HTML" not in "".join(german)  # escaped for plotly
    np.testing.assert_allclose(z.sum(1), 1, atol=1e-4)
    if expect == "truncated":
        assert any("truncated" in w.value for w in at.warning)
        assert len(german) == MAX_SOURCE_WORDS
        assert "tr_text" not in at.query_params  # too long for a link
    elif expect != "translated":
        assert "Unknown to the model" in captions(at)
    if expect == "nothing known":
        for word in ("quetzalcoatl", "xyzzyplatz", "blorf"):
            assert word in captions(at)
        assert any("None of these German words" in i.value for i in at.info)
    at.button(key="tr_reset").click().run()  # back to the lecture's sentence
    ok(at)
    assert at.text_input(key="tr_text").value == PRESET


def test_two_sentences_compare_side_by_side_and_swap():
    at = unfold(open_page(), "tr_fold_compare")
    ok(at)
    assert at.text_input(key="tr_text2").value == COMPARE
    a, german_a, _ = heatmap(at, "tr_compare_a")
    b, german_b, _ = heatmap(at, "tr_compare_b")
    assert len(german_a) == len(PRESET.split()) and len(german_b) == len(COMPARE.split())
    assert any("<b>" in w for w in german_a) and any("<b>" in w for w in german_b)  # the words that differ
    at.button(key="tr_swap").click().run()
    ok(at)
    assert at.text_input(key="tr_text").value == COMPARE and at.text_input(key="tr_text2").value == PRESET
    np.testing.assert_allclose(heatmap(at, "tr_compare_a")[0], b, atol=1e-6)
    np.testing.assert_allclose(heatmap(at, "tr_compare_b")[0], a, atol=1e-6)
    assert at.query_params["tr_text"] == COMPARE
    at.text_input(key="tr_text2").set_value("").run()
    ok(at)
    assert any("second German sentence" in i.value for i in at.info)
    assert "tr_compare_b" not in chart_keys(at)


def test_the_url_sets_every_control():
    at = open_page(tr_text="ich habe keine zeit .", tr_beam="3", tr_word="1", tr_near="ich",
                   tr_text2="ich habe zeit .")
    ok(at)
    assert not at.info
    assert at.text_input(key="tr_text").value == "ich habe keine zeit ."
    assert at.slider(key="tr_beam").value == 3
    assert at.get("button_group")[1].value == 1
    assert at.selectbox(key="tr_near").value == "ich"
    assert at.text_input(key="tr_text2").value == "ich habe zeit ."  # its fold opened by the link
    _, german, _ = heatmap(at, "tr_attention")
    assert german == ["ich", "habe", "keine", "zeit", "."]


def test_an_out_of_range_setting_in_the_link_is_ignored_with_a_notice():
    at = open_page(tr_beam="99", tr_word="abc")
    ok(at)
    notice = " ".join(i.value for i in at.info)
    assert "Some settings in this link were ignored" in notice and "tr_beam=99" in notice
    assert at.slider(key="tr_beam").value == 5


def test_marian_says_why_it_is_absent():
    at = open_page(tr_marian="1", tr_marian_path="/nonexistent/opus-mt-de-en")
    ok(at)
    assert at.toggle(key="tr_marian").value
    reasons = [i.value for i in at.info if "MarianMT is not available here" in i.value]
    assert reasons
    if importlib.util.find_spec("sentencepiece") is None:
        assert "sentencepiece" in reasons[0]
    assert "tr_marian_attention" not in chart_keys(at)
    at.button(key="tr_marian_retry").click().run()  # looks again, and says so again
    ok(at)
    assert any("MarianMT is not available here" in i.value for i in at.info)
    at.toggle(key="tr_marian").set_value(False).run()
    ok(at)
    assert not any("MarianMT" in i.value for i in at.info)
