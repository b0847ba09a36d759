"""Features, hand-made vs learned: edges and HOG beside a CNN's feature maps at low, middle and high layers, and a
linear classifier on pixels vs HOG vs learned features."""
import streamlit as st

from core import features, plots
from core.models import imagenet
from core.models.cnn import SmallCNN
from core.ui import cache, image_input, presenter, projector

LEVELS = ("low", "middle", "high")


def section() -> None:
    st.markdown("A **feature** is an aspect of the input that is useful for the task (*4 legs?*).")
    picked = image_input.pick("features")
    if picked is None:
        return
    if answer := presenter.answer():  # how do you find legs: the question the notes ask
        with answer:
            st.markdown("For decades researchers designed features by hand; deep learning **learns** a hierarchy of "
                        "them: edges, then textures and parts, then objects.")
            hand_made_and_learned(picked)


def hand_made_and_learned(picked: image_input.PickedImage) -> None:
    """Edges and HOG beside the feature maps of a CNN at three depths, and a linear classifier on each."""
    style = projector.style()
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
               "(`python -m core.recipes feature_probes`). Hand-designed HOG features beat raw pixels; the features "
               "the CNN learned for the task beat both, and make the last, linear step easy.")
