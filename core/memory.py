"""The server's memory, kept within a small shared container.

Streamlit runs every student's script in a thread of its own, and glibc's allocator gives busy threads arenas of
their own (up to eight per core) and keeps freed memory in them; tensors of a few megabytes are carved from those
arenas once its adaptive threshold has risen. The server then holds on to every peak it ever had. `settle()` asks
for two arenas, hands blocks of 4 MiB and more (a batch of attention maps, a data set as floats) straight back to
the system when freed, and trims the heap's top; `give_back()` returns what the arenas still hold after a large
computation. (A threshold of 256 KiB returned more but made a convolutional network's passes about 13 % slower:
every activation became a fresh mapping.) Measured by `tests/bench/bench_class.py` (see docs/benchmarks.md).

Streamlit also collects cyclic garbage after every script run (`gc.collect(2)`, its `runner.postScriptGC`). With
torch, transformers, Captum and plotly imported that walks some 460,000 objects, 0.19 s with the interpreter lock
held, after every click of every student: most of what a warm click cost the server. What the imports made
(modules, classes, functions) lives as long as the process, so `freeze_imports()` moves it out of the collector's
sight (`gc.freeze`) whenever modules were imported since it last looked: the collection after each run then walks
only what the sessions made since, and still finds their cycles. Even so, with 30 students that collection after
every run (walking the sessions' states, the models and the figures kept for everyone) was a quarter of the time
the interpreter lock was held, so `.streamlit/config.toml` turns it off (`runner.postScriptGC = false`): Python's
own collector still finds cycles, young ones at once and old ones whenever the long-lived objects have grown by a
quarter. Side by side, three runs each (tests/bench/bench_class.py n30): p95 2.60/1.01/3.56 s with it, 1.90/0.92/
3.18 s without, peak memory 44–95 MB higher (docs/benchmarks.md)."""
import ctypes
import ctypes.util
import gc
import os
import sys
import threading

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_ARENA_MAX = -1, -3, -8
ARENAS = 2
MMAP_THRESHOLD = 4 * 1024 * 1024
TRIM_THRESHOLD = 1024 * 1024


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None
    except OSError:  # not glibc (macOS, Windows, musl): their allocators behave otherwise; nothing to set
        return None


LIBC = _libc()


def settle() -> bool:
    """Set the allocator as above (once per process is enough; later calls change nothing). False without glibc."""
    if LIBC is None:
        return False
    return all(LIBC.mallopt(option, value) == 1 for option, value in
               ((M_ARENA_MAX, ARENAS), (M_MMAP_THRESHOLD, MMAP_THRESHOLD), (M_TRIM_THRESHOLD, TRIM_THRESHOLD)))


def without_compiler() -> None:
    """Mark triton, the GPU kernel compiler that torch's CUDA wheels install, as absent. torch's compiler
    (torch._dynamo), which torch.optim and torchvision.ops import (the app trains with its own Adam, in
    core/training.py, but torchvision's optional pretrained models still import it), imports triton where it is
    installed: 68 MB of a small server's memory for a compiler the app never runs (no torch.compile; torch's own CUDA
    kernels do not need it). Before torch is imported."""
    sys.modules.setdefault("triton", None)  # `import triton` then raises ImportError: torch takes it as not installed


def give_back() -> None:
    """Return the arenas' free memory to the system."""
    if LIBC is not None:
        LIBC.malloc_trim(0)


TIDY_MB = 64  # resident growth since the last hand-back that makes the next script run's end hand back again
_tidied_at = float("inf")  # resident MB after the last hand-back (or the lowest seen since)
_tidying = threading.Lock()


def resident_mb() -> float:
    """This process's resident memory (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def tidy() -> bool:
    """After a script run: if resident memory grew by TIDY_MB since the last hand-back, hand the arenas' free memory
    back now (`give_back`, milliseconds). Without it, what a section's work left in the arenas (MiniLM's attributions,
    an autoencoder's batch) stayed until a heavy job ended, and one student's walk through every section peaked
    hundreds of megabytes higher. True if it handed back."""
    global _tidied_at
    if LIBC is None or not _tidying.acquire(blocking=False):
        return False
    try:
        now = resident_mb()
        if now < _tidied_at + TIDY_MB:
            _tidied_at = min(_tidied_at, now)
            return False
        give_back()
        _tidied_at = resident_mb()
        return True
    finally:
        _tidying.release()


_frozen_at = 0  # how many modules were imported when freeze_imports last froze
_freezing = threading.Lock()


def freeze_imports() -> bool:
    """After a script run: if modules were imported since the last time, collect the garbage there is now and
    freeze what is left. True if it froze. (What other sessions hold at that moment is frozen too: this happens
    only while the pages' modules are first imported, in the warm-up or the first minutes, so it stays bounded.)"""
    global _frozen_at
    if len(sys.modules) == _frozen_at or not _freezing.acquire(blocking=False):
        return False
    try:
        _frozen_at = len(sys.modules)
        gc.collect()
        gc.freeze()
        return True
    finally:
        _freezing.release()

