"""Benchmark serving a class with one worker and with two, side by side: the same simulated students through nginx.

Run from anywhere:  .venv/bin/python tests/bench/bench_workers.py [--students 30] [--rounds 5]

Not a test (machines here are shared and noisy): it prints figures against the goal (two workers give at least
1.7× the interactions per second of one, at the same p95, with no errors) and never fails on them.

It starts three workers under `python -m serve`'s supervisord (on free local ports) and two nginx from its
template: one in front of the first worker alone, one in front of the other two. Every worker first opens every
section once, all at the same time, so that each leg starts from workers that have seen exactly that warm-up (the
second leg's students must not find the first leg's results cached, so the workers keep no heavy results on disk
either: the second leg repeats the first leg's choices). With `--rehearsed` the heavy results of the students'
choices are on disk before the legs, as they are in a class once `python -m core.ui.warmup --every-choice` has run
(README, "Warm-up"; it computes every value of every control from a section's defaults, where each round starts): a
fourth worker, outside both legs, first makes the same students' choices, writing the results to a folder that all
four workers read (DASHBOARD_CACHE); what a leg adds to it is removed before the next. Then the two legs run one
after the other with the same students (tests/bench/bench_class.py's rounds, each a core.ui.visitor.Visitor through
nginx, whose websocket nginx gives to the next worker in turn): each student starts within the first 3 s, and does
`--rounds` times: open a random section, think 1–3 s, move one of its controls, think 1–3 s (`--think 0 0`: no
thinking, so that the legs measure what the workers can serve). Latency: rerun sent → the run it started finished
on the server. Interactions per second: interactions finished / the leg's wall time. Errors: interactions that
timed out, were disconnected or showed an exception. With each leg: the load average (the machine may be shared)
and the CPU seconds of each worker and of the simulated students (this process), which share the machine's cores.
"""
import argparse
import asyncio
import math
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from core import disk_cache  # noqa: E402
from core.ui.visitor import Run  # noqa: E402
from core.ui.warmup import wait_for_server  # noqa: E402
from core.ui.warmup import warm as warm_one  # noqa: E402
from serve import launch  # noqa: E402
from tests.bench.bench_class import rounds  # noqa: E402
from tests.browser import free_port, stop  # noqa: E402

GOAL_SPEEDUP = 1.7


def pct(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile."""
    s = sorted(values)
    return s[max(0, math.ceil(q * len(s)) - 1)] if s else None


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and its children that it has waited for."""
    f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in f[11:15]) / os.sysconf("SC_CLK_TCK")


def worker_pids(conf: Path, names) -> dict[str, int]:
    ctl = Path(sys.executable).parent / "supervisorctl"
    return {n: int(subprocess.run([ctl, "-c", conf, "pid", n], capture_output=True, text=True).stdout) for n in names}


def results_on_disk() -> set[Path]:
    """The heavy results kept on disk for this code (none with DASHBOARD_CACHE=off)."""
    place = disk_cache.folder()
    return set(place.iterdir()) if place else set()


async def warm(ports) -> None:
    """Every worker opens every section and lecture stop once (the warm-up), the workers in parallel."""
    await asyncio.gather(*(warm_one(port) for port in ports))


async def leg(port: int, args) -> tuple[list[Run], float]:
    start, runs = time.perf_counter(), []

    async def student(i: int) -> None:
        await asyncio.sleep(random.Random(f"{args.seed}-start-{i}").uniform(0, 3))
        await rounds(port, random.Random(f"{args.seed}-{i}"), time.monotonic() + args.timeout * args.rounds, runs,
                     count=args.rounds, think=tuple(args.think))
    await asyncio.gather(*(student(i) for i in range(args.students)))
    return runs, time.perf_counter() - start


