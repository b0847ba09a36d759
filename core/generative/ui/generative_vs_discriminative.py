"""You just discriminated using a generative model: the notes' two coins (which one is fair? likelihoods, Bayes'
rule, the bias learned from data, new tosses sampled from it), then the same idea in 2-D, class-conditional Gaussians
beside logistic regression on one dataset."""
import contourpy
import numpy as np
import plotly.graph_objects as go
import streamlit as st

from core import plots
from core.generative import generative_vs_discriminative as gd
from core.ui import presenter, projector, url_state

A, B = "gd_seq_a", "gd_seq_b"
CHOSEN, LEARNED = "chosen", "learned"
BIAS_MODES = {CHOSEN: "a hypothesis I choose", LEARNED: "learned from the data"}
MORE = 12  # tosses per click of "Toss 12 more"
SAMPLES = "gd_samples"  # [(click number, p̂_A, p̂_B, tosses A, tosses B)], newest last
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
_BIG_FORMULAS = "<style>.stMain .katex { font-size: 1.3em !important; }</style>"


# Small helpers for numbers a lecture hall can read

def sci(log_value: float, html: bool = False) -> str:
    """exp(log_value) written as 4.88 × 10⁻⁴ (or with <sup> for plotly), plainly when it is between 0.01 and 1000."""
    if not np.isfinite(log_value):
        return "0"
    mantissa, exponent = gd.scientific(log_value)
    if -2 <= exponent <= 2:
        return f"{mantissa * 10.0 ** exponent:.3g}"
    power = f"10<sup>{exponent}</sup>".replace("-", "−") if html else "10" + str(exponent).translate(_SUPERSCRIPT)
    return f"{mantissa:g} × {power}"


def tex_sci(log_value: float) -> str:
    """The same in LaTeX."""
    if not np.isfinite(log_value):
        return "0"
    mantissa, exponent = gd.scientific(log_value)
    if -2 <= exponent <= 2:
        return f"{mantissa * 10.0 ** exponent:.3g}"
    return rf"{mantissa:g}\times 10^{{{exponent}}}"


def percent(p: float) -> str:
    if not np.isfinite(p):
        return "undecided"
    if p > 0.9999:
        return "> 99.99 %"
    if p < 0.0001:
        return "< 0.01 %"
    return f"{p:.2%}".replace("%", " %")


def power(base: float, exponent: int) -> str:
    """0.5¹¹ (Unicode), the way the notes would write a likelihood."""
    return f"{base:.3g}" + str(exponent).translate(_SUPERSCRIPT)


def tex_power(base: float, exponent: int) -> str:
    return f"{base:.3g}^{{{exponent}}}"


def tex_likelihood(t: gd.Tosses, p: float) -> str:
    """P(tosses | P(heads) = p) as a product of powers, e.g. 0.8^{6}\\,0.2^{5}, or 0.5^{11} for a fair coin."""
    if p == 0.5:
        return tex_power(0.5, t.n)
    return r"\,".join(tex_power(q, k) for q, k in ((p, t.heads), (1 - p, t.tails)) if k) or "1"


# Callbacks (buttons run them before the rerun, so the text boxes can be filled)

def _presets() -> None:
    st.session_state[A], st.session_state[B] = gd.NOTES_SEQUENCES


def _swap() -> None:
    st.session_state[A], st.session_state[B] = st.session_state.get(B, ""), st.session_state.get(A, "")


def _generate() -> None:
    clicks = st.session_state.get("gd_gen_clicks", 0) + 1
    st.session_state["gd_gen_clicks"] = clicks
    bits = gd.sample_tosses(st.session_state["gd_gen_p"], st.session_state["gd_gen_n"], seed=10_000 + clicks)
    st.session_state[B] = gd.format_tosses(bits)


def _toss_more(p_a: float, p_b: float) -> None:
    samples = st.session_state.setdefault(SAMPLES, [])
    click = len(samples) + 1  # the seed: the n-th click gives the same tosses in every session
    samples.append((click, p_a, p_b, gd.sample_tosses(p_a, MORE, seed=2 * click),
                    gd.sample_tosses(p_b, MORE, seed=2 * click + 1)))


def _clear_samples() -> None:
    st.session_state[SAMPLES] = []


