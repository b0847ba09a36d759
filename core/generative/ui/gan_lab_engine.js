// The 2-D GAN of core/gan2d.py in the browser, in float64: a generator (ReLU) turns noise into points, a
// discriminator (LeakyReLU 0.2) tells them from the target's samples, both trained by turns with torch's Adam.
// Node checks it against core's torch code run in float64 on the same batches (tests/unit/test_gan_lab_browser_engine.py).
// A network is a list of layers {W (fan_out × fan_in, row-major, as torch keeps it), b, fanIn, fanOut}; a batch of
// n rows is row-major (n × width).

const BETAS = [0.5, 0.999], EPS = 1e-8, LEAK = 0.2;

export function ganNetwork(layers) {
  // Layers as Python sends them: [{weight: fan_out × fan_in nested lists, bias}].
  return layers.map(({ weight, bias }) => ({
    W: Float64Array.from(weight.flat()), b: Float64Array.from(bias), fanIn: weight[0].length, fanOut: bias.length,
  }));
}

export function ganWeights(net) {
  return net.map(({ W, b, fanIn, fanOut }) => ({
    weight: Array.from({ length: fanOut }, (_, j) => Array.from(W.subarray(j * fanIn, (j + 1) * fanIn))),
    bias: Array.from(b),
  }));
}

export function mlpForward(net, X, n) {
  // Every layer's values for the rows X (n × fan_in): [X, hidden..., output]; net.hidden: "relu" or "leaky".
  const values = [X];
  net.forEach(({ W, b, fanIn, fanOut }, l) => {
    const a = values[l], z = new Float64Array(n * fanOut), last = l === net.length - 1;
    for (let p = 0; p < n; p++) {
      for (let j = 0; j < fanOut; j++) {
        let sum = 0;
        for (let i = 0; i < fanIn; i++) sum += a[p * fanIn + i] * W[j * fanIn + i];
        const v = sum + b[j];
        z[p * fanOut + j] = last || v > 0 ? v : net.hidden === "relu" ? 0 : LEAK * v;
      }
    }
    values.push(z);
  });
  return values;
}

export function mlpBackward(net, values, dOut, n, gradients = null) {
  // From dL/d(output) (n × fan_out) back to dL/d(input) (n × fan_in); with `gradients`, dL/dW and dL/db too.
  // Every sum runs over the rows p in order, as the loops below keep each inner pass on contiguous memory.
  let delta = dOut;
  for (let l = net.length - 1; l >= 0; l--) {
    const { W, fanIn, fanOut } = net[l], a = values[l], below = new Float64Array(n * fanIn);
    if (gradients) {
      const [gW, gb] = gradients[l];
      gW.fill(0);
      gb.fill(0);
      for (let p = 0; p < n; p++) {
        for (let j = 0; j < fanOut; j++) {
          const d = delta[p * fanOut + j], row = j * fanIn, input = p * fanIn;
          gb[j] += d;
          for (let i = 0; i < fanIn; i++) gW[row + i] += d * a[input + i];
        }
      }
    }
    for (let p = 0; p < n; p++) {
      const input = p * fanIn;
      for (let j = 0; j < fanOut; j++) {
        const d = delta[p * fanOut + j], row = j * fanIn;
        for (let i = 0; i < fanIn; i++) below[input + i] += d * W[row + i];
      }
      if (l > 0) {
        for (let i = 0; i < fanIn; i++) {
          if (!(a[input + i] > 0)) below[input + i] = net.hidden === "relu" ? 0 : LEAK * below[input + i];
        }
      }
    }
    delta = below;
  }
  return delta;
}

const softplus = (x) => (x > 20 ? x : Math.log1p(Math.exp(x)));
const softplusSlope = (x) => (x > 20 ? 1 : Math.exp(x) / (Math.exp(x) + 1));

export function ganLosses(loss, real, fake) {
  // (L_D, L_G) from D's raw outputs, as core.gan2d.losses: the log loss on logits, or least squares.
  const mean = (values, f) => values.reduce((sum, v) => sum + f(v), 0) / values.length;
  if (loss === "log") return [mean(real, (r) => softplus(-r)) + mean(fake, softplus), mean(fake, (f) => softplus(-f))];
  return [0.5 * mean(real, (r) => (r - 1) ** 2) + 0.5 * mean(fake, (f) => f * f), 0.5 * mean(fake, (f) => (f - 1) ** 2)];
}

function discriminatorSlopes(loss, real, fake) {
  // dL_D/d(output) for the rows [real; fake].
  const n = real.length, m = fake.length, d = new Float64Array(n + m);
  for (let p = 0; p < n; p++) d[p] = loss === "log" ? -softplusSlope(-real[p]) / n : (real[p] - 1) / n;
  for (let p = 0; p < m; p++) d[n + p] = loss === "log" ? softplusSlope(fake[p]) / m : fake[p] / m;
  return d;
}

