"""One student's memory on a fresh server, section by section: what each first view adds to the server's resident
memory (the goal: one student visiting every section peaks at 1.2 GB or less).

Run from anywhere:  .venv/bin/python tests/bench/bench_server_memory.py

Not a test: it prints figures and never fails on them. A fresh `streamlit run app.py` (no warm-up); one
`core.ui.visitor` session opens every section in lecture order and presses the buttons there that ask for slow work,
as the warm-up does; after each section, the server's resident memory, what it added, and the highest it was while the
section was open. Memory left in the allocator is handed back (core/memory.py), so a section can also lower it.
"""
import asyncio
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from core.ui.visitor import Visitor  # noqa: E402
from core.ui.warmup import asked, views  # noqa: E402
from tests.bench.bench_class import Server, fresh_server  # noqa: E402

GOAL_MB = 1200


async def walk(port: int, server: Server) -> None:
    sections = [(page, query) for page, query in views() if "section" in query]
    async with Visitor(port) as visitor:
        print("   after  added   peak while open")
        for page, query in sections:
            before, start = server.rss_mb(), time.monotonic()
            await asked(visitor, await visitor.open(page, **query), lambda line: None)
            await asyncio.sleep(0.5)
            now = server.rss_mb()
            print(f"{now:6.0f} MB  {now - before:+5.0f}  {server.peak_since(start):6.0f} MB  {page} › "
                  f"{query['section']}", flush=True)


async def main() -> None:
    async with fresh_server() as (port, server):
        print(f"{platform.node()}: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; idle server "
              f"{server.rss_mb():.0f} MB", flush=True)
        start = time.monotonic()
        await walk(port, server)
        peak = server.peak_since(start)
        print(f"peak {peak:.0f} MB (goal ≤ {GOAL_MB} MB: {'met' if peak <= GOAL_MB else 'not met'})")

if __name__ == "__main__":
    asyncio.run(main())
