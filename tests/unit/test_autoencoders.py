"""Autoencoders: the shipped ones rebuild the test set better than PCA with a code of the same size, the denoising
one removes noise the plain one lets through; PCA, JPEG at a byte budget, the training loop, and reading the image
numbers a student types."""
import numpy as np
import pytest
import torch

from core import checkpoints
from core.generative import autoencoders as ae
from core.models import build
from core.models.autoencoder import AEConfig, Autoencoder, AutoencoderSet
from core.plots import NORMAL

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module", params=["fashion", "mnist"])
def shipped(request):
    dataset = request.param
    nets = checkpoints.load_model(ae.DATASETS[dataset].autoencoders).cpu()
    return dataset, nets, ae.images(dataset, "test")[0]


def test_the_shipped_autoencoders_beat_pca_with_a_code_of_the_same_size_on_the_test_set(shipped):
    dataset, nets, test = shipped
    pca = ae.fit_pca(ae.images(dataset, "train")[0], max(ae.CODES))
    clean = test / 255
    errors = {}
    for k in ae.CODES:
        errors[k] = (ae.mse(ae.reconstruct(nets[f"ae{k}"], test), clean).mean(),
                     ae.mse(pca.reconstruct(test, k), clean).mean())
        assert errors[k][0] < errors[k][1], (dataset, k, errors[k])
    assert errors[2][0] > errors[8][0] > errors[32][0]  # a wider bottleneck keeps more
    recorded = checkpoints.read_manifest()[ae.DATASETS[dataset].autoencoders].metrics
    for k in ae.CODES:  # the manifest's figures are this measurement
        assert recorded[f"ae{k}_test_mse"] == pytest.approx(errors[k][0], abs=2e-5)
        assert recorded[f"pca{k}_test_mse"] == pytest.approx(errors[k][1], abs=2e-5)


def test_the_denoising_autoencoder_removes_noise_that_the_plain_one_lets_through(shipped):
    dataset, nets, test = shipped
    errors = ae.denoising_errors(nets, test[:500], (0.0, 0.3, 0.5))
    noisy, plain, cleaned = errors["noisy input"], errors["plain autoencoder"], errors["denoising autoencoder"]
    assert noisy[0] == 0.0
    for i in (1, 2):
        assert cleaned[i] < plain[i] and cleaned[i] < noisy[i], (dataset, errors)
    assert cleaned[2] < 2 * cleaned[0] + 0.01  # heavy noise costs the denoiser little


def test_codes_stored_as_float16_change_the_reconstruction_very_little(shipped):
    _, nets, test = shipped
    full, half = ae.reconstruct(nets["ae32"], test[:200], half=False), ae.reconstruct(nets["ae32"], test[:200])
    assert np.abs(full - half).max() < 0.02


def test_the_networks_shapes_and_their_rebuild_from_the_manifest():
    x = torch.rand(3, 1, 28, 28)
    conv = Autoencoder(AEConfig(code=8))
    assert conv(x).shape == (3, 1, 28, 28) and conv.encode(x)[0].shape == (3, 8) and conv.encode(x)[1] is None
    assert 0 <= conv(x).min() and conv(x).max() <= 1
    faces = Autoencoder(AEConfig(code=2, side=25, channels=(), hidden=16, variational=True))
    mu, logvar = faces.encode(torch.rand(2, 1, 25, 25))
    assert mu.shape == logvar.shape == (2, 2) and faces.decode(mu).shape == (2, 1, 25, 25)
    with pytest.raises(ValueError):
        Autoencoder(AEConfig(side=25))  # the convolutional kind takes 28×28 only
    nets = AutoencoderSet({"ae2": AEConfig(code=2), "vae2": AEConfig(code=2, variational=True)})
    rebuilt = build(nets.architecture())
    rebuilt.load_state_dict(nets.state_dict())
    assert rebuilt.names() == ["ae2", "vae2"] and "vae2" in rebuilt and rebuilt["vae2"].cfg.variational


def test_fit_lowers_the_loss_of_each_kind_on_a_small_set():
    torch.manual_seed(0)
    X = torch.rand(64, 1, 8, 8) * 0.2 + torch.linspace(0, 0.8, 8)  # a shared gradient plus a little noise
    for kind in ({}, {"noise": 0.4}, {"flip": True}):
        net = Autoencoder(AEConfig(code=2, side=8, channels=(), hidden=16))
        losses = ae.fit(net, X, steps=40, lr=1e-2, batch_size=32, **kind)
        assert np.mean(losses[-5:]) < 0.5 * np.mean(losses[:5]), kind
        assert not net.training
    net = Autoencoder(AEConfig(code=2, side=8, channels=(), hidden=16, variational=True))
    heard = []
    losses = ae.fit(net, X, steps=40, lr=1e-2, batch_size=32, on_progress=lambda s, n, loss: heard.append(s))
    assert np.mean(losses[-5:]) < np.mean(losses[:5]) and heard[-1] == 40


def test_pca_components_are_orthonormal_and_all_of_them_rebuild_exactly():
    rng = np.random.default_rng(0)
    pictures = (rng.random((50, 4, 4)) * 255).astype(np.uint8)
    pca = ae.fit_pca(pictures, 16)
    assert np.allclose(pca.components @ pca.components.T, np.eye(16), atol=1e-5)
    assert np.all(np.diff(pca.variance) <= 1e-9)  # largest variance first
    assert np.allclose(pca.reconstruct(pictures, 16, half=False), pictures / 255, atol=1e-4)
    x = pictures.reshape(50, -1) / 255
    top = np.linalg.svd(x - x.mean(0), full_matrices=False)[2][0]  # the data's own first direction
    assert abs(abs(top @ pca.components[0]) - 1) < 1e-4
    errors = [ae.mse(pca.reconstruct(pictures, k), pictures / 255).mean() for k in (1, 4, 8)]
    assert errors[0] > errors[1] > errors[2]


