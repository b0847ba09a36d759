// A 3-D figure drawn on a 2-D canvas: points, lines, a height field and at most one translucent plane in a box,
// seen by an orthographic camera that the student turns by dragging (a double click turns it back); a figure of
// several frames gets Play and a slider. No WebGL: a browser without a GPU took 1–2 s to start any WebGL scene and
// draws these in milliseconds. Python (core/scene3d.py) sends the scene; the picture is painted far to near.

const PANE = "#f6f8fb", GRID = "#dfe8f3", EDGE = "#c3cedc", TEXT = "#2a3f5f";  // as plotly_white draws a 3-D box
const DEGREES_PER_PIXEL = 0.5, FRAME_MS = 150;

export function viewOf(azimuth, elevation) {
  // The camera's unit vectors in the box's coordinates: right and up on the screen, toward the viewer.
  const a = (azimuth * Math.PI) / 180, e = (elevation * Math.PI) / 180;
  const [ca, sa, ce, se] = [Math.cos(a), Math.sin(a), Math.cos(e), Math.sin(e)];
  return { right: [-sa, ca, 0], up: [-se * ca, -se * sa, ce], toward: [ce * ca, ce * sa, se] };
}

export function normalised(box, xyz) {
  // Data coordinates (x, y, z, x, y, z, …) → the box's own, each axis from -aspect to +aspect; NaN where missing.
  const q = new Float64Array(xyz.length);
  for (let i = 0; i < xyz.length; i++) {
    const a = i % 3, v = xyz[i] ?? NaN;
    q[i] = box.aspect[a] * ((2 * (v - box.lo[a])) / (box.hi[a] - box.lo[a]) - 1);
  }
  return q;
}

export function projected(q, view) {
  // The box's coordinates → (screen x, screen y upward, depth toward the viewer) for each point.
  const out = new Float64Array(q.length), { right: r, up: u, toward: t } = view;
  for (let i = 0; i < q.length; i += 3) {
    const [x, y, z] = [q[i], q[i + 1], q[i + 2]];
    out[i] = r[0] * x + r[1] * y + r[2] * z;
    out[i + 1] = u[0] * x + u[1] * y + u[2] * z;
    out[i + 2] = t[0] * x + t[1] * y + t[2] * z;
  }
  return out;
}

export function planePolygon(box, [a, b, c, d]) {
  // Where the plane a·x + b·y + c·z + d = 0 cuts the box: its corners in data coordinates (none if it misses).
  const corner = (i) => [0, 1, 2].map((k) => ((i >> k) & 1 ? box.hi[k] : box.lo[k]));
  const f = (p) => a * p[0] + b * p[1] + c * p[2] + d, corners = [];
  for (let i = 0; i < 8; i++) {
    for (let k = 0; k < 3; k++) {
      const j = i | (1 << k);
      if (j === i) continue;
      const [p, q] = [corner(i), corner(j)], [fp, fq] = [f(p), f(q)];
      if (fp === 0) corners.push(p);
      else if (fp * fq < 0) corners.push(p.map((v, m) => v + (fp / (fp - fq)) * (q[m] - v)));
    }
  }
  return corners.length >= 3 ? corners : [];
}

function rgba(colour, alpha) {
  const m = colour.match(/^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i);
  const [r, g, b] = m ? m.slice(1).map((h) => parseInt(h, 16)) : colour.match(/\d+(\.\d+)?/g).map(Number);
  return `rgba(${r},${g},${b},${alpha})`;
}

function prepared(scene) {
  // Each frame's items with their coordinates in the box's own (computed once per scene, not per picture).
  return scene.frames.map((frame) => frame.items.map((item) => {
    if (item.kind === "surface") {
      const nx = item.x.length, ny = item.y.length, xyz = [];
      for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) xyz.push(item.x[i], item.y[j], item.z[j * nx + i]);
      const finite = item.z.filter((v) => v !== null);
      return { ...item, nx, ny, q: normalised(scene.box, xyz), zLow: Math.min(...finite), zHigh: Math.max(...finite) };
    }
    if (item.kind === "plane") {
      const corners = planePolygon(scene.box, item.plane);
      return { ...item, q: normalised(scene.box, corners.flat()) };
    }
    return { ...item, q: normalised(scene.box, item.xyz) };
  }));
}

