"""The toolkit perspective: information in (an image), more useful information out (class probabilities)."""
import numpy as np
import streamlit as st

from core import plots
from core.ui import cache, image_input, projector


def section() -> None:
    style = projector.style()
    st.markdown("A trained model **takes in information** and **returns more useful information**: "
                "thousands of pixel values in, a handful of probabilities out.")
    chosen = image_input.pick_and_read("toolkit")
    if chosen is None:
        return
    picked, reading = chosen
    photo, labels, x = reading.model == "imagenet", reading.labels, reading.x
    top = 5 if photo else 10
    probs = cache.probabilities(reading.net, x)
    best = np.argsort(probs)[::-1][:top]
    left, right = st.columns([2, 3], gap="large")
    with left:
        st.subheader("Information in")
        st.image(picked.rgb if photo else plots.enlarge(picked.small), caption=picked.caption,
                 width=320 if photo else 224)
        st.caption(f"{x[0].numel():,} numbers ({' × '.join(map(str, x.shape[1:]))}) go into the network.")
    with right:
        st.subheader("More useful information out")
        title = f"top {top} of 1,000 ImageNet classes" if photo else "probability of each class"
        projector.chart(plots.probabilities([labels[i] for i in best], probs[best], style, title),
                        key="toolkit_probs")
        verdict = f"**{labels[best[0]]}**, {probs[best[0]]:.0%} sure"
        if picked.label is not None:
            verdict += f" (the true class is **{labels[picked.label]}**)"
        st.markdown(f"The model answers: {verdict}.")
