"""Variational autoencoders in a 2-D latent space: pick a point and see it decoded, a grid of decoded points across
the plane, interpolation between two images, samples from the prior, and the plain autoencoder's code plane beside
the VAE's, with the holes a VAE fills; on Fashion-MNIST, MNIST and 100 faces."""
import functools

import numpy as np
import streamlit as st

from core import plots
from core.generative import autoencoders as ae
from core.generative import vae
from core.generative.ui.autoencoders import (
    clicked_index,
    code_of,
    code_scatter,
    labelled_row,
    strip,
    test_images,
)
from core.ui import projector, url_state

DATASETS = {"fashion": "Fashion-MNIST", "mnist": "MNIST digits", "faces": "Faces (LFW, 100)"}
PARTS = ("Latent explorer", "Grid over the plane", "Interpolation", "Samples from the prior",
         "Autoencoder vs VAE: the holes")
LIMIT = 4.0  # the sliders' range for z₁ and z₂
SAMPLES = 24
HOLE_DRAWS = 2000
HOLE = (213, 94, 0)  # vermillion: the outline of a decoded point whose cell of the plane holds no test image


def models(dataset: str):
    """The VAE and the plain 2-D autoencoder beside it (None, with a message, if a checkpoint is refused)."""
    from core.ui import cache
    info = ae.DATASETS[dataset]
    vaes = cache.model(info.vae)
    if vaes is None:
        return None
    if info.autoencoders is None:
        return vaes["vae2"], vaes["ae2"], info.vae
    plain = cache.model(info.autoencoders)
    return None if plain is None else (vaes["vae2"], plain["ae2"], info.autoencoders)


def _codes(dataset: str, which: str, nets) -> np.ndarray:
    """The test images' VAE means μ ("vae") or plain 2-D codes ("ae")."""
    info = ae.DATASETS[dataset]
    from core.ui import cache
    if which == "vae":
        return code_of(info.vae, "vae2", dataset, cache.model(info.vae))
    name = info.autoencoders or info.vae
    return code_of(name, "ae2", dataset, cache.model(name))


def _pick_latent(codes: np.ndarray, labels: np.ndarray) -> None:
    """on_click of the latent scatter: the sliders move to the clicked image's μ."""
    if (i := clicked_index("vae_scatter", labels)) is not None:
        z = np.clip(np.round(codes[i] / 0.05) * 0.05, -LIMIT, LIMIT)
        st.session_state["vae_z1"], st.session_state["vae_z2"] = float(z[0]), float(z[1])


def explorer(dataset: str, net, codes: np.ndarray) -> None:
    pictures, labels = test_images(dataset)
    classes = ae.DATASETS[dataset].classes
    left, right = st.columns([3, 1.3])
    with right:
        z1 = url_state.slider("z₁", -LIMIT, LIMIT, 0.0, 0.05, key="vae_z1")
        z2 = url_state.slider("z₂", -LIMIT, LIMIT, 0.0, 0.05, key="vae_z2")
        decoded = vae.decode(net, np.array([[z1, z2]]))[0]
        st.image(strip([decoded], size=200), caption=f"decoded at ({z1:.2f}, {z2:.2f})")
        nearest = int(np.argmin(((codes - [z1, z2]) ** 2).sum(1)))
        st.image(strip([pictures[nearest]], size=100),
                 caption=f"nearest {'face' if dataset == 'faces' else 'test image'}: #{nearest}" + (f" ({classes[labels[nearest]]})" if len(classes) > 1
                                                               else ""))
    with left:
        projector.chart(code_scatter(codes, labels, classes, projector.style(),
                                     "Test images at their means μ", (z1, z2),
                                     height=560), key="vae_scatter",
                        on_click=functools.partial(_pick_latent, codes, labels))
    shown = "100 faces (the training set itself)" if dataset == "faces" else "test images"
    between = "two faces" if dataset == "faces" else "two classes"
    st.markdown(f"**What you see.** The {shown} at the means μ of their codes. Every point of the plane decodes to "
                "an image, not only the points where images landed: move the sliders across a gap between "
                f"{between} and the picture morphs from one to the other. Click a point of the scatter to jump to "
                "that image's code.")


def tile_sheet(decoded: np.ndarray, empty: np.ndarray | None, size: int) -> np.ndarray:
    """Decoded images (n², side, side) uint8 in an n × n sheet; those whose cell is empty outlined in HOLE."""
    n = int(round(np.sqrt(len(decoded))))
    rgb = np.repeat(decoded[..., None], 3, -1)
    if empty is not None:
        for i in np.flatnonzero(empty.ravel()):
            rgb[i, [0, -1], :] = HOLE
            rgb[i, :, [0, -1]] = HOLE
    return plots.tiles(list(rgb), n, size, gap=2)