function primitives(items, view, box) {
  // Everything to paint, far to near; a plane's other items split by the side of it they are on.
  const list = [], plane = items.find((item) => item.kind === "plane");
  // which side of the plane the viewer is on, in data coordinates
  const side = plane && Math.sign([0, 1, 2].reduce((s, k) => s + plane.plane[k] * view.toward[k]
    * ((box.hi[k] - box.lo[k]) / (2 * box.aspect[k])), 0));
  const inFront = (q, i) => {  // the point q[i..i+2], in the box's coordinates, on the viewer's side of the plane
    if (!plane) return true;
    const p = [0, 1, 2].map((k) => box.lo[k] + ((q[i + k] / box.aspect[k] + 1) * (box.hi[k] - box.lo[k])) / 2);
    return side * (plane.plane[0] * p[0] + plane.plane[1] * p[1] + plane.plane[2] * p[2] + plane.plane[3]) >= 0;
  };
  const light = view.toward.map((v, k) => v * 0.8 + view.up[k] * 0.6);
  const field = items.find((item) => item.kind === "surface");  // a line on it is drawn over the cells it crosses
  const onTop = field ? 3 / Math.min(field.nx, field.ny) : 0;
  items.forEach((item) => {
    const s = projected(item.q, view);
    if (item.kind === "points") {
      for (let i = 0; i < s.length; i += 3) {
        if (Number.isFinite(s[i] + s[i + 1])) list.push({ item, front: inFront(item.q, i), depth: s[i + 2], at: [s[i], s[i + 1]] });
      }
    } else if (item.kind === "line") {
      for (let i = 0; i + 5 < s.length; i += 3) {
        if (!Number.isFinite(s[i] + s[i + 1] + s[i + 3] + s[i + 4])) continue;
        list.push({ item, front: inFront(item.q, i), depth: (s[i + 2] + s[i + 5]) / 2 + onTop,
          at: [s[i], s[i + 1], s[i + 3], s[i + 4]] });
      }
    } else if (item.kind === "surface") {
      const { nx, ny, q, z } = item, [lx, ly, lz] = light, lightLength = Math.hypot(lx, ly, lz);
      for (let j = 0; j + 1 < ny; j++) {
        for (let i = 0; i + 1 < nx; i++) {
          const a = 3 * (j * nx + i), b = a + 3, c = b + 3 * nx, d = a + 3 * nx;  // the cell's corners, in turn
          if (!Number.isFinite(q[a + 2] + q[b + 2] + q[c + 2] + q[d + 2])) continue;
          const [ux, uy, uz] = [q[c] - q[a], q[c + 1] - q[a + 1], q[c + 2] - q[a + 2]];  // its diagonals
          const [vx, vy, vz] = [q[d] - q[b], q[d + 1] - q[b + 1], q[d + 2] - q[b + 2]];
          const [nx0, ny0, nz0] = [uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx];
          const slope = Math.abs(nx0 * lx + ny0 * ly + nz0 * lz) / (Math.hypot(nx0, ny0, nz0) * lightLength || 1);
          const height = (z[a / 3] + z[b / 3] + z[c / 3] + z[d / 3]) / 4;
          list.push({ item, front: true, depth: (s[a + 2] + s[b + 2] + s[c + 2] + s[d + 2]) / 4,
            at: [s[a], s[a + 1], s[b], s[b + 1], s[c], s[c + 1], s[d], s[d + 1]],
            level: (height - item.zLow) / (item.zHigh - item.zLow || 1), shade: 0.55 + 0.45 * slope });
        }
      }
    }
  });
  const order = (a, b) => a.depth - b.depth;
  if (!plane) return list.sort(order);
  const s = projected(plane.q, view), centre = [0, 1].map((k) => s.filter((_, i) => i % 3 === k).reduce((t, v) => t + v, 0) / (s.length / 3));
  const corners = [];
  for (let i = 0; i < s.length; i += 3) corners.push([s[i], s[i + 1]]);
  corners.sort((a, b) => Math.atan2(a[1] - centre[1], a[0] - centre[0]) - Math.atan2(b[1] - centre[1], b[0] - centre[0]));
  const planeShape = { item: plane, at: corners.flat() };
  return [...list.filter((p) => !p.front).sort(order), ...(corners.length ? [planeShape] : []),
    ...list.filter((p) => p.front).sort(order)];
}

