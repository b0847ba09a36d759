"""Recap: ML as a toolkit, hand-made vs learned features, and making a hard dataset easy by transforming it."""
import numpy as np
import streamlit as st

from core import cache, features, plots, recap
from core.models import imagenet
from core.models.cnn import SmallCNN
from core.ui import image_input, projector, url_state
from core.ui.entrypoint import require_app

require_app()

SECTIONS = ("The toolkit perspective", "Features: hand-made vs learned", "Data A vs Data B")
LEVELS = ("low", "middle", "high")

st.title("Recap: what a model does, and where features come from")
section = url_state.choice(st.segmented_control, "Section", SECTIONS, key="section", label_visibility="collapsed")
style = projector.style()


def toolkit() -> None:
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


def features_section() -> None:
    st.markdown("A **feature** is an aspect of the input that is useful for the task (*4 legs?*). For decades "
                "researchers designed features by hand; deep learning **learns** a hierarchy of them: edges, "
                "then textures and parts, then objects.")
    picked = image_input.pick("features")
    if picked is None:
        return
    if picked.source in ("Photo", "Upload"):
        name, net, layers = "imagenet", cache.imagenet_classifier(), imagenet.FEATURE_LAYERS
        x = imagenet.to_input(picked.rgb)
        gray, cell, title = imagenet.to_gray(x), 16, "the ImageNet classifier (EfficientNet-Lite0)"
    else:
        name = "fashion_cnn" if picked.source == "Fashion-MNIST item" else "mnist_cnn"
        net, x, layers = cache.model(name), features.as_batch(picked.small[None]), SmallCNN.feature_layers
        gray, cell, title = picked.small, features.HOG_CELL, f"the {'Fashion-MNIST' if name == 'fashion_cnn' else 'digit'} CNN"
    st.subheader("Hand-made: edges and HOG, computed live")
    pictures = {"input": gray / 255, "edges (Sobel)": features.edges(gray),
                "HOG: gradient orientations per cell": features.hog_picture(gray, cell)}
    for col, (caption, pic) in zip(st.columns(3), pictures.items()):
        col.image(plots.enlarge(pic / max(pic.max(), 1e-9)), caption=caption, width=260)
    st.subheader(f"Learned: feature maps of {title}")
    if net is None:
        return
    maps = cache.feature_maps(name, net, x, layers)
    for level, layer in zip(LEVELS, layers):
        c, h, w = maps[layer].shape
        st.image(plots.feature_strip(maps[layer], style), width="stretch",
                 caption=f"{level} layer `{layer}`: the 8 most active of its {c} feature maps ({h}×{w})")
    st.caption("Low layers respond to edges and blobs; higher layers to larger, more abstract parts, "
               "at ever coarser resolution.")
    st.subheader("Which features make classification easy? (Fashion-MNIST test set)")
    if cache.model("feature_probes") is None:
        return
    scores = cache.metrics("feature_probes")
    names = {"pixels": "raw pixels", "hog": "HOG (hand-made)", "learned": "CNN's learned features"}
    projector.chart(plots.bars(list(names.values()), [scores.get(f"{k}_test_accuracy", 0.0) for k in names], style,
                               "accuracy of a linear classifier"), key="probes")
    st.caption("The same linear classifier, trained on three representations of the 60,000 training images "
               "(`python -m core.train feature_probes`). Hand-designed HOG features beat raw pixels; the features "
               "the CNN learned for the task beat both, and make the last, linear step easy.")


def data_a_vs_b() -> None:
    st.markdown("Which of these data sets would be hard to train a classifier for? "
                "Is there a way to transform **Data B** into something like **Data A**, where a straight line works?")
    c1, c2 = st.columns(2)
    with c1:
        noise = url_state.slider("Noise", 0.0, 0.5, 0.1, 0.05, key="ab_noise")
    with c2:
        n = url_state.slider("Points", 100, 600, 300, 50, key="ab_points")
    (Xa, ya), (Xb, yb) = recap.data_a(n, noise, 0), recap.data_b(n, noise, 0)
    left, right = st.columns(2)
    for col, title, X, y in [(left, "Data A", Xa, ya), (right, "Data B", Xb, yb)]:
        acc, guess = recap.linear_accuracy(X, y), max(y.mean(), 1 - y.mean())
        with col:
            projector.chart(plots.scatter_classes(X, y, recap.CLASSES, style,
                                                  f"{title}: a straight line gets {acc:.0%} (guessing {guess:.0%})"),
                            key=f"ab_{title}")
    if url_state.toggle("Add the feature x₁² + x₂² to Data B", key="ab_lift"):
        lifted = recap.lift(Xb)
        acc = recap.linear_accuracy(lifted, yb)
        cut = float(np.median(lifted[:, 2]))
        projector.chart(plots.scatter3d_classes(lifted, yb, recap.CLASSES, style, ("x₁", "x₂", "x₁² + x₂²"),
                                                plane_z=cut, title=f"Data B with a third feature: a flat plane gets {acc:.0%}"),
                        key="ab_lifted")
    st.subheader("That is precisely what deep learning does")
    st.markdown("A network with one hidden layer of 3 tanh neurons learns its own transformation of Data B. "
                "Press ▶ to watch the hidden layer move the points until one plane (the output neuron) "
                "separates them.")
    projector.chart(cache.hidden_space_animation(n, noise, 0, style), key="ab_hidden")


{SECTIONS[0]: toolkit, SECTIONS[1]: features_section, SECTIONS[2]: data_a_vs_b}[section]()
