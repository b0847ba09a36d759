"""Heavy results kept on disk, so that a restarted server, or every worker of a machine, computes each only once.

One folder per *fingerprint*: the checkpoints' manifest and the source of every module under `core/`. A rebuilt
model or a change of code therefore never serves a result computed before it; older folders are left behind and
removed once they are not this fingerprint's. Each result is one pickle written to a temporary file and renamed into
place, so a reader sees a whole file or none; a file that cannot be read (cut short by a full disk, say) counts as
missing and is removed. The folder keeps the MAX_FILES most recently written results.

The folder: `DASHBOARD_CACHE` if set, else `~/.cache/cnn-dashboard`; `DASHBOARD_CACHE=off` keeps nothing on disk."""
import functools
import hashlib
import os
import pickle
import shutil
import tempfile
from collections.abc import Hashable
from pathlib import Path

from core.lecture import ROOT

MAX_FILES = 2000
MISSING = object()


@functools.cache
def fingerprint() -> str:
    digest = hashlib.sha256((ROOT / "assets" / "checkpoints" / "manifest.json").read_bytes())
    for path in sorted((ROOT / "core").rglob("*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def folder() -> Path | None:
    """This fingerprint's folder (made, and older fingerprints' removed, on first use); None when switched off or
    when it cannot be made."""
    setting = os.environ.get("DASHBOARD_CACHE", "")
    if setting == "off":
        return None
    return _folder(Path(setting) if setting else Path.home() / ".cache" / "cnn-dashboard")


@functools.cache
def _folder(base: Path) -> Path | None:
    here = base / fingerprint()
    try:
        here.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    for old in base.iterdir():
        if old.is_dir() and old != here and len(old.name) == len(here.name):
            shutil.rmtree(old, ignore_errors=True)
    return here


def _path(key: Hashable) -> Path | None:
    """Where `key`'s result is kept; None when nothing is kept on disk, or for a key that names an object by its
    address in memory (another process could hold another object there)."""
    place, name = folder(), repr(key)
    if place is None or " at 0x" in name:
        return None
    return place / (hashlib.sha256(name.encode()).hexdigest()[:32] + ".pickle")


def read(key: Hashable):
    """The result kept for `key`, or MISSING."""
    path = _path(key)
    if path is None:
        return MISSING
    try:
        with path.open("rb") as file:
            return pickle.load(file)
    except FileNotFoundError:
        return MISSING
    except Exception:  # noqa: BLE001 — a damaged file of our own: compute again
        path.unlink(missing_ok=True)
        return MISSING


def write(key: Hashable, value) -> None:
    """Keep `value` for `key` (quietly nothing if it cannot be pickled or written)."""
    path = _path(key)
    if path is None:
        return
    try:
        descriptor, part = tempfile.mkstemp(dir=path.parent, suffix=".part")
    except OSError:
        return
    try:
        with os.fdopen(descriptor, "wb") as file:
            pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(part, path)
    except Exception:  # noqa: BLE001 — e.g. a value that cannot be pickled, or a full disk
        Path(part).unlink(missing_ok=True)
        return
    files = sorted(path.parent.glob("*.pickle"), key=lambda p: p.stat().st_mtime)
    for old in files[:max(0, len(files) - MAX_FILES)]:
        old.unlink(missing_ok=True)