function paint(context, p, screen) {
  const { item, at } = p;
  if (item.kind === "points") {
    const [x, y] = screen(at[0], at[1]);
    context.fillStyle = item.colour;
    context.beginPath();
    context.arc(x, y, item.size / 2, 0, 2 * Math.PI);
    context.fill();
  } else if (item.kind === "line") {
    const [x0, y0] = screen(at[0], at[1]), [x1, y1] = screen(at[2], at[3]);
    context.strokeStyle = item.colour;
    context.lineWidth = item.width;
    context.beginPath();
    context.moveTo(x0, y0);
    context.lineTo(x1, y1);
    context.stroke();
  } else {
    context.beginPath();
    for (let i = 0; i < at.length; i += 2) {
      const [x, y] = screen(at[i], at[i + 1]);
      if (i === 0) context.moveTo(x, y); else context.lineTo(x, y);
    }
    context.closePath();
    if (item.kind === "plane") {
      context.fillStyle = rgba(item.colour, item.opacity);
      context.fill();
      context.strokeStyle = rgba(item.colour, Math.min(1, item.opacity * 2));
      context.lineWidth = 1;
      context.stroke();
    } else {
      const colour = cellColour(item, p.level, p.shade);
      context.fillStyle = colour;
      context.strokeStyle = colour;  // the same colour round each cell hides the seams between cells
      context.lineWidth = 0.6;
      context.fill();
      context.stroke();
    }
  }
}

function cellColour(item, level, shade) {
  // The colour scale's colour at `level` (0–1), darkened by `shade`: kept per surface, 256 levels × 32 shades.
  const k = Math.min(255, Math.max(0, Math.round(level * 255))), s = Math.round(shade * 31), key = k * 32 + s;
  item.colours ??= new Map();
  let colour = item.colours.get(key);
  if (!colour) {
    colour = `rgb(${[0, 1, 2].map((c) => Math.round(item.palette[3 * k + c] * (s / 31))).join(",")})`;
    item.colours.set(key, colour);
  }
  return colour;
}

