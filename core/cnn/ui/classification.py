"""Classification, laid out like the slide after [Krizhevsky 2012]: a grid of photos (the shipped ones and the user's),
each with a pretrained ImageNet classifier's five most probable classes below it. EfficientNet-Lite0 always;
torchvision's ResNet-18/50 beside it where their weights are in the user's torch cache or can be downloaded."""
import html
from dataclasses import dataclass

import numpy as np
import streamlit as st
import torch

from core import uploads
from core.device import device
from core.models import imagenet
from core.plots import PlotStyle
from core.ui import cache, projector, url_state

COLUMNS = 4
TOP = 5
MAX_UPLOADS = 4
LITE0 = imagenet.LITE0


@dataclass(frozen=True)
class Model:
    name: str
    key: str  # what models and results are cached under: the name, and for torchvision the weights file's version
    av: imagenet.Availability | None  # None for Lite0, which ships with the app

    def net(self) -> torch.nn.Module:
        return cache.imagenet_classifier() if self.av is None else _torchvision_model(self.key, self.av)

    def to_input(self, rgb: np.ndarray) -> torch.Tensor:
        return imagenet.to_input(rgb) if self.av is None else imagenet.torchvision_input(rgb, self.av.weights)

    def crop(self, rgb: np.ndarray) -> np.ndarray:
        """The part of the photo the model sees."""
        if self.av is None:
            return imagenet.seen_crop(rgb)
        t = self.av.weights.transforms()
        return imagenet.seen_crop(rgb, t.resize_size[0], t.crop_size[0])


@st.cache_resource(max_entries=2, show_spinner="Loading the model from your torch cache…")
def _torchvision_model(key: str, _av: imagenet.Availability) -> torch.nn.Module:
    """A torchvision classifier, shared by all sessions; `key` names its weights file and that file's version."""
    return imagenet.load(_av).to(device())


def _top(model: Model, rgb: np.ndarray) -> tuple[list[int], np.ndarray]:
    probs = cache.probabilities(model.net(), model.to_input(rgb))
    best = np.argsort(probs)[::-1][:TOP]
    return best.tolist(), probs[best]


@st.cache_data(max_entries=128, show_spinner=False)
def _photo_top(key: str, photo: str, _model: Model) -> tuple[list[int], np.ndarray]:
    """A shipped photo's top classes by a model: computed once per server, so a click in the lecture is instant."""
    return _top(_model, cache.photos()[photo].image)


def _offer(name: str, av: imagenet.Availability | None) -> str:
    """The line under a model's option."""
    if av is None:
        return "ships with the app, always offline"
    accuracy = av.weights.meta["_metrics"]["ImageNet-1K"]["acc@1"]
    where = "in your torch cache" if av.cached else f"downloads {av.size_mb:.0f} MB once"
    return f"{av.weights.meta['num_params'] / 1e6:.1f} M parameters, {accuracy:.0f}% top-1; {where}"


def choose_model() -> Model | None:
    """The model choice: Lite0, and each torchvision model that can be had (the others say why not). None while a
    chosen model's weights still have to be downloaded or cannot be read."""
    found = {name: imagenet.availability(name) for name in imagenet.OPTIONAL}
    offered: dict[str, imagenet.Availability | None] = {LITE0: None, **{n: a for n, a in found.items() if a.usable}}
    name = url_state.choice(st.radio, "Model", list(offered), key="cls_model", horizontal=True,
                            captions=[_offer(n, a) for n, a in offered.items()])
    missing = [a for a in found.values() if not a.usable]
    if missing:
        st.caption("\n\n".join(f":material/cloud_off: Not offered: {a.reason()}." for a in missing))
        st.button("Check again", key="cls_recheck", icon=":material/refresh:", type="tertiary",
                  on_click=imagenet.forget_connectivity, help="Look for the weights and the connection again.")
    av = offered[name]
    if av is None:
        return Model(name, name, None)
    if not av.cached:
        st.info(f"{name}'s weights ({av.size_mb:.0f} MB) are not in your torch cache yet ({imagenet.shown(av.path)}). "
                "This machine is online, so they can be downloaded now, once.", icon=":material/download:")
        if st.button(f"Download {name}'s weights", key="cls_download", type="primary", icon=":material/download:"):
            bar = st.progress(0.0, text="Connecting…")

            def progress(done: int, total: int) -> None:
                text = f"{done / 2**20:.0f} of {total / 2**20:.0f} MB" if total else f"{done / 2**20:.0f} MB"
                bar.progress(min(1.0, done / total) if total else 0.0, text=text)
            try:
                imagenet.download(av, progress)
            except imagenet.WeightsError as e:
                st.error(str(e), icon=":material/cloud_off:")
                return None
            st.rerun()
        return None
    return Model(name, av.key, av)


