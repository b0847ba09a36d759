"""The browser engines' WebAssembly is shipped built (the component sends its bytes, with no build step in the app):
each shipped .wasm is exactly what its readable source (.wat, beside it) builds to with wabt's wat2wasm."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "core").rglob("*.wat"))


def test_every_module_is_shipped_with_its_source():
    assert SOURCES and sorted(p.with_suffix(".wat") for p in (ROOT / "core").rglob("*.wasm")) == SOURCES


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_the_shipped_webassembly_is_its_source_built(source, tmp_path):
    wat2wasm = shutil.which("wat2wasm")
    if wat2wasm is None:
        message = "wat2wasm is missing: install Debian's wabt (make install-test does)"
        pytest.fail(message) if os.environ.get("CI") == "true" else pytest.skip(message)
    built = tmp_path / "built.wasm"
    subprocess.run([wat2wasm, str(source), "-o", str(built)], check=True)
    assert built.read_bytes() == source.with_suffix(".wasm").read_bytes(), "run make wasm"
