"""Warm a running dashboard before class: one visitor opens every section of every segment, then every stop of the
lecture, so that the models are loaded and each first view is computed and kept before a lecturer clicks it.

    python -m core.ui.warmup [--port 8501] [--each]     # `make run` starts it beside the server

It waits for the server to answer, walks every view (printing each one's time with --each), and ends; nothing it
does is kept per session: the models and first views are kept by the server for everyone."""
import argparse
import asyncio
import time
import urllib.request

from core.lecture import SEGMENTS, STOPS
from core.ui.visitor import Run, Visitor


def wait_for_server(port: int, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"no dashboard answers on port {port}")
        time.sleep(0.5)


def views() -> list[tuple[str, dict[str, str]]]:
    """Every first view in lecture order: (page, query) of each section, then of each stop of the lecture."""
    sections = [(segment.url_path, {"section": section.title}) for segment in SEGMENTS for section in segment.sections]
    return sections + [("", {"lecture": str(number)}) for number in range(1, len(STOPS) + 1)]


async def warm(port: int, report=lambda line: None) -> list[Run]:
    """Open every view once; what each answered."""
    runs = []
    async with Visitor(port) as visitor:
        for page, query in views():
            run = await visitor.open(page, **query)
            runs.append(run)
            trouble = "; ".join(run.exceptions + run.errors) or ("" if run.status == "ok" else run.status)
            report(f"{run.seconds or 0:6.2f} s  {page or '/'}?{'&'.join(f'{k}={v}' for k, v in query.items())}"
                   + (f"  ({trouble})" if trouble else ""))
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument("--each", action="store_true", help="print every view's time")
    args = parser.parse_args()
    wait_for_server(args.port)
    started = time.perf_counter()
    runs = asyncio.run(warm(args.port, print if args.each else lambda line: None))
    print(f"Warm-up: {len(runs)} views opened in {time.perf_counter() - started:.0f} s; every section's first "
          "view is ready.")


if __name__ == "__main__":
    main()
