// The live loop every play/pause animation shares: it mounts an engine and its view in the component, runs
// Play / Pause / Step / Reset in the browser (training and drawing once per animation frame), and sends a small
// snapshot to Python only when the student pauses, steps or resets, or when training stops by itself.
//
// createEngine(data, resume) → {count, diverged, step(), snapshot(), configure(settings)}, and optionally done():
// true once when a run an extra button started (by returning true from its run(engine)) has gone far enough
// createView(element, data)  → {draw(engine, playing), configure(data)}
// Python sends `data` = {run, settings, resume, ...}: a new `run` starts afresh (from `resume` when it belongs to it).

const FRAME_BUDGET_MS = 6; // training time per picture: at least one step, more while within this (spec.budgetMs:
// another, or a function of the engine that gives it)

function element(tag, attributes = {}, text = "") {
  const node = document.createElement(tag);
  Object.entries(attributes).forEach(([name, value]) => node.setAttribute(name, value));
  node.textContent = text;
  return node;
}

function button(name, icon, label, title = "") {
  // A button with one of Streamlit's Material Symbols icons (the page has loaded the font)
  const node = element("button", { class: `live-${name}`, type: "button", title });
  node.append(element("span", { class: "live-icon" }, icon), element("span", {}, label));
  return node;
}

function liveInstance(parent, spec, setStateValue) {
  const root = element("div", { class: "live", "data-frames": "0" });
  const bar = element("div", { class: "live-bar" });
  const play = button("play", "play_arrow", "Play");
  const step = button("step", "skip_next", "Step", spec.stepTitle);
  const extras = (spec.extraButtons ?? []).map((extra) => [extra, button(extra.name, extra.icon, extra.label, extra.title)]);
  const reset = button("reset", "restart_alt", "Reset");
  const counter = element("h3", { class: "live-counter" });
  const message = element("div", { class: "live-message", role: "alert" });
  const stage = element("div", { class: "live-stage" });
  bar.append(play, step, ...extras.map(([, button]) => button), reset, counter);
  root.append(bar, message, stage);
  parent.append(root);

  let data = null, engine = null, view = null, playing = false, frames = 0, running = true;

  const send = () => setStateValue("snapshot", { run: data.run, ...engine.snapshot() });
  const show = () => {
    view.draw(engine, playing);
    counter.textContent = spec.counterText(engine.count);
    message.textContent = engine.diverged ? spec.divergedText(data, engine) : "";
    play.firstChild.textContent = playing ? "pause" : "play_arrow";
    play.lastChild.textContent = playing ? "Pause" : "Play";
    play.disabled = engine.diverged;
    [step, ...extras.map(([, button]) => button)].forEach((button) => { button.disabled = playing || engine.diverged; });
    root.dataset.frames = String(++frames);
  };
  const start = (resume) => {
    engine = spec.createEngine(data, resume);
    stage.replaceChildren();
    view = spec.createView(stage, data);
  };
  const frame = () => {
    if (!running) return;
    if (playing) {
      const begun = performance.now(), budget = typeof spec.budgetMs === "function" ? spec.budgetMs(engine)
        : spec.budgetMs ?? FRAME_BUDGET_MS;
      let stop = false;
      do {
        engine.step();
        stop = engine.diverged || Boolean(engine.done?.());
      } while (!stop && performance.now() - begun < budget);
      if (stop) {
        playing = false;
        send();
      }
      show();
    }
    requestAnimationFrame(frame);
  };

  play.addEventListener("click", () => {
    playing = !playing && !engine.diverged;
    if (!playing) send();
    show();
  });
  step.addEventListener("click", () => {
    engine.step();
    show();
    send();
  });
  extras.forEach(([extra, button]) => button.addEventListener("click", () => {
    playing = Boolean(extra.run(engine)) && !engine.diverged;  // true: play until the engine says it is done
    show();
    if (!playing) send();
  }));
  reset.addEventListener("click", () => {
    start(null);
    show();
    send();
  });

  return {
    update(next) {
      const fresh = !data || next.run !== data.run;
      data = next;
      root.classList.toggle("projector", Boolean(next.style?.projector));
      if (fresh) {
        playing = false;
        start(next.resume?.run === next.run ? next.resume : null);
      } else {
        engine.configure(next.settings);
        view.configure(next);
      }
      show();
    },
    begin() { requestAnimationFrame(frame); },
    stop() { running = false; },
  };
}

export function liveLoop(spec) {
  // The component's default export: one live instance per place on the page, however often Python reruns.
  const instances = new WeakMap();
  return ({ data, parentElement, setStateValue }) => {
    let instance = instances.get(parentElement);
    if (!instance) {
      instance = liveInstance(parentElement, spec, setStateValue);
      instances.set(parentElement, instance);
      instance.update(data);
      instance.begin();
    } else {
      instance.update(data);
    }
    return () => {
      instance.stop();
      instances.delete(parentElement);
    };
  };
}

export function thinned(rows, most = 200) {
  // At most `most` rows, evenly spread, always keeping the last.
  if (rows.length <= most) return rows.slice();
  const every = Math.ceil(rows.length / most);
  return rows.filter((_, i) => i % every === 0 || i === rows.length - 1);
}
