"""Benchmark sentiment prediction: each shipped model's test-split accuracy (from its checkpoint), its P(positive) for
the lecture's (negative) review, the seconds for that whole review's prediction with per-word attributions, and for
the LSTM units' favourite words over the corpus.

Run from anywhere:  .venv/bin/python tests/bench/bench_sentiment.py [--repeats 5]

Each time is the wall time of `core.rnn.sentiment.explain` (tokens, prediction, running opinion, Integrated Gradients with
IG_STEPS steps, `minilm_steps` of its pieces for MiniLM) after one warm-up call, median and best of the runs, with
torch using every core but one, as the app does (`set_threads(spare=1)`), and the load average. Not a test (machines
here are shared and noisy): it prints figures against the goals and never fails on them. Goals on a 2-core CPU:
LSTM ≤ 0.5 s, MiniLM ≤ 3 s per review; test accuracy ≥ 77% (LSTM, GRU), ≥ 79% (MiniLM).
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core import checkpoints  # noqa: E402
from core.data.text import movie_snippets  # noqa: E402
from core.device import describe, set_threads  # noqa: E402
from core.rnn import sentiment

MODELS = {"sentiment_lstm": (0.77, 0.5), "sentiment_gru": (0.77, None), "sentiment_minilm": (0.79, 3.0)}
REVIEW = sentiment.CRICHTON  # the lecture's review, all of it


def seconds(model, repeats: int) -> list[float]:
    sentiment.explain(model, REVIEW)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        sentiment.explain(model, REVIEW)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    repeats = parser.parse_args().repeats
    set_threads(spare=1)
    texts, labels = movie_snippets("test")
    print(f"{describe()}; {repeats} runs; review: {len(REVIEW.split())} words, {len(sentiment.tokenise(REVIEW))} "
          f"tokens; IG {sentiment.IG_STEPS} steps, MiniLM fewer for long texts; load average {os.getloadavg()}")
    print(f"{'model':18s} {'test acc':>8s} {'goal':>6s} {'MB':>5s} {'P(pos)':>6s} {'median s':>8s} {'best s':>7s} "
          f"{'goal':>7s}")
    for name, (acc_goal, time_goal) in MODELS.items():
        model = checkpoints.load_model(name)
        acc = sentiment.accuracy(model, texts, labels)
        size = (checkpoints.CHECKPOINT_DIR / f"{name}.safetensors").stat().st_size / 1e6
        times = seconds(model, repeats)
        reading = sentiment.read(model, REVIEW)
        median = statistics.median(times)
        verdict = ("ok" if acc >= acc_goal and (time_goal is None or median <= time_goal) else "MISSES a goal")
        goal = "" if time_goal is None else f"<= {time_goal:g}"
        print(f"{name:18s} {acc:8.4f} {acc_goal:6.2f} {size:5.1f} {reading.positive:6.2f} {median:8.3f} "
              f"{min(times):7.3f} {goal:>7s}  {verdict}")
    train, _ = movie_snippets("train")
    start = time.perf_counter()
    sentiment.word_activations(checkpoints.load_model("sentiment_lstm"), train)
    print(f"what the LSTM's units respond to, over {len(train):,} training snippets (once): "
          f"{time.perf_counter() - start:.1f} s; load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
