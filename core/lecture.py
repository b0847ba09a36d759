"""The tutorial's segments in lecture order: the one list that app.py, the tests and the benchmarks read."""
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Segment:
    title: str
    file: str  # relative to the repository root
    icon: str

    @property
    def url_path(self) -> str:
        """The file's name: the path Streamlit also gives a `pages/` file before st.navigation first runs."""
        return Path(self.file).stem

    @property
    def exists(self) -> bool:
        return (ROOT / self.file).is_file()


SEGMENTS = [
    Segment("Recap", "pages/recap.py", ":material/replay:"),
    Segment("Feed-forward networks", "pages/feed_forward.py", ":material/hub:"),
    Segment("CNNs", "pages/cnns.py", ":material/grid_on:"),
    Segment("RNNs", "pages/rnns.py", ":material/repeat:"),
    Segment("Generative models", "pages/generative.py", ":material/auto_awesome:"),
    Segment("Adversarial examples & OOD", "pages/adversarial.py", ":material/bug_report:"),
]


def available_segments() -> list[Segment]:
    """The segments whose page has been built, in lecture order."""
    return [s for s in SEGMENTS if s.exists]
