"""Benchmark the dashboard as a person meets it: start-up, each page's first render, and the server's peak memory.

Run from anywhere:  .venv/bin/python tests/bench/bench_app.py [--runs 3] [--warm]

Not a test (machines here are shared and noisy): it prints figures against the goals and never fails on them.
Each run starts a fresh `streamlit run app.py` (headless, on a free port, file watcher off) and drives Debian's Chromium
through Playwright:
  * first page interactive: from starting the server process until /_stcore/health answers "ok", the default page
    has loaded, its script has finished (data-test-script-state="notRunning") and its title (h1) is visible;
  * first render of each page, and of each section of a page that has SECTIONS (the Recap's ?section=...): a new
    browser session opens the page's URL; the time until the script run finishes (the part of it spent loading the
    frontend until its websocket is connected is printed too). Pages are visited in lecture
    order on the server just started, so what earlier pages cached counts as it would for a student;
  * peak RSS: VmHWM of the server process from /proc/<pid>/status (plus that of any child processes) after every
    page and section was visited.
With --warm, the warm-up (`python -m core.ui.warmup`, as `make run` starts it) walks every section and lecture stop
after the server is healthy and before the browser's visits: the renders are then a lecturer's first clicks on a
warmed server. The median of the runs is printed.
"""
import argparse
import ast
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from core.lecture import SEGMENTS  # noqa: E402
from tests.browser import (  # noqa: E402
    APP_CONNECTED,
    APP_IDLE,
    CHROMIUM,
    CHROMIUM_ARGS,
    EXCEPTION,
    VIEWPORT,
    free_port,
    stop,
    streamlit_command,
    wait_healthy,
)

TIMEOUT_MS = 300_000

GOAL_STARTUP_S = 5.0
GOAL_RENDER_S = 2.0
GOAL_RSS_BYTES = 1.2 * 2**30


def wait_run_finished(page) -> None:
    """Connected and the script's run finished ("initial" before the first run, so a fresh page cannot pass early)."""
    page.wait_for_selector(APP_CONNECTED, state="attached", timeout=TIMEOUT_MS)
    page.wait_for_selector(APP_IDLE, state="attached", timeout=TIMEOUT_MS)


def sections_of(page_file: str) -> tuple[str, ...]:
    """The page's module-level SECTIONS (a tuple of names, or a dict from names to functions), read without running
    the page; () if it has none."""
    tree = ast.parse((ROOT / page_file).read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "SECTIONS" for t in node.targets):
            if isinstance(node.value, ast.Dict):
                return tuple(k.value for k in node.value.keys if isinstance(k, ast.Constant))
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                return ()
            return tuple(value) if all(isinstance(v, str) for v in value) else ()
    return ()


def targets() -> list[tuple[str, str]]:
    """(label, url path with query) for every available page and every section of it, in lecture order."""
    out = []
    for seg in SEGMENTS:
        out.append((seg.title, seg.url_path))
        for section in sections_of(seg.file):
            out.append((f"{seg.title} › {section}", f"{seg.url_path}?{urlencode({'section': section})}"))
    return out


def proc_tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
    return pids