# Figures

def likelihood_figure(counts: tuple[tuple[int, int], tuple[int, int]], p_biased: tuple[float, float], learned: bool,
                      style: plots.PlotStyle) -> go.Figure:
    """For coins A and B, (heads, tails) each, how likely their tosses are under the fair coin and under the biased
    one (P(heads) = p_biased[0] for A, [1] for B): bars on a log scale, drawn as log₁₀ so that 0.5¹⁰⁰⁰⁰ has a bar."""
    fair = [gd.log_likelihood(h, t, 0.5) for h, t in counts]
    biased = [gd.log_likelihood(h, t, p) for (h, t), p in zip(counts, p_biased)]
    logs10 = np.array([fair, biased]) / np.log(10)
    finite = logs10[np.isfinite(logs10)]
    lo = float(np.floor(finite.min())) - 1 if finite.size else -1.0
    step = _nice_step(-lo / 5)
    ticks = np.arange(0, lo - 1e-9, -step)
    coins = ["coin A", "coin B"]
    names = ["fair coin (p = 0.5)", "biased coin (p = p̂)" if learned else f"biased coin (p = {p_biased[1]:g})"]
    fig = go.Figure()
    for i, (name, row, logs) in enumerate(zip(names, logs10, (fair, biased))):
        length = np.where(np.isfinite(row), row, lo) - lo
        fig.add_trace(go.Bar(y=coins, x=length, base=lo, name=name, orientation="h", marker_color=style.colour(2 + i),
                             text=[sci(v, html=True) for v in logs], textposition="outside", cliponaxis=False,
                             textfont=dict(size=style.font_size), hoverinfo="skip"))
    top = float(finite.max()) if finite.size else 0.0
    fig.update_xaxes(range=[lo, top + 0.3 * (top - lo)], tickvals=ticks, ticktext=[f"10<sup>{int(t)}</sup>".replace("-", "−") for t in ticks],
                     title="P(sequence | coin)")
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(barmode="group", bargap=0.25)
    return plots.legend_below(plots.layout(fig, style, "How likely each sequence is", height=340))


def _nice_step(raw: float) -> float:
    """1, 2 or 5 × a power of ten, at least `raw` (and at least 1: ticks at whole powers of ten)."""
    raw = max(raw, 1.0)
    magnitude = 10 ** np.floor(np.log10(raw))
    return float(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw))


def mle_figure(coins: dict[str, tuple[int, int]], style: plots.PlotStyle) -> go.Figure:
    """The likelihood L(p) of each coin's tosses, {name: (heads, tails)}, over p ∈ [0, 1], scaled to 1 at its top,
    with the MLE p̂ marked."""
    p = np.linspace(0, 1, 401)
    fig = go.Figure()
    fig.add_vline(0.5, line=dict(dash="dot", color="#777", width=style.line_width * 0.6))
    fig.add_annotation(x=0.5, y=0.1, text=" fair coin", showarrow=False, xanchor="left",
                       font=dict(size=style.font_size * 0.85, color="#555"))
    for i, (name, (heads, tails)) in enumerate(coins.items()):
        p_hat = gd.mle(heads, heads + tails)
        fig.add_trace(go.Scatter(x=p, y=gd.relative_likelihood(heads, tails, p), mode="lines", legendgroup=name,
                                 name=f"{name}: p̂ = {heads:,}/{heads + tails:,} = {p_hat:.3g}",
                                 line=dict(color=style.colour(i), width=style.line_width * 1.2),
                                 hovertemplate="p = %{x:.3f}<br>L(p) / L(p̂) = %{y:.3g}<extra>" + name + "</extra>"))
        fig.add_trace(go.Scatter(x=[p_hat], y=[1.0], mode="markers", showlegend=False, legendgroup=name,
                                 hovertemplate=f"{name}: p̂ = {p_hat:.3g}<extra></extra>",
                                 marker=dict(size=style.marker_size * 1.8, color=style.colour(i), symbol="diamond",
                                             line=dict(width=1.5, color="white"))))
    fig.update_xaxes(title="P(heads) = p", range=[-0.02, 1.02], tickvals=np.linspace(0, 1, 11))
    fig.update_yaxes(title="L(p) / L(p̂)", range=[-0.03, 1.08], tickvals=[0, 0.25, 0.5, 0.75, 1])
    return plots.legend_below(plots.layout(fig, style, "The bias learned from data", height=380))


