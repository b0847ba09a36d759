// TensorFlow Playground's engine in the browser: the maths of core/feed_forward/playground.py on typed arrays, summed in the
// same order, so that Node's results equal numpy's to rounding (tests/unit/test_playground_browser_engine.py).
// A network is {features, activation, output, widths, weights, biases}; weights[l] is a Float64Array of
// (fan_in × fan_out) in row-major order, as numpy keeps it, and biases[l] a Float64Array of fan_out.
// A layer's values for n points are kept neuron by neuron, (neurons × n): each neuron's row is its heat map.

const FEATURE_FUNCTIONS = {
  "x1": (x1, x2) => x1,
  "x2": (x1, x2) => x2,
  "x1^2": (x1, x2) => x1 * x1,
  "x2^2": (x1, x2) => x2 * x2,
  "x1x2": (x1, x2) => x1 * x2,
  "sin_x1": (x1, x2) => Math.sin(x1),
  "sin_x2": (x1, x2) => Math.sin(x2),
};

// tanh to double precision (within 2 units in the last place of Math.tanh), about twice as fast as Math.tanh in V8:
// Cephes' rational function below 0.625, e^{2|z|} above (Cephes' tanh.c).
const TANH_P = [-9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3];
const TANH_Q = [1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3];

function tanh(z) {
  const a = Math.abs(z);
  if (a < 0.625) {
    const y = z * z;
    return z + (z * y * ((TANH_P[0] * y + TANH_P[1]) * y + TANH_P[2])) / (((y + TANH_Q[0]) * y + TANH_Q[1]) * y + TANH_Q[2]);
  }
  if (a > 22) return Math.sign(z);  // e^{44} and beyond: ±1 to double precision
  const t = 1 - 2 / (Math.exp(2 * a) + 1);  // NaN stays NaN
  return z < 0 ? -t : t;
}

function activate(name, z) {
  // z ← f(z) in place
  if (name === "tanh") for (let q = 0; q < z.length; q++) z[q] = tanh(z[q]);
  else if (name === "relu") for (let q = 0; q < z.length; q++) { if (z[q] < 0) z[q] = 0; }
  else if (name === "sigmoid") for (let q = 0; q < z.length; q++) z[q] = 1 / (1 + Math.exp(-z[q]));
}

function slope(name, a) {
  // f'(z) written with the output a = f(z), which is all backprop keeps
  if (name === "tanh") return 1 - a * a;
  if (name === "relu") return a > 0 ? 1 : 0;
  if (name === "sigmoid") return a * (1 - a);
  return 1;
}

export function playgroundNetwork({ features, activation, output, weights, biases }) {
  const widths = [weights[0].length, ...biases.map((b) => b.length)];
  return {
    features, activation, output, widths,
    weights: weights.map((W) => Float64Array.from(W.flat())),
    biases: biases.map((b) => Float64Array.from(b)),
  };
}

export function networkWeights(net) {
  // The weights as nested lists (fan_in × fan_out), as core.playground.Network keeps them.
  return net.weights.map((W, l) => Array.from({ length: net.widths[l] },
    (_, i) => Array.from(W.subarray(i * net.widths[l + 1], (i + 1) * net.widths[l + 1]))));
}

export function featureColumns(points, names) {
  // Points (n × 2, row-major) → the input layer (features × n).
  const n = points.length / 2, F = new Float64Array(names.length * n);
  names.forEach((name, f) => {
    const feature = FEATURE_FUNCTIONS[name];
    for (let p = 0; p < n; p++) F[f * n + p] = feature(points[2 * p], points[2 * p + 1]);
  });
  return F;
}

export function targetColumns(net, labels) {
  // Labels → the output layer's targets (outputs × n): −1/+1 for two classes, one-hot for softmax, y otherwise.
  const n = labels.length, T = new Float64Array(net.widths.at(-1) * n);
  labels.forEach((y, p) => {
    if (net.output === "softmax") T[y * n + p] = 1;
    else T[p] = net.output === "tanh" ? 2 * y - 1 : y;
  });
  return T;
}

