"""A class at once: simulated students on one fresh `streamlit run app.py`, as a shared server meets them.

Run from anywhere:  .venv/bin/python tests/bench/bench_class.py [SCENARIO ...] [--seed 0] [--soak-minutes 60]

Not a test: it prints figures and never fails on them. Each student is a `core.ui.visitor.Visitor` (Streamlit's
websocket protocol, no browser: the browser's own painting comes on top of the figures). The server is warmed first
by `core.ui.warmup`, as `make run` does, then the scenarios run one after another on it:

  n1, n10, n30  N students start within 3 s; each does 5 rounds of: open a random section by its link, think 1–3 s,
                move one of its sliders or choices to another value, think 1–3 s.
  class         10 students play in the Playground (their browsers train and draw; the server sees a change of
                learning rate or noise every 10–20 s, which restarts the play) while 10 others do the rounds above
                for 90 s; the clickers' figures are reported.
  soak          10 students do rounds without a break for --soak-minutes; the server's memory every minute.

Latency = the request sent → the end of the script run it caused. Printed per scenario: interactions, p50 / p95 /
max, exceptions, error messages, disconnects and timeouts, the server's peak resident memory and CPU, and the load
average (the machine is shared: compare figures from one run). `--log FILE` writes every interaction as a line
(scenario, seconds, status, what), to find what the slow ones were.
"""
import argparse
import asyncio
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from contextlib import asynccontextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from core.lecture import SEGMENTS  # noqa: E402
from core.ui.visitor import Run, Visitor  # noqa: E402
from core.ui.warmup import wait_for_server, warm  # noqa: E402
from tests.browser import free_port, stop, streamlit_command  # noqa: E402

MOVABLE = ("slider", "select_slider", "selectbox")
NOT_MOVED = ("section", "projector")  # what a student does not change in a round
SECTIONS = [(segment.url_path, section.title) for segment in SEGMENTS for section in segment.sections]


