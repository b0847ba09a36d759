"""The tutorial's segments and their sections in lecture order: the one list that app.py, the pages, the tests and
the benchmarks read."""
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Section:
    title: str
    module: str  # the module whose section() draws it

    @property
    def file(self) -> Path:
        return ROOT / (self.module.replace(".", "/") + ".py")


@dataclass(frozen=True)
class Segment:
    title: str  # in the navigation
    heading: str  # at the top of its page
    file: str  # relative to the repository root
    icon: str
    sections: tuple[Section, ...]

    @property
    def url_path(self) -> str:
        """The file's name: the path Streamlit also gives a `pages/` file before st.navigation first runs."""
        return Path(self.file).stem

    def section(self, title: str) -> Section:
        return next(s for s in self.sections if s.title == title)


def _sections(package: str, *sections: tuple[str, str]) -> tuple[Section, ...]:
    return tuple(Section(title, f"core.{package}.ui.{module}") for title, module in sections)


SEGMENTS = [
    Segment("Recap", "Recap: what a model does, and where features come from", "pages/recap.py", ":material/replay:",
            _sections("recap", ("The toolkit perspective", "toolkit"), ("Features: hand-made vs learned", "features"),
                      ("Data A vs Data B", "separability"))),
    Segment("Feed-forward networks", "Feed-forward networks", "pages/feed_forward.py", ":material/hub:",
            _sections("feed_forward", ("Neurons and non-linearity", "neurons"), ("Sums of sigmoids", "sum_of_sigmoids"),
                      ("Playground", "playground"), ("Gradient descent and SGD", "descent"),
                      ("Backpropagation", "backprop"), ("Overfitting and regularization", "regularization"))),
    Segment("CNNs", "Convolutional neural networks", "pages/cnns.py", ":material/grid_on:",
            _sections("cnn", ("Convolution", "convolution"), ("Layers of convolutions", "layers"),
                      ("What has the network learned?", "learned"), ("Why a house, a dog, a train", "saliency"),
                      ("Classification", "classification"), ("Retrieval", "retrieval"))),
    Segment("RNNs", "Recurrent neural networks", "pages/rnns.py", ":material/repeat:",
            _sections("rnn", ("The recurrence, step by step", "recurrence"), ("Memorizing and forgetting", "memory"),
                      ("Translation with attention", "translation"), ("Sentiment prediction", "sentiment"))),
    Segment("Generative models", "Generative models", "pages/generative.py", ":material/auto_awesome:",
            _sections("generative",
                      ("You just discriminated using a generative model", "generative_vs_discriminative"),
                      ("Autoencoders", "autoencoders"), ("Variational autoencoders", "vae"), ("GANs", "gans"))),
    Segment("Adversarial examples & OOD", "Adversarial examples and out-of-distribution generalization",
            "pages/adversarial.py", ":material/bug_report:",
            _sections("adversarial", ("Adversarial examples", "attacks"), ("How fragile, how defended", "robustness"),
                      ("Physical adversarial examples", "physical"),
                      ("Out-of-distribution generalization", "out_of_distribution"))),
]


def segment_of(page_file: str) -> Segment:
    """The segment a page file shows."""
    return next(s for s in SEGMENTS if (ROOT / s.file).resolve() == Path(page_file).resolve())