function drawBox(context, box, view, screen, style) {
  // The three far faces with grid lines at round values, and each axis's ticks and title along an outer edge.
  const font = Math.round(style.fontSize * 0.85), at = (q) => {
    const p = projected(Float64Array.from(q), view);
    return screen(p[0], p[1]);
  };
  const ticks = [0, 1, 2].map((k) => niceTicks(box.lo[k], box.hi[k], 4).filter((t) => t >= box.lo[k] && t <= box.hi[k]));
  const coordinate = (k, v) => box.aspect[k] * ((2 * (v - box.lo[k])) / (box.hi[k] - box.lo[k]) - 1);
  context.lineWidth = 1.5;
  for (let k = 0; k < 3; k++) {
    const s = view.toward[k] > 0 ? -1 : 1, [m, n] = [0, 1, 2].filter((a) => a !== k);  // the face away from the viewer
    const face = (u, v) => { const q = [0, 0, 0]; q[k] = s * box.aspect[k]; q[m] = u; q[n] = v; return at(q); };
    const [am, an] = [box.aspect[m], box.aspect[n]];
    context.fillStyle = PANE;
    context.beginPath();
    [[-am, -an], [am, -an], [am, an], [-am, an]].forEach(([u, v], i) => {
      const [x, y] = face(u, v);
      if (i === 0) context.moveTo(x, y); else context.lineTo(x, y);
    });
    context.closePath();
    context.fill();
    context.strokeStyle = GRID;
    ticks[m].forEach((t) => { const u = coordinate(m, t); line(context, face(u, -an), face(u, an)); });
    ticks[n].forEach((t) => { const v = coordinate(n, t); line(context, face(-am, v), face(am, v)); });
  }
  const [r, t] = [view.right, view.toward], a = box.aspect;
  const below = t[2] >= 0 ? -a[2] : a[2], front = (k) => (t[k] >= 0 ? a[k] : -a[k]);
  const edges = [  // each axis's edge: the lower front edges for x and y, the leftmost upright one for z
    (v) => [v, front(1), below], (v) => [front(0), v, below],
    (v) => [r[0] > 0 ? -a[0] : a[0], r[1] > 0 ? -a[1] : a[1], v]];
  const [cx, cy] = at([0, 0, 0]);
  context.fillStyle = TEXT;
  context.textBaseline = "middle";
  edges.forEach((edge, k) => {
    const [x0, y0] = at(edge(-a[k])), [x1, y1] = at(edge(a[k])), [mx, my] = [(x0 + x1) / 2, (y0 + y1) / 2];
    let [ox, oy] = [mx - cx, my - cy];
    const length = Math.hypot(ox, oy) || 1;
    [ox, oy] = [ox / length, oy / length];
    context.strokeStyle = EDGE;
    line(context, [x0, y0], [x1, y1]);
    context.font = `${font}px sans-serif`;
    const widest = Math.max(...ticks[k].map((v) => context.measureText(tickLabel(v)).width));
    const align = ox > 0.3 ? "left" : ox < -0.3 ? "right" : "center";
    context.textAlign = align;
    ticks[k].forEach((v) => {
      const [x, y] = at(edge(coordinate(k, v)));
      context.fillText(tickLabel(v), x + ox * font * 0.7, y + oy * font * 0.9);
    });
    context.font = `${style.fontSize}px sans-serif`;
    const away = font * 1.4 + Math.abs(ox) * widest + Math.abs(oy) * font;  // past the tick labels
    context.textAlign = k === 2 ? "center" : align;
    if (k === 2) context.fillText(box.titles[k], Math.min(x0, x1), Math.min(y0, y1) - font * 1.3);  // atop its axis
    else context.fillText(box.titles[k], mx + ox * away, my + oy * away);
  });
}

function fitted(scene, width) {
  // The scale (pixels per unit of the box) at which the box, seen from the scene's own camera, fills the width with
  // room for the labels, and a canvas no taller than it needs; turning keeps the scale.
  const { aspect } = scene.box, side = 4 * scene.style.fontSize, margin = 3 * scene.style.fontSize, corners = [];
  for (let i = 0; i < 8; i++) corners.push(...[0, 1, 2].map((k) => ((i >> k) & 1 ? aspect[k] : -aspect[k])));
  const s = projected(Float64Array.from(corners), viewOf(scene.camera.azimuth, scene.camera.elevation));
  const across = 2 * Math.max(...s.filter((_, i) => i % 3 === 0)), tall = 2 * Math.max(...s.filter((_, i) => i % 3 === 1));
  const wide = (width - 2 * side) / across, height = Math.min(scene.height, Math.ceil(tall * wide + 2 * margin));
  return { scale: Math.min(wide, (height - 2 * margin) / tall), height };
}

function line(context, [x0, y0], [x1, y1]) {
  context.beginPath();
  context.moveTo(x0, y0);
  context.lineTo(x1, y1);
  context.stroke();
}

