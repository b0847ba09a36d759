"""The lecturer's own photos: every image file in the folder DASHBOARD_PHOTOS names joins the photos, named by its
file name, with the true label after "__"; an unreadable file is skipped."""
import numpy as np
from PIL import Image

from core.data import images


def test_photos_from_the_lecturer_folder_with_labels(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_PHOTOS", str(tmp_path))
    Image.fromarray(np.full((40, 60, 3), 200, np.uint8)).save(tmp_path / "my kitchen__refrigerator.png")
    Image.fromarray(np.zeros((30, 30), np.uint8)).save(tmp_path / "blackboard.jpg")
    (tmp_path / "broken.jpg").write_bytes(b"not an image")
    (tmp_path / "notes.txt").write_text("not a photo")
    photos = images.photos()
    assert photos["my kitchen"].label == "refrigerator" and photos["my kitchen"].image.shape == (40, 60, 3)
    assert photos["blackboard"].label is None and photos["blackboard"].image.shape == (30, 30, 3)
    assert "broken" not in photos and "notes" not in photos and "chelsea" in photos
    (tmp_path / "blackboard.jpg").unlink()
    assert "blackboard" not in images.photos()
