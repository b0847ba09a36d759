"""The Feed-forward networks page in AppTest: the Playground's controls, URL state, what it sends the browser and
what it makes of the snapshots the browser sends back (AppTest runs no JavaScript: the snapshot is made here by
core's engine, which the browser's agrees with, see tests/unit/test_playground_browser_engine.py), layers, bad
CSVs and a diverged run; then every other section: defaults, URL parameters, a moved control, the Fit button,
stepping through backpropagation, bad and extreme values."""
import base64
import copy
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.feed_forward import playground as pg
from core.feed_forward import sum_of_sigmoids
from core.mulberry32 import Mulberry32
from core.ui import heavy
from tests.pages import apptest

SECTIONS = ("Neurons and non-linearity", "Sums of sigmoids", "Playground", "Gradient descent and SGD",
            "Backpropagation", "Overfitting and regularization")


def open_page(section: str | None = "Playground", **params) -> AppTest:
    """The page with `params` in its URL, on `section` (the Playground unless said; None: the page's default)."""
    return apptest.open_page("feed_forward", section, **params)


def text(at: AppTest) -> str:
    return " ".join(m.value for m in at.main.markdown)


def sent(at: AppTest) -> dict:
    """The data the Playground's component got on the last run."""
    (component,) = at.get("bidi_component")
    return json.loads(component.proto.json)


def browser_sends(at: AppTest, epochs: int, **changes) -> AppTest:
    """What the browser does when the student steps or pauses after `epochs` epochs: the run's start trained with
    the same order of points, sent back as the component's snapshot (`changes` overwrite its fields)."""
    run = at.session_state["pg_run"]
    net, rng = copy.deepcopy(run.start), Mulberry32(run.config.seed)
    for _ in range(epochs):
        pg.train_epoch(net, run.data[0], run.data[1], run.config, rng)
    X_train, y_train, X_test, y_test = run.data
    with np.errstate(all="ignore"):
        losses = pg.loss(net, X_train, y_train) + pg.loss(net, X_test, y_test)
    snapshot = {"run": run.id, "epoch": epochs, "weights": [W.tolist() for W in net.weights],
                "biases": [b.tolist() for b in net.biases], "rng": rng.state, "diverged": pg.is_diverged(net, losses),
                "history": [], **changes}
    at.session_state["pg_live"] = {"snapshot": snapshot}
    return at.run()


def test_playground_opens_with_tensorflow_playgrounds_defaults():
    at = open_page()
    assert not at.exception and not at.error
    assert at.selectbox(key="pg_activation").value == "tanh" and at.select_slider(key="pg_lr").value == 0.03
    assert "2 hidden layers" in text(at) and "After 0 epochs" in text(at)
    assert "ignored" not in " ".join(i.value for i in at.info)
    data, run = sent(at), at.session_state["pg_run"]
    assert data["run"] == run.id and data["resume"] is None and data["seed"] == 0
    assert data["settings"] == {"learningRate": 0.03, "batchSize": 10, "regularization": "none", "regRate": 0.0}
    assert [len(W) for W in data["start"]["weights"]] == [2, 4, 2] and data["start"]["output"] == "tanh"
    assert len(data["train"]["labels"]) == 250 and len(data["test"]["points"]) == 2 * 250
    assert data["view"] == {"showTest": False, "discretize": False} and not data["style"]["projector"]


def test_url_parameters_set_the_network_and_the_data():
    at = open_page(pg_hidden="3,3,3", pg_f_x1x2="1", pg_lr="0.1", pg_activation="relu", pg_data_class="xor",
                   pg_show_test="1", projector="1")
    assert not at.exception and not at.error
    assert "3 hidden layers" in text(at)
    assert at.checkbox(key="pg_f_x1x2").value and at.select_slider(key="pg_lr").value == 0.1
    assert at.selectbox(key="pg_data_class").value == "xor"
    data = sent(at)
    assert data["start"]["features"] == ["x1", "x2", "x1x2"] and data["start"]["activation"] == "relu"
    assert data["settings"]["learningRate"] == 0.1 and data["view"]["showTest"] and data["style"]["projector"]


def test_bad_url_parameters_are_ignored_with_a_notice():
    at = open_page(pg_hidden="9,9", pg_lr="42", pg_noise="abc")
    assert not at.exception
    notice = " ".join(i.value for i in at.info)
    assert "pg_hidden=9,9" in notice and "pg_lr=42" in notice and "pg_noise=abc" in notice
    assert "2 hidden layers" in text(at)