def grid(dataset: str, net) -> None:
    n = url_state.slider("Points per side", 6, 20, vae.GRID, 1, key="vae_grid")
    points = vae.grid_points((-vae.SPAN, -vae.SPAN), (vae.SPAN, vae.SPAN), n)
    decoded = vae.decode(net, points)
    st.image(tile_sheet(decoded, None, max(28, 672 // n)),
             caption=f"The VAE's decoder at {n} × {n} points of the latent plane (the centres of {n} × {n} equal "
                     f"cells): z₁ from −{vae.SPAN:g} (left) to "
                     f"{vae.SPAN:g} (right), z₂ from {vae.SPAN:g} (top) to −{vae.SPAN:g} (bottom), ±3 standard "
                     "deviations of the prior N(0, I).")
    st.markdown("**What you see.** Most of the plane decodes to recognisable images that change smoothly from one "
                "neighbour to the next: the decoder has learned a continuous map from two numbers to images. Look "
                "for the faint or smeared tiles where two regions meet: there two numbers cannot decide between "
                "kinds of image.")


def _candidates(dataset: str) -> list[int]:
    """Test images to interpolate between: the first two of each class (the first 20 faces)."""
    labels = test_images(dataset)[1]
    classes = np.unique(labels)
    if len(classes) == 1:
        return list(range(min(20, len(labels))))
    return [int(i) for c in classes for i in np.flatnonzero(labels == c)[:2]]


def interpolation(dataset: str, net, plain) -> None:
    pictures, labels = test_images(dataset)
    classes = ae.DATASETS[dataset].classes
    options = _candidates(dataset)

    def name(i: int) -> str:
        return f"#{i} {classes[labels[i]]}" if len(classes) > 1 else f"face #{i}"
    a_col, b_col, s_col = st.columns([2, 2, 2])
    with a_col:
        a = url_state.choice(st.selectbox, "From", options, options[0], key="vae_from", format_func=name)
    with b_col:
        b = url_state.choice(st.selectbox, "To", options, options[-1], key="vae_to", format_func=name)
    with s_col:
        steps = url_state.slider("Steps", 5, 15, 10, 1, key="vae_steps")
    ends = pictures[[a, b]]
    mu = vae.encode(net, ae.as_batch(ends))
    through_vae = vae.decode(net, vae.interpolate(mu[0], mu[1], steps))
    codes = vae.encode(plain, ae.as_batch(ends))
    through_ae = vae.decode(plain, vae.interpolate(codes[0], codes[1], steps))
    fade = vae.interpolate(ends[0] / 255, ends[1] / 255, steps)
    size = max(48, 840 // steps)
    labelled_row("**VAE**: a straight line between the two codes, decoded", through_vae, size)
    labelled_row("**Plain autoencoder** (2 numbers): the same", through_ae, size)
    labelled_row("**Pixels**: a cross-fade of the two images (its ends are the originals)", fade, size)
    st.markdown("**What you see.** A cross-fade in pixel space shows two ghosts on top of each other. A straight "
                "line in the latent space changes the shape itself: on the way it shows whatever the decoder makes "
                "of the codes it crosses, other kinds of image where it passes through their region of the plane, "
                "faint blurs where it crosses a gap between regions. Compare the two networks' paths with their "
                "planes in *Autoencoder vs VAE: the holes*.")


def _draw_again() -> None:
    st.session_state["vae_seed"] = (st.session_state.get("vae_seed", 0) + 1) % 1000


def samples(dataset: str, net, plain, plain_codes: np.ndarray) -> None:
    left, right = st.columns([4, 1], vertical_alignment="bottom")
    with left:
        seed = url_state.slider("Random seed", 0, 999, 0, 1, key="vae_seed")
    with right:
        st.button("Draw again", icon=":material/casino:", key="vae_draw", on_click=_draw_again, width="stretch")
    z = vae.prior_samples(SAMPLES, 2, seed)
    st.markdown("**VAE**: z drawn from the prior N(0, I), decoded")
    st.image(strip(vae.decode(net, z), columns=12, size=64))
    st.markdown("**Plain autoencoder**: z drawn from a Gaussian with its codes' own mean and spread, decoded")
    st.image(strip(vae.decode(plain, vae.fitted_gaussian_samples(plain_codes, SAMPLES, seed)), columns=12, size=64))
    st.markdown("**Plain autoencoder**: z drawn from N(0, I), as for the VAE, decoded")
    st.image(strip(vae.decode(plain, z), columns=12, size=64))
    lo, hi = vae.code_range(plain_codes)
    spread = float(plain_codes.std(0).mean())
    at_prior = (f"Drawn from N(0, I), its samples come from a small patch of a plane that runs from {_num(lo[0])} to "
                f"{_num(hi[0])} along z₁, and look alike" if spread >= 2 else
                f"Drawn from N(0, I), its samples happen to fall among its codes here (they spread about "
                f"{spread:.1f} along each axis), though nothing in its training made that so")
    st.markdown("**What you see.** The VAE was trained so that its codes follow N(0, I): drawing from N(0, I) "
                "lands where the decoder knows what to do, and gives new images of the kind it was trained on. "
                f"A plain autoencoder makes no such promise. {at_prior}; drawn from a Gaussian fitted to its codes "
                "they vary, but only because we measured its codes first.")


def _num(v: float) -> str:
    """One decimal, without a minus sign on zero."""
    return f"{v:.1f}".replace("-0.0", "0.0").replace("-", "−")


def holes(dataset: str, net, plain, codes: np.ndarray, plain_codes: np.ndarray) -> None:
    pictures, labels = test_images(dataset)
    classes = ae.DATASETS[dataset].classes
    n = vae.GRID if len(pictures) >= 1000 else 6  # 100 faces would leave most of 144 cells empty anyway
    style = projector.style()
    measured = {}
    for column, who, model, points, draws in zip(
            st.columns(2), ("Autoencoder", "VAE"), (plain, net), (plain_codes, codes),
            (vae.fitted_gaussian_samples(plain_codes, HOLE_DRAWS, 0), vae.prior_samples(HOLE_DRAWS, 2, 0))):
        lo, hi = vae.code_range(points)
        empty = vae.cell_counts(points, lo, hi, n) == 0
        in_holes = vae.draws_in_holes(draws, points)
        measured[who] = (float(empty.mean()), in_holes, lo, hi)
        with column:
            st.markdown(f"**{'Plain autoencoder' if who == 'Autoencoder' else 'Variational autoencoder'}**")
            left, right = (st.container(), st.container()) if style.font_size > 16 else st.columns(2)
            left.metric(f"{who}: empty cells", f"{empty.mean():.0%}",
                        help=f"Of the {n} × {n} cells over the rectangle holding 99 % of the test codes, the share "
                             "that hold none of them.")
            right.metric(f"{who}: draws in a hole", f"{in_holes:.0%}",
                         help=f"Of {HOLE_DRAWS:,} random draws, the share farther than {vae.HOLE_SPACINGS:g} typical "
                              "spacings from every test code. " + (
                                  "The VAE draws from its prior N(0, I)." if who == "VAE" else
                                  "A plain autoencoder has no prior: it draws from a Gaussian fitted to its codes."))
            fig = code_scatter(points, labels, classes, style, "the test set's codes", height=420)
            fig.update_xaxes(range=[lo[0], hi[0]])
            fig.update_yaxes(range=[lo[1], hi[1]])
            projector.chart(fig, key=f"vae_holes_{who.lower()}")
            decoded = vae.decode(model, vae.grid_points(lo, hi, n))
            st.image(tile_sheet(decoded, empty, 480 // n),
                     caption=f"Decoded at the centre of each cell, z₁ {_num(lo[0])} to {_num(hi[0])}, z₂ "
                             f"{_num(hi[1])} (top) to {_num(lo[1])}; outlined: no test image in that cell.")
    (ae_empty, ae_holes, ae_lo, ae_hi), (vae_empty, vae_holes, _, _) = measured["Autoencoder"], measured["VAE"]
    if ae_empty - vae_empty > 0.03:
        first = (f"Measured here, the VAE's plane has fewer holes: {vae_empty:.0%} of its cells are empty against "
                 f"{ae_empty:.0%} for the plain autoencoder, and {vae_holes:.0%} of the draws from its prior land in a "
                 f"hole against {ae_holes:.0%}.")
    elif vae_empty - ae_empty > 0.03:
        first = (f"Measured here, the plain autoencoder's plane has fewer empty cells ({ae_empty:.0%} against the "
                 f"VAE's {vae_empty:.0%}; draws in a hole {ae_holes:.0%} and {vae_holes:.0%}).")
    else:
        first = (f"Measured here, the two planes have about as many holes ({ae_empty:.0%} and {vae_empty:.0%} of the "
                 f"cells empty, {ae_holes:.0%} and {vae_holes:.0%} of the random draws in a hole): a plain "
                 f"autoencoder trained on {len(ae.images(dataset, 'train')[0]):,} images already spreads its two "
                 "numbers fairly evenly.")
    if dataset == "faces":
        first += " (With 100 faces, these shares are rough.)"
    mean, spread = codes.mean(0), codes.std(0)
    st.markdown(f"**What you see.** {first} What always differs is *where* the codes are. The VAE's KL term pulls "
                f"them towards N(0, I) (here mean ({mean[0]:.2f}, {mean[1]:.2f}), spread ({spread[0]:.2f}, "
                f"{spread[1]:.2f})), so a z drawn from N(0, I) lands among them and decodes to a new image. The "
                "plain autoencoder's codes lie wherever its training happened to put them (here z₁ from "
                f"{_num(ae_lo[0])} to {_num(ae_hi[0])}): to sample it you must first measure where they are, and its "
                "decoder was never asked to make sense of the space between them. A known distribution to draw "
                "from is what makes the VAE a generative model: **an autoencoder beyond just your data**.")


def section() -> None:
    st.markdown("A **variational autoencoder** encodes each image not as one point but as a small cloud, "
                "N(μ, σ²), and is trained to decode any sample of it; a second term of its loss, the KL divergence "
                "to N(0, I), keeps the clouds close together. Here the code has **two numbers**, so the whole "
                "latent space is a plane you can walk on.")
    dataset = url_state.choice(st.segmented_control, "Images", list(DATASETS), key="vae_data",
                               format_func=DATASETS.get)
    part = url_state.choice(st.segmented_control, "Show", list(PARTS), key="vae_part")
    if dataset == "faces":
        st.info("**Only 100 faces.** scikit-image ships 100 faces of 25×25 pixels from Labeled Faces in the Wild; "
                "the networks here (small, fully connected) were trained on all of them, flipped left-right at "
                "random, and there are no others to test on. Expect blurry averages of pose and lighting, not "
                "new people.", icon=":material/face:")
    loaded = models(dataset)
    if loaded is None:
        return
    net, plain, _ = loaded
    codes = _codes(dataset, "vae", net)
    if part == "Latent explorer":
        explorer(dataset, net, codes)
    elif part == "Grid over the plane":
        grid(dataset, net)
    elif part == "Interpolation":
        interpolation(dataset, net, plain)
    elif part == "Samples from the prior":
        samples(dataset, net, plain, _codes(dataset, "ae", plain))
    else:
        holes(dataset, net, plain, codes, _codes(dataset, "ae", plain))
    with st.expander("The networks and the loss"):
        st.markdown("The encoder gives a mean μ and a log-variance log σ² for each of the two latent numbers; "
                    "z = μ + σ·ε with ε ~ N(0, I) is decoded (the *reparameterisation* that lets gradients reach "
                    "μ and σ). The loss per image is the negative ELBO, its KL term weighted by β:")
        st.latex(r"\underbrace{-\sum_{\text{pixels}} \big[x \log \hat x + (1-x)\log(1-\hat x)\big]}_{\text{"
                 r"reconstruction}} \;+\; \beta\,\underbrace{\tfrac12 \sum_{j} \big(\mu_j^2 + \sigma_j^2 - 1 - "
                 r"\log \sigma_j^2\big)}_{\text{KL}(q(z|x)\,\|\,N(0, I))}")
        if dataset == "faces":
            st.markdown("Here β = 1, the ELBO proper: with β = 4, as for the digits and clothes, the 100 faces' "
                        "codes carried almost nothing (KL 1.8 nats) and every face decoded alike.")
        else:
            st.markdown(f"Here β = {ae.VAE_BETA[dataset]:g} (a *β-VAE*; the ELBO proper is β = 1): with β = 1 the "
                        "test codes followed N(0, I) less closely and left more of the plane empty (Fashion-MNIST: "
                        "26 % of the 12 × 12 cells against 12 %; MNIST: 31 % against 20 %), for reconstructions about "
                        "as good.")
        from core.ui import cache
        metrics = cache.metrics(ae.DATASETS[dataset].vae)
        if metrics:
            st.caption(f"Measured on {ae.DATASETS[dataset].held_out}: reconstruction "
                       f"{metrics['test_reconstruction_nats']:.1f} nats and KL {metrics['test_kl_nats']:.2f} nats "
                       "per image.")
        shape = ("two 4×4 stride-2 convolutions (16 and 32 channels) and their mirror image, as the autoencoders "
                 "of the previous section" if dataset != "faces" else "one hidden layer of 128 units each way")
        st.markdown(f"Encoder and decoder: {shape}. The plain autoencoder beside it has the same shape with a "
                    f"2-number code and no sampling. Trained by `core` on {ae.DATASETS[dataset].data}.")
