"""Parts of the image that made the network think it's a house, a dog, a train: five attribution methods from
Captum side by side, for the predicted class or any other, on the small CNNs and the ImageNet classifier."""
import numpy as np
import streamlit as st

from core import plots, saliency
from core.data.images import PAIR
from core.ui import cache, image_input, url_state

HOW = {
    "Saliency": "the gradient: how much a tiny change of each pixel changes the class score",
    "Integrated Gradients": "gradients averaged on the way from a black image to this one, times the change",
    "Grad-CAM": "the last convolution's maps weighted by their gradient: where, at coarse resolution",
    "Occlusion": "how much the score drops when a square of the image is hidden, tried all over it",
    "Guided Grad-CAM": "Grad-CAM times guided backpropagation (positive gradients only): where, in fine detail",
}
CONTRAST = {PAIR[0]: "espresso"}  # a second class to explain from the start: the other object in the picture
NONE = -1  # no second class
COST = ("Saliency", "Grad-CAM", "Guided Grad-CAM", "Integrated Gradients", "Occlusion")  # quickest first


def class_choice(label: str, order: list[int], names, probs: np.ndarray, default: int, key: str, image: str) -> int:
    """A class to explain, listed from most to least probable; back to its default when the image changes."""
    if st.session_state.get(f"{key}_image", image) != image:
        st.session_state.pop(key, None)
    st.session_state[f"{key}_image"] = image
    return url_state.choice(st.selectbox, label, order, default, key=key,
                            format_func=lambda i: "— none —" if i == NONE else f"{names[i]} ({probs[i]:.1%})")


def section() -> None:
    st.markdown("Which parts of the image made the network think it's a **house**, a **dog**, a **train**? Each "
                "method below answers with a map over the pixels; bright means *this part mattered for the class*. "
                "Ask for two classes and the maps move to different parts of the same picture.")
    chosen = image_input.pick_and_read("sal", photo=PAIR[0])
    if chosen is None:
        return
    picked, reading = chosen
    probs = cache.probabilities(reading.net, reading.x)
    order = np.argsort(probs)[::-1].tolist()
    names, image = reading.labels, picked.caption
    second = names.index(CONTRAST[picked.name]) if picked.name in CONTRAST else NONE
    left, right, switch = st.columns([2, 2, 1], vertical_alignment="bottom")
    with left:
        first = class_choice("Why this class?", order, names, probs, order[0], "sal_class", image)
    with right:
        other = class_choice("…and why this one?", [NONE, *order], names, probs, second, "sal_other", image)
    with switch:
        on_image = url_state.toggle("Over the image", True, key="sal_overlay")
    picture = reading.picture if reading.model == "imagenet" else plots.enlarge(reading.picture)
    refused = {}
    for method in saliency.METHODS:
        try:
            saliency.check_applicable(reading.net, method)
        except saliency.MethodNotApplicable as e:
            refused[method] = str(e)
    methods = [m for m in saliency.METHODS if m not in refused]
    base = picture // 2 if on_image else np.zeros_like(picture)  # a dimmed photo: the heat stands out
    places = {}
    for target in dict.fromkeys(t for t in (first, other) if t != NONE):  # one row, or two for two classes
        st.subheader(f"Why “{names[target]}” ({probs[target]:.1%})")
        for column, method in zip(st.columns(len(methods)), methods):
            places[target, method] = column.empty()
            places[target, method].caption(f"{method}: waiting for the quicker maps…")
    for (target, method), place in sorted(places.items(), key=lambda item: COST.index(item[0][1])):  # quick first
        with place.container(), st.spinner(f"{method}…"):
            attribution = cache.attribution(reading.model, reading.picture, target, method, reading.net, reading.x)
        if attribution is not None:  # else the button that asks for it, in its place
            place.image(saliency.overlay(base, attribution, opacity=0.7 if on_image else 1.0), caption=method,
                        width="stretch")
    for method, reason in refused.items():
        st.info(f"**No {method} here.** {reason}", icon=":material/block:")
    with st.expander("How each map is made"):
        st.markdown("\n".join(f"- **{m}**: {HOW[m]}." for m in saliency.METHODS))
        st.caption("Maps are scaled to their own brightest pixels; Integrated Gradients and Occlusion are shown by "
                   "magnitude. Computed with Captum; results are kept for everyone, so a photo clicked again appears at "
                   "once. On a photo, Integrated Gradients and Occlusion take seconds each (hundreds of passes "
                   "through the network): a button in their place computes them when asked.")

