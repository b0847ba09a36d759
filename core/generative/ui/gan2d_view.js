// The GAN Lab played in the student's browser: the engine (gan2d_engine.js) fed with seeded samples of the target
// and the noise; the picture GAN Lab draws (the discriminator's map, the real and generated points, the generator's
// arrows, the target's modes ringed: solid when covered, dashed red when missed), the measures of
// core/generative/gan2d.py (modes covered, the divergence estimate) and the two charts, redrawn every frame.

const PICTURE = 440, ARROWS = 100, VIEW_POINTS = 500;
const CHART_MS = 250;  // while playing, the charts are redrawn at most this often (they change slowly)
const FRAME_MS = 70;  // a picture about every 70 ms: the training gets what the drawing leaves, at least one iteration
const REAL = "rgb(27,120,55)", FAKE = "rgb(118,42,131)", ARROW = "rgb(40,40,40)";
const COVERED = "rgb(20,20,20)", MISSED = "rgb(200,30,30)";
const STOPS = [[0, 194, 165, 207], [0.5, 247, 247, 247], [1, 166, 219, 160]];  // D(x) = 0 purple, ½ white, 1 green
const MAP_PIXELS = Int32Array.from({ length: 256 }, (_, i) => {
  const t = i / 255, [a, b] = t <= 0.5 ? [STOPS[0], STOPS[1]] : [STOPS[1], STOPS[2]], u = (t - a[0]) / (b[0] - a[0]);
  const [r, g, bl] = [1, 2, 3].map((c) => Math.round(a[c] + (b[c] - a[c]) * u));
  return (255 << 24) | (bl << 16) | (g << 8) | r;
});

function ganSampler(target, rng) {
  // The target's points and the noise, from the seeded generator alone (its state is all a resume needs).
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng.random())) * Math.cos(2 * Math.PI * rng.random());
  const real = (n) => {
    const points = new Float64Array(2 * n);
    for (let p = 0; p < n; p++) {
      let x, y;
      if (target.kind === "moons") {  // two interleaved half circles, as core's _moons
        const t = Math.PI * rng.random(), upper = rng.random() < 0.5;
        x = upper ? Math.cos(t) : 1 - Math.cos(t);
        y = upper ? Math.sin(t) : 0.5 - Math.sin(t);
        x = 1.6 * (x - 0.5 + 0.06 * normal());
        y = 1.6 * (y - 0.25 + 0.06 * normal());
      } else {  // a mixture of Gaussians around the means
        const m = Math.floor(rng.random() * (target.means.length / 2));
        x = target.means[2 * m] + target.std * normal();
        y = target.means[2 * m + 1] + target.std * normal();
      }
      points[2 * p] = x;
      points[2 * p + 1] = y;
    }
    return points;
  };
  const noise = (n, k) => Float64Array.from({ length: n * k }, normal);
  return { real, noise };
}

function measuresOf(fake, data) {
  // The divergence estimate (Jensen–Shannon between the histograms, in bits) and, per mode, whether it is covered,
  // from the generated points for the fixed noise (2 × m): core's js_estimate and mode_shares.
  const m = fake.length / 2, bins = data.histogramBins, c = data.canvas, counts = new Float64Array(bins * bins + 1);
  for (let p = 0; p < m; p++) {
    const x = fake[p], y = fake[m + p];
    if (x >= -c && x <= c && y >= -c && y <= c) {
      const i = Math.min(bins - 1, Math.floor(((x + c) / (2 * c)) * bins)), j = Math.min(bins - 1, Math.floor(((y + c) / (2 * c)) * bins));
      counts[i * bins + j] += 1;
    } else {
      counts[bins * bins] += 1;  // off the canvas, or not finite
    }
  }
  const p = data.realHistogram, q = counts.map((v) => v / m);
  const pSum = p.reduce((a, b) => a + b, 0), qSum = q.reduce((a, b) => a + b, 0);
  let js = 0;
  for (let i = 0; i < q.length; i++) {
    const a = p[i] / Math.max(pSum, 1e-12), b = q[i] / Math.max(qSum, 1e-12), mid = 0.5 * (a + b);
    if (a > 0) js += 0.5 * a * Math.log2(a / mid);
    if (b > 0) js += 0.5 * b * Math.log2(b / mid);
  }
  const means = data.means ?? [], modes = means.length / 2, covered = [];
  for (let k = 0; k < modes; k++) {
    let near = 0;
    for (let i = 0; i < m; i++) if (Math.hypot(fake[i] - means[2 * k], fake[m + i] - means[2 * k + 1]) <= data.modeRadius) near += 1;
    covered.push(near / m >= data.modeShare / modes);
  }
  return { js, covered: modes ? covered : null };
}

