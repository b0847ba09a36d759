"""Where tensors live: CUDA, then Apple's MPS, else the CPU, chosen once for the whole app (DASHBOARD_DEVICE=cpu,
cuda or mps forces one); the one way back to numpy; and how the CPU is shared (torch's threads, the interpreter's
turns)."""
import functools
import os
import sys

import numpy as np
import torch

FORCE = "DASHBOARD_DEVICE"
THREADS = "DASHBOARD_THREADS"  # set by `make serve`: each of several workers gets its share of the cores
TURN_S = 0.001  # the interpreter's switch interval (Python's default: 5 ms)


@functools.cache
def device() -> torch.device:
    """The device named by DASHBOARD_DEVICE, else the fastest this machine offers."""
    if os.environ.get(FORCE):
        return torch.device(os.environ[FORCE])
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def to_numpy(tensor: torch.Tensor) -> np.ndarray:
    """A tensor as a numpy array, wherever it lives: detached from autograd and moved to the CPU."""
    return tensor.detach().cpu().numpy()


@functools.cache
def set_threads(spare: int = 0) -> int:
    """Give torch's CPU kernels every core but `spare`. The app spares one for the browser and Streamlit's server:
    on two cores, a second torch thread spinning against the browser made small models several times slower.
    DASHBOARD_THREADS, when set, says the number instead."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    threads = int(os.environ[THREADS]) if os.environ.get(THREADS, "").isdigit() else max(1, cores - spare)
    torch.set_num_threads(threads)
    return threads


def take_turns() -> None:
    """Every student's script runs in a thread of one interpreter, which hands its lock to a waiting thread only
    after the switch interval. torch lets go of the lock for each operation and then waits for it back: under a
    class's load up to 5 ms each, half a second for a model's forward pass of a hundred operations. At 1 ms, 30
    simulated students' p95 went from 2.2–3.3 s to 1.7–1.9 s (three runs of each side by side,
    tests/bench/bench_class.py n30; docs/benchmarks.md); alone, a student notices nothing."""
    sys.setswitchinterval(TURN_S)


def describe() -> str:
    """A short line for the sidebar: the GPU's name, or the CPU and its thread count."""
    d = device()
    if d.type == "cuda":
        return f"GPU: {torch.cuda.get_device_name(d)}"
    if d.type == "mps":
        return "GPU: Apple (MPS)"
    threads = torch.get_num_threads()
    return f"CPU, {threads} thread{'s' * (threads != 1)}"