def boundary(grid_x: np.ndarray, grid_y: np.ndarray, p: np.ndarray) -> tuple[list, list]:
    """Where p(class 1 | x) = 0.5 on the grid (p: rows along y), as line pieces x, y with None between them: a few
    hundred points for the browser instead of the whole grid."""
    xs, ys = [], []
    for piece in contourpy.contour_generator(grid_x, grid_y, p).lines(0.5):
        xs += [*piece[:, 0].round(4), None]
        ys += [*piece[:, 1].round(4), None]
    return xs, ys


def scatter_figure(c: gd.Comparison, samples: tuple[np.ndarray, np.ndarray] | None, style: plots.PlotStyle,
                   quadratic: bool) -> go.Figure:
    """Both classes, both models' boundaries p(class 1 | x) = 0.5, the Gaussians' equal-density curves, and
    optionally points sampled from the generative model."""
    X, y = np.concatenate([c.X_train, c.X_test]), np.concatenate([c.y_train, c.y_test])
    fig = go.Figure()
    for k in (0, 1):
        fig.add_trace(go.Scatter(x=X[y == k, 0], y=X[y == k, 1], mode="markers", name=f"class {k}",
                                 marker=dict(size=style.marker_size, color=style.colour(k),
                                             opacity=0.75 if samples is None else 0.45,
                                             line=dict(width=0.5, color="white")),
                                 hovertemplate=f"class {k}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>"))
    for k in (0, 1):
        xs, ys = [], []
        for m in (1, 2):  # 1 and 2 standard deviations (Mahalanobis) from the class mean
            e = c.generative.ellipse(k, m)
            xs += [*e[:, 0], None]
            ys += [*e[:, 1], None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="p(x | class), 1σ and 2σ", legendgroup="density",
                                 showlegend=k == 0, hoverinfo="skip",
                                 line=dict(color=style.colour(k), width=style.line_width * 0.8, dash="dot")))
        fig.add_trace(go.Scatter(x=[c.generative.means[k, 0]], y=[c.generative.means[k, 1]], mode="markers",
                                 showlegend=False, legendgroup="density", hoverinfo="skip",
                                 marker=dict(symbol="cross-thin", size=style.marker_size * 2,
                                             line=dict(width=style.line_width, color=style.colour(k)))))
    if samples is not None:
        Xs, ys_ = samples
        for k in (0, 1):
            fig.add_trace(go.Scatter(x=Xs[ys_ == k, 0], y=Xs[ys_ == k, 1], mode="markers", legendgroup="samples",
                                     name="samples from the generative model", showlegend=k == 0,
                                     hovertemplate=f"sampled, class {k}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>",
                                     marker=dict(symbol="x-thin", size=style.marker_size * 1.1,
                                                 line=dict(width=style.line_width * 0.7, color=style.colour(k)))))
    lines = [("generative boundary (Gaussians)", c.p_generative, "#222", None),
             ("discriminative boundary (logistic regression" + (", quadratic" if quadratic else "") + ")",
              c.p_discriminative, style.colour(4), "dash")]
    for name, z, colour, dash in lines:
        xs, ys = boundary(c.grid_x, c.grid_y, z)
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=name, hoverinfo="skip",
                                 line=dict(color=colour, width=style.line_width * 1.5, dash=dash)))
    # One unit as long on both axes (an ellipse is drawn as one), one range widened beyond the data's box to fill the
    # plot: narrowing the plot instead (constrain="domain") made Streamlit's chart draw it over again, 0.4 s in all.
    fig.update_xaxes(title="x₁", range=c.box[0], zeroline=False)
    fig.update_yaxes(title="x₂", range=c.box[1], zeroline=False, scaleanchor="x")
    return plots.legend_below(plots.layout(fig, style, None, height=640))


@st.cache_data(show_spinner=False, max_entries=64)
def _comparison(dataset: str, n: int, noise: float, seed: int, quadratic: bool) -> gd.Comparison:
    return gd.compare(dataset, n, noise, seed, quadratic)