function ganLiveEngine(data, resume) {
  // One student's run: the engine from Python's start (or the snapshot it kept), sampled by mulberry32 from the
  // run's seed (or the snapshot's state), so that the same seed plays the same run.
  const rng = mulberry32(resume ? resume.rng : data.seed), sample = ganSampler(data.target, rng);
  const engine = ganEngine(data.start, data.settings, { mapResolution: data.mapResolution,
    evalNoise: Float64Array.from(data.evalNoise), arrows: ARROWS });
  const k = data.settings.noiseDim;
  if (resume) engine.restore(resume);
  let until = null;
  return {
    engine, measures: resume?.measures ?? [], trainMs: 0, lastFrame: null,
    get count() { return engine.iteration; },
    get diverged() { return engine.diverged; },
    step() { engine.iterate({ real: sample.real, noise: (n) => sample.noise(n, k) }); },
    budget() {
      // Training time for this frame: more while frames come faster than FRAME_MS apart, less while slower
      // (drawing, painting and the machine's load decide how long the rest of a frame takes).
      const now = performance.now(), period = this.lastFrame === null ? FRAME_MS : now - this.lastFrame;
      this.lastFrame = now;
      if (period < 4 * FRAME_MS) this.trainMs = Math.min(FRAME_MS, Math.max(0, this.trainMs + 0.3 * (FRAME_MS - period)));
      return this.trainMs;
    },
    forward(iterations) {
      until = engine.iteration + iterations;
      return true;
    },
    done() {
      const reached = until !== null && engine.iteration >= until;
      if (reached) until = null;
      return reached;
    },
    measure() {
      // This picture's generated points and measures, recorded once per iteration (the last 2,000 kept).
      const fake = engine.generatedFixed(), { js, covered } = measuresOf(fake, data);
      if (this.measures.at(-1)?.[0] !== engine.iteration) {
        this.measures.push([engine.iteration, js, covered && covered.filter(Boolean).length]);
        if (this.measures.length > 2000) this.measures.shift();
      }
      return { fake, js, covered };
    },
    snapshot() { return { ...engine.state(), rng: rng.state(), measures: this.measures }; },
    configure(settings) { engine.configure(settings); },
  };
}

function pixel(x, y) {
  // Canvas coordinates [-3, 3]² → the picture's pixel (column, row), y upwards
  return [((x + 3) / 6) * (PICTURE - 1), ((3 - y) / 6) * (PICTURE - 1)];
}

