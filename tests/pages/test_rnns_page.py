"""The RNN page in AppTest: its sections in lecture order; the recurrence stepped word by word for each cell and a
stack, with odd sentences; the memory task trained live. (Translation and sentiment have their own files.)"""
import pytest
from streamlit.testing.v1 import AppTest

from core.rnn import recurrence
from tests.pages import apptest

SECTIONS = ("The recurrence, step by step", "Memorizing and forgetting", "Translation with attention",
            "Sentiment prediction")
RECURRENCE, MEMORY = SECTIONS[:2]


def open_page(section: str | None, **params) -> AppTest:
    return apptest.open_page("rnns", section, **params)


def test_the_sections_follow_the_lecture_and_the_recurrence_opens_by_default():
    at = open_page(None)
    assert not at.exception
    assert at.segmented_control(key="section").options == list(SECTIONS)
    assert at.segmented_control(key="section").value == RECURRENCE
    assert at.text_input(key="rec_text").value == recurrence.SENTENCES[0]
    assert at.subheader[0].value == "Step 1: reading “I”"


def test_step_and_back_move_through_the_sentence_and_stop_at_its_ends():
    at = open_page(RECURRENCE)
    at.button(key="rec_forward").click().run()
    at.button(key="rec_forward").click().run()
    assert at.slider(key="rec_step").value == 3 and at.subheader[0].value == "Step 3: reading “hungry”"
    for _ in range(3):
        at.button(key="rec_back").click().run()
    assert at.slider(key="rec_step").value == 1
    at.slider(key="rec_step").set_value(11).run()
    at.button(key="rec_forward").click().run()
    assert at.slider(key="rec_step").value == 11 and at.subheader[0].value == "Step 11: reading “kitchen”"


@pytest.mark.parametrize("cell", ["RNN", "LSTM", "GRU"])
def test_every_cell_shows_its_gates_alone_and_stacked(cell):
    at = open_page(RECURRENCE, rec_cell=cell, rec_step="4")
    assert not at.exception and len(at.get("plotly_chart")) == 2
    at.selectbox(key="rec_layers").set_value(3).run()
    assert at.segmented_control(key="rec_layer_shown").options == ["layer 1", "layer 2", "layer 3"]
    at.segmented_control(key="rec_layer_shown").set_value(2).run()
    assert not at.exception and at.subheader[0].value == "Step 4: reading “,”, layer 3"


def test_a_shorter_sentence_brings_the_step_back_inside_it():
    at = open_page(RECURRENCE, rec_step="9")
    at.text_input(key="rec_text").set_value("Kilimanjaro is high").run()
    assert at.slider(key="rec_step").value == 3 and at.subheader[0].value == "Step 3: reading “high”"


@pytest.mark.parametrize("text", ["Kilimanjaro", "nan", "1e309"])
def test_a_one_word_sentence_is_one_step_with_nothing_to_step_through(text):
    at = open_page(RECURRENCE)
    at.slider(key="rec_step").set_value(3).run()
    at.text_input(key="rec_text").set_value(text).run()
    assert not at.exception and not at.main.slider and not at.main.button
    assert at.subheader[0].value == f"Step 1: reading “{text}”"
    assert any("One word, so one step" in c.value for c in at.caption)
    at.text_input(key="rec_text").set_value("Kilimanjaro is high").run()  # the slider is back, within the words
    step = at.slider(key="rec_step").value
    assert 1 <= step <= 3 and at.subheader[0].value == f"Step {step}: reading “{'Kilimanjaro is high'.split()[step - 1]}”"


def test_a_one_word_sentence_in_a_link_opens_at_its_one_step():
    at = open_page(RECURRENCE, rec_text="nan")
    assert not at.exception and at.subheader[0].value == "Step 1: reading “nan”"


@pytest.mark.parametrize("text, message", [
    ("", "Type a sentence"),
    ("word " * 2000, "Only the first 16 of its 2000 words"),
])
def test_empty_and_enormous_sentences_get_a_message(text, message):
    at = open_page(RECURRENCE)
    at.text_input(key="rec_text").set_value(text).run()
    assert not at.exception
    assert any(message in m.value for m in [*at.info, *at.warning])


def test_html_and_emoji_are_read_as_words_not_markup():
    at = open_page(RECURRENCE, rec_step="2")
    at.text_input(key="rec_text").set_value("<b>bold</b> 🍕 pizza").run()
    assert not at.exception
    assert at.subheader[0].value == "Step 2: reading “b”"


def test_odd_link_settings_are_ignored_with_a_notice():
    at = open_page(RECURRENCE, rec_step="99", rec_cell="Transformer", rec_layers="2")
    assert not at.exception
    assert at.selectbox(key="rec_layers").value == 2 and at.segmented_control(key="rec_cell").value == "RNN"
    notice = at.info[0].value
    assert "Some settings in this link were ignored" in notice and "rec_step=99" in notice and "rec_cell" in notice


def test_the_memory_task_trains_live_and_the_simple_rnn_forgets_first():
    at = open_page(MEMORY, mem_distance="5")
    assert not at.exception and "Nothing trained at N = 5" in at.info[0].value
    at.button(key="mem_train_one").click().run()
    assert not at.exception
    metrics = {m.label.split(" at ")[0]: m.value for m in at.metric}
    assert set(metrics) == {"RNN", "LSTM", "GRU"} and all(int(v.rstrip("%")) >= 90 for v in metrics.values())
    assert at.button(key="mem_train_one").disabled  # trained once, for everyone on the server
    assert len(at.get("plotly_chart")) == 2  # accuracy against N, and the gradient through time
    at.select_slider(key="mem_distance").set_value(40).run()
    at.button(key="mem_train_one").click().run()
    metrics = {m.label.split(" at ")[0]: int(m.value.rstrip("%")) for m in at.metric}
    assert metrics["RNN"] <= 50 and metrics["LSTM"] >= 90 and metrics["GRU"] >= 90