function softmaxColumns(z, n, k) {
  // p_c = e^{z_c} / Σ_k e^{z_k} per point, shifted by the point's max so e^z cannot overflow.
  for (let p = 0; p < n; p++) {
    let max = -Infinity, sum = 0;
    for (let c = 0; c < k; c++) max = Math.max(max, z[c * n + p]);
    for (let c = 0; c < k; c++) sum += (z[c * n + p] = Math.exp(z[c * n + p] - max));
    for (let c = 0; c < k; c++) z[c * n + p] /= sum;
  }
}

export function layerBuffers(net, n) {
  // Room for every layer's values for n points, so that training and drawing allocate nothing.
  return net.widths.slice(1).map((width) => new Float64Array(width * n));
}

function affine(a, W, b, z, n, fanIn, fanOut) {
  // z = a W + b for n points (a: fan_in × n, z: fan_out × n), each sum taken over the inputs in order, then the bias.
  for (let j = 0; j < fanOut; j++) {
    const row = j * n, bias = b[j];
    for (let p = 0; p < n; p++) {
      let sum = 0;
      for (let i = 0, at = p, w = j; i < fanIn; i++, at += n, w += fanOut) sum += a[at] * W[w];
      z[row + p] = sum + bias;
    }
  }
}

export function forward(net, F, n, buffers = layerBuffers(net, n)) {
  // Every layer's values for the input layer F (features × n): [F, hidden 1, ..., output].
  const last = net.weights.length - 1, activations = [F];
  for (let l = 0; l <= last; l++) {
    const z = buffers[l];
    affine(activations[l], net.weights[l], net.biases[l], z, n, net.widths[l], net.widths[l + 1]);
    if (l < last) activate(net.activation, z);
    else if (net.output === "softmax") softmaxColumns(z, n, net.widths[l + 1]);
    else activate(net.output, z);
    activations.push(z);
  }
  return activations;
}

function backward(net, activations, T, n, gradients, deltas) {
  // Gradients (dL/dW, dL/db) per layer of the batch's mean loss, by the chain rule from the output back.
  const o = activations.at(-1);
  let delta = deltas.at(-1);
  for (let q = 0; q < o.length; q++) {  // softmax with cross-entropy: dL/dz = o − t
    delta[q] = ((o[q] - T[q]) * (net.output === "tanh" ? 1 - o[q] * o[q] : 1)) / n;
  }
  for (let l = net.weights.length - 1; l >= 0; l--) {
    const a = activations[l], fanIn = net.widths[l], fanOut = net.widths[l + 1], W = net.weights[l];
    const [gW, gb] = gradients[l];
    for (let i = 0; i < fanIn; i++) {
      for (let j = 0; j < fanOut; j++) {
        let sum = 0;
        for (let p = 0; p < n; p++) sum += a[i * n + p] * delta[j * n + p];
        gW[i * fanOut + j] = sum;
      }
    }
    for (let j = 0; j < fanOut; j++) {
      let sum = 0;
      for (let p = 0; p < n; p++) sum += delta[j * n + p];
      gb[j] = sum;
    }
    if (l) {
      const below = deltas[l - 1];
      for (let i = 0; i < fanIn; i++) {
        for (let p = 0; p < n; p++) {
          let sum = 0;
          for (let j = 0; j < fanOut; j++) sum += delta[j * n + p] * W[i * fanOut + j];
          below[i * n + p] = sum * slope(net.activation, a[i * n + p]);
        }
      }
      delta = below;
    }
  }
}

function sgdStep(net, gradients, { learningRate: lr, regularization, regRate }) {
  // w ← w − η(dL/dw + λR'(w)), b ← b − η dL/db; an L1 step carrying a weight across zero stops at 0.
  net.weights.forEach((W, l) => {
    const [gW, gb] = gradients[l], b = net.biases[l];
    for (let q = 0; q < W.length; q++) {
      const w = W[q];
      const penalty = regularization === "L1" ? regRate * Math.sign(w) : regularization === "L2" ? regRate * w : 0;
      const stepped = w - lr * gW[q];
      const decayed = stepped - lr * penalty;
      W[q] = regularization === "L1" && stepped * decayed < 0 ? 0 : decayed;
    }
    for (let j = 0; j < b.length; j++) b[j] -= lr * gb[j];
  });
}

