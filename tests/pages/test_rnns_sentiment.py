"""The RNN page's sentiment section in AppTest: the lecture's review with the LSTM's and MiniLM's predictions and the
measured accuracies, bad input of every kind turned into messages, switching network, example and unit, and its
settings in the URL; the unit shown first is a sentiment unit."""
import numpy as np
from streamlit.testing.v1 import AppTest

from core import checkpoints
from core.data.text import movie_snippets
from core.rnn import sentiment
from core.rnn.sentiment import CRICHTON
from core.rnn.ui.sentiment import PRESETS
from tests.pages import apptest

SECTION = "Sentiment prediction"


def open_page(**params) -> AppTest:
    return apptest.open_page("rnns", SECTION, **params)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def percent(value: str) -> float:
    return float(value.rstrip("%")) / 100


def coloured(at: AppTest) -> list[str]:
    """The HTML of each coloured text: the network's words, MiniLM's word pieces, the unit's activation."""
    return [m.value for m in at.markdown if 'class="sent-text"' in m.value]


def notices(at: AppTest) -> str:
    return " ".join(e.value for e in [*at.info, *at.warning])


def set_text(at: AppTest, text: str) -> AppTest:
    at.text_area(key="sent_text").set_value(text).run()
    assert not at.exception and not at.error, text[:40]
    return at


def test_the_lecture_review_comes_out_negative_beside_minilm_with_the_measured_accuracies():
    at = open_page()
    assert not at.exception and not at.error
    assert at.text_area(key="sent_text").value == CRICHTON and at.selectbox(key="sent_preset").value == "crichton"
    shown = metrics(at)
    assert percent(shown["LSTM: P(positive)"]) < 0.2  # the LSTM reads the film's damning as a negative review
    assert next(m for m in at.metric if m.label == "LSTM: P(positive)").delta == "negative"
    assert "MiniLM: P(positive)" in shown
    manifest = checkpoints.read_manifest()
    for label, name in {"LSTM": "sentiment_lstm", "GRU": "sentiment_gru",
                        "MiniLM + trained head": "sentiment_minilm"}.items():
        assert shown[label] == f"{manifest[name].metrics['test_accuracy']:.1%}"
    assert len(coloured(at)) == 3 and len(at.get("plotly_chart")) == 2  # words, pieces, unit; running, favourites
    assert "sent-unknown" in coloured(at)[0]  # crichton's is not in the vocabulary: marked
    assert any("Each of the 181 word pieces is coloured" in c.value for c in at.caption)  # the whole review
    unit = at.slider(key="sent_unit").value
    assert any(f"Unit **{unit}** pushes the final prediction" in m.value for m in at.markdown)  # a strong voter

    set_text(at, "Loved it 😍 <b>so</b> much")  # MiniLM reads bad input too: the emoji is its [UNK], the tag gone
    assert at.selectbox(key="sent_preset").value == "own"
    pieces = coloured(at)[1]
    assert "&#91;UNK&#93;" in pieces and "sent-unknown" in pieces and "<b>" not in pieces
    assert any("unknown to MiniLM" in c.value for c in at.caption)
    assert "HTML tag" in notices(at)


def test_bad_input_becomes_a_message_never_a_traceback():
    at = open_page(sent_minilm="0")
    assert "MiniLM: P(positive)" not in metrics(at)

    for empty in ("", " \n\t "):
        set_text(at, empty)
        assert "There are no words to read" in notices(at) and "LSTM: P(positive)" not in metrics(at)
        assert "LSTM" in metrics(at)  # the measured accuracies stay

    set_text(at, ("A gripping, wonderful film. " * 400)[:10_000])
    assert "Only the first 400 of" in " ".join(w.value for w in at.warning)
    assert coloured(at)[0].count('class="sent-token') == 400

    set_text(at, "Loved it 😍👍🏽🍿!!!")
    assert "not in the vocabulary" in notices(at)
    assert "&#128525;" in coloured(at)[0] and "sent-unknown" in coloured(at)[0]

    set_text(at, "<script>alert(1)</script><b>bold</b>")
    assert "HTML tags were taken out" in notices(at)
    words = coloured(at)[0]
    assert "alert" in words and "bold" in words and "<script" not in words and "<b>" not in words

    set_text(at, "&lt;script&gt;alert(1)&lt;/script&gt; is no tag")  # escaped HTML is text: shown, never run
    words = " ".join(coloured(at))
    assert "&#60;" in words and "<script" not in words

    set_text(at, "The zorblaxian quuxotic flimflammery.")
    assert "3 of 5 tokens are not in the vocabulary" in notices(at)
    assert coloured(at)[0].count("sent-unknown") == 3

    set_text(at, PRESETS["german"][1])
    assert "the model learnt from English film reviews" in notices(at)


