"""Checkpoints: saved with their hash, loaded back exactly, refused when altered or missing."""
import pytest
import torch

from core import checkpoints
from core.models.cnn import CNNConfig, SmallCNN


def _entry(name="tiny"):
    return checkpoints.Entry(name, {"class": "SmallCNN", "config": {"channels": [4, 8, 8], "hidden": 16,
                                                                   "classes": 10, "dropout": 0.0}},
                             data="none", seed=0, steps=0)


@pytest.fixture
def saved(tmp_path):
    torch.manual_seed(0)
    model = SmallCNN(CNNConfig(channels=(4, 8, 8), hidden=16, dropout=0.0)).eval()
    checkpoints.save(model, _entry(), tmp_path, half=False)
    return model, tmp_path


def test_round_trip_gives_the_same_outputs(saved):
    model, folder = saved
    loaded = checkpoints.load_model("tiny", folder).cpu()
    x = torch.rand(3, 1, 28, 28)
    assert torch.allclose(model(x), loaded(x), atol=1e-6)
    assert not loaded.training
    assert len(checkpoints.read_manifest(folder)["tiny"].sha256) == 64


def test_an_altered_file_is_refused(saved):
    _, folder = saved
    path = folder / "tiny.safetensors"
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(checkpoints.CheckpointError, match="does not match its recorded sha256"):
        checkpoints.load_model("tiny", folder)


def test_a_missing_checkpoint_names_the_rebuild_command(tmp_path):
    with pytest.raises(checkpoints.CheckpointError, match="python -m core.recipes nothing"):
        checkpoints.load_state("nothing", tmp_path)
    assert not checkpoints.exists("nothing", tmp_path)


def test_every_shipped_checkpoint_verifies_and_records_its_metrics():
    manifest = checkpoints.read_manifest()
    assert {"fashion_cnn", "mnist_cnn", "feature_probes"} <= set(manifest)
    for name, entry in manifest.items():
        checkpoints.load_state(name)  # raises if the hash does not match
        assert entry.metrics and entry.steps > 0


def test_shipped_cnns_reach_their_goals():
    metrics = {n: e.metrics for n, e in checkpoints.read_manifest().items()}
    assert metrics["fashion_cnn"]["test_accuracy"] >= 0.92
    assert metrics["mnist_cnn"]["test_accuracy"] >= 0.97


def test_learned_features_beat_hand_made_ones_which_beat_raw_pixels():
    m = checkpoints.read_manifest()["feature_probes"].metrics
    assert m["learned_test_accuracy"] > m["hog_test_accuracy"] > m["pixels_test_accuracy"]