# Figures are kept once built (about 40 ms each, most of it plotly's styling): a slider that does not change a
# figure redraws the page at once. They are never modified after building, so every session may share them.

def _style(projector_on: bool) -> plots.PlotStyle:
    return plots.PROJECTOR if projector_on else plots.NORMAL


@st.cache_resource(show_spinner=False, max_entries=256)
def _likelihood_chart(counts: tuple, p_biased: tuple, learned: bool, projector_on: bool) -> go.Figure:
    return likelihood_figure(counts, p_biased, learned, _style(projector_on))


@st.cache_resource(show_spinner=False, max_entries=256)
def _mle_chart(counts: tuple, projector_on: bool) -> go.Figure:
    return mle_figure(dict(zip(("coin A", "coin B"), counts)), _style(projector_on))


@st.cache_resource(show_spinner=False, max_entries=128)
def _scatter_chart(dataset: str, n: int, noise: float, seed: int, quadratic: bool, show_samples: bool,
                   projector_on: bool) -> go.Figure:
    c = _comparison(dataset, n, noise, seed, quadratic)
    samples = c.generative.sample(len(c.X_train), seed=seed + 1) if show_samples else None
    return scatter_figure(c, samples, _style(projector_on), quadratic)


# The section

def section() -> None:
    if st.session_state.get(projector.KEY):
        st.html(_BIG_FORMULAS)
    st.markdown("Consider two coins, **one fair, the other unfair**. One gives "
                f"*{gd.NOTES_SEQUENCES[0]}*; the other *{gd.NOTES_SEQUENCES[1]}*. **Which one is fair?** Below, the "
                "reasoning with numbers; then the same idea in two dimensions.")
    coins()
    st.divider()
    two_d()


def _read(key: str, name: str) -> gd.Tosses | None:
    """One coin's sequence from its text box, with a message instead of a result when it cannot be read."""
    try:
        t = gd.parse_tosses(st.session_state[key])
    except gd.SequenceError as e:
        st.error(f"**{name}**: {e}", icon=":material/error:")
        return None
    if t.truncated:
        st.warning(f"**{name}**: {t.typed:,} tosses typed; only the first {gd.MAX_TOSSES:,} are used.",
                   icon=":material/content_cut:")
    st.caption(f"{t.heads:,} heads, {t.tails:,} tails ({t.n:,} tosses)")
    return t


def _which_is_fair(a: gd.Tosses, b: gd.Tosses, post: gd.CoinPosterior, prior: float, learned: bool,
                   on: bool) -> None:
    """The answer to the notes' question: each sequence's likelihood under each coin, then Bayes' rule."""
    counts = ((a.heads, a.tails), (b.heads, b.tails))
    st.markdown("You answered at once, and to do it you used a **generative model** of a coin toss: a fair coin "
                "gives X ∈ {0, 1} with 50 % probability each, so its sequences look like the notes' first one.")
    st.markdown("#### 1. The generative model: how likely is each sequence?")
    numbers, chart = st.columns([1, 1.1], gap="medium")
    with numbers:
        for name, t, p in (("Coin A", a, post.p_biased_h2), ("Coin B", b, post.p_biased_h1)):
            fair = gd.log_likelihood(t.heads, t.tails, 0.5)
            biased = gd.log_likelihood(t.heads, t.tails, p)
            as_biased = " · ".join(power(q, k) for q, k in ((p, t.heads), (1 - p, t.tails)) if k)
            st.markdown(f"**{name}**: {t.heads:,} heads, {t.tails:,} tails\n"
                        f"- if fair: 0.5 per toss, {power(0.5, t.n)} = **{sci(fair)}** "
                        f"(log-likelihood {fair:.2f})\n"
                        f"- if biased (p = {p:.3g}{', learned: ' + f'{t.heads}/{t.n}' if learned else ''}): "
                        f"{as_biased} = **{sci(biased)}** (log-likelihood {biased:.2f})")
        st.caption("The probability of this exact sequence: a product, one factor per toss, p for heads and 1 − p "
                   "for tails.")
    with chart:
        projector.chart(_likelihood_chart(counts, (post.p_biased_h2, post.p_biased_h1), learned, on),
                        key="gd_likelihood_chart")

    st.markdown("#### 2. Bayes' rule: which coin is the fair one?")
    winner, p_win = ("A", post.a_fair) if not post.a_fair < 0.5 else ("B", post.b_fair)
    loser = "B" if winner == "A" else "A"
    if not np.isfinite(post.a_fair):
        st.warning("Neither assignment can produce these tosses: nothing to decide.", icon=":material/help:")
    else:
        st.success(f"**Coin {winner} is the fair one** (and coin {loser} the biased one) with probability "
                   f"**{percent(p_win)}**.", icon=":material/balance:")
    h1 = tex_likelihood(a, 0.5) + r"\cdot " + tex_likelihood(b, post.p_biased_h1)
    h2 = tex_likelihood(a, post.p_biased_h2) + r"\cdot " + tex_likelihood(b, 0.5)
    st.latex(r"P(\text{A fair} \mid x) = \frac{P(x \mid \text{A fair})\,P(\text{A fair})}"
             r"{P(x \mid \text{A fair})\,P(\text{A fair}) + P(x \mid \text{B fair})\,P(\text{B fair})}")
    st.latex(rf"= \frac{{{h1}\cdot {prior:g}}}{{{h1}\cdot {prior:g} + {h2}\cdot {1 - prior:g}}}"
             rf"= \frac{{{tex_sci(post.log_joint_h1)}}}{{{tex_sci(post.log_joint_h1)} + "
             rf"{tex_sci(post.log_joint_h2)}}} = {_tex_probability(post.a_fair)}")
    st.caption("x: both sequences; “A fair”: coin A is the fair one and coin B the biased one. A generative model "
               "of each coin, P(tosses | coin), turned into a decision, P(coin | tosses): you just discriminated "
               "using a generative model.")


