"""What has the network learned? Its feature maps from low to high level, its filters, the test images that excite a
channel most (Zeiler & Fergus 2013), and inputs synthesised to excite a class or a channel."""
import numpy as np
import streamlit as st

from core import features, plots
from core.cnn import learned
from core.models.cnn import SmallCNN
from core.ui import cache, heavy, image_input, projector, url_state

LEVELS = dict(zip(SmallCNN.feature_layers, ("low", "middle", "high")))
SYNTHESISED = "learn_synthesised"  # the targets this student asked to synthesise, in their session


@st.cache_resource(show_spinner="Finding the test images that excite each channel most…", max_entries=12)
def strongest_units(name: str, layer: str) -> learned.Strongest:
    """Every test image's strongest unit in every channel of one layer of a shipped CNN."""
    return learned.strongest_units(cache.model(name), layer, cache.test_set(name)[0])


@heavy.shared("Synthesising an input by gradient ascent")
def synthesised(name: str, target: tuple) -> np.ndarray:
    """An input made to excite a class or channel of a shipped CNN (activation maximisation)."""
    return learned.activation_maximisation(cache.model(name), target)


def section() -> None:
    st.markdown("Each convolution layer turns its input into **feature maps**, one per learned filter. Low layers "
                "respond to edges and blobs, higher ones, seeing more of the image through the pooling, to parts "
                "and whole shapes: the hierarchy Zeiler & Fergus made visible for ImageNet, here for our own CNNs.")
    cnn = image_input.choose_small_cnn("Network", "learn_network")
    if cnn is None:
        return
    style = projector.style()
    feature_maps(cnn.net, cnn.name, cnn.source, style)
    filters(cnn.net, style)
    excites(cnn.net, cnn.name, cnn.classes, style)


def feature_maps(net: SmallCNN, name: str, source: str, style: plots.PlotStyle) -> None:
    st.subheader("Feature maps, low → high")
    picked = image_input.pick("learn", (source, "Upload"))
    if picked is None:
        return
    maps = cache.feature_maps(name, net, features.as_batch(picked.small[None]), SmallCNN.feature_layers)
    left, right = st.columns([1, 5], gap="medium")
    left.image(plots.enlarge(picked.small, 168), caption=picked.caption, width=168)
    with right:
        for layer, fmap in maps.items():
            c, h, w = fmap.shape
            bounds = (0.0, float(fmap.max()) or 1.0)  # one scale for the layer: weak maps look weak
            st.image(plots.tiles([plots.colourise(m, style.sequential, bounds) for m in fmap], columns=16, size=56),
                     caption=f"{LEVELS[layer]} layer {layer}: all {c} feature maps ({h}×{w}), after ReLU; bright = "
                             "strong response", width="stretch")


def filters(net: SmallCNN, style: plots.PlotStyle) -> None:
    st.subheader("The learned filters")
    weights = learned.filters(net, "conv1")[:, 0]  # (24, 3, 3): what the first layer slides over the pixels
    bound = float(np.abs(weights).max())
    st.image(plots.tiles([plots.colourise(w, style.diverging, (-bound, bound)) for w in weights], columns=12, size=60),
             caption=f"The {len(weights)} 3×3 filters of conv1, learned from data (colour: weight's sign and size). "
                     "Deeper filters weigh the maps below them, not pixels, so they are best seen through what "
                     "excites them.", width="stretch")


def excites(net: SmallCNN, name: str, classes, style: plots.PlotStyle) -> None:
    st.subheader("What excites one channel")
    c1, c2 = st.columns([2, 3])
    with c1:
        layer = url_state.choice(st.radio, "Layer", SmallCNN.feature_layers, "conv3", key="learn_layer",
                                 format_func=lambda l: f"{l} ({LEVELS[l]})", horizontal=True)
    width = learned.filters(net, layer).shape[0]
    with c2:
        channel = url_state.slider("Channel", 0, width - 1, 0, key=f"learn_channel_{layer}")
    images, labels = cache.test_set(name)
    found = learned.top_patches(net, layer, channel, images, k=9, strongest=strongest_units(name, layer))
    field = learned.receptive_field(net, layer)
    patches, synthesis = st.columns([3, 2], gap="large")
    with patches:
        st.image(plots.tiles([np.repeat(p.patch[..., None], 3, -1) for p in found], columns=9, size=72),
                 width="stretch", caption=f"The 9 test images (of {len(images):,}) that excite channel {channel} of "
                                          f"{layer} most: the {field.size}×{field.size} pixels its strongest unit "
                                          "sees.")
        st.markdown(" · ".join(f"{classes[labels[p.image_index]]} ({p.activation:.1f})" for p in found))
    with synthesis:
        synthesise(name, ("channel", layer, channel), f"channel {channel} of {layer}", "learn_synth_channel")
    st.subheader("An input made to excite a class")
    c1, c2 = st.columns([3, 2], gap="large")
    with c1:
        target = url_state.choice(st.selectbox, "Class", range(len(classes)), key=f"learn_class_{name}",
                                  format_func=lambda i: classes[i])
        st.caption("Gradient ascent on the pixels of a dim noise image until the class's score is high, with "
                   "blur, jitter and a dark-background penalty keeping it image-like (activation maximisation).")
    with c2:
        synthesise(name, ("class", target), f"“{classes[target]}”", "learn_synth_class")


def synthesise(name: str, target: tuple, what: str, key: str) -> None:
    """The synthesised input for a target, once this student asked for it (100 steps of gradient ascent)."""
    asked = st.session_state.setdefault(SYNTHESISED, set())
    st.button("Synthesise an input", key=key, icon=":material/auto_fix_high:", help=f"An input that excites {what}",
              on_click=asked.add, args=((name, target),))
    if (name, target) in asked:
        picture = np.round(synthesised(name, target) * 255).astype(np.uint8)
        st.image(plots.enlarge(picture, 196), caption=f"an input synthesised to excite {what}", width=196)
