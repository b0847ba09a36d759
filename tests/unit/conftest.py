"""Fixtures shared by the unit tests."""
import pytest
import torch


@pytest.fixture(scope="module")
def one_thread():
    """Torch on one thread, as the app on two cores (set_threads(spare=1)): small networks train many times faster
    than with a second thread fighting other work for the cores. For a module: pytestmark = usefixtures(...)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
