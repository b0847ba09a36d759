// The 2-D GAN's engine for the browser: the maths of core/generative/gan2d.py (generator and discriminator MLPs,
// the log or least-squares losses, Adam with betas (0.5, 0.999)) in float64, the matrix products in WebAssembly SIMD
// (gan2d_products.wat). From the same start and the same samples it trains as torch does in double precision
// (tests/unit/test_gan2d_browser_engine.py). Values are kept neuron by neuron, (neurons × points), in the products'
// memory; weights (out × in) row by row, as torch keeps them.
// The GAN Lab plays it in the student's browser (gan2d_view.js).

const GAN_PRODUCTS = new WebAssembly.Module(Uint8Array.from(atob(GAN2D_PRODUCTS_WASM), (c) => c.charCodeAt(0)));
const ADAM_BETAS = [0.5, 0.999], ADAM_EPS = 1e-8, LEAKY_SLOPE = 0.2;
const DIVERGED = 1e3;  // a loss or a generated coordinate this large (or NaN): training blew up, as core decides

function ganMemory() {
  // The products' memory, handed out in pieces: take(values) → {offset (bytes), view (a Float64Array, once open())}.
  const { exports } = new WebAssembly.Instance(GAN_PRODUCTS), pieces = [];
  let end = 0;
  return {
    exports,
    take(values) {
      const piece = { offset: end, values };
      end += Math.ceil(values / 2) * 16;
      pieces.push(piece);
      return piece;
    },
    open() {
      // Once every piece is taken: grow the memory to hold them and give each its view.
      const { memory } = exports;
      memory.grow(Math.max(0, Math.ceil(end / 65536) - memory.buffer.byteLength / 65536));
      pieces.forEach((piece) => { piece.view = new Float64Array(memory.buffer, piece.offset, piece.values); });
    },
  };
}

function ganNetwork(memory, layers, activation) {
  // One MLP from torch's state: layers = [{weight (out × in nested lists), bias}], ReLU or leaky ReLU between.
  // steps: Adam's count of updates.
  return {
    activation, steps: 0,
    layers: layers.map(({ weight, bias }) => {
      const fanOut = weight.length, fanIn = weight[0].length;
      return { fanIn, fanOut, start: { weight: weight.flat(), bias }, w: memory.take(fanOut * fanIn),
        b: memory.take(fanOut), gw: memory.take(fanOut * fanIn), gb: memory.take(fanOut),
        moments: [new Float64Array(fanOut * fanIn), new Float64Array(fanOut * fanIn), new Float64Array(fanOut),
          new Float64Array(fanOut)] };
    }),
  };
}

function passBuffers(memory, net, n) {
  // Room for one pass of n points: each layer's outputs and their gradients, the input and its gradient.
  return { n, input: memory.take(net.layers[0].fanIn * n), inputGradient: memory.take(net.layers[0].fanIn * n),
    outputs: net.layers.map((layer) => memory.take(layer.fanOut * n)),
    gradients: net.layers.map((layer) => memory.take(layer.fanOut * n)) };
}

const slopeOf = (net) => (net.activation === "relu" ? 0 : LEAKY_SLOPE);

function forwardPass(exports, net, pass) {
  // Every layer's outputs for pass.input; the last layer's are left as they are (D's logit, G's point).
  const last = net.layers.length - 1;
  net.layers.forEach((layer, l) => {
    const a = l ? pass.outputs[l - 1] : pass.input, z = pass.outputs[l];
    exports.product(a.offset, layer.fanIn, layer.w.offset, layer.fanIn, 1, layer.b.offset, z.offset, layer.fanOut, pass.n,
      l < last ? 1 : 0, -1, slopeOf(net));
  });
}

function backwardPass(exports, net, pass, { weights, input }) {
  // From the gradient of the loss at the last layer's outputs (pass.gradients.at(-1)) back through the network:
  // the weights' gradients (into gw, gb) if `weights`, the input's (into pass.inputGradient) if `input`.
  for (let l = net.layers.length - 1; l >= 0; l--) {
    const layer = net.layers[l], d = pass.gradients[l], a = l ? pass.outputs[l - 1] : pass.input, { n } = pass;
    if (weights) {
      exports.outer(d.offset, layer.fanOut, a.offset, layer.fanIn, n, layer.gw.offset);
      for (let j = 0; j < layer.fanOut; j++) {
        let sum = 0;
        for (let p = 0; p < n; p++) sum += d.view[j * n + p];
        layer.gb.view[j] = sum;
      }
    }
    if (!l && !input) break;
    const below = l ? pass.gradients[l - 1] : pass.inputGradient;  // through the activation below, if any
    exports.product(d.offset, layer.fanOut, layer.w.offset, 1, layer.fanIn, -1, below.offset, layer.fanIn, n, 0,
      l ? a.offset : -1, slopeOf(net));
  }
}

