"""The Playground engine: backprop equals torch autograd, it learns the toy sets, and its URL, CSV and export paths."""
import json
import runpy

import numpy as np
import pytest
import torch

from core.feed_forward.playground import (
    FEATURES,
    JSON_FILE,
    PYTORCH_FILE,
    Network,
    PlaygroundConfig,
    accuracy,
    backward,
    confusion_matrix,
    features,
    forward,
    grid,
    heatmaps,
    is_diverged,
    loss,
    loss_formula,
    outputs,
    penalty_gradient,
    predict,
    read_points_csv,
    sgd_step,
    targets,
    to_json,
    to_pytorch_code,
    toy_data,
    train_epoch,
)

TORCH_ACTIVATIONS = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid, "linear": lambda z: z}
OUTPUT_KINDS = {  # output: (problem, labels that make Network.create choose it)
    "tanh": ("classification", np.array([0, 1])),
    "softmax": ("classification", np.array([0, 1, 2])),
    "linear": ("regression", np.array([0.3, -0.7])),
}


def trained(config: PlaygroundConfig, epochs: int) -> tuple[Network, tuple[np.ndarray, ...]]:
    """A network trained for `epochs` on the config's toy set, and the set (X_train, y_train, X_test, y_test)."""
    data = toy_data(config)
    net, rng = Network.create(config, data[1]), np.random.default_rng(0)
    for _ in range(epochs):
        train_epoch(net, data[0], data[1], config, rng)
    return net, data


def random_network(activation: str, output: str, seed: int = 0) -> tuple[Network, np.ndarray, np.ndarray]:
    """A network (3 inputs, hidden 5-3) with random weights and biases everywhere, and 16 labelled points."""
    problem, labels = OUTPUT_KINDS[output]
    config = PlaygroundConfig(dataset="upload", problem=problem, features=("x1", "x1x2", "sin_x2"), hidden=(5, 3),
                              activation=activation)
    net = Network.create(config, labels)
    rng = np.random.default_rng(seed)
    net.weights = [rng.normal(0, 0.8, W.shape) for W in net.weights]
    net.biases = [rng.normal(0, 0.5, b.shape) for b in net.biases]
    X = rng.uniform(-3, 3, (16, 2))
    y = rng.integers(0, len(labels), 16) if problem == "classification" else rng.normal(0, 1, 16)
    return net, X, y


def torch_objective(net: Network, X: np.ndarray, y: np.ndarray, config: PlaygroundConfig,
                    weights: list[torch.Tensor], biases: list[torch.Tensor]) -> torch.Tensor:
    """The same network and objective written with torch's own ops, so autograd can check backward."""
    h = torch.from_numpy(features(X, net.features))
    for W, b in zip(weights[:-1], biases[:-1]):
        h = TORCH_ACTIVATIONS[net.activation](h @ W + b)
    z = h @ weights[-1] + biases[-1]
    if net.output == "softmax":
        data_loss = torch.nn.functional.cross_entropy(z, torch.from_numpy(y))
    else:
        o = torch.tanh(z) if net.output == "tanh" else z
        data_loss = (0.5 * (o - torch.from_numpy(targets(net, y))) ** 2).mean()
    penalty = {"none": 0, "L1": sum(W.abs().sum() for W in weights), "L2": sum(0.5 * (W**2).sum() for W in weights)}
    return data_loss + config.reg_rate * penalty[config.regularization]


# --- backprop by hand equals autograd --------------------------------------------------------------------------


