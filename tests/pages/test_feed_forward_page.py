"""The Feed-forward networks page in AppTest: the Playground's controls, URL state, stepping, layers, bad CSVs and
a learning rate that makes training diverge."""
import pytest
from streamlit.testing.v1 import AppTest

from core.lecture import ROOT


def open_page(**params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    for k, v in params.items():
        at.query_params[k] = v
    return at.switch_page("pages/feed_forward.py").run()


def text(at: AppTest) -> str:
    return " ".join(m.value for m in at.main.markdown)


def test_playground_opens_with_tensorflow_playgrounds_defaults():
    at = open_page()
    assert not at.exception and not at.error
    assert at.selectbox(key="pg_activation").value == "tanh" and at.select_slider(key="pg_lr").value == 0.03
    assert "2 hidden layers" in text(at) and "Epoch 000,000" in text(at)
    assert "ignored" not in " ".join(i.value for i in at.info)


def test_url_parameters_set_the_network_and_the_data():
    at = open_page(pg_hidden="3,3,3", pg_f_x1x2="1", pg_lr="0.1", pg_activation="relu", pg_data_class="xor")
    assert not at.exception and not at.error
    assert "3 hidden layers" in text(at)
    assert at.checkbox(key="pg_f_x1x2").value and at.select_slider(key="pg_lr").value == 0.1
    assert at.selectbox(key="pg_data_class").value == "xor"


def test_bad_url_parameters_are_ignored_with_a_notice():
    at = open_page(pg_hidden="9,9", pg_lr="42", pg_noise="abc")
    assert not at.exception
    notice = " ".join(i.value for i in at.info)
    assert "pg_hidden=9,9" in notice and "pg_lr=42" in notice and "pg_noise=abc" in notice
    assert "2 hidden layers" in text(at)


def test_step_trains_one_epoch_and_the_layer_buttons_change_the_network():
    at = open_page()
    at.button(key="pg_step").click().run()
    assert "Epoch 000,001" in text(at)
    at.button(key="pg_add_layer").click().run()
    assert "3 hidden layers" in text(at) and "Epoch 000,000" in text(at)  # a new architecture starts afresh
    at.button(key="pg_remove_0").click().run()
    assert "layer 1: 3 neurons" in " ".join(c.value for c in at.main.caption)


def test_a_diverging_learning_rate_gives_a_message_and_reset_recovers():
    at = open_page(pg_problem="regression", pg_activation="relu", pg_lr="10")
    for _ in range(8):
        at.button(key="pg_step").click().run()
        if at.error:
            break
    assert not at.exception
    assert any("diverged" in e.value for e in at.error)
    at.button(key="pg_reset").click().run()
    assert not at.error and "Epoch 000,000" in text(at)


@pytest.mark.parametrize("data, message", [
    (b"x1,x2,label\n1,2,0\n", "at least"),
    (b"a,b,c\n" + b"1,2,0\n" * 20, "column"),
    (b"x1,x2,label\n" + b"1,two,0\n" * 20, "number"),
    (b"x1,x2,label\n" + b"1,2,0\n" * 6000, "5,000"),
    (bytes(range(256)) * 10, "text"),
])
def test_bad_csv_uploads_get_a_clear_message(data, message):
    at = open_page(pg_data_class="your CSV")
    at.file_uploader(key="pg_csv").set_value(("points.csv", data, "text/csv")).run()
    assert not at.exception
    assert any(message in e.value for e in at.error), [e.value for e in at.error]


def test_a_good_csv_is_trained_on():
    rows = "\n".join(f"{x},{y},{int(x * y > 0)}" for x in range(-4, 5) for y in range(-4, 5) if x and y)
    at = open_page(pg_data_class="your CSV")
    at.file_uploader(key="pg_csv").set_value(("points.csv", ("x1,x2,label\n" + rows).encode(), "text/csv")).run()
    assert not at.exception and not at.error
    at.button(key="pg_step").click().run()
    assert "Epoch 000,001" in text(at)