function drawPicture(canvas, scratch, live, measured, data) {
  const context = sizeCanvas(canvas, PICTURE, PICTURE), { view, style } = data, big = style.fontSize > 16;
  if (view.showMap) {
    const map = live.engine.discriminatorMap(), side = Math.round(Math.sqrt(map.length));
    scratch.width = side;
    scratch.height = side;
    const scratchContext = scratch.getContext("2d"), image = scratchContext.createImageData(side, side);
    const words = new Int32Array(image.data.buffer);
    for (let p = 0; p < map.length; p++) words[p] = MAP_PIXELS[Math.floor(Math.min(1, Math.max(0, map[p])) * 255)];
    scratchContext.putImageData(image, 0, 0);
    context.imageSmoothingEnabled = true;
    context.drawImage(scratch, 0, 0, PICTURE, PICTURE);
  } else {
    context.fillStyle = "white";
    context.fillRect(0, 0, PICTURE, PICTURE);
  }
  const mid = (PICTURE - 1) / 2;  // faint axes and ticks at ±2
  context.strokeStyle = "rgb(215,215,215)";
  context.lineWidth = 1;
  context.beginPath(); context.moveTo(mid, 0); context.lineTo(mid, PICTURE); context.moveTo(0, mid); context.lineTo(PICTURE, mid); context.stroke();
  context.fillStyle = "rgb(110,110,110)";
  context.font = `${big ? 15 : 11}px sans-serif`;
  [-2, 2].forEach((value) => {
    const u = ((value + 3) / 6) * (PICTURE - 1), label = value > 0 ? `+${value}` : String(value);
    context.textAlign = "center"; context.textBaseline = "bottom"; context.fillText(label, u, PICTURE - 3);
    context.textAlign = "left"; context.textBaseline = "middle"; context.fillText(label, 3, PICTURE - 1 - u);
  });
  const r = Math.max(2, Math.round(style.markerSize * (big ? 0.42 : 0.36)));
  const means = data.means ?? [], ring = (data.modeRadius / 6) * (PICTURE - 1);
  for (let k = 0; k < means.length / 2; k++) {  // the modes: solid when covered, dashed red when missed
    const ok = measured.covered ? measured.covered[k] : true, [u, v] = pixel(means[2 * k], means[2 * k + 1]);
    context.strokeStyle = ok ? COVERED : MISSED;
    context.lineWidth = (big ? 2 : 1) + (ok ? 0 : 1);
    context.setLineDash(ok ? [] : [(ring * 2 * Math.PI * 18) / 360, (ring * 2 * Math.PI * 12) / 360]);
    context.beginPath();
    context.arc(u, v, ring, 0, 2 * Math.PI);
    context.stroke();
  }
  context.setLineDash([]);
  const dots = (points, radius) => {
    // One path of circles around the points [[u, v]]: filled or outlined at once
    context.beginPath();
    points.forEach(([u, v]) => { context.moveTo(u + radius, v); context.arc(u, v, radius, 0, 2 * Math.PI); });
  };
  if (view.showReal) {
    const real = data.evalReal, inside = [];
    for (let p = 0; p < real.length / 2; p++) {
      if (Math.abs(real[2 * p]) < 30 && Math.abs(real[2 * p + 1]) < 30) inside.push(pixel(real[2 * p], real[2 * p + 1]));
    }
    dots(inside, r);
    context.fillStyle = REAL;
    context.fill();
  }
  const { fake } = measured, m = fake.length / 2, shown = Math.min(VIEW_POINTS, m), on = [], off = [];
  const edge = (value) => Math.min(2.91, Math.max(-2.91, value));
  for (let p = 0; p < shown; p++) {
    const x = fake[p], y = fake[m + p];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (Math.abs(x) <= 3 && Math.abs(y) <= 3) on.push(pixel(x, y));
    else off.push(pixel(edge(x), edge(y)));  // off the canvas: a larger ring at the edge, in their direction
  }
  dots(on, r);
  context.fillStyle = FAKE;
  context.fill();
  context.strokeStyle = "white";
  context.lineWidth = 1;
  context.stroke();
  dots(off, r + 3);
  context.strokeStyle = FAKE;
  context.lineWidth = 3;
  context.stroke();
  if (view.showArrows) drawArrows(context, live.engine.pushes(fake, Math.min(ARROWS, shown)), fake, Math.min(ARROWS, shown), big ? 3 : 1);
  context.strokeStyle = "rgb(150,150,150)";
  context.lineWidth = 1;
  context.strokeRect(0.5, 0.5, PICTURE - 1, PICTURE - 1);
}

function drawArrows(context, gradients, fake, count, width) {
  // −∂L_G/∂x at the first `count` generated points, scaled together so that the longest is 12 % of the picture.
  const size = gradients.length / 2, m = fake.length / 2, arrows = [];
  for (let p = 0; p < count; p++) {
    const x = fake[p], y = fake[m + p], gx = -gradients[p], gy = -gradients[size + p];
    if ([x, y, gx, gy].every(Number.isFinite)) arrows.push([x, y, gx, gy, Math.hypot(gx, gy)]);
  }
  const longest = Math.max(0, ...arrows.map((a) => a[4]));
  if (!(longest > 0)) return;
  context.strokeStyle = ARROW;
  context.fillStyle = ARROW;
  context.lineWidth = width;
  const lines = new Path2D(), heads = new Path2D();
  arrows.forEach(([x, y, gx, gy]) => {
    const [u0, v0] = pixel(x, y), du = (gx / longest) * 0.12 * PICTURE, dv = -(gy / longest) * 0.12 * PICTURE;
    const length = Math.hypot(du, dv);
    if (length < 1.5) return;
    const u1 = u0 + du, v1 = v0 + dv, head = Math.min(5 + width, length / 2);
    const bu = (-du / length) * head, bv = (-dv / length) * head;
    lines.moveTo(u0, v0);
    lines.lineTo(u1, v1);
    heads.moveTo(u1, v1);
    heads.lineTo(u1 + bu - bv * 0.5, v1 + bv + bu * 0.5);
    heads.lineTo(u1 + bu + bv * 0.5, v1 + bv - bu * 0.5);
    heads.closePath();
  });
  context.stroke(lines);
  context.fill(heads);
}

function chunkMeans(rows, most = 200) {
  // At most `most` rows, each the mean of a run of consecutive rows (as the page's _thin: smooths noisy losses).
  if (rows.length <= most) return rows;
  const chunk = Math.ceil(rows.length / most), out = [];
  for (let start = 0; start < rows.length; start += chunk) {
    const part = rows.slice(start, start + chunk);
    out.push(part[0].map((_, c) => part.reduce((sum, row) => sum + row[c], 0) / part.length));
  }
  return out;
}