@pytest.mark.parametrize("regularization", ["none", "L1", "L2"])
@pytest.mark.parametrize("output", OUTPUT_KINDS)
@pytest.mark.parametrize("activation", TORCH_ACTIVATIONS)
def test_hand_written_gradients_equal_torch_autograd(activation, output, regularization):
    net, X, y = random_network(activation, output)
    config = PlaygroundConfig(regularization=regularization, reg_rate=0.03)
    dW, db = backward(net, forward(net, features(X, net.features)), targets(net, y))
    weights = [torch.tensor(W, requires_grad=True) for W in net.weights]
    biases = [torch.tensor(b, requires_grad=True) for b in net.biases]
    torch_objective(net, X, y, config, weights, biases).backward()
    for W, gW, gb, W_t, b_t in zip(net.weights, dW, db, weights, biases):
        np.testing.assert_allclose(gW + penalty_gradient(W, config), W_t.grad.numpy(), rtol=1e-6, atol=1e-12)
        np.testing.assert_allclose(gb, b_t.grad.numpy(), rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("output", OUTPUT_KINDS)
def test_loss_is_the_objective_without_penalty(output):
    net, X, y = random_network("tanh", output)
    weights = [torch.tensor(W) for W in net.weights]
    biases = [torch.tensor(b) for b in net.biases]
    expected = torch_objective(net, X, y, PlaygroundConfig(), weights, biases).item()
    assert loss(net, X, y) == pytest.approx(expected, rel=1e-12)


def test_an_l1_step_that_would_cross_zero_leaves_the_weight_at_zero():
    net, _, _ = random_network("tanh", "tanh")
    net.weights[0][0, 0], net.weights[0][0, 1] = 0.001, 0.5
    before = [W.copy() for W in net.weights]
    zeros = [np.zeros_like(W) for W in net.weights]
    sgd_step(net, zeros, [np.zeros_like(b) for b in net.biases], PlaygroundConfig(regularization="L1", reg_rate=1,
                                                                                 learning_rate=0.01))
    assert net.weights[0][0, 0] == 0  # 0.001 − 0.01 would be −0.009
    assert net.weights[0][0, 1] == pytest.approx(0.49)
    assert not np.array_equal(before[1], net.weights[1])


@pytest.mark.parametrize("output, words", [("tanh", r"\tanh"), ("linear", "o_i = z_i"), ("softmax", r"\log p")])
def test_loss_formula_names_the_loss_and_the_penalty(output, words):
    net, _, _ = random_network("tanh", output)
    assert words in loss_formula(net, PlaygroundConfig())
    assert r"\lambda \sum_w |w|" in loss_formula(net, PlaygroundConfig(regularization="L1"))
    assert r"\tfrac{1}{2} w^2" in loss_formula(net, PlaygroundConfig(regularization="L2"))


# --- it learns what the Playground learns ----------------------------------------------------------------------

EPOCHS_TO_95 = 100  # seeds 0..19 of the defaults reach 95% test accuracy after 22..70 epochs


def test_defaults_learn_the_circle_to_95_percent():
    config = PlaygroundConfig()  # circle, noise 0, x1 x2, hidden 4-2, tanh, lr 0.03, batch 10, half for training
    X_train, y_train, X_test, y_test = toy_data(config)
    net, rng = Network.create(config, y_train), np.random.default_rng(0)
    assert accuracy(net, X_test, y_test) < 0.8
    for epoch in range(1, EPOCHS_TO_95 + 1):
        train_epoch(net, X_train, y_train, config, rng)
        if accuracy(net, X_test, y_test) >= 0.95:
            break
    assert accuracy(net, X_test, y_test) >= 0.95, f"not 95% after {epoch} epochs"
    assert confusion_matrix(net, X_test, y_test).sum() == len(y_test)


def test_xor_with_the_product_feature_learns_in_a_few_epochs():
    net, (_, _, X_test, y_test) = trained(PlaygroundConfig(dataset="xor", features=("x1x2",)), epochs=3)
    assert accuracy(net, X_test, y_test) >= 0.98


def test_three_arm_spiral_with_softmax_beats_chance_by_far():
    config = PlaygroundConfig(dataset="spiral", arms=3, features=FEATURES, hidden=(8, 8, 8))
    net, (_, _, X_test, y_test) = trained(config, epochs=300)
    assert net.output == "softmax"
    assert accuracy(net, X_test, y_test) >= 0.6  # chance is 1/3
    counts = confusion_matrix(net, X_test, y_test)
    assert counts.shape == (3, 3) and np.trace(counts) / counts.sum() == pytest.approx(accuracy(net, X_test, y_test))


def test_regression_on_the_plane_drives_the_loss_down():
    config = PlaygroundConfig(dataset="plane", problem="regression")
    before, _ = trained(config, epochs=0)
    after, (_, _, X_test, y_test) = trained(config, epochs=20)
    assert after.output == "linear"
    assert loss(after, X_test, y_test) < 0.1 * loss(before, X_test, y_test)


@pytest.mark.filterwarnings("error")  # not even a RuntimeWarning may escape
def test_learning_rate_10_with_relu_diverges_and_is_detected_without_an_exception():
    # regression: its linear output lets the error grow without bound (a tanh output saturates instead)
    config = PlaygroundConfig(dataset="plane", problem="regression", activation="relu", learning_rate=10)
    net, (X_train, y_train, X_test, y_test) = trained(config, epochs=1)
    rng = np.random.default_rng(0)
    for _ in range(30):
        train_epoch(net, X_train, y_train, config, rng)
        if is_diverged(net, loss(net, X_test, y_test)):
            break
    assert is_diverged(net, loss(net, X_test, y_test))
    heatmaps(net, resolution=10)
    predict(net, X_test)


def test_a_healthy_network_is_not_diverged():
    net, (_, _, X_test, y_test) = trained(PlaygroundConfig(), epochs=5)
    assert not is_diverged(net, loss(net, X_test, y_test))
    assert is_diverged(net, float("nan"))


# --- heat maps -------------------------------------------------------------------------------------------------


def test_heatmaps_have_one_map_per_input_and_hidden_neuron_and_output_matches_predict():
    net, _ = trained(PlaygroundConfig(features=("x1", "x2", "x1x2"), hidden=(4, 2)), epochs=5)
    output, layers = heatmaps(net, resolution=50)
    assert output.shape == (50, 50)
    assert [layer.shape for layer in layers] == [(3, 50, 50), (4, 50, 50), (2, 50, 50)]
    points = grid(50)
    np.testing.assert_allclose(output.ravel(), outputs(net, points)[:, 0], rtol=1e-12)
    assert np.array_equal((output.ravel() >= 0).astype(np.int64), predict(net, points))


def test_heatmaps_are_drawn_top_row_first():
    net, _ = trained(PlaygroundConfig(), epochs=0)
    _, layers = heatmaps(net, resolution=5)
    x1, x2 = layers[0]
    assert x1[0].tolist() == [-6, -3, 0, 3, 6]  # left to right
    assert x2[:, 0].tolist() == [6, 3, 0, -3, -6]  # top to bottom


def test_softmax_heatmap_shows_the_predicted_class():
    net, _, _ = random_network("tanh", "softmax")
    output, _ = heatmaps(net, resolution=30)
    assert np.array_equal(output.ravel(), predict(net, grid(30)))


# --- the settings ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("settings, reason", [
    ({"learning_rate": 11}, "learning_rate must be between 1e-05 and 10"),
    ({"learning_rate": float("nan")}, "learning_rate must be between"),
    ({"batch_size": 0}, "batch_size must be between 1 and 30"),
    ({"train_fraction": 0.95}, "train_fraction must be between 0.1 and 0.9"),
    ({"noise": 0.6}, "noise must be between 0 and 0.5"),
    ({"hidden": (4, 9)}, "a hidden layer has 1 to 8 neurons"),
    ({"hidden": (1,) * 7}, "at most 6 hidden layers"),
    ({"features": ("x3",)}, "features must be among"),
    ({"features": ()}, "choose at least one feature"),
    ({"features": ("x1", "x1")}, "a feature is listed twice"),
    ({"activation": "elu"}, "activation must be one of"),
    ({"regularization": "L3"}, "regularization must be one of"),
    ({"reg_rate": -1}, "reg_rate must be between 0 and 10"),
    ({"dataset": "plane"}, "dataset must be one of circle, xor, gauss, spiral, upload for classification"),
    ({"problem": "ranking"}, "problem must be one of"),
    ({"arms": 4}, "arms must be 2 or 3"),
    ({"n_points": 5}, "n_points must be between 10 and 5000"),
    ({"seed": -1}, "seed must be 0 or more"),
])
def test_settings_out_of_range_are_refused_with_a_reason(settings, reason):
    with pytest.raises(ValueError, match=reason.replace("(", r"\(")):
        PlaygroundConfig(**settings)