def test_the_network_the_example_and_the_unit_can_be_switched():
    at = open_page(sent_minilm="0")
    lstm_unit = at.slider(key="sent_unit").value
    at.segmented_control(key="sent_model").set_value("GRU").run()
    assert not at.exception
    assert percent(metrics(at)["GRU: P(positive)"]) < 0.5 and "LSTM: P(positive)" not in metrics(at)
    unit = at.slider(key="sent_unit").value  # the GRU's own sentiment unit
    assert any(f"Unit **{unit}** pushes" in m.value for m in at.markdown)
    at.slider(key="sent_unit").set_value(5).run()
    assert not at.exception
    assert any("Unit **5** " in m.value and "strongest push of 128" in m.value for m in at.markdown)
    assert apptest.bound(at, "sent_unit")
    at.selectbox(key="sent_preset").set_value("negation").run()
    assert not at.exception
    assert at.text_area(key="sent_text").value == "Not bad at all." and at.slider(key="sent_unit").value == 5
    at.segmented_control(key="sent_model").set_value("LSTM").run()
    assert at.slider(key="sent_unit").value == lstm_unit  # back to the LSTM's own unit


def test_settings_come_from_the_url_and_bad_ones_are_ignored_with_a_notice():
    at = open_page(sent_model="GRU", sent_unit="7", sent_preset="positive", sent_minilm="0")
    assert not at.exception and not at.info
    assert at.segmented_control(key="sent_model").value == "GRU" and at.slider(key="sent_unit").value == 7
    assert at.text_area(key="sent_text").value == PRESETS["positive"][1] and not at.toggle(key="sent_minilm").value
    assert percent(metrics(at)["GRU: P(positive)"]) > 0.9

    at = open_page(sent_unit="999", sent_model="RNN", sent_text="What a film!", sent_minilm="0")
    assert not at.exception
    notice = at.info[0].value
    assert "Some settings in this link were ignored" in notice and "sent_unit=999" in notice and "sent_model" in notice
    assert at.segmented_control(key="sent_model").value == "LSTM" and at.slider(key="sent_unit").value < 128
    assert at.text_area(key="sent_text").value == "What a film!" and at.selectbox(key="sent_preset").value == "own"


def test_the_unit_shown_first_is_a_sentiment_unit():
    """A strong voter whose words at the two ends differ in sentiment, in the direction it votes."""
    net = checkpoints.load_model("sentiment_lstm")
    texts, labels = movie_snippets("train")
    words, means = sentiment.word_activations(net, texts)
    votes = sentiment.unit_votes(net)
    ends = sentiment.end_positivity(means, sentiment.word_positivity(words, texts, labels))
    unit = sentiment.sentiment_unit(votes, ends)
    assert np.sum(np.abs(votes) > abs(votes[unit])) < len(votes) // 4
    assert (ends[unit, 0] - ends[unit, 1]) * np.sign(votes[unit]) > 0.5


def test_a_section_whose_data_is_missing_says_how_to_install_it_instead_of_a_traceback(monkeypatch):
    from core.data import DataUnavailable
    from core.rnn.ui import sentiment as section

    def without_data():
        raise DataUnavailable("Rotten Tomatoes movie snippets", "make data", ["data/… not found"])

    monkeypatch.setattr(section, "section", without_data)
    at = open_page()
    assert not at.exception
    assert "Rotten Tomatoes movie snippets" in at.error[0].value and "`make data`" in at.error[0].value
