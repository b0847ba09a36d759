// TensorFlow Playground's engine in the browser: the maths of core/playground.py, line for line, on typed arrays.
// A network is {features, activation, output, widths, weights, biases}; weights[l] is a Float64Array of
// (fan_in × fan_out) in row-major order, as numpy keeps it, and biases[l] a Float64Array of fan_out.
// Arrays of points are row-major too: (n × columns). Node runs this file in the tests against the numpy engine.

const FEATURE_FUNCTIONS = {
  "x1": (x1, x2) => x1,
  "x2": (x1, x2) => x2,
  "x1^2": (x1, x2) => x1 * x1,
  "x2^2": (x1, x2) => x2 * x2,
  "x1x2": (x1, x2) => x1 * x2,
  "sin_x1": (x1, x2) => Math.sin(x1),
  "sin_x2": (x1, x2) => Math.sin(x2),
};

// name: [f(z), f'(z) written with the output a = f(z)]
const ACTIVATIONS = {
  tanh: [Math.tanh, (a) => 1 - a * a],
  relu: [(z) => (z < 0 ? 0 : z), (a) => (a > 0 ? 1 : 0)],
  sigmoid: [(z) => 1 / (1 + Math.exp(-z)), (a) => a * (1 - a)],
  linear: [(z) => z, () => 1],
};

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

export function featureRows(points, names) {
  // Points (n × 2) → the input layer (n × features).
  const n = points.length / 2, k = names.length, F = new Float64Array(n * k);
  const fns = names.map((name) => FEATURE_FUNCTIONS[name]);
  for (let p = 0; p < n; p++) {
    for (let f = 0; f < k; f++) F[p * k + f] = fns[f](points[2 * p], points[2 * p + 1]);
  }
  return F;
}

export function targetRows(net, labels) {
  // Labels → the output layer's targets (n × outputs): −1/+1 for two classes, one-hot for softmax, y for regression.
  const out = net.widths[net.widths.length - 1], T = new Float64Array(labels.length * out);
  labels.forEach((y, p) => {
    if (net.output === "softmax") T[p * out + y] = 1;
    else T[p] = net.output === "tanh" ? 2 * y - 1 : y;
  });
  return T;
}

function affine(a, n, W, b, fanIn, fanOut, z) {
  // z = a W + b for n rows.
  for (let p = 0; p < n; p++) {
    for (let j = 0; j < fanOut; j++) {
      let sum = 0;
      for (let i = 0; i < fanIn; i++) sum += a[p * fanIn + i] * W[i * fanOut + j];
      z[p * fanOut + j] = sum + b[j];
    }
  }
  return z;
}

function softmaxRows(z, n, k) {
  // p_c = e^{z_c} / Σ_k e^{z_k} per row, shifted by the row's max so e^z cannot overflow.
  for (let p = 0; p < n; p++) {
    let max = -Infinity, sum = 0;
    for (let c = 0; c < k; c++) max = Math.max(max, z[p * k + c]);
    for (let c = 0; c < k; c++) sum += (z[p * k + c] = Math.exp(z[p * k + c] - max));
    for (let c = 0; c < k; c++) z[p * k + c] /= sum;
  }
}

export function forward(net, F, n, buffers = null) {
  // Every layer's activations for the input layer F (n × features): [F, hidden 1, ..., output].
  const [f] = ACTIVATIONS[net.activation], last = net.weights.length - 1;
  const activations = [F];
  net.weights.forEach((W, l) => {
    const fanIn = net.widths[l], fanOut = net.widths[l + 1];
    const z = affine(activations[l], n, W, net.biases[l], fanIn, fanOut,
      buffers?.[l] ?? new Float64Array(n * fanOut));
    if (l < last) for (let q = 0; q < z.length; q++) z[q] = f(z[q]);
    else if (net.output === "softmax") softmaxRows(z, n, fanOut);
    else if (net.output === "tanh") for (let q = 0; q < z.length; q++) z[q] = Math.tanh(z[q]);
    activations.push(z);
  });
  return activations;
}