# --- uploaded CSV ----------------------------------------------------------------------------------------------


def csv_bytes(header: str, rows: list[str], sep: str = ",") -> bytes:
    """A CSV file's bytes from a header and rows written with commas (replaced by sep)."""
    return "\n".join([header, *rows]).replace(",", sep).encode()


GOOD_ROWS = [f"{i % 5 - 2},{i % 3 - 1},{i % 2}" for i in range(12)]


def test_csv_with_x1_x2_label_reads_as_float_points_and_int_classes():
    X, y, note = read_points_csv(csv_bytes("x1,x2,label", GOOD_ROWS), "classification")
    assert X.shape == (12, 2) and X.dtype == np.float32 and y.dtype == np.int64
    assert y.tolist() == [i % 2 for i in range(12)] and X[1].tolist() == [-1, 0] and note == ""


def test_csv_with_semicolons_decimal_commas_and_minus_one_labels():
    rows = [f"{i / 4};{-i / 8};{1 if i % 2 else -1}".replace(".", ",") for i in range(12)]
    X, y, _ = read_points_csv("x;y;label\n".encode() + "\n".join(rows).encode(), "classification")
    assert X[2].tolist() == [0.5, -0.25] and y.tolist() == [i % 2 for i in range(12)]


def test_csv_with_bom_crlf_blank_lines_extra_columns_and_column_order():
    text = "\ufeffid,label,x2,x1\r\n" + "\r\n".join(f"{i},{i % 3},{i / 2},{-i / 10}\r\n" for i in range(12))
    X, y, _ = read_points_csv(text.encode(), "classification")
    assert X[5].tolist() == pytest.approx([-0.5, 2.5]) and y.tolist() == [i % 3 for i in range(12)]