def test_a_snapshot_brings_the_weights_to_the_details_and_the_export():
    at = browser_sends(open_page(), 30)
    run = at.session_state["pg_run"]
    assert not at.exception and "After 30 epochs" in text(at) and run.epoch == 30
    snapshot = at.session_state["pg_live"]["snapshot"]
    np.testing.assert_array_equal(run.net.weights[0], snapshot["weights"][0])
    assert not np.array_equal(run.net.weights[0], run.start.weights[0])
    exported = json.loads(pg.to_json(run.net, run.config))
    assert exported["biases"][-1] == snapshot["biases"][-1]
    assert f"**{snapshot['biases'][-1][0]:+.3f}**" in text(at)
    accuracy = float(at.metric[1].value.rstrip("%")) / 100  # test accuracy after 30 epochs of the circle
    assert accuracy == pytest.approx(pg.accuracy(run.net, *run.data[2:]), abs=1e-3) and accuracy > 0.8
    assert sent(at)["resume"]["epoch"] == 30  # the browser resumes from it if the component is mounted again


def test_the_learning_rate_changes_in_place_and_the_architecture_starts_afresh():
    at = browser_sends(open_page(), 3)
    first = sent(at)["run"]
    at.select_slider(key="pg_lr").set_value(0.3).run()
    assert sent(at)["run"] == first and sent(at)["settings"]["learningRate"] == 0.3 and "After 3 epochs" in text(at)
    at.button(key="pg_add_layer").click().run()
    assert "3 hidden layers" in text(at) and "After 0 epochs" in text(at) and sent(at)["run"] != first
    at.button(key="pg_remove_0").click().run()
    assert "layer 1: 3 neurons" in " ".join(c.value for c in at.main.caption)


def test_a_snapshot_of_an_older_run_is_ignored():
    at = open_page()
    at.button(key="pg_regenerate").click().run()
    at = browser_sends(at, 5, run="an older run")
    assert "After 0 epochs" in text(at) and at.session_state["pg_run"].epoch == 0


def test_a_diverged_run_gets_a_message_and_reset_recovers():
    at = open_page(pg_problem="regression", pg_activation="relu", pg_lr="10")
    at = browser_sends(at, 8)
    assert not at.exception and at.session_state["pg_run"].diverged
    assert any("infinite or NaN" in e.value for e in at.error)
    at = browser_sends(at, 0)  # Reset in the browser: the start again, epoch 0
    assert not at.error and "After 0 epochs" in text(at)


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
    assert len(sent(at)["train"]["labels"]) + len(sent(at)["test"]["labels"]) == 64
    assert "After 1 epoch\n" in text(browser_sends(at, 1))


def test_odd_layer_and_seed_parameters_are_ignored_with_a_notice():
    at = open_page(pg_hidden="4,abc", pg_seed="-3")
    assert not at.exception
    notice = " ".join(i.value for i in at.info)
    assert "pg_hidden=4,abc" in notice and "pg_seed=-3" in notice


def notices(at: AppTest) -> str:
    return " ".join(i.value for i in at.info)


