"""Adversarial examples: FGSM, PGD and targeted attacks with a budget ε, on the Fashion/MNIST CNNs and on the
ImageNet classifier (shipped photos and uploads). Shown: the original, the change (amplified), the adversarial image,
top-5 and saliency before and after, the change's L∞ and L2 size, and the objective at each step."""
import time

import numpy as np
import streamlit as st
import torch

from core import plots, saliency
from core.adversarial import attacks
from core.device import to_numpy
from core.ui import cache, heavy, image_input, projector, url_state

TOASTER = "toaster"  # the default target on photos: Brown et al.'s adversarial patch made everything a toaster
STEP_SHARES = (0.05, 0.1, 0.25, 0.5, 1.0)  # PGD's step size, as a share of ε
GOALS = ("Untargeted", "Targeted")
OBJECTIVE_NAMES = {"logit": "its output node (the notes' adv loss)",
                   "cross-entropy": "its log-probability (cross-entropy)"}


@heavy.shared("Attacking", quick=lambda attack, model, **_: attack == "FGSM" or model != "imagenet")
def _attack(model: str, picture: np.ndarray, attack: str, eps: float, steps: int, step_share: float, label: int,
            target: int | None, objective_kind: str, _net: torch.nn.Module, _x: torch.Tensor
            ) -> tuple[np.ndarray, list[float], np.ndarray, float]:
    """One attack on one input (`model` and `picture` name it): the adversarial pixels (C, H, W) in [0, 1], the
    objective at each step, the adversarial image's class probabilities, and the seconds it took."""
    start = time.perf_counter()
    net = attacks.pixel_model(_net)
    x = attacks.to_pixels(_net, _x)
    out = attacks.run(attack, net, x, label, eps, steps=steps, step_size=step_share * eps, target=target,
                      objective_kind=objective_kind)
    probs = to_numpy(out.logits.softmax(1)[0])
    return to_numpy(out.x[0]), out.losses, probs, time.perf_counter() - start


def _picture(pixels: np.ndarray, model: str) -> np.ndarray:
    """[0, 1] pixels (C, H, W) → what is shown: the 224×224 crop, or the 28×28 image enlarged."""
    pic = attacks.to_picture(torch.from_numpy(pixels))
    return pic if model == "imagenet" else plots.enlarge(pic)


def _budget(model: str) -> float:
    """The ε slider: in grey levels of 255 for photos (ε = k/255), in [0, 1] units for the 28×28 CNNs."""
    if model == "imagenet":
        levels = url_state.slider("Budget ε (grey levels out of 255, per pixel and colour)", 0, 64, 4,
                                  key="adv_eps255", help="Each pixel may change by at most ε (the L∞ ball).")
        return levels / 255
    return url_state.slider("Budget ε (change per pixel, pixels in [0, 1])", 0.0, 0.5, 0.1, 0.01, key="adv_eps",
                            help="Each pixel may change by at most ε (the L∞ ball).")


def _target(names, probs: np.ndarray, model: str, image: str) -> int:
    """The wrong class to push towards: listed from most to least probable; back to its default on a new image."""
    key = "adv_target"
    if st.session_state.get(f"{key}_image", image) != image:
        st.session_state.pop(key, None)
    st.session_state[f"{key}_image"] = image
    order = np.argsort(probs)[::-1].tolist()
    default = names.index(TOASTER) if model == "imagenet" and order[0] != names.index(TOASTER) else order[1]
    return url_state.choice(st.selectbox, "Target class (whose output to raise)", order[1:], default, key=key,
                            format_func=lambda i: f"{names[i]} ({probs[i]:.1%} now)")


def _top5(names, probs: np.ndarray, title: str, style) -> None:
    best = np.argsort(probs)[::-1][:5]
    fig = plots.probabilities([names[i] for i in best], probs[best], style, title)
    fig.update_xaxes(range=[0, probs[best[0]] * 1.4 + 0.05])  # room for the top bar's label
    fig.update_layout(height=260 + (60 if style.font_size > 16 else 0))
    projector.chart(fig, key=f"adv_top5_{title}")


