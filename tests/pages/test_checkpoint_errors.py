"""What the app does when a checkpoint is altered or missing: a clear message, or training with progress."""
import dataclasses
import shutil

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core import checkpoints, recipes
from core.lecture import ROOT


@pytest.fixture
def checkpoint_copy(tmp_path, monkeypatch):
    folder = tmp_path / "checkpoints"
    shutil.copytree(checkpoints.CHECKPOINT_DIR, folder)
    monkeypatch.setattr(checkpoints, "CHECKPOINT_DIR", folder)
    st.cache_resource.clear()
    yield folder
    st.cache_resource.clear()


def digit_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params["toolkit_source"] = "Handwritten digit"
    return at.run()


def test_an_altered_checkpoint_is_refused_with_a_message(checkpoint_copy):
    path = checkpoint_copy / "mnist_cnn.safetensors"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x55
    path.write_bytes(bytes(data))
    at = digit_page()
    assert not at.exception
    assert any("does not match its recorded sha256" in e.value and "python -m core.recipes mnist_cnn" in e.value
               for e in at.error)
    assert at.title  # the rest of the page still works


def test_a_missing_checkpoint_is_trained_on_demand(checkpoint_copy, monkeypatch):
    (checkpoint_copy / "mnist_cnn.safetensors").unlink()
    quick = dataclasses.replace(recipes.RECIPES["mnist_cnn"], steps=30)
    monkeypatch.setitem(recipes.RECIPES, "mnist_cnn", quick)
    at = digit_page()
    assert not at.exception and not at.error
    assert any("Trained **mnist_cnn**" in s.label for s in at.status)
    assert checkpoints.read_manifest(checkpoint_copy)["mnist_cnn"].steps == 30
    assert "The model answers" in at.main.markdown[-1].value
