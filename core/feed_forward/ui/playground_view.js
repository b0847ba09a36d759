// The Playground's pictures, drawn in the browser on every frame: every neuron's heat map joined by the weights
// as lines, the output map with the training (and test) points, the two losses and their curves. Projector mode arrives in data.style.

const TILE = 56, COLUMN_GAP = 96, ROW_GAP = 12, MARGIN = 26, OUTPUT_SIZE = 420;
const ORANGE = [245, 147, 34], GREY = [232, 234, 235], BLUE = [8, 119, 189]; // −1, 0, +1: the Playground's scale

const SCALE = Array.from({ length: 256 }, (_, i) => {
  // 256 colours from orange (−1) through grey to blue (+1), as core.plots.colourise samples the scale
  const t = i / 255, [from, to, u] = t <= 0.5 ? [ORANGE, GREY, t / 0.5] : [GREY, BLUE, (t - 0.5) / 0.5];
  return from.map((c, k) => Math.round(c + (to[k] - c) * u));
});

function scaleIndex(value) {
  // A value's colour on the scale, as core.plots.colourise picks it; NaN is drawn as −1 (|0 makes it 0).
  return (((Math.min(1, Math.max(-1, value)) + 1) / (2 + 1e-12)) * 255) | 0;
}

const scaleColour = (value) => SCALE[scaleIndex(value)];