def section() -> None:
    st.markdown("*Usually, loss = output value of the correct category node; adversarial loss = output value of a "
                "**wrong** category node.* Change every pixel by at most **ε**, in the direction the gradient says "
                "helps the attacker, and a network that was right becomes confidently wrong, while the picture "
                "looks the same to us. **FGSM** takes one step of ε along the gradient's sign; **PGD** takes many "
                "small steps, each time pulled back into the ε-box; a **targeted** attack raises the output of a "
                "wrong class of your choice.")
    chosen = image_input.pick_and_read("adv")
    if chosen is None:
        return
    picked, reading = chosen
    style = projector.style()
    names, model = reading.labels, reading.model
    probs = cache.probabilities(reading.net, reading.x)
    before = int(np.argmax(probs))
    label = picked.label if picked.label is not None else before  # the true class if known, else the prediction

    left, middle, right = st.columns(3)
    with left:
        attack = url_state.choice(st.segmented_control, "Attack", attacks.ATTACKS, key="adv_attack")
        goal = url_state.choice(st.segmented_control, "Goal", GOALS, key="adv_goal")
    with middle:
        eps = _budget(model)
        steps, share = 1, 1.0
        if attack == "PGD":
            steps = url_state.slider("PGD steps", 1, 50, 10, key="adv_steps")
            share = url_state.choice(st.select_slider, "Step size (share of ε)", STEP_SHARES, 0.25, key="adv_step",
                                     format_func=lambda s: f"{s:g} ε")
    with right:
        target, objective_kind = None, "cross-entropy"
        if goal == "Targeted":
            target = _target(names, probs, model, picked.caption)
            objective_kind = url_state.choice(st.radio, "Raise the target's", list(OBJECTIVE_NAMES), "logit",
                                              key="adv_objective", format_func=OBJECTIVE_NAMES.get)
        else:
            st.markdown(f"**Untargeted:** lower the score of “{names[label]}”"
                        f"{' (the true class)' if picked.label is not None else ' (the prediction)'} by raising its "
                        "cross-entropy loss: any wrong class will do.")

    with st.spinner(f"{attack} on {picked.caption}…"):
        adv, losses, after_probs, seconds = _attack(model, reading.picture, attack, eps, steps, share, label, target,
                                                    objective_kind, reading.net, reading.x)
    pixels = to_numpy(attacks.to_pixels(reading.net, reading.x)[0])
    delta = torch.from_numpy(adv - pixels)
    linf, l2 = attacks.sizes(delta)
    after = int(np.argmax(after_probs))

    original, change, adversarial = st.columns(3)
    original.image(_picture(pixels, model), caption=f"Original: {names[before]} ({probs[before]:.1%})",
                   width="stretch")
    gain = 0.5 / max(eps, 1e-12)
    change.image(attacks.amplified(delta, eps) if model == "imagenet" else plots.enlarge(attacks.amplified(delta, eps)),
                 caption=f"The change, amplified ×{gain:.0f} (grey = none, black/white = ±ε)" if eps > 0
                 else "No change (ε = 0)", width="stretch")
    adversarial.image(_picture(adv, model), caption=f"Adversarial: {names[after]} ({after_probs[after]:.1%})",
                      width="stretch")

    scale = 255 if model == "imagenet" else 1
    unit = "/255" if model == "imagenet" else ""
    cols = st.columns(4)
    cols[0].metric("L∞ size of the change", f"{linf * scale:.3g}{unit}", help=f"ε = {eps * scale:.3g}{unit}; "
                   "the largest change of any pixel value (pixels in [0, 1]" + (", shown in grey levels)" if scale > 1
                                                                                 else ")"))
    cols[1].metric("L2 size of the change", f"{l2:.3g}",
                   help=f"√(sum of squared changes) over all {delta.numel():,} pixel values, pixels in [0, 1]")
    if target is None:
        cols[2].metric(f"p({names[label]})", f"{after_probs[label]:.1%}", f"{after_probs[label] - probs[label]:+.1%}")
    else:
        cols[2].metric(f"p({names[target]})", f"{after_probs[target]:.1%}",
                       f"{after_probs[target] - probs[target]:+.1%}")
    question, answer = ("Fooled?", after != label) if target is None else ("Target reached?", after == target)
    cols[3].metric(question, "yes" if answer else "no", help=f"{attack}{f', {steps} steps' if attack == 'PGD' else ''}"
                   f": {seconds:.2f} s on this machine")
    if eps == 0:
        st.info("ε = 0: the attack may not change anything, so the image and the predictions are the same.",
                icon=":material/info:")

    top_before, top_after = st.columns(2)
    with top_before:
        _top5(names, probs, "Top 5 before", style)
    with top_after:
        _top5(names, after_probs, "Top 5 after", style)

    st.subheader("Saliency before and after")
    st.caption("Which pixels the predicted class's score is most sensitive to (|∂ score / ∂ pixel|), on the original "
               "and on the adversarial image.")
    base = reading.picture if model == "imagenet" else plots.enlarge(reading.picture)
    adv_x = attacks.from_pixels(reading.net, torch.from_numpy(adv)[None])
    sal_before, sal_after, loss_col = st.columns([1, 1, 2])
    with st.spinner("Saliency…"):
        heat = cache.attribution(model, reading.picture, before, "Saliency", reading.net, reading.x)
        sal_before.image(saliency.overlay(base // 2, heat), caption=f"Before: why “{names[before]}”", width="stretch")
        heat = cache.attribution(model, adv, after, "Saliency", reading.net, adv_x)
        adv_base = _picture(adv, model)
        sal_after.image(saliency.overlay(adv_base // 2, heat), caption=f"After: why “{names[after]}”",
                        width="stretch")
    with loss_col:
        what = (f"cross-entropy of “{names[label]}”" if target is None else
                f"output of the “{names[target]}” node" if objective_kind == "logit" else
                f"log p(“{names[target]}”)")
        fig = plots.lines({what: (np.arange(len(losses)), np.array(losses))}, style, "The objective being raised",
                          axes=("step", what), height=300)
        fig.update_traces(mode="lines+markers")
        fig.update_xaxes(dtick=max(1, len(losses) // 10))
        projector.chart(fig, key="adv_losses")