def figures(at: AppTest) -> list[dict]:
    """Every plotly figure on the page, as the JSON the browser gets."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def values(data) -> np.ndarray:
    """A trace's x or y: a plain list (None where a line breaks) or plotly's base64-encoded typed array."""
    if isinstance(data, dict):
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"]).astype(float)
    return np.array([np.nan if v is None else v for v in data], dtype=float)


def trace_names(at: AppTest) -> str:
    return " ".join(str(t.get("name")) for fig in figures(at) for t in fig["data"])


def test_the_page_opens_on_neurons_by_default():
    at = open_page(None)
    assert not at.exception and not at.error
    assert at.segmented_control(key="section").value == "Neurons and non-linearity"
    assert at.segmented_control(key="section").options == list(SECTIONS)


@pytest.mark.parametrize("section", [s for s in SECTIONS if s != "Playground"])
def test_every_section_renders_with_defaults(section):
    at = open_page(section)
    assert not at.exception and not at.error
    assert at.segmented_control(key="section").value == section
    assert figures(at) and all(fig["data"] for fig in figures(at))
    assert "ignored" not in notices(at)


def test_neuron_controls_come_from_the_url_and_an_activation_bends_the_stack():
    at = open_page("Neurons and non-linearity", nn_w="2.5", nn_activation="relu", nn_data="bump", nn_depth="5")
    assert not at.exception and not at.error
    assert at.slider(key="nn_w").value == 2.5 and at.radio(key="nn_activation").value == "relu"
    assert at.selectbox(key="nn_data").value == "bump" and at.slider(key="nn_depth").value == 5
    assert "one linear layer would do" in text(at)
    at.radio(key="nn_stack_activation").set_value("tanh").run()
    assert not at.exception and "**not** one linear map" in text(at)
    assert at.query_params["nn_stack_activation"] in ("tanh", ["tanh"])


def test_the_non_linear_neuron_fits_a_step_better_than_the_linear_one():
    at = open_page("Neurons and non-linearity")
    titles = [fig["layout"]["title"]["text"] for fig in figures(at)]
    linear, nonlinear = (float(t.split("loss ")[1]) for t in titles if "neuron: loss" in t)
    assert nonlinear < linear / 2
    at.radio(key="nn_fit_activation").set_value("tanh").run()
    assert "non-linear (tanh) neuron" in trace_names(at)


def test_sums_of_sigmoids_read_the_url_and_a_moved_slider_changes_the_sum():
    at = open_page("Sums of sigmoids", sig_units="5", sig_target="sine", sig_w2="7.5")
    assert not at.exception and not at.error
    assert at.slider(key="sig_units").value == 5 and at.selectbox(key="sig_target").value == "sine"
    assert at.slider(key="sig_w2").value == 7.5 and len(at.tabs) == 5
    before = text(at)
    at.slider(key="sig_a1").set_value(1.5).run()
    assert not at.exception and text(at) != before


def test_fit_trains_the_units_loads_them_into_the_sliders_and_shows_a_table():
    at = open_page("Sums of sigmoids", sig_units="2", sig_target="bump")
    assert not at.dataframe
    at.button(key="sig_fit").click().run()
    assert not at.exception and not at.error
    fitted = sum_of_sigmoids.fit_units("bump", 2)
    for i in range(2):
        assert at.slider(key=f"sig_w{i + 1}").value == pytest.approx(round(float(fitted.w[i]), 2))
        assert at.slider(key=f"sig_b{i + 1}").value == pytest.approx(round(float(fitted.b[i]), 2))
    assert at.dataframe and "What Fit learned" in text(at)
    assert "Mean squared error of f against g: **0.00" in text(at)
    at.slider(key="sig_units").set_value(3).run()  # a new number of units starts again from the defaults
    assert not at.dataframe and at.slider(key="sig_w3").value == 2.0


def test_gradient_descent_reads_the_url_and_a_new_start_moves_the_gradient():
    at = open_page("Gradient descent and SGD", gd_surface="local minimum", gd_local_lr="0.3", gd_batch="8",
                   gd_show_adam="1")
    assert not at.exception and not at.error
    assert at.radio(key="gd_surface").value == "local minimum" and at.select_slider(key="gd_local_lr").value == 0.3
    assert at.slider(key="gd_batch").value == 8 and at.checkbox(key="gd_show_adam").value
    assert "Adam: loss" in trace_names(at) and "SGD (batch 8)" in trace_names(at)
    before = text(at)
    at.slider(key="gd_local_start_x").set_value(2.0).run()
    assert not at.exception and text(at) != before


def test_the_preset_shows_sgd_escaping_where_gradient_descent_stays_stuck():
    at = open_page("Gradient descent and SGD")
    at.button(key="gd_preset").click().run()
    assert not at.exception and at.radio(key="gd_surface").value == "local minimum"
    losses = {t["name"].split(":")[0]: float(t["name"].split("loss ")[1])
              for t in figures(at)[0]["data"] if "loss " in str(t.get("name"))}
    assert losses["gradient descent"] > -0.6  # stuck in the local minimum, about −0.56
    assert losses["SGD (batch 2)"] < -1.5  # out in the global one, about −1.88 at the bottom


def test_backprop_steps_forward_and_back_within_its_range():
    at = open_page("Backpropagation")
    assert at.slider(key="bp_step").value == 1 and "Forward pass" in text(at)
    at.button(key="bp_back").click().run()
    assert at.slider(key="bp_step").value == 1
    at.button(key="bp_next").click().run()
    assert at.slider(key="bp_step").value == 2 and "compute `h1`" in text(at)
    at.slider(key="bp_step").set_value(10).run()  # δ_o = ∂L/∂o · ∂o/∂z_o, both computed just before
    assert "re-used from step 8" in text(at) and "re-used from step 9" in text(at)
    at.slider(key="bp_step").set_value(23).run()
    at.button(key="bp_next").click().run()
    assert not at.exception and at.slider(key="bp_step").value == 23 and "compute `∂L/∂b2`" in text(at)


def test_backprop_numbers_come_from_the_url():
    at = open_page("Backpropagation", bp_step="11", bp_w5="0.8", bp_x1="1")
    assert not at.exception and not at.error
    assert at.slider(key="bp_w5").value == 0.8 and at.slider(key="bp_x1").value == 1.0
    assert "compute `∂L/∂w5`" in text(at)
    assert at.dataframe[0].value.shape[0] == 11


def test_a_new_regularization_rate_is_trained_on_a_click_the_plain_network_drawn_meanwhile(monkeypatch, tmp_path):
    monkeypatch.setenv("DASHBOARD_CACHE", str(tmp_path))  # nothing trained yet
    monkeypatch.setattr(heavy, "_results", type(heavy._results)())
    at = open_page("Overfitting and regularization", reg_l2_rate="0.1")
    assert [b.label for b in apptest.asks(at)] == ["Train it with L2 λ = 0.1 · a few seconds"]
    fitted = lambda: [str(t.get("name")).split(":")[0] for t in figures(at)[1]["data"]  # noqa: E731
                      if "test loss" in str(t.get("name"))]
    assert fitted() == ["no regularization"]
    apptest.ask_all(at)
    assert not at.exception and not apptest.asks(at) and fitted() == ["no regularization", "L2 λ = 0.1"]


def test_regularization_reads_the_url_and_every_method_can_be_compared():
    at = apptest.ask_all(open_page("Overfitting and regularization", reg_method="dropout", reg_dropout_rate="0.5"))
    assert not at.exception and not at.error
    assert at.segmented_control(key="reg_method").value == "dropout"
    assert at.select_slider(key="reg_dropout_rate").value == 0.5
    assert "dropout p = 0.5: test loss" in trace_names(at)
    at.toggle(key="reg_all").set_value(True).run()
    assert not at.exception and len(figures(at)) == 3
    titles = " ".join(a["text"] for a in figures(at)[2]["layout"]["annotations"])
    assert all(m in titles for m in ("no regularization", "L2", "L1", "dropout", "early stopping"))


def test_l2_regularization_lowers_the_test_loss():
    at = apptest.ask_all(open_page("Overfitting and regularization"))
    fits = {t["name"].split(":")[0]: float(t["name"].split("test loss ")[1])
            for t in figures(at)[1]["data"] if "test loss" in str(t.get("name"))}
    assert fits["L2 λ = 0.01"] < fits["no regularization"]


@pytest.mark.parametrize("section, params", [
    ("Neurons and non-linearity", dict(nn_w="abc", nn_activation="swish", nn_depth="0")),
    ("Sums of sigmoids", dict(sig_units="50", sig_w1="99", sig_target="cosine")),
    ("Gradient descent and SGD", dict(gd_neuron_lr="42", gd_neuron_start_x="7", gd_batch="0", gd_surface="moon")),
    ("Backpropagation", dict(bp_step="99", bp_w1="x", bp_t="2")),
    ("Overfitting and regularization", dict(reg_method="magic", reg_l2_rate="5")),
])
def test_bad_url_values_are_ignored_with_a_notice(section, params):
    at = open_page(section, **params)
    assert not at.exception and not at.error
    notice = notices(at)
    assert "ignored" in notice
    for k, v in params.items():
        assert f"{k}={v}" in notice, k


@pytest.mark.parametrize("section, params", [
    ("Neurons and non-linearity", dict(nn_w="-5", nn_b="5", nn_activation="leaky_relu", nn_noise="0.5",
                                       nn_data="abs", nn_depth="10", nn_stack_activation="relu")),
    ("Sums of sigmoids", dict(sig_units="10", sig_w1="20", sig_b1="-20", sig_a1="-3", sig_c="3", sig_w2="0")),
    ("Gradient descent and SGD", dict(gd_neuron_lr="10", gd_steps="300", gd_batch="1", gd_show_momentum="1",
                                      gd_show_adam="1", gd_neuron_start_x="4", gd_neuron_start_y="-4")),
    ("Gradient descent and SGD", dict(gd_surface="local minimum", gd_local_lr="3", gd_steps="300", gd_batch="1",
                                      gd_show_momentum="1", gd_show_adam="1", gd_local_start_x="3")),
    ("Backpropagation", dict(bp_step="23", bp_x1="-1", bp_x2="1", bp_t="1", bp_w1="2", bp_w5="-2", bp_b3="-2")),
    ("Overfitting and regularization", dict(reg_method="L1", reg_l1_rate="0.1")),
])
def test_extreme_values_give_pictures_not_tracebacks(section, params):
    at = open_page(section, **params)
    assert not at.exception and not at.error and "ignored" not in notices(at)
    drawn = [values(trace[axis]) for fig in figures(at) for trace in fig["data"] for axis in ("x", "y", "z")
             if axis in trace]
    assert drawn and not any(np.isinf(v).any() for v in drawn)
    assert all(np.isfinite(v).any() for v in drawn)


def test_the_configuration_link_holds_the_settings():
    at = open_page(pg_lr="0.1", pg_hidden="3")
    link = " ".join(c.value for c in at.code)
    assert "pg_lr=0.1" in link and "pg_hidden=3" in link