def summary(label: str, runs: list[Run], wall: float, cpu: dict[str, float], load: tuple) -> dict:
    done = [r.seconds for r in runs if r.seconds is not None]
    failed = [r for r in runs if r.status != "ok" or r.exceptions]
    row = {"label": label, "interactions": len(runs), "done": len(done), "p50": pct(done, .5),
           "p95": pct(done, .95), "max": max(done, default=None), "per_s": len(done) / wall, "wall": wall,
           "errors": len(failed), "cpu": cpu, "load": load}
    kinds = sorted({f"{r.status} {r.exceptions[:1]}" for r in failed})
    print(f"{label}: {len(done)}/{len(runs)} interactions in {wall:.0f} s = {row['per_s']:.2f}/s; "
          f"p50 {row['p50']:.2f} s, p95 {row['p95']:.2f} s, max {row['max']:.2f} s; errors {len(failed)} {kinds[:3]}; "
          f"worker CPU s {cpu}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--students", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=180.0, help="seconds one interaction may take")
    ap.add_argument("--think", type=float, nargs=2, default=(1.0, 3.0), metavar=("FROM", "TO"),
                    help="seconds a student thinks between clicks; 0 0: the class clicks without pause, so the legs "
                         "measure what the workers can serve")
    ap.add_argument("--rehearsed", action="store_true",
                    help="the heavy results of the students' choices on disk before the legs, as after the warm-up "
                         "of every choice (default: none kept, every one computed in each leg)")
    ap.add_argument("--seed", default="class")
    ap.add_argument("--settle", type=float, default=20.0, help="seconds of quiet before each leg")
    args = ap.parse_args()

    run = Path(tempfile.mkdtemp(prefix="bench-workers-"))
    os.environ["DASHBOARD_CACHE"] = str(run / "cache") if args.rehearsed else "off"  # inherited by the workers
    ports = tuple(free_port() for _ in range(4 if args.rehearsed else 3))
    pool = launch.Layout("127.0.0.1", free_port(), ports, run / "workers")
    one = launch.Layout("127.0.0.1", free_port(), ports[:1], run / "one")
    two = launch.Layout("127.0.0.1", free_port(), ports[1:3], run / "two")
    conf = launch.write(pool)  # supervisord and the workers (its own nginx, in front of all of them, goes unused)
    log = open(run / "bench.log", "w")
    procs = [subprocess.Popen([Path(sys.executable).parent / "supervisord", "-c", conf], stdout=log, stderr=log)]
    for layout in (one, two):
        launch.write(layout)
        procs.append(subprocess.Popen(["nginx", "-p", layout.run, "-c", layout.run / "nginx.conf"], stdout=log,
                                      stderr=log))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop everything started here on the way out
    try:
        for port in pool.worker_ports + (one.port, two.port):
            wait_for_server(port, timeout=180)
        pids = worker_pids(conf, [name for name, _ in pool.workers])
        print(f"{platform.node()}, {os.cpu_count()} cores; {args.students} students × {args.rounds} rounds; "
              f"workers {pids}; logs in {run}", flush=True)
        t = time.perf_counter()
        asyncio.run(warm(pool.worker_ports))
        print(f"warm-up (every section once on each worker, at the same time): {time.perf_counter() - t:.0f} s",
              flush=True)
        if args.rehearsed:
            t = time.perf_counter()
            asyncio.run(leg(ports[3], args))
            print(f"rehearsal (the students' choices on the fourth worker): {time.perf_counter() - t:.0f} s, "
                  f"{len(results_on_disk())} heavy results on disk", flush=True)
        kept = results_on_disk()
        rows = []
        for label, layout in (("1 worker ", one), ("2 workers", two)):
            for added in results_on_disk() - kept:  # what the last leg added: each leg starts from the same folder
                added.unlink(missing_ok=True)
            time.sleep(args.settle)
            before, students = {n: cpu_seconds(p) for n, p in pids.items()}, time.process_time()
            runs, wall = asyncio.run(leg(layout.port, args))
            cpu = {n: round(cpu_seconds(p) - before[n], 1) for n, p in pids.items()}
            cpu["students"] = round(time.process_time() - students, 1)  # this process: the simulated class
            rows.append(summary(label, runs, wall, cpu, os.getloadavg()))
        a, b = rows
        speedup = b["per_s"] / a["per_s"]
        met = speedup >= GOAL_SPEEDUP and b["p95"] <= a["p95"] and not b["errors"]
        print(f"\ninteractions per second, 2 workers / 1: {speedup:.2f}× (goal ≥ {GOAL_SPEEDUP}× at the same p95, "
              f"no errors: {'met' if met else 'not met'})")
        print(f"p95 {a['p95']:.2f} s → {b['p95']:.2f} s; median latency {a['p50']:.2f} s → {b['p50']:.2f} s")
    finally:
        for proc in reversed(procs):
            stop(proc, timeout_s=90)  # supervisord stops its programs one after the other
        log.close()


if __name__ == "__main__":
    main()
