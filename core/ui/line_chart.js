// A small line chart on a canvas, redrawn with every picture: named curves against a count (epochs,
// iterations), dashed horizontal rules, a legend on top, and axes with round ticks.

function niceTicks(low, high, count = 5) {
  const raw = (high - low) / count || 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const ticks = [];
  for (let t = Math.ceil(low / step) * step; t <= high + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function tickLabel(value) {
  return Math.abs(value) >= 1000 ? value.toLocaleString("en-US") : String(Number(value.toPrecision(3)));
}

export function sizeCanvas(canvas, width, height) {
  // A canvas of width × height CSS pixels, sharp on high-density screens; returns its context in CSS pixels.
  const ratio = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
  }
  const context = canvas.getContext("2d");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  return context;
}

export function lineChart(canvas, width, height, { title = "", subtitle = "", xTitle, yTitle, series, rules = [],
  yDomain = null, fontSize = 14, lineWidth = 2 }) {
  const context = sizeCanvas(canvas, width, height);
  context.clearRect(0, 0, width, height);
  const small = Math.round(fontSize * 0.8), font = (size, weight = "") => `${weight} ${size}px sans-serif`;
  const finite = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xs = finite.map(([x]) => x), ys = finite.map(([, y]) => y).concat(rules.map((r) => r.y));
  const xHigh = Math.max(1, ...xs), xLow = Math.min(0, ...xs);
  const [yLow, yHigh] = yDomain ?? [Math.min(0, ...ys), Math.max(1e-9, ...ys) * 1.05];
  let top = 4;
  context.fillStyle = "#31333f";
  context.textAlign = "left";
  context.textBaseline = "top";
  if (title) {
    context.font = font(fontSize, "bold");
    context.fillText(title, 4, top);
    top += fontSize + 4;
  }
  if (subtitle) {
    context.font = font(small);
    context.fillStyle = "#6b6d76";
    context.fillText(subtitle, 4, top);
    top += small + 4;
  }
  let x = 4;  // the legend
  context.font = font(small);
  series.forEach((s) => {
    context.fillStyle = s.colour;
    context.fillRect(x, top + small / 2 - lineWidth / 2, 18, lineWidth);
    context.fillStyle = "#31333f";
    context.fillText(s.name, x + 24, top);
    x += 40 + context.measureText(s.name).width;
  });
  top += small + 10;
  const yTicks = niceTicks(yLow, yHigh), xTicks = niceTicks(xLow, xHigh);
  const left = small + 16 + Math.max(...yTicks.map((t) => context.measureText(tickLabel(t)).width));
  const bottom = height - small * 2 - 14, right = width - 12;
  const px = (v) => left + ((v - xLow) / (xHigh - xLow || 1)) * (right - left);
  const py = (v) => bottom - ((Math.min(Math.max(v, yLow), yHigh) - yLow) / (yHigh - yLow || 1)) * (bottom - top);
  context.strokeStyle = "#e6e6ea";
  context.lineWidth = 1;
  context.fillStyle = "#6b6d76";
  context.textAlign = "right";
  context.textBaseline = "middle";
  yTicks.forEach((t) => {
    context.beginPath(); context.moveTo(left, py(t)); context.lineTo(right, py(t)); context.stroke();
    context.fillText(tickLabel(t), left - 6, py(t));
  });
  context.textAlign = "center";
  context.textBaseline = "top";
  xTicks.forEach((t) => context.fillText(tickLabel(t), px(t), bottom + 5));
  context.fillText(xTitle, (left + right) / 2, bottom + small + 8);
  context.save();
  context.translate(4 + small / 2, (top + bottom) / 2);
  context.rotate(-Math.PI / 2);
  context.textBaseline = "middle";
  context.fillText(yTitle, 0, 0);
  context.restore();
  rules.forEach((r) => {
    context.strokeStyle = r.colour;
    context.globalAlpha = 0.7;
    context.setLineDash([5, 4]);
    context.beginPath(); context.moveTo(left, py(r.y)); context.lineTo(right, py(r.y)); context.stroke();
  });
  context.setLineDash([]);
  context.globalAlpha = 1;
  context.lineWidth = lineWidth;
  context.lineJoin = "round";
  series.forEach((s) => {
    context.strokeStyle = s.colour;
    context.beginPath();
    let drawing = false;
    s.points.forEach(([a, b]) => {
      if (!Number.isFinite(a) || !Number.isFinite(b)) { drawing = false; return; }
      if (drawing) context.lineTo(px(a), py(b)); else context.moveTo(px(a), py(b));
      drawing = true;
    });
    context.stroke();
  });
}
