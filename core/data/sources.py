"""Where data comes from: the project data folder, an installed package, then the official download."""
import http.client
import os
import tempfile
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

DATA_DIR = Path(__file__).resolve().parents[2] / "data"  # git-ignored; the installer fills it


class DataUnavailable(RuntimeError):
    """A dataset is in none of its sources; the message names the install step that fixes it."""

    def __init__(self, what: str, install_hint: str, tried: list[str] | None = None):
        self.what, self.install_hint, self.tried = what, install_hint, tried or []
        message = f"{what} is not available. Install it with: {install_hint}"
        if self.tried:
            message += "\nTried:\n" + "\n".join(f"  - {t}" for t in self.tried)
        super().__init__(message)


def first_available(what: str, candidates: list[Callable[[], T]], install_hint: str) -> T:
    """Return the first candidate source that loads; raise DataUnavailable listing what each one said."""
    tried = []
    for load in candidates:
        try:
            return load()
        except (OSError, DataUnavailable) as error:  # FileNotFoundError is an OSError
            tried.append(str(error))
    raise DataUnavailable(what, install_hint, tried)


def offline() -> bool:
    """Whether downloads are switched off (DASHBOARD_OFFLINE=1), so a missing file fails at once."""
    return os.environ.get("DASHBOARD_OFFLINE") == "1"


def download(url: str, dest: Path, timeout: float = 10) -> Path:
    """Fetch url into dest atomically, for users who are online; any failure is an OSError."""
    if offline():
        raise OSError(f"not downloading {url}: DASHBOARD_OFFLINE=1")
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            while chunk := response.read(1 << 20):
                out.write(chunk)
        os.replace(tmp, dest)
    except (OSError, http.client.HTTPException, ValueError) as error:
        Path(tmp).unlink(missing_ok=True)
        raise OSError(f"download of {url} failed: {error}") from error
    return dest
