"""The tutorial's segments in lecture order: the one list that app.py, the tests and the benchmarks read."""
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Segment:
    title: str
    file: str  # relative to the repository root
    url_path: str
    icon: str

    @property
    def exists(self) -> bool:
        return (ROOT / self.file).is_file()


SEGMENTS = [
    Segment("Recap", "pages/recap.py", "recap", ":material/replay:"),
    Segment("Feed-forward networks", "pages/feed_forward.py", "feed-forward", ":material/hub:"),
    Segment("CNNs", "pages/cnns.py", "cnns", ":material/grid_on:"),
    Segment("RNNs", "pages/rnns.py", "rnns", ":material/repeat:"),
    Segment("Generative models", "pages/generative.py", "generative", ":material/auto_awesome:"),
    Segment("Adversarial examples & OOD", "pages/adversarial.py", "adversarial", ":material/bug_report:"),
]


def available_segments() -> list[Segment]:
    """The segments whose page has been built, in lecture order."""
    return [s for s in SEGMENTS if s.exists]
