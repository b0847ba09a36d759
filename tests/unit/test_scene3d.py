"""The 3-D figures: the browser's camera and projection (core/ui/scene3d.js, run in Node) against numpy, where a
plane cuts the box, and the scenes core/scene3d.py builds for the lecture's three 3-D views."""
import json
from pathlib import Path

import numpy as np
import pytest

from core import plots, scene3d
from core.feed_forward import descent
from core.recap import separability
from core.ui import live_loop

SCRIPT = live_loop.script(live_loop.LINE_CHART, Path(scene3d.__file__).parent / "ui" / "scene3d.js")
RUNNER = """
import { readFileSync } from 'node:fs';
const input = JSON.parse(readFileSync(0, 'utf8'));
console.log(JSON.stringify({
  views: input.cameras.map(([a, e]) => viewOf(a, e)),
  projected: input.cameras.map(([a, e]) => Array.from(projected(normalised(input.box, input.xyz), viewOf(a, e)))),
  polygons: input.planes.map((p) => planePolygon(input.box, p)),
}));
"""
CAMERAS = [(45.0, 25.0), (-50.0, 25.0), (0.0, 0.0), (137.0, -60.0), (200.0, 89.0)]
BOX = {"lo": [-2.0, 0.0, -1.0], "hi": [4.0, 10.0, 1.0], "aspect": [1.0, 1.0, 0.8], "titles": ["x", "y", "z"]}


def camera(azimuth: float, elevation: float) -> np.ndarray:
    """Rows: right, up and toward the viewer, for a camera at `azimuth` round the z axis, `elevation` above it."""
    a, e = np.radians(azimuth), np.radians(elevation)
    toward = np.array([np.cos(e) * np.cos(a), np.cos(e) * np.sin(a), np.sin(e)])
    right = np.cross(-toward, [0.0, 0.0, 1.0])
    right /= np.linalg.norm(right)
    return np.stack([right, np.cross(right, -toward), toward])


@pytest.fixture(scope="module")
def browser_maths(node):
    rng = np.random.default_rng(0)
    xyz = rng.uniform(BOX["lo"], BOX["hi"], size=(50, 3))
    planes = [(0.0, 0.0, 1.0, -0.25), (1.0, -0.5, 2.0, 0.3), (0.0, 0.0, 1.0, -5.0), (1.0, 0.0, 0.0, 2.0)]
    got = node(SCRIPT + RUNNER, {"cameras": CAMERAS, "box": BOX, "xyz": xyz.ravel().tolist(), "planes": planes})
    return xyz, planes, got


def test_the_camera_is_a_right_handed_orthonormal_frame_looking_from_azimuth_and_elevation(browser_maths):
    _, _, got = browser_maths
    for (azimuth, elevation), view in zip(CAMERAS, got["views"]):
        frame = np.array([view["right"], view["up"], view["toward"]])
        np.testing.assert_allclose(frame, camera(azimuth, elevation), atol=1e-12)
        np.testing.assert_allclose(frame @ frame.T, np.eye(3), atol=1e-12)
        assert np.linalg.det(frame) == pytest.approx(1.0)  # right × up = toward: x to the left seen from +x, +y


def test_points_project_as_numpy_projects_them(browser_maths):
    xyz, _, got = browser_maths
    lo, hi, aspect = (np.array(BOX[k]) for k in ("lo", "hi", "aspect"))
    boxed = aspect * (2 * (xyz - lo) / (hi - lo) - 1)
    assert np.abs(boxed).max() <= aspect.max()
    for (azimuth, elevation), projected in zip(CAMERAS, got["projected"]):
        np.testing.assert_allclose(np.reshape(projected, (-1, 3)), boxed @ camera(azimuth, elevation).T, atol=1e-12)


def test_a_plane_is_cut_to_the_box(browser_maths):
    _, planes, got = browser_maths
    lo, hi = np.array(BOX["lo"]), np.array(BOX["hi"])
    for plane, polygon in zip(planes, got["polygons"]):
        corners = np.array(polygon).reshape(-1, 3)
        if len(corners):
            np.testing.assert_allclose(corners @ plane[:3] + plane[3], 0, atol=1e-9)  # on the plane
            assert np.all(corners >= lo - 1e-9) and np.all(corners <= hi + 1e-9)  # on the box's edges
    assert len(got["polygons"][0]) == 4  # z = 0.25: the box's horizontal section
    assert got["polygons"][2] == []  # z = 5 misses the box


def test_the_hidden_layer_animation_has_a_frame_per_snapshot_with_its_plane():
    X, y = separability.data_b(200, 0.1, 0)
    snapshots = separability.hidden_layer_over_training(X, y, seed=0)
    figure = scene3d.hidden_space_animation(snapshots, y, separability.CLASSES, plots.NORMAL)
    assert len(figure["frames"]) == len(snapshots) > 10 and figure["frameLabel"] == "training step"
    last, first = snapshots[-1], figure["frames"][0]
    assert figure["frames"][-1]["title"] == f"step {last.step}: loss {last.loss:.3f}, accuracy {last.accuracy:.0%}"
    (plane,) = [item for item in figure["frames"][-1]["items"] if item["kind"] == "plane"]
    np.testing.assert_allclose(plane["plane"], last.plane)
    assert [item["name"] for item in first["items"]] == [*separability.CLASSES, "output neuron's plane"]
    shown = sum(len(item["xyz"]) // 3 for item in first["items"] if item["kind"] == "points")
    assert shown == len(y)
    json.dumps(figure, allow_nan=False)  # what the browser gets is plain JSON


def test_the_landscape_is_the_loss_surface_with_paths_just_above_it():
    surface = descent.one_neuron_surface()
    path = descent.path(surface, "gradient descent", surface.start, 3.0, 100)
    figure = scene3d.loss_landscape(surface.x, surface.y, surface.z, {"gradient descent": (path, surface.loss(path))},
                                    surface.axes, plots.PROJECTOR, "As a landscape")
    field, walked = figure["frames"][0]["items"]
    assert field["kind"] == "surface" and len(field["z"]) == surface.z[::2, ::2].size
    assert len(field["palette"]) == 256 * 3 and figure["style"]["projector"]
    xyz = np.reshape(walked["xyz"], (-1, 3))
    lift = xyz[:, 2] - surface.loss(path)
    assert np.all(lift > 0) and np.allclose(lift, lift[0], atol=2e-5)  # sent to 5 decimals
    box = figure["box"]
    assert box["lo"][:2] == [surface.x[0], surface.y[0]] and box["hi"][2] >= xyz[:, 2].max()
    json.dumps(figure, allow_nan=False)


def test_missing_values_are_sent_as_nulls_and_one_plane_per_frame():
    z = np.array([[0.0, np.nan], [np.inf, 1.0]])
    field = scene3d.surface(np.arange(2.0), np.arange(2.0), z, "Viridis", "loss")
    assert field["z"] == [0.0, None, None, 1.0]
    with pytest.raises(AssertionError, match="one plane"):
        scene3d.frame([scene3d.plane((0, 0, 1, 0), "a"), scene3d.plane((1, 0, 0, 0), "b")])
    ranges = scene3d.bounds(np.array([[0.0, 0.0, 5.0], [10.0, 0.0, 5.0]]))
    assert ranges[0] == pytest.approx((-0.4, 10.4)) and ranges[1] == pytest.approx((-0.04, 0.04))