function sceneInstance(parent) {
  const root = document.createElement("div"), title = document.createElement("div");
  const legend = document.createElement("div"), canvas = document.createElement("canvas");
  const controls = document.createElement("div"), play = document.createElement("button");
  const slider = document.createElement("input"), label = document.createElement("span");
  root.className = "scene3d";
  title.className = "scene3d-title";
  legend.className = "scene3d-legend";
  controls.className = "scene3d-controls";
  slider.type = "range";
  slider.min = "0";
  play.type = "button";
  canvas.setAttribute("role", "img");
  controls.append(play, slider, label);
  root.append(title, legend, canvas, controls);
  root.dataset.drawn = "0";
  parent.append(root);

  let scene = null, items = null, frame = 0, azimuth = 0, elevation = 0, playing = null, pending = false;
  const camera = () => { [azimuth, elevation] = [scene.camera.azimuth, scene.camera.elevation]; };
  const draw = () => {
    pending = false;
    const style = scene.style, width = Math.max(280, root.clientWidth || 600), view = viewOf(azimuth, elevation);
    const { scale, height } = fitted(scene, width);
    const context = sizeCanvas(canvas, width, height);
    const screen = (x, y) => [width / 2 + scale * x, height / 2 - scale * y];
    context.clearRect(0, 0, width, height);
    drawBox(context, scene.box, view, screen, style);
    context.lineCap = "round";
    primitives(items[frame], view, scene.box).forEach((p) => paint(context, p, screen));
    const shown = scene.frames[frame];
    title.textContent = shown.title ?? scene.title ?? "";
    canvas.setAttribute("aria-label", title.textContent);
    label.textContent = `${scene.frameLabel} ${shown.name}`;
    slider.value = String(frame);
    play.textContent = playing ? "❚❚ Pause" : "▶ Play";
    root.dataset.drawn = String(Number(root.dataset.drawn) + 1);
    root.dataset.frame = String(frame);
    root.dataset.azimuth = String(azimuth);
  };
  const redraw = () => { if (!pending) { pending = true; requestAnimationFrame(draw); } };
  const stop = () => { clearInterval(playing); playing = null; };
  const showLegend = () => {
    legend.replaceChildren(...scene.frames[0].items.filter((item) => item.name).map((item) => {
      const entry = document.createElement("span"), swatch = document.createElement("span");
      swatch.className = `scene3d-swatch scene3d-${item.kind}`;
      swatch.style.background = item.kind === "surface"
        ? `linear-gradient(90deg, rgb(${item.palette.slice(0, 3)}), rgb(${item.palette.slice(-3)}))`
        : item.kind === "plane" ? rgba(item.colour, Math.max(0.5, item.opacity)) : item.colour;
      entry.append(swatch, item.name);
      return entry;
    }));
  };

  let dragging = null;
  canvas.addEventListener("pointerdown", (event) => {
    dragging = [event.clientX, event.clientY];
    canvas.setPointerCapture(event.pointerId);
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!dragging) return;
    azimuth -= (event.clientX - dragging[0]) * DEGREES_PER_PIXEL;
    elevation = Math.max(-89, Math.min(89, elevation + (event.clientY - dragging[1]) * DEGREES_PER_PIXEL));
    dragging = [event.clientX, event.clientY];
    redraw();
  });
  canvas.addEventListener("pointerup", () => { dragging = null; });
  canvas.addEventListener("dblclick", () => { camera(); redraw(); });
  slider.addEventListener("input", () => { stop(); frame = Number(slider.value); redraw(); });
  play.addEventListener("click", () => {
    if (playing) { stop(); redraw(); return; }
    if (frame === scene.frames.length - 1) frame = 0;
    playing = setInterval(() => {
      frame += 1;
      if (frame >= scene.frames.length - 1) { frame = scene.frames.length - 1; stop(); }
      redraw();
    }, FRAME_MS);
    redraw();
  });
  let width = 0;
  const resized = new ResizeObserver(() => { if (root.clientWidth !== width) { width = root.clientWidth; redraw(); } });
  resized.observe(root);

  return {
    update(next) {
      const turned = scene && JSON.stringify(next.camera) === JSON.stringify(scene.camera) && next.box.titles.join() === scene.box.titles.join();
      if (!scene || next.frames.length !== scene.frames.length) { stop(); frame = 0; }
      scene = next;
      items = prepared(next);
      if (!turned) camera();  // a rerun with the same view keeps the student's turn
      root.classList.toggle("projector", Boolean(next.style.projector));
      controls.hidden = next.frames.length < 2;
      slider.max = String(next.frames.length - 1);
      showLegend();
      draw();
    },
    remove() { stop(); resized.disconnect(); },
  };
}

export default function ({ data, parentElement }) {
  // One scene per place on the page, however often Python reruns.
  const instances = (globalThis.scene3dInstances ??= new WeakMap());
  let instance = instances.get(parentElement);
  if (!instance) {
    instance = sceneInstance(parentElement);
    instances.set(parentElement, instance);
  }
  instance.update(data);
  return () => {
    instance.remove();
    instances.delete(parentElement);
  };
}
