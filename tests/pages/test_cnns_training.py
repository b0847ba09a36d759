"""The CNN page's "Layers of convolutions" in AppTest: the shipped networks with their measured accuracy, URL state
for the data set and the network to train, a short from-scratch training, a diverging learning rate, and a training
that waits its turn on a busy server."""
import threading

import pytest
from streamlit.testing.v1 import AppTest

from core import checkpoints
from core.cnn import from_scratch
from core.ui import cache
from tests.pages import apptest

SECTION = "Layers of convolutions"


def open_section(**params) -> AppTest:
    return apptest.open_page("cnns", SECTION, **params)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def shipped_accuracy(name: str) -> str:
    return f"{checkpoints.read_manifest()[name].metrics['test_accuracy']:.1%}"


def test_the_section_opens_on_the_shipped_fashion_cnn_with_its_measured_accuracy():
    at = open_section()
    assert not at.exception and not at.error and not at.warning
    assert at.segmented_control(key="train_data").value == "Fashion-MNIST"
    assert metrics(at)["Held-out accuracy"] == shipped_accuracy("fashion_cnn")
    assert at.subheader[0].value == "The shipped network: `fashion_cnn`"
    table = at.table[0].value
    assert list(table.index) == ["input", "conv1", "conv2", "conv3", "dense", "output", "total"]
    assert table.loc["conv2", "output"] == "48×7×7" and table.loc["total", "parameters"] == "164,570"
    assert "mistakes in 10,000 held-out images" in " ".join(m.value for m in at.markdown)
    assert at.segmented_control(key="train_layers").value == 3 and at.segmented_control(key="train_width").value == 1
    assert at.select_slider(key="train_steps_fashion").value == from_scratch.SCRATCH_DATA["fashion"].steps and at.select_slider(key="train_lr").value == 0.003
    assert "conv 16 → conv 32 → conv 64 → dense 128 → 10" in captions(at)
    assert "ignored" not in " ".join(i.value for i in at.info)


def test_url_parameters_choose_the_data_and_the_network_to_train():
    at = open_section(train_data="MNIST 5k", train_layers="2", train_width="0.5", train_steps_mnist="1000")
    assert not at.exception and not at.error
    assert at.subheader[0].value == "The shipped network: `mnist_cnn`"
    assert metrics(at)["Held-out accuracy"] == shipped_accuracy("mnist_cnn")
    assert "mistakes in 1,000 held-out images" in " ".join(m.value for m in at.markdown)
    assert "1,000 steps of 128 images; the network: conv 8 → conv 16 → dense 128 → 10" in captions(at)
    assert at.select_slider(key="train_steps_mnist").value == 1000
    at = open_section(train_layers="7", train_lr="42")
    assert not at.exception
    notice = " ".join(i.value for i in at.info)
    assert "train_layers=7" in notice and "train_lr=42" in notice
    assert at.segmented_control(key="train_layers").value == 3


def test_training_from_scratch_finishes_with_a_held_out_verdict_kept_in_the_session():
    at = open_section(train_data="MNIST 5k", train_steps_mnist="20", train_layers="1")
    at.button(key="train_go").click().run()
    assert not at.exception and not at.error
    shown = metrics(at)
    accuracy = float(shown["Your network, held-out accuracy"].rstrip("%")) / 100
    assert 0.3 < accuracy <= 1.0  # 20 steps of a one-layer CNN: far above chance (10%), not yet at the goal
    assert shown["Shipped network"] == shipped_accuracy("mnist_cnn") and shown["Goal"] == "≥ 97%"
    assert "20 of 20 steps" in captions(at) and len(at.get("vega_lite_chart")) == 2
    at.segmented_control(key="train_data").set_value("Fashion-MNIST").run()  # that run belongs to MNIST
    assert "Your network, held-out accuracy" not in metrics(at)
    at.segmented_control(key="train_data").set_value("MNIST 5k").run()  # and stays in the session
    assert metrics(at)["Your network, held-out accuracy"] == shown["Your network, held-out accuracy"]


def test_a_diverging_learning_rate_stops_with_a_message():
    at = open_section(train_data="MNIST 5k", train_steps_mnist="50", train_lr="3")
    at.button(key="train_go").click().run()
    assert not at.exception
    assert any("Training diverged" in e.value and "lower the learning rate" in e.value for e in at.error)
    assert "Your network, held-out accuracy" not in metrics(at)


def test_a_training_on_a_busy_server_waits_its_turn_and_then_trains():
    at = open_section(train_data="MNIST 5k", train_steps_mnist="20")
    other = cache.TRAININGS.join()  # another student's training, ending in two seconds
    assert cache.TRAININGS.start(other, timeout=60)
    threading.Timer(2.0, cache.TRAININGS.leave, [other]).start()
    at.button(key="train_go").click().run()
    assert not at.exception
    assert "Your network, held-out accuracy" in metrics(at)
    assert cache.TRAININGS.busy == (0, 0)


def test_a_stopped_run_is_measured_as_it_was_and_shown_as_stopped():
    at = open_section(train_data="MNIST 5k")
    run = from_scratch.ScratchRun.start(from_scratch.Scratch("mnist", layers=1, width=0.5, steps=40))
    with pytest.raises(Stopped):  # as a click on Stop ends the script run training it
        from_scratch.train(run, from_scratch.scratch_data("mnist"), on_progress=stop_at(5))
    run.status = "stopped"  # as the page marks it on the way out
    at.session_state["_cnn_training_runs"] = {"mnist": run}
    at.run()
    assert not at.exception and not at.error
    assert any("Stopped after 5 of 40 steps" in i.value for i in at.info)
    assert "Your network, held-out accuracy" in metrics(at) and run.accuracy is not None


class Stopped(Exception):
    pass


def stop_at(step: int):
    def progress(s, total, loss):
        if s == step:
            raise Stopped
    return progress