function adamStep(net, lr, t) {
  // torch.optim.Adam (betas 0.5, 0.999; eps 1e-8) at step t, from the gradients in gw, gb.
  const [beta1, beta2] = ADAM_BETAS, stepSize = lr / (1 - beta1 ** t), root = Math.sqrt(1 - beta2 ** t);
  net.layers.forEach((layer) => {
    [[layer.w.view, layer.gw.view, layer.moments[0], layer.moments[1]],
      [layer.b.view, layer.gb.view, layer.moments[2], layer.moments[3]]].forEach(([param, grad, m, v]) => {
      for (let q = 0; q < param.length; q++) {
        const g = grad[q];
        m[q] += (g - m[q]) * (1 - beta1);
        v[q] = v[q] * beta2 + g * g * (1 - beta2);
        param[q] -= (stepSize * m[q]) / (Math.sqrt(v[q]) / root + ADAM_EPS);
      }
    });
  });
}

const softplus = (x) => (x > 20 ? x : Math.log1p(Math.exp(x)));  // as torch: x itself past 20
const logistic = (x) => 1 / (1 + Math.exp(-x));

function lossGradient(loss, outputs, target, weight) {
  // Writes into `outputs`' place the gradient of `weight` · mean loss of one half at D's raw outputs, toward
  // `target` (1 real, 0 fake); returns that half's mean loss.
  let total = 0;
  for (let p = 0; p < outputs.length; p++) {
    const a = outputs[p];
    if (loss === "log") {
      total += softplus(target ? -a : a);
      outputs[p] = (logistic(a) - target) * weight;
    } else {
      total += 0.5 * (a - target) ** 2;
      outputs[p] = (a - target) * weight;
    }
  }
  return total / outputs.length;
}

const CANVAS = 3;  // every picture shows [-3, 3]²
const orNaN = (v) => (v === null ? NaN : v);  // JSON sends NaN as null

function canvasGrid(resolution, input) {
  // The canvas's points into `input` (2 × R²), row by row from the top (y = +3): core's grid(), whose coordinates
  // are float32.
  const cells = resolution * resolution, step = (2 * CANVAS) / (resolution - 1);
  const ticks = Array.from({ length: resolution }, (_, c) => Math.fround(c === resolution - 1 ? CANVAS : -CANVAS + c * step));
  for (let r = 0; r < resolution; r++) {
    for (let c = 0; c < resolution; c++) {
      input[r * resolution + c] = ticks[c];
      input[cells + r * resolution + c] = ticks[resolution - 1 - r];
    }
  }
}

