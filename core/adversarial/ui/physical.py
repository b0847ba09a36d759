"""Physical adversarial examples: does an attack survive what a printer and a camera do (JPEG, blur, a small turn
and change of scale, brightness)? Each change with a slider and the prediction before and after; then the
expectation-over-transformation (EOT) attack that survives them, its success rate measured over random cameras
against the plain attack's."""
import hashlib
from collections.abc import Callable

import numpy as np
import plotly.graph_objects as go
import streamlit as st
import torch

from core import plots
from core.adversarial import attacks, physical
from core.device import device, to_numpy
from core.ui import cache, heavy, image_input, projector, url_state

SOURCES = ("Photo", "Fashion-MNIST item", "Upload")
GOALS = ("Untargeted", "Targeted")
PHOTO = "coffee"  # the default photo: the classifier is sure of it (espresso, 96 %), and stays sure through a camera
TOASTER = "toaster"  # the default target on photos (Brown et al.'s adversarial patch turned things into toasters)
CAMERA_DEFAULTS = {"phys_rotation": 0, "phys_scale": 1.0, "phys_brightness": 1.0, "phys_blur": 0.0, "phys_jpeg": 100}
SHOWN = {"rotation": lambda v: f"{v:+g}°", "scale": lambda v: f"×{v:g}", "brightness": lambda v: f"×{v:g}",
         "blur": lambda v: f"σ = {100 * v:g} % of the width", "jpeg": lambda v: f"quality {v}"}


def _digest(picture: np.ndarray) -> str:
    return hashlib.sha1(np.ascontiguousarray(picture).tobytes()).hexdigest()[:16]


@heavy.shared("Attacking (PGD)", quick=lambda model, **_: model != "imagenet")
def _plain(model: str, picture: np.ndarray, eps: float, steps: int, label: int, target: int | None,
           _net: torch.nn.Module, _x: torch.Tensor) -> np.ndarray:
    """The plain PGD attack on one input (`model` and `picture` name it): adversarial pixels (1, C, H, W)."""
    return to_numpy(attacks.pgd(attacks.pixel_model(_net), attacks.to_pixels(_net, _x), label, eps, steps,
                       target=target).x)


def _shown(x: torch.Tensor) -> np.ndarray:
    picture = attacks.to_picture(x)
    return picture if picture.shape[0] >= 100 else plots.enlarge(picture)


def _reset_camera() -> None:
    for key, value in CAMERA_DEFAULTS.items():
        st.session_state[key] = value


def _camera() -> physical.Camera:
    a, b, c, d, e = st.columns(5)
    with a:
        rotation = url_state.slider("Rotation (°)", -30, 30, 0, 1, key="phys_rotation")
    with b:
        factor = url_state.slider("Scale (×)", 0.7, 1.3, 1.0, 0.01, key="phys_scale")
    with c:
        light = url_state.slider("Brightness (×)", 0.5, 1.5, 1.0, 0.05, key="phys_brightness")
    with d:
        blur = url_state.slider("Blur (σ, % of the width)", 0.0, 3.0, 0.0, 0.1, key="phys_blur")
    with e:
        quality = url_state.slider("JPEG quality (100 = none)", 5, 100, 100, 5, key="phys_jpeg")
    return physical.Camera(rotation, factor, light, blur / 100, quality)


Photographer = Callable[[torch.Tensor, physical.Camera], torch.Tensor]


def _photographer() -> Photographer:
    """physical.photograph, each image through each camera once in a run: step 2's pictures and the table's row for
    the whole camera are the same photographs."""
    taken: dict[tuple[int, physical.Camera], torch.Tensor] = {}

    def photograph(image: torch.Tensor, camera: physical.Camera) -> torch.Tensor:
        key = (id(image), camera)
        if key not in taken:
            taken[key] = physical.photograph(image, camera)
        return taken[key]
    return photograph


def _seen(reading: image_input.Reading, photo: torch.Tensor) -> tuple[int, float]:
    """The top class and its probability for a photograph (pixels). The classifier's answer is kept for everyone
    (cache.probabilities): a rerun, or the next student, computes no view seen before, and moving one slider
    computes only the views it changes."""
    probs = cache.probabilities(reading.net, attacks.from_pixels(reading.net, photo))
    return int(probs.argmax()), float(probs.max())


def _check(fooled: bool, targeted: bool) -> str:
    if fooled:
        return ":green[:material/check: " + ("target reached]" if targeted else "still fooled]")
    return ":red[:material/close: " + ("not the target]" if targeted else "no longer fooled]")