const BATCH_ROOM = new WeakMap();  // network → room for one batch of each size met: gradients, layers, deltas, columns

function batchRoom(net, m) {
  // What one batch of m points needs, allocated once per network and batch size, so that epochs allocate nothing.
  const rooms = BATCH_ROOM.get(net) ?? new Map();
  BATCH_ROOM.set(net, rooms);
  if (!rooms.has(m)) {
    rooms.set(m, { gradients: net.weights.map((W, l) => [new Float64Array(W.length), new Float64Array(net.widths[l + 1])]),
      buffers: layerBuffers(net, m), deltas: layerBuffers(net, m), inputs: new Float64Array(net.widths[0] * m),
      targets: new Float64Array(net.widths.at(-1) * m) });
  }
  return rooms.get(m);
}

export function trainEpoch(net, F, T, order, settings) {
  // One pass of mini-batch SGD over the training columns F, T in the given order.
  const k = net.widths[0], out = net.widths.at(-1), n = order.length, size = Math.min(settings.batchSize, n);
  for (let start = 0; start < n; start += size) {
    const m = Math.min(size, n - start), { gradients, buffers, deltas, inputs, targets } = batchRoom(net, m);
    for (let p = 0; p < m; p++) {
      const row = order[start + p];
      for (let f = 0; f < k; f++) inputs[f * m + p] = F[f * n + row];
      for (let c = 0; c < out; c++) targets[c * m + p] = T[c * n + row];
    }
    backward(net, forward(net, inputs, m, buffers), targets, m, gradients, deltas);
    sgdStep(net, gradients, settings);
  }
}

export function meanLoss(net, F, T, n, buffers = layerBuffers(net, n)) {
  // The mean loss without the penalty: ½(o − t)², or −log p of the true class.
  const o = forward(net, F, n, buffers).at(-1);
  let total = 0;
  for (let q = 0; q < o.length; q++) {
    total += net.output === "softmax" ? (T[q] ? -Math.log(o[q]) : 0) : 0.5 * (o[q] - T[q]) ** 2;
  }
  return total / n;
}

export function isDiverged(net, loss) {
  return !Number.isFinite(loss) || !net.weights.concat(net.biases).every((a) => a.every(Number.isFinite));
}

export function canvasGrid(resolution) {
  // (R·R × 2) points covering [-6, 6]² row by row, top row first (x2 = +6), as an image is drawn.
  const points = new Float64Array(resolution * resolution * 2), step = 12 / (resolution - 1);
  for (let r = 0; r < resolution; r++) {
    for (let c = 0; c < resolution; c++) {
      points[2 * (r * resolution + c)] = -6 + c * step;
      points[2 * (r * resolution + c) + 1] = 6 - r * step;
    }
  }
  return points;
}

// The heat maps' pass: playground_maps.wat in WebAssembly SIMD, compiled once from its bytes (PLAYGROUND_MAPS_WASM,
// base64, which playground_live.py puts before this file).
const MAP_PASS = new WebAssembly.Module(Uint8Array.from(atob(PLAYGROUND_MAPS_WASM), (c) => c.charCodeAt(0)));
const MAP_ACTIVATIONS = { linear: 0, softmax: 0, tanh: 1, relu: 2, sigmoid: 3 };

