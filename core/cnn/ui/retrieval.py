"""Retrieval (Krizhevsky 2012): the test images nearest to a query in the CNN's learned feature space look alike and
share its class far more often than those nearest in raw pixels."""
import numpy as np
import streamlit as st
import torch

from core import features, plots, retrieval
from core.device import device, to_numpy
from core.ui import cache, image_input, projector, url_state

SPACES = {"features": "the CNN's learned features (penultimate layer, 128 numbers)",
          "pixels": "raw pixels (784 numbers)"}
MAX_K = 12


@st.cache_resource(show_spinner="Embedding the test set and finding every item's nearest neighbours…",
                   max_entries=4)
def retrieval_spaces(name: str, k: int = 12) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """For a shipped CNN's test set: each space's unit vectors (N, D) and every item's k nearest others (N, k)."""
    images = cache.test_set(name)[0]
    banks = {"features": retrieval.embeddings(cache.model(name), images), "pixels": retrieval.pixels(images)}
    return {space: (bank, retrieval.neighbours(bank, k)) for space, bank in banks.items()}


def section() -> None:
    st.markdown("A trained CNN turns every image into a vector of **learned features**: its penultimate layer. "
                "Images whose vectors point the same way look alike *to the network*; Krizhevsky et al. (2012) "
                "showed that the nearest ones share the query's kind of object far more often than the images "
                "nearest in raw pixels.")
    cnn = image_input.choose_small_cnn("Network and test set", "ret_network")
    if cnn is None:
        return
    name, classes, net = cnn.name, cnn.classes, cnn.net
    c1, c2 = st.columns([3, 1])
    with c1:
        picked = image_input.pick("ret", (cnn.source, "Upload"))
    with c2:
        k = url_state.slider("Neighbours k", 1, MAX_K, 8, key="ret_k")
    if picked is None:
        return
    spaces = retrieval_spaces(name, MAX_K)
    images, labels = cache.test_set(name)
    st.image(plots.enlarge(picked.small, 168), caption=f"query: {picked.caption}", width=168)
    asked = {"features": query_features(net, picked.small), "pixels": retrieval.pixels(picked.small[None])[0]}
    for space, description in SPACES.items():
        bank, found = spaces[space]
        nearest = found[picked.index, :k] if picked.index is not None else retrieval.nearest(asked[space], bank, k)
        st.markdown(f"**Nearest in {description}**")
        for column, i in zip(st.columns(max(k, 6)), nearest):  # wide enough for "Ankle boot" on one line
            column.image(plots.enlarge(images[i], 84), width="stretch")
            if picked.label is None:  # an upload: its class is not known
                column.markdown(classes[labels[i]])
            else:
                column.markdown(f":{'green' if labels[i] == picked.label else 'red'}[{classes[labels[i]]}]")
    st.subheader(f"Precision@{k} over the whole test set")
    by_item = {space: retrieval.precision_by_item(found, labels, k) for space, (_, found) in spaces.items()}
    groups = {f"{space}: {p.mean():.1%} overall": [p[labels == c].mean() for c in range(len(classes))]
              for space, p in by_item.items()}
    title = f"share of each test item's {k} nearest others in its class"
    projector.chart(plots.grouped_bars(list(classes), groups, projector.style(), title), key="ret_precision")
    st.caption(f"Every one of the {len(labels):,} test items is a query in turn, its neighbours searched among the "
               "others by cosine similarity. Green: the query's class; red: another class.")


def query_features(net: torch.nn.Module, small: np.ndarray) -> np.ndarray:
    """A query image's learned features as a unit vector (D,)."""
    with torch.no_grad():
        return retrieval.normalise(to_numpy(net.features(features.as_batch(small[None]).to(device()))))[0]