def _survival_table(reading: image_input.Reading, photograph: Photographer, x, plain_x, eot_x,
                    camera: physical.Camera, label: int, target: int | None) -> str:
    """A markdown table: each change of the camera alone, then all together; the prediction for the original and
    for each adversarial image seen through it, and whether the attack still works."""
    views = {"none": physical.Camera(), **physical.one_at_a_time(camera)}
    head = "| change | setting | original | plain attack | still fooled? |"
    rule = "|---|---|---|---|---|"
    if eot_x is not None:
        head += " EOT attack | still fooled? |"
        rule += "---|---|"
    rows = [head, rule]
    for name, cam in views.items():
        setting = "—" if name == "none" else ", ".join(SHOWN[k](getattr(cam, k)) for k in SHOWN
                                                       if getattr(cam, k) != getattr(physical.Camera(), k))
        cells = [physical.NAMES.get(name, "as it is" if name == "none" else name), setting]
        for image in (x, plain_x) + ((eot_x,) if eot_x is not None else ()):
            top, conf = _seen(reading, photograph(image, cam))
            cells.append(f"{reading.labels[top]} ({conf:.0%})")
            if image is not x:
                cells.append(_check(bool(physical.fooled(np.array([top]), label, target)[0]), target is not None))
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _rates_figure(rates: dict[str, float], n: int, targeted: bool, style: plots.PlotStyle) -> go.Figure:
    what = "reach the target" if targeted else "are misclassified"
    return plots.bars(list(rates), list(rates.values()), style, f"Views (of {n} random cameras) that {what}",
                      height=340)


def _request_eot() -> None:
    st.session_state["phys_eot_todo"] = True