class Server:
    """The server's resident memory and CPU time, sampled twice a second."""

    def __init__(self, pid: int):
        self.pid, self.samples = pid, []  # (time, MB)

    def rss_mb(self) -> float:
        with open(f"/proc/{self.pid}/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024

    def cpu_s(self) -> float:
        with open(f"/proc/{self.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def watch(self) -> None:
        while True:
            self.samples.append((time.monotonic(), self.rss_mb()))
            await asyncio.sleep(0.5)

    def peak_since(self, start: float) -> float:
        return max((mb for t, mb in self.samples if t >= start), default=self.rss_mb())


def other_value(control, rng: random.Random):
    """A value of the control other than its current one, as a student picks it."""
    if control.kind == "slider":
        steps = int(round((control.high - control.low) / control.step))
        values = [control.low + i * control.step for i in range(steps + 1)]
        values = [v for v in values if abs(v - (control.value or 0)) > control.step / 2] or values
        value = rng.choice(values)
        return int(round(value)) if control.integer else round(value, 10)
    return rng.choice([o for o in control.options if o != control.value] or control.options)


async def rounds(port: int, rng: random.Random, until: float, runs: list[Run], count: int | None = None,
                 think: tuple[float, float] = (1, 3)) -> None:
    """One student: rounds of open a section, think, move a control, think (`think` seconds, from–to); `count`
    rounds or until `until`."""
    async with Visitor(port) as visitor:
        done = 0
        while (count is None or done < count) and time.monotonic() < until:
            page, section = rng.choice(SECTIONS)
            runs.append(await visitor.open(page, section=section))
            await asyncio.sleep(rng.uniform(*think))
            controls = [c for c in visitor.controls.values()
                        if c.kind in MOVABLE and c.key not in NOT_MOVED and (c.options or c.kind == "slider")]
            if controls:
                control = rng.choice(controls)
                runs.append(await visitor.move(control.key, other_value(control, rng)))
            await asyncio.sleep(rng.uniform(*think))
            done += 1


async def player(port: int, rng: random.Random, until: float, runs: list[Run]) -> None:
    """A student playing in the Playground: the browser trains and draws; now and then a setting changes."""
    async with Visitor(port) as visitor:
        runs.append(await visitor.open("feed_forward", section="Playground"))
        while time.monotonic() < until:
            await asyncio.sleep(rng.uniform(10, 20))
            key = rng.choice(("pg_lr", "pg_noise"))
            runs.append(await visitor.move(key, other_value(visitor.controls[key], rng)))


LOG: list[str] = []


def summary(name: str, runs: list[Run], server: Server, start: float, cpu_start: float) -> None:
    LOG.extend(f"{name}\t{r.seconds if r.seconds is not None else 'nan'}\t{r.status}\t{r.what}" for r in runs)
    seconds = sorted(r.seconds for r in runs if r.seconds is not None)
    wall = time.monotonic() - start
    bad = {kind: sum(1 for r in runs if r.status == kind) for kind in ("disconnect", "timeout", "page not found")}
    exceptions = [e for r in runs for e in r.exceptions]
    errors = [e for r in runs for e in r.errors]
    p95 = seconds[min(len(seconds) - 1, int(0.95 * len(seconds)))] if seconds else float("nan")
    print(f"{name:10s} {len(runs):4d} interactions ({len(runs) / wall:.2f}/s)  p50 {statistics.median(seconds):5.2f} s"
          f"  p95 {p95:5.2f} s  max {seconds[-1]:5.2f} s  exceptions {len(exceptions)}  errors {len(errors)}  "
          + "  ".join(f"{k} {v}" for k, v in bad.items())
          + f"  peak {server.peak_since(start):5.0f} MB  server CPU {(server.cpu_s() - cpu_start) / wall:4.0%}"
          f"  load {os.getloadavg()[0]:.1f}", flush=True)
    slowest = sorted((r for r in runs if r.seconds is not None), key=lambda r: -r.seconds)[:3]
    print("           slowest: " + "; ".join(f"{r.seconds:.1f} s {r.what}" for r in slowest))
    for text in sorted(set(exceptions + errors))[:5]:
        print(f"           {text[:160]}")


async def scenario(name: str, port: int, server: Server, seed: int, soak_minutes: float) -> None:
    start, cpu_start, runs = time.monotonic(), server.cpu_s(), []
    if name.startswith("n"):
        students = int(name[1:])
        until = start + 300

        async def student(i: int) -> None:
            await asyncio.sleep(random.Random(seed + i).uniform(0, 3))
            await rounds(port, random.Random(seed * 1000 + i), until, runs, count=5)
        await asyncio.gather(*(student(i) for i in range(students)))
        summary(name, runs, server, start, cpu_start)
    elif name == "class":
        until, clicks = start + 90, []
        await asyncio.gather(*(player(port, random.Random(seed + i), until, runs) for i in range(10)),
                             *(rounds(port, random.Random(seed * 1000 + i), until, clicks) for i in range(10)))
        summary("players", runs, server, start, cpu_start)
        summary("clickers", clicks, server, start, cpu_start)
    elif name == "soak":
        until = start + soak_minutes * 60
        task = asyncio.gather(*(rounds(port, random.Random(seed * 1000 + i), until, runs) for i in range(10)))
        while not task.done():
            await asyncio.sleep(60)
            minute = [mb for t, mb in server.samples if t >= time.monotonic() - 60]
            print(f"  soak minute {(time.monotonic() - start) / 60:4.0f}: {len(runs):5d} interactions, memory "
                  f"{min(minute):.0f}–{max(minute):.0f} MB", flush=True)
        await task
        summary("soak", runs, server, start, cpu_start)
    else:
        raise SystemExit(f"no scenario {name!r}")


@asynccontextmanager
async def fresh_server():
    """A fresh `streamlit run app.py` on a free port, its memory watched: (port, Server)."""
    port = free_port()
    process = subprocess.Popen(streamlit_command(port), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_server(port)
        server = Server(process.pid)
        watcher = asyncio.create_task(server.watch())
        yield port, server
        watcher.cancel()
    finally:
        stop(process)


async def main(names: list[str], seed: int, soak_minutes: float, log: Path | None) -> None:
    async with fresh_server() as (port, server):
        start = time.monotonic()
        views = await warm(port)
        LOG.extend(f"warm-up\t{r.seconds}\t{r.status}\t{r.what}" for r in views)
        seconds = [run.seconds or float("nan") for run in views]
        print(f"warm-up    {len(seconds)} views in {time.monotonic() - start:.0f} s, slowest {max(seconds):.1f} s, "
              f"peak {server.peak_since(start):.0f} MB  load {os.getloadavg()[0]:.1f}", flush=True)
        for name in names:
            await scenario(name, port, server, seed, soak_minutes)
        print(f"server peak resident memory over the whole run: {max(mb for _, mb in server.samples):.0f} MB")
        if log:
            log.write_text("\n".join(LOG) + "\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="*", default=["n1", "n10", "n30", "class"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--soak-minutes", type=float, default=60)
    parser.add_argument("--log", type=Path, help="write every interaction here (scenario, seconds, status, what)")
    args = parser.parse_args()
    print(f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.1f}; scenarios {' '.join(args.scenarios)}", flush=True)
    asyncio.run(main(args.scenarios, args.seed, args.soak_minutes, args.log))