export function generatorSlopes(loss, fake, scale) {
  // dL_G/d(output) for the generated rows, times `scale` (1/n for the mean; 1 per point for the arrows).
  return Float64Array.from(fake, (f) => (loss === "log" ? -softplusSlope(-f) : f - 1) * scale);
}

function adam(net) {
  // torch.optim.Adam (betas 0.5, 0.999; its foreach arithmetic) for the layers of `net`.
  const moments = net.map(({ W, b }) => [[new Float64Array(W.length), new Float64Array(W.length)],
    [new Float64Array(b.length), new Float64Array(b.length)]]);
  let t = 0;
  return (gradients, lr) => {
    t += 1;
    const stepSize = lr / (1 - BETAS[0] ** t), root = Math.sqrt(1 - BETAS[1] ** t), w = 1 - BETAS[0];
    net.forEach(({ W, b }, l) => [W, b].forEach((param, k) => {
      const g = gradients[l][k], [m, v] = moments[l][k];
      for (let q = 0; q < param.length; q++) {
        m[q] = w < 0.5 ? m[q] + w * (g[q] - m[q]) : g[q] - (g[q] - m[q]) * (1 - w);  // torch's lerp
        v[q] = v[q] * BETAS[1] + (1 - BETAS[1]) * g[q] * g[q];
        param[q] += (-stepSize * m[q]) / (Math.sqrt(v[q]) / root + EPS);
      }
    }));
  };
}

export function sampler(seed) {
  // The random numbers a run draws: uniforms from Mulberry32, normals by Box–Muller.
  const rng = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng.random())) * Math.cos(2 * Math.PI * rng.random());
  return {
    rng, normal,
    noise(n, dim) { return Float64Array.from({ length: n * dim }, normal); },
    target(n, target) {
      // n samples of the target: a mixture of Gaussians around centres, or the two moons.
      const X = new Float64Array(2 * n);
      for (let p = 0; p < n; p++) {
        if (target.kind === "moons") {
          const t = rng.random() * Math.PI, upper = rng.random() < 0.5;
          X[2 * p] = 1.6 * ((upper ? Math.cos(t) : 1 - Math.cos(t)) - 0.5 + 0.06 * normal());
          X[2 * p + 1] = 1.6 * ((upper ? Math.sin(t) : 0.5 - Math.sin(t)) - 0.25 + 0.06 * normal());
        } else {
          const [x, y] = target.centres[Math.floor(rng.random() * target.centres.length)];
          X[2 * p] = x + target.std * normal();
          X[2 * p + 1] = y + target.std * normal();
        }
      }
      return X;
    },
  };
}

export function ganTrainer({ generator, discriminator, loss, batch, noiseDim, target }, draw) {
  // step(settings): d_steps discriminator updates, then one generator update; returns [L_D, L_G, the G batch].
  const G = Object.assign(ganNetwork(generator), { hidden: "relu" });
  const D = Object.assign(ganNetwork(discriminator), { hidden: "leaky" });
  const grads = (net) => net.map(({ W, b }) => [new Float64Array(W.length), new Float64Array(b.length)]);
  const gGrads = grads(G), dGrads = grads(D), gAdam = adam(G), dAdam = adam(D);
  return {
    G, D,
    step({ gLr, dLr, dSteps }) {
      let dLoss = NaN;
      for (let s = 0; s < dSteps; s++) {
        const fake = mlpForward(G, draw.noise(batch, noiseDim), batch).at(-1);
        const rows = new Float64Array(4 * batch);
        rows.set(draw.target(batch, target));
        rows.set(fake, 2 * batch);
        const values = mlpForward(D, rows, 2 * batch), out = values.at(-1);
        const real = out.subarray(0, batch), faked = out.subarray(batch);
        dLoss = ganLosses(loss, real, faked)[0];
        mlpBackward(D, values, discriminatorSlopes(loss, real, faked), 2 * batch, dGrads);
        dAdam(dGrads, dLr);
      }
      const gValues = mlpForward(G, draw.noise(batch, noiseDim), batch), fake = gValues.at(-1);
      const dValues = mlpForward(D, fake, batch), out = dValues.at(-1);
      const gLoss = ganLosses(loss, [], out)[1];
      const toPoints = mlpBackward(D, dValues, generatorSlopes(loss, out, 1 / batch), batch);
      mlpBackward(G, gValues, toPoints, batch, gGrads);
      gAdam(gGrads, gLr);
      return [dLoss, gLoss, fake];
    },
  };
}