export function mapPass(net, grid, cells) {
  // Every layer of `net` over the canvas (grid: its features × cells, cells a multiple of 4) to a picture's
  // precision, float32: returns draw() → [features, hidden 1, ..., output], each (neurons × cells) in the pass's
  // memory, from the network's weights as they are when it is called. For softmax the output is the logits: the
  // largest is the class, as of the probabilities. The pass takes outputs four at a time: a layer's weights and
  // biases are kept there padded to a multiple of 4 outputs (the padding's weights 0).
  let end = 0;
  const reserve = (floats) => {  // room for `floats` values at a 16-byte aligned offset
    const offset = end;
    end += Math.ceil(floats / 4) * 16;
    return offset;
  };
  const input = reserve(net.widths[0] * cells);
  const places = net.weights.map((_, l) => {
    const outputs = Math.ceil(net.widths[l + 1] / 4) * 4;
    return [outputs, reserve(net.widths[l] * outputs), reserve(outputs), reserve(net.widths[l + 1] * cells)];
  });
  const { exports } = new WebAssembly.Instance(MAP_PASS), { memory } = exports;
  memory.grow(Math.max(0, Math.ceil(end / 65536) - memory.buffer.byteLength / 65536));
  const view = (offset, floats) => new Float32Array(memory.buffer, offset, floats);
  const features = view(input, net.widths[0] * cells);
  features.set(grid);
  const layers = places.map(([outputs, w, b, out], l) => ({ outputs, w, b, out,
    weights: view(w, net.widths[l] * outputs), biases: view(b, outputs), values: view(out, net.widths[l + 1] * cells) }));
  const last = layers.length - 1;
  return () => {
    layers.forEach(({ outputs, w, b, out, weights, biases }, l) => {
      const W = net.weights[l], fanIn = net.widths[l], fanOut = net.widths[l + 1];
      for (let i = 0; i < fanIn; i++) weights.set(W.subarray(i * fanOut, (i + 1) * fanOut), i * outputs);
      biases.set(net.biases[l]);
      exports.layer(l ? layers[l - 1].out : input, fanIn, w, b, out, fanOut, cells,
        MAP_ACTIVATIONS[l < last ? net.activation : net.output]);
    });
    return [features, ...layers.map(({ values }) => values)];
  };
}

export function decision(net, o, n) {
  // The output map: the tanh output in [-1, 1] for two classes, the value for regression, the class for softmax.
  const k = net.widths.at(-1);
  if (net.output !== "softmax") return o;
  const classes = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (o[c * n + p] > o[best * n + p]) best = c;
    classes[p] = best;
  }
  return classes;
}

export const MAP_RESOLUTION = 100;
const KEPT_EPOCHS = 1000; // rows of loss history at most: past that, every other row is dropped

export function playgroundEngine(data, resume = null) {
  // One student's run: the network from Python's start (or the snapshot it kept), the points, the order of the
  // points drawn from the seed, the loss history. step() = one epoch; maps() = every neuron over the canvas.
  const net = playgroundNetwork(resume ? { ...data.start, weights: resume.weights, biases: resume.biases } : data.start);
  const rng = mulberry32(resume ? resume.rng : data.seed);
  const columns = ({ points, labels }) => {
    const n = labels.length;
    return [featureColumns(points, net.features), targetColumns(net, labels), n, layerBuffers(net, n)];
  };
  const train = columns(data.train), test = columns(data.test), cells = MAP_RESOLUTION ** 2;
  const draw = mapPass(net, featureColumns(canvasGrid(MAP_RESOLUTION), net.features), cells);
  let settings = data.settings;
  const engine = {
    net, count: resume?.epoch ?? 0, history: resume?.history ?? [], diverged: resume?.diverged ?? false,
    losses: [NaN, NaN],
    measure() {
      this.losses = [meanLoss(net, ...train), meanLoss(net, ...test)];
      this.diverged = this.diverged || isDiverged(net, this.losses[0] + this.losses[1]);
    },
    step() {
      trainEpoch(net, train[0], train[1], rng.permutation(train[2]), settings);
      this.count += 1;
      this.measure();
      this.history.push([this.count, ...this.losses]);
      if (this.history.length > KEPT_EPOCHS) this.history = this.history.filter((_, i, all) => i % 2 === 0 || i === all.length - 1);
    },
    maps() {
      // Every layer over the canvas, (neurons × 100·100) each, to a picture's precision.
      return draw();
    },
    configure(next) {
      settings = next;
    },
    snapshot() {
      return { epoch: this.count, weights: networkWeights(net), biases: net.biases.map((b) => Array.from(b)),
        rng: rng.state(), diverged: this.diverged, history: thinned(this.history, 100) };
    },
  };
  engine.measure();
  if (!resume) engine.history.push([0, ...engine.losses]);
  return engine;
}