def section() -> None:
    st.markdown("*Physical adversarial examples exist too!* An adversarial image printed on paper and photographed "
                "with a phone can still fool a classifier (Kurakin et al. 2016); a 3-D printed turtle was taken for "
                "a rifle from almost every angle (Athalye et al. 2018). But a camera and a printer change the "
                "image: a little turn, another scale, other light, blur, JPEG compression. Does the attack "
                "survive? And how do you make one that does?")
    chosen = image_input.pick_and_read("phys", SOURCES, photo=PHOTO)
    if chosen is None:
        return
    picked, reading = chosen
    style = projector.style()
    names, model, photo = reading.labels, reading.model, reading.model == "imagenet"
    net = attacks.pixel_model(reading.net)
    x = attacks.to_pixels(reading.net, reading.x).to(device())
    probs = cache.probabilities(reading.net, reading.x)
    before, confidence = int(probs.argmax()), float(probs.max())
    label = picked.label if picked.label is not None else before

    st.subheader("1. The attack, as usual")
    goal_col, target_col, eps_col, steps_col = st.columns([3, 3, 3, 2])
    with goal_col:
        goal = url_state.choice(st.segmented_control, "Goal", GOALS, key="phys_goal")
    target = None
    with target_col:
        if goal == "Targeted":
            order = [i for i in np.argsort(probs)[::-1].tolist() if i != before]
            default = names.index(TOASTER) if photo and names.index(TOASTER) in order else order[0]
            target = url_state.choice(st.selectbox, "Target class", order, default,
                                      key="phys_target_photo" if photo else f"phys_target_{model}",
                                      format_func=lambda i: names[i])
        else:
            st.markdown(f"**Untargeted:** push the image away from “{names[label]}”"
                        f"{' (its true class)' if picked.label is not None else ' (what the network sees now)'}.")
    with eps_col:
        if photo:
            eps = url_state.slider("Budget ε (grey levels of 255)", 1, 32, 4, key="phys_eps255") / 255
        else:
            eps = url_state.slider("Budget ε (pixels in [0, 1])", 0.01, 0.3, 0.1, 0.01, key="phys_eps")
    with steps_col:
        steps = url_state.slider("PGD steps", 5, 40, 10, 5, key="phys_steps")
    budget = f"{eps * 255:.0f}/255" if photo else f"{eps:g}"
    plain = _plain(model, reading.picture, eps, steps, label, target, reading.net, reading.x)
    plain_x = torch.from_numpy(plain).to(device())
    adv_probs = cache.probabilities(reading.net, attacks.from_pixels(reading.net, plain_x))
    adv_top, adv_conf = int(adv_probs.argmax()), float(adv_probs.max())
    worked = bool(physical.fooled(np.array([adv_top]), label, target)[0])
    left, right, note = st.columns([1, 1, 2])
    left.image(_shown(x), caption=f"Original: {names[before]} ({confidence:.0%})", width="stretch")
    right.image(_shown(plain_x), caption=f"Plain PGD: {names[adv_top]} ({adv_conf:.0%})", width="stretch")
    with note:
        st.markdown(f"Untargeted PGD ({steps} steps, ε = {budget})" if target is None else
                    f"Targeted PGD towards “{names[target]}” ({steps} steps, ε = {budget})")
        st.markdown(("The attack works on the image **as it is**." if worked else
                     "The attack did **not** work even on the image as it is: raise ε or the steps.")
                    + " Now print it and take a photo of it…")

    st.subheader("2. Through a printer and a camera")
    camera = _camera()
    st.button("No camera changes", icon=":material/restart_alt:", on_click=_reset_camera, key="phys_reset")
    signature = (model, _digest(reading.picture), eps, steps, target, label)
    eot = st.session_state.get("phys_eot", {}).get(signature)
    eot_x = None if eot is None else eot["survival"].eot_x.to(device())
    a, b, c, _ = st.columns(4)
    photograph = _photographer()
    a.image(_shown(photograph(x, camera)), caption="The original, photographed", width="stretch")
    b.image(_shown(photograph(plain_x, camera)), caption="The plain attack, photographed", width="stretch")
    if eot_x is not None:
        c.image(_shown(photograph(eot_x, camera)), caption="The EOT attack, photographed", width="stretch")
    st.markdown(_survival_table(reading, photograph, x, plain_x, eot_x, camera, label, target))
    st.caption("Each change alone, then all together. The original's column is the control: a change that alone "
               "makes the network change its mind says little about the attack. JPEG is Pillow's real codec.")

    st.subheader("3. An attack that survives: expectation over transformation")
    st.markdown("Instead of fooling the network on the image as it is, fool it **on average over random "
                "photographs of the image**: at every PGD step, draw a few random cameras (a turn of up to "
                f"±{physical.RANGES.rotation:g}°, scale ×{physical.RANGES.scale[0]:g}–{physical.RANGES.scale[1]:g}, "
                f"brightness ×{physical.RANGES.brightness[0]:g}–{physical.RANGES.brightness[1]:g}, blur up to "
                f"σ = {100 * physical.RANGES.blur:g} % of the width, JPEG of quality "
                f"{physical.RANGES.jpeg[0]}–{physical.RANGES.jpeg[1]} half of the time), and follow the gradient "
                "averaged over them (Athalye et al. 2018). JPEG has no gradient: in the attack it compresses on "
                "the way forward and passes the gradient back unchanged (the straight-through trick).")
    s_col, n_col, go_col = st.columns([2, 2, 3], vertical_alignment="bottom")
    with s_col:
        samples = url_state.slider("Random cameras per step", 2, 32, 8 if photo else 32, 2,
                                   key="phys_samples_photo" if photo else "phys_samples")
    with n_col:
        cameras = url_state.slider("Random cameras to measure with", 10, 100, 50, 10, key="phys_cameras")
    eot = st.session_state.get("phys_eot", {}).get(signature)
    if eot is not None and eot["settings"] != (samples, cameras):
        eot = None  # the last EOT attack on this image used other settings: step 2 still shows it
    with go_col:
        st.button("Run the EOT attack and measure both attacks", icon=":material/play_arrow:", type="primary",
                  on_click=_request_eot, key="phys_run",
                  help=f"{steps} steps × {samples} cameras" + (" (about 15 s on 2 CPU cores)" if photo else ""))
    if st.session_state.pop("phys_eot_todo", False):
        bar = st.progress(0.0, text="EOT attack…")
        result = physical.survival(net, x, plain_x, label, eps, steps, samples, cameras, target,
                                   on_progress=lambda f, what: bar.progress(f, text=f"{what}…"))
        bar.empty()
        st.session_state.setdefault("phys_eot", {})[signature] = {"survival": result, "settings": (samples, cameras)}
        st.rerun()  # so step 2 shows the new image too
    if eot is None:
        st.info(f"Press the button to run the EOT attack ({steps} steps, {samples} random cameras each) and to "
                f"photograph the original and both attacks through {cameras} other random cameras.",
                icon=":material/photo_camera:")
        return
    result: physical.Survival = eot["survival"]
    rates = result.rates
    left, right = st.columns([1, 2])
    left.image(_shown(result.eot_x), caption=f"EOT attack, as it is: {names[result.eot_top]}", width="stretch")
    with right:
        projector.chart(_rates_figure(rates, len(result.cameras), target is not None, style), key="phys_rates")
    st.markdown(f"Through the same {len(result.cameras)} random cameras, the plain attack "
                f"{'reaches its target' if target is not None else 'fools the network'} in "
                f"**{rates['plain attack']:.0%}** of the views, the EOT attack in **{rates['EOT attack']:.0%}** "
                f"(the original image, unattacked: {rates['original (no attack)']:.0%}). Same budget ε, same number "
                "of steps; the EOT attack just never trusted one exact picture.")
    st.caption(f"EOT attack: {result.seconds['EOT attack']:.1f} s; photographing the three images: "
               f"{result.seconds['measuring']:.1f} s. The measuring cameras are drawn apart from the attack's.")
