"""Shipped model weights: the manifest, the integrity check, saving and loading with safetensors."""
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

CHECKPOINT_DIR = Path(__file__).resolve().parent.parent / "assets" / "checkpoints"
MANIFEST = "manifest.json"


class CheckpointError(RuntimeError):
    """A checkpoint that is missing, corrupt or altered; the message says how to rebuild it."""


@dataclass
class Entry:
    name: str
    architecture: dict  # {"class": ..., "config": {...}}
    data: str
    seed: int
    steps: int
    metrics: dict = field(default_factory=dict)
    sha256: str = ""

    @property
    def file(self) -> str:
        return f"{self.name}.safetensors"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_manifest(folder: Path | None = None) -> dict[str, Entry]:
    path = (folder or CHECKPOINT_DIR) / MANIFEST
    if not path.exists():
        return {}
    return {name: Entry(**e) for name, e in json.loads(path.read_text()).items()}


def _write_manifest(entries: dict[str, Entry], folder: Path) -> None:
    text = json.dumps({n: e.__dict__ for n, e in sorted(entries.items())}, indent=2) + "\n"
    tmp = folder / (MANIFEST + ".tmp")
    tmp.write_text(text)
    tmp.replace(folder / MANIFEST)


def exists(name: str, folder: Path | None = None) -> bool:
    return name in read_manifest(folder) and ((folder or CHECKPOINT_DIR) / f"{name}.safetensors").exists()


def save(model: torch.nn.Module, entry: Entry, folder: Path | None = None, half: bool = True) -> Entry:
    """Write the weights (floats as fp16 when `half`) and record them, with their hash, in the manifest."""
    folder = folder or CHECKPOINT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    state = {k: (v.half() if half and v.is_floating_point() else v).detach().cpu().contiguous()
             for k, v in model.state_dict().items()}
    path = folder / entry.file
    save_file(state, str(path), metadata={"name": entry.name})
    entry.sha256 = sha256(path)
    entries = read_manifest(folder)
    entries[entry.name] = entry
    _write_manifest(entries, folder)
    return entry


def load_state(name: str, folder: Path | None = None) -> tuple[dict[str, torch.Tensor], Entry]:
    """The verified weights (as float32) and manifest entry of a checkpoint; refuses altered files."""
    entry = read_manifest(folder).get(name)
    path = (folder or CHECKPOINT_DIR) / f"{name}.safetensors"
    rebuild = f"Rebuild it with `python -m core.recipes {name}`."
    if entry is None or not path.exists():
        raise CheckpointError(f"The checkpoint '{name}' is missing. {rebuild}")
    if sha256(path) != entry.sha256:
        raise CheckpointError(f"The checkpoint '{name}' does not match its recorded sha256: "
                              f"the file is corrupt or was altered, so it was not loaded. {rebuild}")
    try:
        state = load_file(str(path))
    except Exception as e:  # a file with the right hash but a bad header would land here
        raise CheckpointError(f"The checkpoint '{name}' could not be read ({e}). {rebuild}") from e
    return {k: v.float() if v.is_floating_point() else v for k, v in state.items()}, entry


def load_model(name: str, folder: Path | None = None) -> torch.nn.Module:
    """A verified checkpoint as a ready module: built from its manifest entry, in eval mode, on the device."""
    from core.device import device
    from core.models import build
    state, entry = load_state(name, folder)
    model = build(entry.architecture)
    model.load_state_dict(state)
    return model.to(device()).eval()