def vm_hwm_bytes(pid: int) -> int:
    """Peak resident memory (VmHWM) of a process and its children, summed (an upper bound for the tree)."""
    total = 0
    for p in proc_tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def one_run(browser, targets_: list[tuple[str, str]], log_path: Path, warm: bool) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with open(log_path, "w") as log:
        t0 = time.perf_counter()
        proc = subprocess.Popen(streamlit_command(port), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_healthy(base, proc)
            healthy = time.perf_counter() - t0
            if warm:  # the command `make run` starts (here in its own process: Playwright runs an event loop)
                subprocess.run([sys.executable, "-m", "core.ui.warmup", "--port", str(port)], cwd=ROOT, check=True)
                t0 = time.perf_counter() - healthy  # start-up is counted without the warm-up
            context = browser.new_context(viewport=VIEWPORT)
            page = context.new_page()
            page.goto(base + "/", wait_until="load", timeout=TIMEOUT_MS)
            wait_run_finished(page)
            page.locator("h1").first.wait_for(state="visible", timeout=TIMEOUT_MS)
            startup = time.perf_counter() - t0
            errors = page.locator(EXCEPTION).count()
            context.close()

            renders, connects = {}, {}
            for label, path in targets_:
                context = browser.new_context(viewport=VIEWPORT)
                page = context.new_page()
                start = time.perf_counter()
                page.goto(f"{base}/{path}", wait_until="domcontentloaded", timeout=TIMEOUT_MS)
                page.wait_for_selector(APP_CONNECTED, state="attached", timeout=TIMEOUT_MS)
                connects[label] = time.perf_counter() - start
                wait_run_finished(page)
                renders[label] = time.perf_counter() - start
                errors += page.locator(EXCEPTION).count()
                context.close()
            rss = vm_hwm_bytes(proc.pid)
        finally:
            stop(proc)
    return {"healthy": healthy, "startup": startup, "renders": renders, "connects": connects, "rss": rss,
            "exceptions": errors}


def machine() -> dict[str, str]:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or "unknown")
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal:"))
    cuda = subprocess.run([sys.executable, "-c", "import torch; print(torch.cuda.is_available(), torch.__version__)"],
                          capture_output=True, text=True, cwd=ROOT).stdout.strip() or "torch failed to import"
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return {"nproc": nproc, "CPU": model, "RAM": f"{mem_kb / 2**20:.1f} GiB",
            "CUDA available (torch)": cuda.split()[0] if cuda.split()[0] in ("True", "False") else cuda,
            "torch": cuda.split()[-1] if cuda.split()[0] in ("True", "False") else "?",
            "Python": platform.python_version()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh servers to measure (median is printed)")
    parser.add_argument("--warm", action="store_true", help="run the warm-up before the browser's visits")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    todo = targets()
    log_dir = ROOT / "tests" / "artifacts"
    log_dir.mkdir(parents=True, exist_ok=True)
    runs = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for i in range(args.runs):
                r = one_run(browser, todo, log_dir / f"bench-streamlit-{i + 1}.log", args.warm)
                runs.append(r)
                print(f"run {i + 1}/{args.runs}: health ok {r['healthy']:.2f} s, interactive {r['startup']:.2f} s, "
                      + ", ".join(f"{k} {v:.2f} s" for k, v in r["renders"].items())
                      + f", peak RSS {r['rss'] / 2**20:.0f} MiB, exceptions shown {r['exceptions']}", flush=True)
        finally:
            browser.close()

    def med(values):
        return statistics.median(values)

    def row(name, value, goal, ok, spread=""):
        return f"| {name} | {value} | {goal} | {'yes' if ok else 'NO'} | {spread} |"

    def spread(values, fmt="{:.2f}"):
        return " / ".join(fmt.format(v) for v in values)

    print()
    print(f"Median of {len(runs)} runs (each: fresh `streamlit run app.py`, Chromium {CHROMIUM}).")
    print("| measure | median | goal | met | each run |")
    print("|---|---|---|---|---|")
    print(row("server health ok (s)", f"{med([r['healthy'] for r in runs]):.2f}", "–", True,
              spread([r["healthy"] for r in runs])))
    s = [r["startup"] for r in runs]
    print(row("first page interactive (s)", f"{med(s):.2f}", f"≤ {GOAL_STARTUP_S:g} s", med(s) <= GOAL_STARTUP_S,
              spread(s)))
    for label, _ in todo:
        t = [r["renders"][label] for r in runs]
        print(row(f"first render: {label} (s)", f"{med(t):.2f}", f"≤ {GOAL_RENDER_S:g} s", med(t) <= GOAL_RENDER_S,
                  spread(t)))
    c = [statistics.median(r["connects"].values()) for r in runs]
    print(f"| of each render above: page load until websocket connected (s) | {med(c):.2f} | – | – | {spread(c)} |")
    m = [r["rss"] for r in runs]
    print(row("server peak RSS, VmHWM (GiB)", f"{med(m) / 2**30:.2f}", f"≤ {GOAL_RSS_BYTES / 2**30:g} GiB",
              med(m) <= GOAL_RSS_BYTES, spread([v / 2**30 for v in m])))
    print(row("exceptions shown on pages", str(max(r["exceptions"] for r in runs)), "0",
              all(r["exceptions"] == 0 for r in runs)))
    print()
    print("Machine:")
    for k, v in machine().items():
        print(f"  {k}: {v}")
    print(f"Command: {' '.join(streamlit_command(0)).replace(' 0 ', ' <free port> ')}")


if __name__ == "__main__":
    main()
