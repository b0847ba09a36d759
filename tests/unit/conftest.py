"""Fixtures shared by the unit tests."""
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

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


@pytest.fixture(scope="session")
def node():
    """run(module, payload): run a JavaScript module in Node with `payload` as JSON on stdin; returns what it prints,
    read as JSON. The browser engines are tested this way; without Node the test fails under CI=true, else skips."""
    executable = shutil.which("node")
    if executable is None:
        message = "Node.js is missing: install Debian's nodejs (make install-test does)"
        pytest.fail(message) if os.environ.get("CI") == "true" else pytest.skip(message)

    def run(module: str, payload: object) -> object:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "run.mjs"
            path.write_text(module)
            done = subprocess.run([executable, str(path)], input=json.dumps(payload), capture_output=True, text=True,
                                  timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)
    return run