export function ganEngine(start, settings, { mapResolution = 64, evalNoise = null, arrows = 0 } = {}) {
  // start: {G, D: torch's layers as [{weight, bias}]}; settings: {loss, batch, noiseDim, gLr, dLr, dSteps}.
  // iterate(sample) = one iteration: dSteps updates of D on a real and a generated half, then one of G; sample
  // gives the points: sample.noise(n) → (n × noiseDim) row by row, sample.real(n) → (n × 2). After a blow-up
  // (`diverged`) it does nothing. evalNoise: the fixed noise (m × noiseDim, m a multiple of 8) that
  // generatedFixed() turns into points; arrows: how many points pushes() takes at most.
  const memory = ganMemory(), n = settings.batch, rates = { ...settings };
  const G = ganNetwork(memory, start.G, "relu"), D = ganNetwork(memory, start.D, "leaky");
  const generate = passBuffers(memory, G, n), judgeBoth = passBuffers(memory, D, 2 * n), judge = passBuffers(memory, D, n);
  const canvas = passBuffers(memory, D, mapResolution ** 2);  // the discriminator over the canvas (R² a multiple of 8)
  const fixed = evalNoise && passBuffers(memory, G, evalNoise.length / settings.noiseDim);
  const pushed = passBuffers(memory, D, Math.max(8, Math.ceil(arrows / 8) * 8));
  memory.open();
  canvasGrid(mapResolution, canvas.input.view);
  [G, D].forEach((net) => net.layers.forEach((layer) => { layer.w.view.set(layer.start.weight); layer.b.view.set(layer.start.bias); }));
  const { exports } = memory, k = settings.noiseDim;
  const transpose = (rows, input, m) => {
    for (let p = 0; p < m; p++) for (let i = 0; i < k; i++) input[i * m + p] = rows[p * k + i];
  };
  if (fixed) transpose(evalNoise, fixed.input.view, fixed.n);
  const generated = (sample) => {
    transpose(sample.noise(n), generate.input.view, n);
    forwardPass(exports, G, generate);
    return generate.outputs.at(-1).view;  // (2 × n)
  };
  const engine = {
    G, D, iteration: 0, history: [], diverged: false,
    iterate(sample) {
      if (this.diverged) return;
      let dLoss = 0;
      for (let s = 0; s < rates.dSteps; s++) {
        const fake = generated(sample), real = sample.real(n), input = judgeBoth.input.view;
        for (let p = 0; p < n; p++) {
          input[p] = real[2 * p];
          input[2 * n + p] = real[2 * p + 1];
          input[n + p] = fake[p];
          input[3 * n + p] = fake[n + p];
        }
        forwardPass(exports, D, judgeBoth);
        const out = judgeBoth.outputs.at(-1).view, gradient = judgeBoth.gradients.at(-1).view;
        gradient.set(out);
        dLoss = lossGradient(settings.loss, gradient.subarray(0, n), 1, 1 / n) + lossGradient(settings.loss, gradient.subarray(n), 0, 1 / n);
        backwardPass(exports, D, judgeBoth, { weights: true, input: false });
        adamStep(D, rates.dLr, ++D.steps);
      }
      const fake = generated(sample);
      judge.input.view.set(fake);
      forwardPass(exports, D, judge);
      const gradient = judge.gradients.at(-1).view;
      gradient.set(judge.outputs.at(-1).view);
      const gLoss = lossGradient(settings.loss, gradient, 1, 1 / n);
      backwardPass(exports, D, judge, { weights: false, input: true });
      generate.gradients.at(-1).view.set(judge.inputGradient.view);
      backwardPass(exports, G, generate, { weights: true, input: false });
      adamStep(G, rates.gLr, ++G.steps);
      this.iteration += 1;
      this.history.push([this.iteration, dLoss, gLoss]);
      this.diverged = !(Math.max(dLoss, gLoss) < DIVERGED && fake.every((x) => Math.abs(x) < DIVERGED));
    },
    discriminatorMap() {
      // D over the canvas, (R × R) top row first, as core's discriminator_map: the probability of "real" for the
      // log loss, the least-squares output clipped to [0, 1]; NaN as 0.5.
      forwardPass(exports, D, canvas);
      return canvas.outputs.at(-1).view.map((a) => {
        const value = settings.loss === "log" ? logistic(a) : Math.min(1, Math.max(0, a));
        return Number.isNaN(value) ? 0.5 : value;
      });
    },
    configure({ gLr, dLr, dSteps }) {
      // The learning rates and D steps change in place, Adam's moments kept (as core's set_rates).
      Object.assign(rates, { gLr, dLr, dSteps });
    },
    generatedFixed() {
      // The generator's points for the fixed noise, (2 × m) neuron by neuron.
      forwardPass(exports, G, fixed);
      return fixed.outputs.at(-1).view;
    },
    pushes(points, m) {
      // ∂L_G/∂x at the first m points of `points` (2 × its own length, neuron by neuron), per point (the loss
      // summed, not averaged), as core's generator_gradients: (2 × m') with m' ≥ m, point p at [p] and [m' + p].
      const input = pushed.input.view, size = pushed.n, from = points.length / 2;
      input.fill(0);
      for (let p = 0; p < Math.min(m, size); p++) {
        input[p] = points[p];
        input[size + p] = points[from + p];
      }
      forwardPass(exports, D, pushed);
      const gradient = pushed.gradients.at(-1).view;
      gradient.set(pushed.outputs.at(-1).view);
      lossGradient(rates.loss, gradient, 1, 1);
      backwardPass(exports, D, pushed, { weights: false, input: true });
      return pushed.inputGradient.view;
    },
    state() {
      // Everything training goes on from: both networks' weights, Adam's moments and counts, the history.
      const net = (network) => ({ layers: this.weights(network), steps: network.steps,
        moments: network.layers.map((layer) => layer.moments.map((m) => Array.from(m))) });
      return { iteration: this.iteration, diverged: this.diverged, history: this.history, G: net(G), D: net(D) };
    },
    restore(state) {
      // Back to a state() (values JSON could not carry, sent as null, come back as NaN).
      [[G, state.G], [D, state.D]].forEach(([network, saved]) => {
        network.steps = saved.steps;
        network.layers.forEach((layer, l) => {
          const { weight, bias } = saved.layers[l];
          layer.w.view.set(weight.flat().map(orNaN));
          layer.b.view.set(bias.map(orNaN));
          layer.moments.forEach((m, q) => m.set(saved.moments[l][q].map(orNaN)));
        });
      });
      this.iteration = state.iteration;
      this.history = state.history.map((row) => row.map(orNaN));
      this.diverged = state.diverged;
    },
    weights(net) {
      // torch's layers as [{weight (out × in nested lists), bias}]
      return net.layers.map((layer) => ({
        weight: Array.from({ length: layer.fanOut }, (_, j) => Array.from(layer.w.view.subarray(j * layer.fanIn, (j + 1) * layer.fanIn))),
        bias: Array.from(layer.b.view) }));
    },
  };
  return engine;
}
