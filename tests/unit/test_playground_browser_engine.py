"""The Playground's browser engine (core/feed_forward/ui/playground_engine.js) run in Node agrees with core's numpy
engine: from the same start and the same order of points, the weights after 50 epochs, the loss and every heat map
are equal within 1e-9 (the maps as drawn, by the WebAssembly pass in float32, within 2e-5: a colour step is 1/128)."""
import numpy as np
import pytest

from core.feed_forward import playground as pg
from core.feed_forward.ui import playground_live as section
from core.mulberry32 import Mulberry32

EPOCHS = 50
RUNNER = """
const input = JSON.parse(require_stdin());
const net = playgroundNetwork(input.start);
const train = featureColumns(input.points, net.features), targets = targetColumns(net, input.labels);
const rng = mulberry32(input.seed), n = input.labels.length, cells = input.resolution ** 2;
for (let e = 0; e < input.epochs; e++) trainEpoch(net, train, targets, rng.permutation(n), input.settings);
const loss = meanLoss(net, train, targets, n);
const grid = featureColumns(canvasGrid(input.resolution), net.features);
const exact = forward(net, grid, cells), drawn = mapPass(net, grid, cells)();
const maps = (layers) => layers.slice(0, -1).map((a) => Array.from(a));
console.log(JSON.stringify({ weights: networkWeights(net), biases: net.biases.map((b) => Array.from(b)), loss,
  maps: maps(exact), drawn: maps(drawn), output: Array.from(decision(net, exact.at(-1), cells)),
  drawnOutput: Array.from(decision(net, drawn.at(-1), cells)), diverged: isDiverged(net, loss) }));
"""
STDIN = "import { readFileSync } from 'node:fs';\nconst require_stdin = () => readFileSync(0, 'utf8');\n"

CONFIGS = {
    "defaults: circle, tanh, 4-2": pg.PlaygroundConfig(),
    "xor, relu, L1, batch 1": pg.PlaygroundConfig(dataset="xor", activation="relu", regularization="L1",
                                                  reg_rate=0.003, batch_size=1, hidden=(3,)),
    "gauss, sigmoid, L2, 7 features, 6 layers of 8": pg.PlaygroundConfig(
        dataset="gauss", activation="sigmoid", regularization="L2", reg_rate=0.01, features=pg.FEATURES,
        hidden=(8,) * 6, learning_rate=0.1, noise=0.2),
    "spiral of 3 arms, softmax, tanh, 8-8": pg.PlaygroundConfig(dataset="spiral", arms=3, features=pg.FEATURES,
                                                               hidden=(8, 8), learning_rate=0.03, batch_size=7),
    "regression on the plane, linear, no hidden layer": pg.PlaygroundConfig(
        dataset="plane", problem="regression", activation="linear", hidden=(), learning_rate=0.01),
    "regression multi-gaussian, relu, L2": pg.PlaygroundConfig(
        dataset="multi_gauss", problem="regression", activation="relu", hidden=(6, 3), regularization="L2",
        reg_rate=0.001, batch_size=30, noise=0.1),
}


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS)
def test_the_browser_engine_trains_as_the_numpy_engine(config, node):
    X, y, _, _ = pg.toy_data(config)
    net = pg.Network.create(config, y)
    start = section.start_of(net)
    resolution = 22  # the map pass takes four cells at a time: 484 of them
    got = node(section.engine_script() + STDIN + RUNNER, {
        "start": start, "points": X.astype(np.float64).ravel().tolist(), "labels": y.tolist(), "seed": config.seed,
        "epochs": EPOCHS, "settings": section.settings_of(config), "resolution": resolution})
    rng = Mulberry32(config.seed)
    for _ in range(EPOCHS):
        pg.train_epoch(net, X, y, config, rng)
    for W, W_js, b, b_js in zip(net.weights, got["weights"], net.biases, got["biases"]):
        np.testing.assert_allclose(W_js, W, rtol=0, atol=1e-9)
        np.testing.assert_allclose(b_js, b, rtol=0, atol=1e-9)
    assert got["loss"] == pytest.approx(pg.loss(net, X, y), abs=1e-9)
    output, layers = pg.heatmaps(net, resolution)
    np.testing.assert_allclose(np.reshape(got["output"], output.shape), output, atol=1e-9)
    np.testing.assert_allclose(np.reshape(got["drawnOutput"], output.shape), output, atol=2e-5)
    for maps, exact, drawn in zip(layers, got["maps"], got["drawn"]):
        np.testing.assert_allclose(np.reshape(exact, maps.shape), maps, atol=1e-9)
        np.testing.assert_allclose(np.reshape(drawn, maps.shape), maps, atol=2e-5)
    assert not got["diverged"] and not pg.is_diverged(net)