def test_jpeg_counts_its_scan_and_its_file_and_matches_a_budget_as_closely_as_any_quality():
    pictures = ae.images("fashion", "test")[0][:6]
    decoded, scan, whole = ae.jpeg(pictures[0], 50)
    assert decoded.shape == (28, 28) and 0 <= decoded.min() and decoded.max() <= 1
    assert 0 < scan < whole and whole - scan > 150  # the header: tables, shared by every image
    low, high = ae.jpeg(pictures[0], 5), ae.jpeg(pictures[0], 90)
    assert low[1] < high[1] and ae.mse(low[0][None], pictures[:1] / 255) > ae.mse(high[0][None], pictures[:1] / 255)
    for picture in pictures:
        for budget in (64, 150):
            got = ae.jpeg_at_budget(picture, budget)
            every = [abs(ae.jpeg(picture, q)[1] - budget) for q in range(1, 96)]
            assert abs(got.scan_bytes - budget) <= min(every) + 2, (budget, got.quality)
    tiny = ae.jpeg_at_budget(pictures[0], 4)  # below what JPEG can do: its smallest
    assert tiny.quality == 1 and tiny.scan_bytes > 4


def test_compare_puts_every_method_on_the_same_images():
    nets = checkpoints.load_model("ae_fashion").cpu()
    pictures = ae.images("fashion", "test")[0][:20]
    stages = []
    result = ae.compare(nets, ae.fit_pca(ae.images("fashion", "test")[0][100:600], 64), pictures,
                        lambda done, what: stages.append(done))
    assert result.images == 20 and stages[-1] == 1.0
    rows = result.rows()
    assert [r["code size"] for r in rows] == list(ae.CODES)
    assert [r["bytes (fp16 code)"] for r in rows] == [4, 16, 64]
    assert rows[2]["JPEG scan bytes"] == pytest.approx(64, abs=12)  # reachable: matched closely
    assert rows[0]["JPEG scan bytes"] > 4  # not reachable: JPEG's smallest
    assert [q for q, *_ in result.jpeg_curve] == list(ae.JPEG_QUALITIES)
    assert result.jpeg_curve[0][3] > result.jpeg_curve[-1][3]  # higher quality, lower error


def test_noise_stays_in_the_pixel_range_and_is_reproducible():
    pictures = ae.images("mnist", "test")[0][:10]
    a, b = ae.noisy_copies(pictures, 0.5, seed=2), ae.noisy_copies(pictures, 0.5, seed=2)
    assert np.array_equal(a, b) and a.min() >= 0 and a.max() <= 1
    assert np.allclose(ae.noisy_copies(pictures, 0.0), pictures / 255)
    x = torch.full((4, 1, 2, 2), 0.5)
    noisy = ae.add_noise(x, torch.tensor([0.0, 0.0, 1.0, 1.0]), torch.Generator().manual_seed(0))
    assert torch.equal(noisy[:2], x[:2]) and not torch.equal(noisy[2:], x[2:])


@pytest.mark.parametrize("text, expected, problem", [
    ("3, 17 42", [3, 17, 42], None),
    ("5;5,6", [5, 6], None),
    ("", [], "No image numbers"),
    ("1, two, -4, 99999, 7", [1, 7], "Not an image number from 0 to 999: “two”, “-4”, “99999”."),
    (", ".join(map(str, range(20))), list(range(12)), "At most 12 images"),
    ("1e3 💥", [], "Not an image number"),
])
def test_typed_image_numbers_are_read_and_what_is_wrong_is_said(text, expected, problem):
    indices, message = ae.parse_indices(text, 1000, 12)
    assert indices == expected
    assert (message is None) if problem is None else (problem in message)


def test_first_of_each_class():
    assert ae.first_of_each_class(np.array([2, 0, 1, 0, 2])) == [1, 2, 0]
    assert ae.first_of_each_class(np.zeros(100, np.int64)) == list(range(10))
    faces, labels = ae.images("faces")
    assert faces.shape == (100, 25, 25) and faces.dtype == np.uint8 and set(labels) == {0}


def test_a_scatter_of_ten_thousand_codes_draws_one_in_five_and_a_click_finds_its_image(monkeypatch):
    from core.generative.ui import autoencoders as ui
    rng = np.random.default_rng(0)
    codes, labels = rng.normal(size=(10_000, 2)), rng.integers(0, 10, 10_000)
    fig = ui.code_scatter(codes, labels, [str(k) for k in range(10)], NORMAL, "codes")
    classes = [t for t in fig.data if t.customdata is not None]
    assert sum(len(t.x) for t in classes) <= ui.MOST_POINTS and "1 in 5 of the 10,000 drawn" in fig.layout.title.text
    for k, trace in enumerate(classes):
        assert len(trace.x) >= 0.75 * (labels == k).sum() / 5 and (labels[trace.customdata] == k).all()
        np.testing.assert_array_equal(np.stack([trace.x, trace.y], 1), codes[trace.customdata])
    for point, expected in [({"customdata": 4321}, 4321),  # what plotly sends: the point's customdata
                            ({"curve_number": 3, "point_index": 7}, classes[3].customdata[7])]:  # or where it is
        monkeypatch.setattr(ui.st, "session_state", {"scatter": {"selection": {"points": [point]}}})
        assert ui.clicked_index("scatter", labels) == expected