function backward(net, activations, T, n) {
  // Gradients (dL/dW, dL/db) per layer of the batch's mean loss, by the chain rule from the output back.
  const o = activations[activations.length - 1];
  let delta = new Float64Array(o.length);
  for (let q = 0; q < o.length; q++) {
    const slope = net.output === "tanh" ? 1 - o[q] * o[q] : 1;  // softmax with cross-entropy: dL/dz = o − t
    delta[q] = ((o[q] - T[q]) * slope) / n;
  }
  const [, fPrime] = ACTIVATIONS[net.activation];
  const dW = [], db = [];
  for (let l = net.weights.length - 1; l >= 0; l--) {
    const a = activations[l], fanIn = net.widths[l], fanOut = net.widths[l + 1], W = net.weights[l];
    const gW = new Float64Array(fanIn * fanOut), gb = new Float64Array(fanOut);
    for (let i = 0; i < fanIn; i++) {
      for (let j = 0; j < fanOut; j++) {
        let sum = 0;
        for (let p = 0; p < n; p++) sum += a[p * fanIn + i] * delta[p * fanOut + j];
        gW[i * fanOut + j] = sum;
      }
    }
    for (let j = 0; j < fanOut; j++) {
      let sum = 0;
      for (let p = 0; p < n; p++) sum += delta[p * fanOut + j];
      gb[j] = sum;
    }
    dW[l] = gW; db[l] = gb;
    if (l) {
      const below = new Float64Array(n * fanIn);
      for (let p = 0; p < n; p++) {
        for (let i = 0; i < fanIn; i++) {
          let sum = 0;
          for (let j = 0; j < fanOut; j++) sum += delta[p * fanOut + j] * W[i * fanOut + j];
          below[p * fanIn + i] = sum * fPrime(a[p * fanIn + i]);
        }
      }
      delta = below;
    }
  }
  return [dW, db];
}

function sgdStep(net, dW, db, { learningRate: lr, regularization, regRate }) {
  // w ← w − η(dL/dw + λR'(w)), b ← b − η dL/db; an L1 step carrying a weight across zero stops at 0.
  net.weights.forEach((W, l) => {
    const gW = dW[l], b = net.biases[l], gb = db[l];
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

export function trainEpoch(net, F, T, order, settings) {
  // One pass of mini-batch SGD over the training rows F, T in the given order.
  const k = net.widths[0], out = net.widths[net.widths.length - 1], n = order.length;
  for (let start = 0; start < n; start += settings.batchSize) {
    const size = Math.min(settings.batchSize, n - start);
    const Fb = new Float64Array(size * k), Tb = new Float64Array(size * out);
    for (let p = 0; p < size; p++) {
      const row = order[start + p];
      Fb.set(F.subarray(row * k, (row + 1) * k), p * k);
      Tb.set(T.subarray(row * out, (row + 1) * out), p * out);
    }
    const [dW, db] = backward(net, forward(net, Fb, size), Tb, size);
    sgdStep(net, dW, db, settings);
  }
}

export function meanLoss(net, F, T, n) {
  // The mean loss without the penalty: ½(o − t)², or −log p of the true class.
  const o = forward(net, F, n).at(-1);
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

export function decision(net, o, n) {
  // The output map: the tanh output in [-1, 1] for two classes, the value for regression, the class for softmax.
  const k = net.widths[net.widths.length - 1];
  if (net.output !== "softmax") return o;
  const classes = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (o[p * k + c] > o[p * k + best]) best = c;
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
  const rows = ({ points, labels }) => [featureRows(points, net.features), targetRows(net, labels), labels.length];
  const train = rows(data.train), test = rows(data.test);
  const grid = featureRows(canvasGrid(MAP_RESOLUTION), net.features), cells = MAP_RESOLUTION ** 2;
  const buffers = net.widths.slice(1).map((width) => new Float64Array(cells * width));
  let settings = data.settings;
  const engine = {
    net, count: resume?.epoch ?? 0, history: resume?.history ?? [], diverged: resume?.diverged ?? false,
    losses: [NaN, NaN],
    record() {
      this.losses = [meanLoss(net, ...train), meanLoss(net, ...test)];
      this.history.push([this.count, ...this.losses]);
      if (this.history.length > KEPT_EPOCHS) this.history = this.history.filter((_, i, all) => i % 2 === 0 || i === all.length - 1);
      this.diverged = this.diverged || isDiverged(net, this.losses[0] + this.losses[1]);
    },
    step() {
      trainEpoch(net, train[0], train[1], rng.permutation(train[2]), settings);
      this.count += 1;
      this.record();
    },
    maps() {
      return forward(net, grid, cells, buffers);
    },
    configure(next) {
      settings = next;
    },
    snapshot() {
      return { epoch: this.count, weights: networkWeights(net), biases: net.biases.map((b) => Array.from(b)),
        rng: rng.state(), diverged: this.diverged, history: thinned(this.history, 100) };
    },
  };
  if (resume) engine.losses = [meanLoss(net, ...train), meanLoss(net, ...test)];
  else engine.record();
  return engine;
}