def uploaded_photos() -> list[tuple[str, np.ndarray]]:
    """The user's photos, converted to RGB; each one refused gets a message naming the file."""
    files = st.file_uploader("Add your own photos to the grid (PNG, JPEG, GIF, BMP, TIFF, WebP; up to 25 MB each)",
                             accept_multiple_files=True, key="cls_upload")
    if len(files) > MAX_UPLOADS:
        st.warning(f"Only the first {MAX_UPLOADS} of your {len(files)} photos are shown.", icon=":material/info:")
    pictures = []
    for f in files[:MAX_UPLOADS]:
        try:
            pictures.append((f.name, np.asarray(uploads.read_image(f.getvalue()))))
        except uploads.UploadError as e:
            st.error(f"**{f.name}**: {e}", icon=":material/broken_image:")
    return pictures


def top_list(labels: list[str], probs: np.ndarray, style: PlotStyle) -> str:
    """The slide's list of labels under a photo, each with its probability and a bar; the most likely one stands out."""
    size = "1.25rem" if style.font_size > 16 else "0.95rem"
    rows = []
    for i, (label, p) in enumerate(zip(labels, probs)):
        colour = style.colour(1) if i == 0 else "rgba(128, 128, 128, 0.6)"
        weight = 700 if i == 0 else 400
        rows.append(
            f'<div style="margin:0 0 0.3em 0">'
            f'<div style="display:flex;justify-content:space-between;gap:0.5em;font-weight:{weight};line-height:1.25">'
            f'<span>{html.escape(label)}</span><span style="white-space:nowrap">{p:.1%}</span></div>'
            f'<div style="height:0.45em;background:rgba(128,128,128,0.18);border-radius:0.2em">'
            f'<div style="width:{max(p * 100, 0.5):.1f}%;height:100%;background:{colour};border-radius:0.2em">'
            f'</div></div></div>')
    return f'<div style="font-size:{size}">{"".join(rows)}</div>'


def cell(title: str, credit: str, rgb: np.ndarray, label: str | None, best: list[int], probs: np.ndarray,
         model: Model, style: PlotStyle) -> None:
    names = cache.imagenet_classes()
    top = [names[i] for i in best]
    st.markdown(f"**{html.escape(title)}**")
    st.image(model.crop(rgb), width="stretch")
    st.caption(credit)
    if label:
        found = label.lower() in (name.lower() for name in top)
        st.markdown(f"True label: **{html.escape(label)}** " + (":green[in the top 5]" if found else
                                                                ":orange[not in the top 5]"))
    st.markdown(top_list(top, probs, style), unsafe_allow_html=True)
    st.caption(f"Top {TOP} of 1,000 classes: {probs.sum():.0%} of the probability.")


def section() -> None:
    st.subheader("Applications: classification")
    st.markdown("A network trained on ImageNet names what a photo shows. As on the slide, which showed the guesses "
                "of AlexNet [Krizhevsky 2012] (*mite*, *container ship*, *motor scooter*, *leopard*, …), each photo "
                "is shown with the network's **five most probable classes** below it.")
    style = projector.style()
    left, right = st.columns([3, 2], gap="large")
    with left:
        model = choose_model()
    with right:
        mine = uploaded_photos()
    if model is None:
        return
    photos = cache.photos()
    try:
        shipped = [(name, p.credit, p.image, p.label, *_photo_top(model.key, name, model))
                   for name, p in photos.items()]
        yours = [(name, "your photo", rgb, None, *_top(model, rgb)) for name, rgb in mine]
    except imagenet.WeightsError as e:
        st.error(str(e), icon=":material/gpp_bad:")
        return
    entries = yours + shipped  # the user's photos first, where they will look for them
    for row in range(0, len(entries), COLUMNS):
        for col, entry in zip(st.columns(COLUMNS, gap="medium"), entries[row:row + COLUMNS]):
            with col:
                cell(*entry, model, style)
    params = sum(p.numel() for p in model.net().parameters())
    st.caption(f"**{model.name}** ({params / 1e6:.1f} M parameters) was trained on ImageNet's 1.28 million training "
               "photos to tell 1,000 classes apart. Each bar is its **softmax output**: the probability it gives a "
               "class; shown are the five largest of the 1,000, which sum to at most 100%. Each photo is shown as "
               "the model sees it, its centre square scaled to 224 × 224 pixels.")