function hexColour(hex) {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

const rgb = ([r, g, b]) => `rgb(${r},${g},${b})`;

const pixelOf = ([r, g, b]) => (255 << 24) | (b << 16) | (g << 8) | r;  // RGBA bytes as one little-endian word
const SCALE_PIXELS = Int32Array.from(SCALE, pixelOf);

function heatTile(pixels, values, neuron, discrete = false) {
  // One neuron's values (row `neuron` of `values`, neurons × cells) as `pixels`, one RGBA word per cell.
  const cells = pixels.length, row = neuron * cells;
  if (discrete) for (let p = 0; p < cells; p++) pixels[p] = SCALE_PIXELS[scaleIndex(Math.sign(values[row + p]))];
  else for (let p = 0; p < cells; p++) pixels[p] = SCALE_PIXELS[scaleIndex(values[row + p])];
}

const IMAGES = new WeakMap();

function canvasPixels(canvas, width, height) {
  // `canvas` sized width × height and its pixels as RGBA words, kept between frames: put() draws them on it.
  let image = IMAGES.get(canvas);
  if (!image || image.width !== width || image.height !== height) {
    canvas.width = width;
    canvas.height = height;
    image = canvas.getContext("2d").createImageData(width, height);
    IMAGES.set(canvas, image);
  }
  return { pixels: new Int32Array(image.data.buffer), put: () => canvas.getContext("2d").putImageData(image, 0, 0) };
}

function networkPicture(canvas, engine, layers, { style, labels }, atlas) {
  // Every neuron as its heat map, layer by layer, joined by lines whose width and colour show each weight.
  const { net } = engine, widths = [...net.widths.slice(0, -1), 1];
  const scale = style.fontSize > 16 ? 1.4 : 1, tile = Math.round(TILE * scale), gap = Math.round(COLUMN_GAP * scale);
  const rows = Math.max(...widths), head = Math.round(24 * scale), gutter = Math.round(60 * scale);
  const width = MARGIN * 2 + widths.length * tile + (widths.length - 1) * gap + gutter;
  const height = MARGIN * 2 + rows * tile + (rows - 1) * ROW_GAP + head;
  const context = sizeCanvas(canvas, width, height);
  canvas.style.width = "100%";
  canvas.style.height = "auto";
  context.fillStyle = "white";
  context.fillRect(0, 0, width, height);
  const corner = (col, row) => [MARGIN + gutter + col * (tile + gap),
    MARGIN + head + Math.floor(((rows - widths[col]) * (tile + ROW_GAP)) / 2) + row * (tile + ROW_GAP)];
  const biggest = Math.max(...net.weights.map((W) => Math.max(...W.map(Math.abs)))) || 1;
  net.weights.forEach((W, l) => {  // lines first, tiles on top
    const fanOut = net.widths[l + 1], last = l === net.weights.length - 1;
    for (let i = 0; i < net.widths[l]; i++) {
      for (let j = 0; j < (last ? 1 : fanOut); j++) {
        const w = Number.isFinite(W[i * fanOut + j]) ? W[i * fanOut + j] : 0;
        const [x0, y0] = corner(l, i), [x1, y1] = corner(l + 1, j);
        context.strokeStyle = rgb(w > 0 ? BLUE : ORANGE);
        context.lineWidth = Math.max(1, Math.round((style.lineWidth * 2.5 * Math.abs(w)) / biggest));
        context.beginPath();
        context.moveTo(x0 + tile, y0 + tile / 2);
        context.lineTo(x1, y1 + tile / 2);
        context.stroke();
      }
    }
  });
  // Every map below the one before in `atlas`, put there at once, then each scaled into its tile.
  const resolution = MAP_RESOLUTION, cells = resolution ** 2, maps = layers.slice(0, -1);
  const { pixels, put } = canvasPixels(atlas, resolution, resolution * net.widths.slice(0, -1).reduce((a, b) => a + b));
  let drawn = 0;
  maps.forEach((values, col) => {
    for (let row = 0; row < net.widths[col]; row++, drawn++) heatTile(pixels.subarray(drawn * cells, (drawn + 1) * cells), values, row);
  });
  put();
  context.imageSmoothingEnabled = true;
  context.font = `${Math.round(13 * scale)}px sans-serif`;
  context.fillStyle = "black";
  drawn = 0;
  maps.forEach((values, col) => {
    for (let row = 0; row < net.widths[col]; row++, drawn++) {
      const [x, y] = corner(col, row);
      context.drawImage(atlas, 0, drawn * resolution, resolution, resolution, x, y, tile, tile);
      context.strokeStyle = "rgb(180,180,180)";
      context.lineWidth = 1;
      context.strokeRect(x + 0.5, y + 0.5, tile - 1, tile - 1);
    }
    context.textAlign = "center";
    context.textBaseline = "top";
    context.fillText(col === 0 ? "features" : `hidden ${col}`, corner(col, 0)[0] + tile / 2, MARGIN);
  });
  context.textAlign = "right";
  context.textBaseline = "middle";
  net.features.forEach((name, row) => {
    const [x, y] = corner(0, row);
    context.fillText(labels[name] ?? name, x - 6, y + tile / 2);
  });
  const [x, y] = corner(widths.length - 1, 0);
  context.textAlign = "left";
  context.fillText("output", x, y + tile / 2);
}

function pointColour(output, label, style) {
  // A data point's colour: its class, or for regression its value on the orange–blue scale.
  if (output === "softmax") return hexColour(style.palette[label % style.palette.length]);
  if (output === "tanh") return label > 0.5 ? BLUE : ORANGE;
  return scaleColour(label);
}

function outputPicture(canvas, engine, layers, data, scratch) {
  // The output over the canvas with the data on top: training points outlined white, test points black.
  const { net } = engine, { style, view } = data, resolution = MAP_RESOLUTION, k = net.widths.at(-1);
  const values = decision(net, layers.at(-1), resolution ** 2);
  const { pixels, put } = canvasPixels(scratch, resolution, resolution);
  const context = sizeCanvas(canvas, OUTPUT_SIZE, OUTPUT_SIZE);
  canvas.style.width = "100%";
  canvas.style.height = "auto";
  if (net.output === "softmax") {
    const tints = style.palette.map((hex) => pixelOf(hexColour(hex).map((c) => Math.trunc(c * 0.45 + 255 * 0.55))));
    values.forEach((c, p) => { pixels[p] = tints[c % tints.length]; });
  } else {
    heatTile(pixels, values, 0, view.discretize);
  }
  put();
  context.imageSmoothingEnabled = net.output !== "softmax";
  context.drawImage(scratch, 0, 0, OUTPUT_SIZE, OUTPUT_SIZE);
  const radius = Math.max(3, Math.round(style.markerSize * 0.55));
  const sets = [[data.train, "white"], ...(view.showTest ? [[data.test, "black"]] : [])];
  context.lineWidth = 1;
  sets.forEach(([{ points, labels }, outline]) => {
    context.strokeStyle = outline;
    labels.forEach((label, p) => {
      const u = ((points[2 * p] + 6) / 12) * (OUTPUT_SIZE - 1), v = OUTPUT_SIZE - 1 - ((points[2 * p + 1] + 6) / 12) * (OUTPUT_SIZE - 1);
      context.fillStyle = rgb(pointColour(net.output, label, style));
      context.beginPath();
      context.arc(u, v, radius, 0, 2 * Math.PI);
      context.fill();
      context.stroke();
    });
  });
}

function playgroundView(stage, data) {
  const network = document.createElement("div"), output = document.createElement("div");
  network.className = "pg-network";
  output.className = "pg-output";
  const networkCanvas = document.createElement("canvas"), outputCanvas = document.createElement("canvas");
  const chart = document.createElement("canvas"), losses = document.createElement("p");
  const caption = document.createElement("p");
  caption.className = "live-caption";
  caption.textContent = "Each square is one neuron's output over the whole input plane (orange negative, blue "
    + "positive); lines are weights, thicker for larger, blue positive, orange negative.";
  network.append(networkCanvas, caption);
  output.append(outputCanvas, losses, chart);
  stage.append(network, output);
  const atlas = document.createElement("canvas"), scratch = document.createElement("canvas");
  return {
    draw(engine) {
      const layers = engine.maps();
      networkPicture(networkCanvas, engine, layers, data, atlas);
      outputPicture(outputCanvas, engine, layers, data, scratch);
      const [train, test] = engine.losses;
      losses.innerHTML = `Training loss <b>${train.toFixed(3)}</b> · test loss <b>${test.toFixed(3)}</b>`;
      const { style } = data, curve = (column) => engine.history.map((row) => [row[0], row[column]]);
      lineChart(chart, Math.max(240, output.clientWidth), style.fontSize > 16 ? 260 : 220, {
        xTitle: "epoch", yTitle: "loss", fontSize: style.fontSize, lineWidth: style.lineWidth,
        series: [{ name: "training loss", colour: style.palette[0], points: curve(1) },
          { name: "test loss", colour: style.palette[1], points: curve(2) }],
      });
    },
    configure(next) {
      data = next;
    },
  };
}

function epochText(epoch) {
  // "Epoch 000,123", as the page has always written it
  return `Epoch ${String(epoch).padStart(6, "0").replace(/\B(?=(\d{3})+(?!\d))/g, ",")}`;
}

export default liveLoop({
  createEngine: playgroundEngine,
  createView: playgroundView,
  counterText: epochText,
  divergedText: (data) => `Training diverged: the weights became infinite or NaN at learning rate `
    + `${data.settings.learningRate}. Lower the learning rate (or add regularization), then press Reset.`,
});
