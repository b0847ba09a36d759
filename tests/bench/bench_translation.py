"""Benchmark the shipped translator: the time of one beam-5 translation (plain, pivoted, changed), the lecture's
sentence and its chrF, and its BLEU on the test split.

Run from anywhere:  .venv/bin/python tests/bench/bench_translation.py [--quick]

Time: the lecture's 12-word sentence translated with beam 5, torch using every core but one as the app does
(`set_threads(spare=1)`); the median of 20 runs after one warm-up. Goal ≤ 0.5 s on a 2-core CPU.
BLEU: sacreBLEU (13a, case-insensitive) of the checkpoint as saved (fp16) on the 1,370 test pairs, greedy and
beam 5 (`--quick`: greedy only), beside the figures recorded in the manifest. Not a test (machines here are shared;
the load average is printed): it prints the figures, and exits with status 1 if the time goal was missed.
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core import checkpoints  # noqa: E402
from core.data.text import sentence_pairs  # noqa: E402
from core.device import describe, set_threads  # noqa: E402
from core.rnn import translation

SECONDS_GOAL = 0.5


def load() -> str:
    return "load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the beam-5 BLEU (about a minute)")
    args = parser.parse_args()
    set_threads(spare=1)
    print(f"{describe()}; {os.cpu_count()} cores; {load()}")
    model = checkpoints.load_model("translator")
    recorded = checkpoints.read_manifest()["translator"].metrics
    translation.translate(model, translation.PRESET)
    times = []
    for _ in range(20):
        start = time.perf_counter()
        result = translation.translate(model, translation.PRESET, beam=5)
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    print(f"'{translation.PRESET}' ({len(result.source)} words) → '{result.text}', chrF "
          f"{translation.chrf(result.text, translation.LECTURE_REFERENCE)} against "
          f"'{translation.LECTURE_REFERENCE}' (goal ≥ 50)")
    best = result.beams[0].ids
    for name, kw in {"pivot at step 3": {"prefix": (*best[:2], translation.next_words(model, translation.PRESET,
                                                                                       tuple(best[:2]))[1][0])},
                     "change at step 2 (to längsten reisen)": {"prefix": tuple(best[:1]), "pin": (1, (1, 2))}}.items():
        runs = []
        for _ in range(5):
            start = time.perf_counter()
            other = translation.translate(model, translation.PRESET, beam=5, **kw)
            runs.append(time.perf_counter() - start)
        print(f"{name}: '{other.text}', median {statistics.median(runs) * 1000:.0f} ms")
    print(f"beam 5: median {seconds * 1000:.0f} ms, slowest {max(times) * 1000:.0f} ms (goal ≤ {SECONDS_GOAL} s)   "
          f"{'ok' if seconds <= SECONDS_GOAL else 'MISSED'}")
    test = sentence_pairs("test")
    for beam in (1,) if args.quick else (1, 5):
        start = time.perf_counter()
        score = translation.bleu(model, test, beam)
        key = "test_bleu_greedy" if beam == 1 else f"test_bleu_beam{beam}"
        print(f"test BLEU, beam {beam}: {score:.2f} (recorded {recorded[key]}), {len(test):,} pairs in "
              f"{time.perf_counter() - start:.1f} s")
    print(load())
    return 0 if seconds <= SECONDS_GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
