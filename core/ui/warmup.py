"""Warm a running dashboard before class: one visitor opens every section of every segment, then every stop of the
lecture, so that the models are loaded and each first view is computed and kept before a lecturer clicks it. Where a
view offers slow work behind a button (core/ui/heavy.py's on_request), the visitor presses it.

    python -m core.ui.warmup [--port 8501] [--each] [--every-choice]     # `make run` starts it beside the server

It waits for the server to answer, walks every view (printing each one's time with --each), and ends; nothing it
does is kept per session: the models and first views are kept by the server for everyone. With --every-choice it
then moves every slider and choice of every section through its values, one control at a time from the section's
defaults (at most MAX_VALUES values each), which computes the heavy results of the shipped inputs (attributions of
every photo and of its 60 most probable classes, attacks at every ε) and keeps them on disk too
(core/disk_cache.py): once per machine, the evening before, since a restarted server reads them back."""
import argparse
import asyncio
import time
import urllib.request

from core.lecture import SEGMENTS, STOPS
from core.ui.visitor import Control, Run, Visitor


MAX_VALUES = 60
NOT_WALKED = ("section", "projector")
ASK = "heavy_ask_"  # the keys of the buttons that ask for slow work (core/ui/heavy.py), pressed here
MAX_ASKS = 12  # presses after one view at most


def wait_for_server(port: int, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"no dashboard answers on port {port}")
        time.sleep(0.5)


def views() -> list[tuple[str, dict[str, str]]]:
    """Every first view in lecture order: (page, query) of each section, then of each stop of the lecture."""
    sections = [(segment.url_path, {"section": section.title}) for segment in SEGMENTS for section in segment.sections]
    return sections + [("", {"lecture": str(number)}) for number in range(1, len(STOPS) + 1)]


def values(control: Control) -> list:
    """The values a control is walked through: its first MAX_VALUES options (a long list, such as the ImageNet
    classes from most to least probable, is not walked to its end), or up to MAX_VALUES evenly spread slider steps."""
    if control.kind != "slider":
        return control.options[:MAX_VALUES]
    steps = int(round((control.high - control.low) / control.step))
    chosen = sorted({round(i * steps / (MAX_VALUES - 1)) for i in range(MAX_VALUES)}) if steps >= MAX_VALUES \
        else range(steps + 1)
    return [int(round(control.low + i * control.step)) if control.integer else round(control.low + i * control.step, 10)
            for i in chosen]


def _said(run: Run, report) -> Run:
    trouble = "; ".join(run.exceptions + run.errors) or ("" if run.status == "ok" else run.status)
    report(f"{run.seconds or 0:6.2f} s  {run.what}" + (f"  ({trouble})" if trouble else ""))
    return run


async def asked(visitor: Visitor, run: Run, report) -> list[Run]:
    """`run`, then a press of each button there that asks for slow work, until none is left."""
    runs = [_said(run, report)]
    for _ in range(MAX_ASKS):
        asks = [key for key in visitor.controls if key.startswith(ASK)]
        if not asks:
            break
        runs.append(_said(await visitor.move(asks[0], True), report))
    return runs


async def warm(port: int, report=lambda line: None) -> list[Run]:
    """Open every view once (and ask for its slow work); what each answered."""
    async with Visitor(port) as visitor:
        return [run for page, query in views() for run in await asked(visitor, await visitor.open(page, **query),
                                                                          report)]


async def every_choice(port: int, report=lambda line: None, only: str | None = None) -> list[Run]:
    """Move every control of every section (or the one titled `only`) through its values, each control from the
    section's defaults."""
    runs = []
    for page, query in views()[:sum(len(segment.sections) for segment in SEGMENTS)]:
        if only not in (None, query["section"]):
            continue
        async with Visitor(port) as visitor:
            await visitor.open(page, **query)
            keys = [key for key, control in visitor.controls.items()
                    if control.kind not in ("checkbox", "button") and key not in NOT_WALKED]
        for key in keys:
            async with Visitor(port) as visitor:  # a new session: the section's defaults
                await visitor.open(page, **query)
                control = visitor.controls.get(key)
                for value in values(control) if control else ():
                    if value != control.value:
                        runs += await asked(visitor, await visitor.move(key, value), report)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument("--each", action="store_true", help="print every view's time")
    parser.add_argument("--every-choice", action="store_true", help="then every value of every control")
    args = parser.parse_args()
    report = print if args.each else lambda line: None
    wait_for_server(args.port)
    started = time.perf_counter()
    runs = asyncio.run(warm(args.port, report))
    print(f"Warm-up: {len(runs)} views opened in {time.perf_counter() - started:.0f} s; every section's first "
          "view is ready.", flush=True)
    if args.every_choice:
        started = time.perf_counter()
        runs = asyncio.run(every_choice(args.port, report))
        print(f"Warm-up: {len(runs)} choices made in {time.perf_counter() - started:.0f} s.")


if __name__ == "__main__":
    main()
