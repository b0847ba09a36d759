"""Text datasets: Rotten Tomatoes snippets for sentiment, German-English sentence pairs for translation."""
import tarfile
from contextlib import ExitStack
from functools import lru_cache
from pathlib import Path

import numpy as np

from core.data import sources

VADER_SDIST = "vaderSentiment-3.3.2.tar.gz"
VADER_CORPUS = "hutto_ICWSM_2014.tar.gz"
VADER_CORPUS_IN_SDIST = f"vaderSentiment-3.3.2/additional_resources/{VADER_CORPUS}"
VADER_CORPUS_URL = (
    "https://raw.githubusercontent.com/cjhutto/vaderSentiment/master/additional_resources/hutto_ICWSM_2014.tar.gz"
)
MOVIE_SNIPPETS = "hutto_ICWSM_2014/movieReviewSnippets_GroundTruth.txt"
MOVIE_HINT = "make data  (it runs: pip download --no-deps --no-binary :all: vaderSentiment==3.3.2 -d data)"

DING_FILE = "de-en"
DING_DEBIAN = Path("/usr/share/trans/de-en")
DING_HINT = "apt-get install -y trans-de-en"
NOT_IN_A_SENTENCE = set("{}[]()/")  # the dictionary's grammar tags, subject areas and word alternatives

SPLIT_SEED = 0


def _split(n: int, split: str) -> np.ndarray:
    """Indices of one split: one fixed shuffle cut 80/10/10 into train, val and test; "all" keeps file order."""
    if split == "all":
        return np.arange(n)
    cuts = {"train": (0, int(0.8 * n)), "val": (int(0.8 * n), int(0.9 * n)), "test": (int(0.9 * n), n)}
    if split not in cuts:
        raise ValueError(f'split must be "train", "val", "test" or "all", got {split!r}')
    start, stop = cuts[split]
    return np.random.default_rng(SPLIT_SEED).permutation(n)[start:stop]


def read_nested_tar(path: Path, *members: str) -> bytes:
    """The last member's bytes, reached through tarballs inside tarballs without extracting any."""
    try:
        with open(path, "rb") as file, ExitStack() as stack:
            current = file
            for member in members:
                current = stack.enter_context(tarfile.open(fileobj=current)).extractfile(member)
            return current.read()
    except (tarfile.TarError, KeyError, EOFError) as error:
        raise OSError(f"{path} is damaged: {error}") from error


@lru_cache(maxsize=1)
def _movie_snippets() -> tuple[list[str], np.ndarray]:
    """Every snippet with a non-zero mean rating, and that rating (-4 to 4)."""
    folder = sources.DATA_DIR
    raw = sources.first_available(
        "Rotten Tomatoes movie snippets (vaderSentiment 3.3.2 source)",
        [
            lambda: read_nested_tar(folder / VADER_SDIST, VADER_CORPUS_IN_SDIST, MOVIE_SNIPPETS),
            lambda: read_nested_tar(folder / VADER_CORPUS, MOVIE_SNIPPETS),
            lambda: read_nested_tar(sources.download(VADER_CORPUS_URL, folder / VADER_CORPUS), MOVIE_SNIPPETS),
        ],
        MOVIE_HINT,
    )
    texts, ratings = [], []
    for line in raw.decode("utf-8", "replace").splitlines():
        _, rating, text = line.split("\t", 2)  # id, mean human rating -4..4, snippet
        if float(rating) != 0:
            texts.append(text)
            ratings.append(float(rating))
    return texts, np.array(ratings, dtype=np.float32)


def movie_snippets(split: str = "all") -> tuple[list[str], np.ndarray]:
    """Rotten Tomatoes sentences (Pang & Lee) rated by people: texts and labels, 1 = positive, 0 = negative."""
    texts, ratings = movie_ratings(split)
    return texts, (ratings > 0).astype(np.int64)


def movie_ratings(split: str = "all") -> tuple[list[str], np.ndarray]:
    """The same sentences with their mean human rating, from -4 (very negative) to 4 (very positive)."""
    texts, ratings = _movie_snippets()
    keep = _split(len(texts), split)
    return [texts[i] for i in keep], ratings[keep]


def _is_sentence(text: str, german: bool) -> bool:
    """A whole short sentence: no dictionary markup, ends in . ? or !, 3 to 12 words, German capitalised."""
    return (
        not NOT_IN_A_SENTENCE & set(text)
        and text[-1:] in (".", "?", "!")
        and 3 <= len(text.split()) <= 12
        and (text[:1].isupper() or not german)
    )


def _read_ding(path: Path) -> list[tuple[str, str]]:
    """Example sentences of the Ding dictionary: each line is "german :: english", entries aligned on " | "."""
    pairs: dict[str, str] = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#") or " :: " not in line:
                continue
            german, english = (side.split(" | ") for side in line.rstrip("\n").split(" :: ", 1))
            if len(german) != len(english):
                continue  # entries out of step: no safe alignment
            for de, en in zip(german, english):
                de, en = de.split("; ")[0].strip(), en.split("; ")[0].strip()  # the first of several variants
                if _is_sentence(de, german=True) and _is_sentence(en, german=False):
                    pairs.setdefault(de, en)  # one translation per German sentence
    return list(pairs.items())


@lru_cache(maxsize=1)
def _sentence_pairs() -> list[tuple[str, str]]:
    """All German-English sentence pairs, from the data folder or the Debian package."""
    return sources.first_available(
        "German-English sentence pairs (Ding dictionary)",
        [lambda: _read_ding(sources.DATA_DIR / DING_FILE), lambda: _read_ding(DING_DEBIAN)],
        DING_HINT,
    )


def sentence_pairs(split: str = "all") -> list[tuple[str, str]]:
    """(German, English) sentence pairs from the Ding dictionary, for a translation model."""
    pairs = _sentence_pairs()
    return [pairs[i] for i in _split(len(pairs), split)]