function ganView(stage, data) {
  const left = document.createElement("div"), right = document.createElement("div");
  left.className = "gan-left";
  right.className = "gan-right";
  const headline = document.createElement("p"), picture = document.createElement("canvas");
  const losses = document.createElement("canvas"), divergence = document.createElement("canvas");
  headline.className = "gan-headline";
  picture.className = "gan-picture";
  left.append(headline, picture);
  right.append(losses, divergence);
  stage.append(left, right);
  const scratch = document.createElement("canvas");
  // the charts' width, kept as the column's is observed (reading it every frame forces a layout); when last drawn
  let width = 260, chartsAt = -Infinity, shownRun = null;
  const charts = (live) => {
    const { style } = data, big = style.fontSize > 16;
    const rows = chunkMeans(live.engine.history.filter((row) => row.every(Number.isFinite)));
    const [dRule, gRule] = data.equilibrium;
    lineChart(losses, width, big ? 320 : 270, {
      title: "Losses", subtitle: "dashed: at equilibrium (D = ½)", xTitle: "iteration", yTitle: "loss",
      fontSize: style.fontSize, lineWidth: style.lineWidth,
      series: [{ name: "discriminator", colour: "#1b7837", points: rows.map((row) => [row[0], row[1]]) },
        { name: "generator", colour: "#762a83", points: rows.map((row) => [row[0], row[2]]) }],
      rules: [{ y: dRule, colour: "#1b7837" }, { y: gRule, colour: "#762a83" }],
    });
    const measures = live.measures.filter((row) => Number.isFinite(row[1]));
    const every = Math.max(1, Math.floor(measures.length / 200));
    lineChart(divergence, width, big ? 260 : 220, {
      title: "Divergence estimate", subtitle: "Jensen–Shannon; dashed: two real samples", xTitle: "iteration",
      yTitle: "JS (bits)", yDomain: [0, 1], fontSize: style.fontSize, lineWidth: style.lineWidth,
      series: [{ name: "JS", colour: "#444", points: measures.filter((_, i) => i % every === 0 || i === measures.length - 1)
        .map((row) => [row[0], row[1]]) }],
      rules: [{ y: data.jsFloor, colour: "#1b7837" }],
    });
  };
  new ResizeObserver(([entry]) => {
    width = Math.max(260, Math.floor(entry.contentRect.width));
    if (shownRun) charts(shownRun);
  }).observe(right);
  return {
    draw(live, playing) {
      const measured = live.measure(), { fake } = measured, shown = Math.min(VIEW_POINTS, fake.length / 2);
      let off = 0;
      for (let p = 0; p < shown; p++) if (!(Math.abs(fake[p]) <= 3 && Math.abs(fake[fake.length / 2 + p]) <= 3)) off += 1;
      const covered = measured.covered ? ` · modes covered <b>${measured.covered.filter(Boolean).length} of ${measured.covered.length}</b>` : "";
      const outside = off ? ` · ${off} of the ${shown} generated points shown are off the canvas (purple rings at its edge)` : "";
      headline.innerHTML = `Divergence estimate <b>${measured.js.toFixed(2)} bits</b>${covered}${outside}`;
      drawPicture(picture, scratch, live, measured, data);
      shownRun = live;
      if (playing && performance.now() - chartsAt < CHART_MS) return;
      chartsAt = performance.now();
      charts(live);
    },
    configure(next) {
      data = next;
    },
  };
}

const ganCount = (iteration) => `Iteration ${iteration.toLocaleString("en-US")}`;

export default liveLoop({
  createEngine: ganLiveEngine,
  createView: ganView,
  counterText: ganCount,
  budgetMs: (live) => live.budget(),
  stepTitle: "One iteration: D steps, then one G step.",
  extraButtons: [{ name: "forward", icon: "fast_forward", label: "+1,000", title: "1,000 iterations at full speed, then a pause.",
    run: (live) => live.forward(1000) }],
  divergedText: (data, live) => `Training diverged at iteration ${ganCount(live.count).split(" ")[1]}: a loss or the `
    + `generated points blew up (past 1,000, or NaN) at learning rates G ${data.settings.gLr}, D ${data.settings.dLr}. `
    + "Adam moves every weight by about the learning rate each step, so the two networks overshoot each other. Press "
    + "Reset with safe learning rates (below), or lower them yourself and press Reset.",
});