def test_csv_coordinates_outside_the_canvas_are_rescaled_and_say_so():
    rows = [f"{100 + 10 * i},{i},{i / 10}" for i in range(21)]
    X, y, note = read_points_csv(csv_bytes("x1,x2,label", rows), "regression")
    assert np.abs(X).max() <= 6 and X[:, 0].min() == -6 and X[:, 0].max() == 6
    assert X[:, 1].max() - X[:, 1].min() == pytest.approx(12 * 20 / 200)  # both axes by the same scale
    assert "scaled by 0.06" in note and "[-6, 6]" in note
    assert y.dtype == np.float32 and y[3] == pytest.approx(0.3)


@pytest.mark.parametrize("data, problem, message", [
    (b"", "classification", "The file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "classification", "binary file"),
    ("x1,x2,label\n1,2,é\n".encode("latin-1"), "classification", "not UTF-8"),
    (csv_bytes("a,b,c", GOOD_ROWS), "classification", "needs the columns x1, x2 and label .* has a, b, c"),
    (csv_bytes("1,2,0", GOOD_ROWS), "classification", "first line must be a header"),
    (csv_bytes("x1,x2,label", GOOD_ROWS[:9]), "classification", "has 9 points; at least 10"),
    (csv_bytes("x1,x2,label", GOOD_ROWS * 420), "classification", "5,040 points; the limit is 5,000"),
    (csv_bytes("x1,x2,label", [*GOOD_ROWS, "1,two,0"]), "classification", "Line 14: the x2 value 'two' is not a"),
    (csv_bytes("x1,x2,label", [*GOOD_ROWS, "1,,0"]), "classification", "Line 14: the x2 value is empty"),
    (csv_bytes("x1,x2,label", [*GOOD_ROWS, "nan,1,0"]), "classification", "x1 value is nan; .* finite"),
    (csv_bytes("x1,x2,label", [*GOOD_ROWS, "1,1"]), "classification", "Line 14 has 2 values; the column label"),
    (csv_bytes("x1,x2,label", [*GOOD_ROWS, "1,1,0.5"]), "classification", "label 0.5 is not a whole number"),
    (csv_bytes("x1,x2,label", [*GOOD_ROWS, "1,1,12"]), "classification", "Line 14: the label 12 is not a class"),
    (csv_bytes("x1,x2,label", [f"0,0,{i}" for i in range(11)]), "classification", "11 classes; the limit is 10"),
    (csv_bytes("x1,x2,label", [f"{i},0,3" for i in range(11)]), "classification", "at least two classes"),
    (csv_bytes("x1,x2,label", [*GOOD_ROWS, "1,1,inf"]), "regression", "label value is inf; .* finite"),
])
def test_bad_csv_is_refused_in_plain_english(data, problem, message):
    with pytest.raises(ValueError, match=message):
        read_points_csv(data, problem)


# --- export ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("config", [
    PlaygroundConfig(),
    PlaygroundConfig(dataset="spiral", arms=3, features=FEATURES, hidden=(6, 3), activation="relu"),
    PlaygroundConfig(dataset="multi_gauss", problem="regression", features=("x1^2", "sin_x1", "x2"),
                     hidden=(5,), activation="sigmoid"),
    PlaygroundConfig(dataset="gauss", hidden=(), activation="linear"),
])
def test_exported_pytorch_script_with_its_json_computes_what_the_page_does(config, tmp_path):
    net, _ = trained(config, epochs=3)
    (tmp_path / PYTORCH_FILE).write_text(to_pytorch_code(net))
    (tmp_path / JSON_FILE).write_text(to_json(net, config))
    default_dtype = torch.get_default_dtype()
    try:  # the script sets float64 as torch's default, for the rest of its process: keep it out of ours
        script = runpy.run_path(str(tmp_path / PYTORCH_FILE))
        points = np.random.default_rng(1).uniform(-6, 6, (200, 2))
        with torch.no_grad():
            theirs = script["model"](script["features"](torch.from_numpy(points))).numpy()
    finally:
        torch.set_default_dtype(default_dtype)
    np.testing.assert_allclose(theirs, outputs(net, points), atol=1e-5, rtol=0)
    assert torch.get_default_dtype() == torch.float32
    saved = json.loads((tmp_path / JSON_FILE).read_text())
    assert PlaygroundConfig(**saved["config"]) == config and saved["output"] == net.output
