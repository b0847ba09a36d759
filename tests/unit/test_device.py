"""Where tensors live, and the one way back to numpy."""
import numpy as np
import pytest
import torch

from core import device


@pytest.fixture
def fresh_choice():
    device.device.cache_clear()
    yield
    device.device.cache_clear()


def test_the_environment_forces_the_device(fresh_choice, monkeypatch):
    monkeypatch.setenv(device.FORCE, "cpu")
    assert device.device() == torch.device("cpu")
    device.device.cache_clear()
    monkeypatch.setenv(device.FORCE, "meta")  # any device torch knows, even one this machine cannot compute on
    assert device.device() == torch.device("meta")


def test_without_the_variable_a_gpu_is_preferred_to_the_cpu(fresh_choice, monkeypatch):
    monkeypatch.delenv(device.FORCE, raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert device.device() == torch.device("cuda")
    device.device.cache_clear()
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert device.device() == torch.device("cpu")


def test_to_numpy_detaches_and_copies_to_the_cpu():
    w = torch.tensor([1.0, -2.0], requires_grad=True)
    out = device.to_numpy(w * 3)
    assert isinstance(out, np.ndarray) and out.tolist() == [3.0, -6.0]
    if torch.cuda.is_available():
        assert device.to_numpy(w.cuda() * 3).tolist() == [3.0, -6.0]


def test_the_sidebar_line_counts_the_cpus_threads(fresh_choice, monkeypatch):
    monkeypatch.setenv(device.FORCE, "cpu")
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        assert device.describe() == "CPU, 1 thread"
        torch.set_num_threads(2)
        assert device.describe() == "CPU, 2 threads"
    finally:
        torch.set_num_threads(threads)