def coins() -> None:
    on = bool(st.session_state.get(projector.KEY))
    st.subheader("Two coins: which one is fair?")
    left, right = st.columns(2)
    with left:
        url_state.text(st.text_input, "Coin A's tosses", gd.NOTES_SEQUENCES[0], key=A,
                       help="H/T, h/t or 1/0, separated by commas or spaces (or nothing); up to "
                            f"{gd.MAX_TOSSES:,} tosses.")
        a = _read(A, "Coin A")
    with right:
        url_state.text(st.text_input, "Coin B's tosses", gd.NOTES_SEQUENCES[1], key=B,
                       help="H/T, h/t or 1/0, separated by commas or spaces (or nothing); up to "
                            f"{gd.MAX_TOSSES:,} tosses.")
        b = _read(B, "Coin B")
    presets, swap, generate = st.columns([1.2, 1, 1.8])
    presets.button("The notes' coins", key="gd_preset", on_click=_presets, icon=":material/menu_book:",
                   width="stretch")
    swap.button("Swap A and B", key="gd_swap", on_click=_swap, icon=":material/swap_horiz:", width="stretch")
    with generate.expander("Generate a sequence for coin B"):
        p_col, n_col = st.columns(2)
        with p_col:
            url_state.slider("P(heads)", 0.0, 1.0, 0.8, 0.05, key="gd_gen_p")
        with n_col:
            url_state.slider("Tosses", 1, 200, 12, key="gd_gen_n")
        st.button("Fill coin B", key="gd_generate", on_click=_generate, icon=":material/casino:", type="primary")
    mode_col, p_col, prior_col = st.columns([1.3, 1, 1])
    with mode_col:
        mode = url_state.choice(st.radio, "The biased coin's P(heads)", list(BIAS_MODES), CHOSEN, key="gd_bias_mode",
                                format_func=BIAS_MODES.get, horizontal=True,
                                help="Learned: under “A is fair” the biased coin's P(heads) is learned from B's "
                                     "tosses, and the other way round.")
    with p_col:
        p_biased = url_state.slider("Biased coin: P(heads) = p", 0.05, 0.95, 0.8, 0.05, key="gd_p_biased",
                                    disabled=mode == LEARNED)
    with prior_col:
        prior = url_state.slider("Prior: P(coin A is the fair one)", 0.01, 0.99, 0.5, 0.01, key="gd_prior",
                                 help="What you believe before seeing any toss.")
    if a is None or b is None:
        st.info("Fix the sequence above to see which coin is the fair one.", icon=":material/edit:")
        return
    learned = mode == LEARNED
    post = gd.posterior(a, b, None if learned else p_biased, prior)
    if answer := presenter.answer():  # which coin is fair: the question the notes ask
        with answer:
            _which_is_fair(a, b, post, prior, learned, on)
    counts = ((a.heads, a.tails), (b.heads, b.tails))
    st.markdown("#### 3. The bias learned from data (maximum likelihood)")
    curve, right = st.columns([1.1, 1], gap="medium")
    with curve:
        projector.chart(_mle_chart(counts, on), key="gd_mle_chart")
    p_a, p_b = gd.mle(a.heads, a.n), gd.mle(b.heads, b.n)
    with right:
        st.markdown("Which P(heads) makes each sequence most likely? Maximising "
                    "L(p) = p<sup>heads</sup> (1 − p)<sup>tails</sup> gives **p̂ = heads / tosses**.",
                    unsafe_allow_html=True)
        st.latex(r"\frac{d}{dp}\ln L(p) = \frac{\text{heads}}{p} - \frac{\text{tails}}{1-p} = 0 "
                 r"\;\Rightarrow\; \hat p = \frac{\text{heads}}{n}")
        m_a, m_b = st.columns(2)
        m_a.metric("coin A: p̂", f"{p_a:.3g}", help=f"{a.heads:,} heads / {a.n:,} tosses")
        m_b.metric("coin B: p̂", f"{p_b:.3g}", help=f"{b.heads:,} heads / {b.n:,} tosses")
    st.markdown("#### 4. Use the model to generate: toss the learned coins again")
    toss, clear, _ = st.columns([2.2, 0.7, 1.1])
    toss.button(f"Toss {MORE} more from the learned coins", key="gd_toss", on_click=_toss_more, args=(p_a, p_b),
                icon=":material/casino:", type="primary", width="stretch",
                help="Each click draws from Bernoulli(p̂) with its own seed: the n-th click always gives the same "
                     "tosses.")
    clear.button("Clear", key="gd_clear", on_click=_clear_samples, icon=":material/delete_sweep:",
                 width="stretch", disabled=not st.session_state.get(SAMPLES))
    samples = st.session_state.get(SAMPLES, [])
    for click, pa, pb, sa, sb in samples[::-1][:3]:
        st.markdown(f"**Draw {click}**\n"
                    f"- coin A (p̂ = {pa:.3g}): **{_letters(sa)}** ({int(sa.sum())} heads)\n"
                    f"- coin B (p̂ = {pb:.3g}): **{_letters(sb)}** ({int(sb.sum())} heads)")
    if len(samples) > 3:
        st.caption(f"…and {len(samples) - 3} earlier draws.")
    if not samples:
        st.caption("New tosses from each learned coin will appear here: they look like the coin's own tosses.")
    st.info("**If you have a model you can (1) get new samples from it, (2) use the model to discriminate.** The "
            "same holds for a model of images: learning distributions can be very useful.",
            icon=":material/lightbulb:")


