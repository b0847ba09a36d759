"""Every test run keeps heavy results on disk in a folder of its own (core/disk_cache.py), never the user's."""
import os

import pytest


@pytest.fixture(autouse=True, scope="session")
def _own_disk_cache(tmp_path_factory):
    os.environ["DASHBOARD_CACHE"] = str(tmp_path_factory.mktemp("disk-cache"))