def _letters(bits: np.ndarray) -> str:
    return " ".join("H" if b else "T" for b in bits)


def _tex_probability(p: float) -> str:
    if not np.isfinite(p):
        return r"\text{undecided}"
    return percent(p).replace("%", r"\%").replace(">", "> ").replace("<", "< ")


def two_d() -> None:
    st.subheader("The same idea in 2-D: generative beside discriminative")
    st.markdown("One dataset, two classes, two ways to classify. The **generative** model learns how each class "
                "produces its points: p(class) and a Gaussian p(x | class) with its own mean and covariance; "
                "Bayes' rule then gives p(class | x), exactly as with the coins. The **discriminative** model, "
                "logistic regression, learns only p(class | x) = σ(w · x + b).")
    data_col, toggles_col = st.columns([1.1, 1], vertical_alignment="bottom")
    with data_col:
        dataset = url_state.choice(st.segmented_control, "Dataset", list(gd.DATASETS), key="gd_data")
    with toggles_col:
        show_samples = url_state.toggle("Show samples from the generative model", False, key="gd_show_samples",
                                        help="Points drawn from p(class), then from that class's Gaussian p(x | class), "
                                             "as many as the training points; crosses.")
        quadratic = url_state.toggle("Quadratic logistic regression", False, key="gd_quadratic",
                                     help="Adds the features x₁², x₁x₂, x₂²: lets the discriminative model bend its "
                                          "boundary into the same kind of curve (ellipse, parabola, hyperbola) as the "
                                          "Gaussians' boundary.")
    n_col, noise_col, seed_col = st.columns(3)
    with n_col:
        n = url_state.slider("Points", 50, 1000, 300, 50, key="gd_points")
    with noise_col:
        noise = url_state.slider("Noise", 0.0, 0.5, 0.1, 0.05, key="gd_noise")
    with seed_col:
        seed = url_state.slider("Random seed", 0, 20, 0, key="gd_seed")
    try:
        c = _comparison(dataset, n, noise, seed, quadratic)
    except (ValueError, np.linalg.LinAlgError) as e:
        st.error(f"These settings give a class the Gaussians cannot be fitted to ({e}); try more points or another "
                 "seed.", icon=":material/error:")
        return
    plot, side = st.columns([2.2, 1], gap="medium")
    with plot:
        projector.chart(_scatter_chart(dataset, n, noise, seed, quadratic, show_samples,
                                       bool(st.session_state.get(projector.KEY))), key="gd_scatter")
    with side:
        held_out = len(c.X_test)
        st.metric("Generative", f"{c.accuracy_generative:.0%}",
                  help=f"Accuracy on the {held_out} held-out points (30 %); both models are fitted on the other "
                       f"{len(c.X_train)}.")
        st.metric("Discriminative", f"{c.accuracy_discriminative:.0%}",
                  help=f"Accuracy on the same {held_out} held-out points.")
        st.caption(f"Generative: class-conditional Gaussians; discriminative: logistic regression. Accuracy on "
                   f"{held_out} held-out points, both fitted on the other {len(c.X_train)}.")
        st.markdown(WHAT_YOU_SEE[dataset])
        if quadratic:
            st.markdown("**Quadratic features**: logistic regression can now bend its boundary too, and the "
                        "accuracies come close. It still has no p(x | class): nothing to sample from.")
    g = c.generative
    st.markdown("**The generative model learned p(x | class) and p(class), so it can also sample** (turn on the "
                "samples: do they look like the data?); **the discriminative one learned only p(class | x)**: it "
                "can classify, but it cannot produce a single new point. "
                f"Gaussians: {2 * (1 + 2 + 3) - 1} numbers; logistic regression: {6 if quadratic else 3}.")
    with st.expander("What the generative model learned"):
        for k in (0, 1):
            mu, cov = g.means[k], g.covs[k]
            st.latex(rf"p(\text{{class {k}}}) = {g.priors[k]:.2f},\quad \mu_{k} = \begin{{pmatrix}}{mu[0]:.2f}\\"
                     rf"{mu[1]:.2f}\end{{pmatrix}},\quad \Sigma_{k} = \begin{{pmatrix}}{cov[0, 0]:.2f} & "
                     rf"{cov[0, 1]:.2f}\\ {cov[1, 0]:.2f} & {cov[1, 1]:.2f}\end{{pmatrix}}")
        st.latex(r"p(\text{class 1} \mid x) = \frac{p(x \mid 1)\,p(1)}{p(x \mid 0)\,p(0) + p(x \mid 1)\,p(1)},"
                 r"\qquad p(x \mid k) = \mathcal{N}(x;\, \mu_k, \Sigma_k)")
        st.caption("Each class's share, mean and covariance, learned by maximum likelihood (as scikit-learn's "
                   "quadratic discriminant analysis does); the boundary is where the two weighted densities are "
                   "equal.")


WHAT_YOU_SEE = {
    "Gaussian blobs": "**Blobs.** The Gaussians are the right model here: their boundary curves around the small "
                          "class, while plain logistic regression can only draw a straight line. Samples look just "
                          "like the data.",
    "Two moons": "**Moons.** Neither class is a Gaussian. Both models draw a rough boundary; the samples give the "
                 "generative model away: blobs, not half-moons.",
    "Disc inside a ring": "**Ring.** The Gaussians still separate the two (a wide one and a narrow one, both "
                               "centred: their boundary is a circle) where a straight line cannot. But the samples "
                               "fill the hole: the model of x is wrong even where the classification is right.",
}
