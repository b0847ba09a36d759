"""Benchmark the autoencoders and VAEs: reconstruction error of the autoencoder, PCA and JPEG at each code size on the
whole test set, the holes of the 2-D planes, training speed and the training times recorded in the manifest, the
checkpoints' sizes, and the seconds of the page's main computations.

Run from anywhere:  .venv/bin/python tests/bench/bench_autoencoders.py [--repeats 5] [--quick]

Error: mean squared difference per pixel on a 0–1 scale, over the whole test set (Fashion-MNIST: the official
10,000; MNIST: the 1,000 held-out digits). Bytes: a code of k numbers stored as float16 is 2k bytes (PCA's too);
JPEG's quality is chosen image by image to bring its scan closest to the same bytes, its scan and whole-file bytes
reported. Page timings: wall time of the `core` call behind each view after one warm-up call, median and best of the
runs, with torch using every core but one, as the app does. Training speed: ms per step of `core.generative.autoencoders.fit`
on 1 thread, 40 steps after 10 of warm-up. Not a test (machines here are shared and noisy): it prints figures and
never fails on them. `--quick`: the first 1,000 test images for the JPEG part.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from core import checkpoints  # noqa: E402
from core.device import describe, set_threads  # noqa: E402
from core.generative import autoencoders as ae  # noqa: E402
from core.generative import vae
from core.models.autoencoder import AEConfig, Autoencoder  # noqa: E402


def timed(fn, repeats: int) -> tuple[float, float]:
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def errors(dataset: str, quick: bool) -> None:
    nets = checkpoints.load_model(ae.DATASETS[dataset].autoencoders).cpu()
    train, test = ae.images(dataset, "train")[0], ae.images(dataset, "test")[0]
    start = time.perf_counter()
    pca = ae.fit_pca(train, 64)
    fit_seconds = time.perf_counter() - start
    jpeg_images = test[:1000] if quick else test
    start = time.perf_counter()
    result = ae.compare(nets, pca, jpeg_images)
    seconds = time.perf_counter() - start
    clean = test / 255
    print(f"\n{ae.DATASETS[dataset].title}: {len(test):,} test images (JPEG on {len(jpeg_images):,}); PCA fitted on "
          f"{len(train):,} training images in {fit_seconds:.1f} s")
    print(f"{'code':>4s} {'bytes':>5s} {'AE MSE':>8s} {'PCA MSE':>8s} {'JPEG MSE':>8s} {'JPEG scan B':>11s} "
          f"{'JPEG file B':>11s} {'JPEG q':>6s}")
    for k in ae.CODES:
        ae_mse = ae.mse(ae.reconstruct(nets[f"ae{k}"], test), clean).mean()
        pca_mse = ae.mse(pca.reconstruct(test, k), clean).mean()
        scan, whole, jpeg_mse, quality = result.jpeg_matched[k]
        print(f"{k:4d} {k * ae.BYTES_PER_NUMBER:5d} {ae_mse:8.5f} {pca_mse:8.5f} {jpeg_mse:8.5f} {scan:11.1f} "
              f"{whole:11.1f} {quality:6.1f}")
    print("PCA curve:  " + "  ".join(f"{k}→{e:.4f}" for k, e in result.pca.items() if k in (4, 16, 64, 128)))
    print("JPEG curve: " + "  ".join(f"q{q} {s:.0f}B/{w:.0f}B→{e:.4f}" for q, s, w, e in result.jpeg_curve))
    noisy = ae.denoising_errors(nets, test, (0.1, 0.3, 0.5))
    print("denoising, MSE vs the clean image at σ = 0.1 / 0.3 / 0.5: " + "; ".join(
        f"{name} " + " / ".join(f"{e:.4f}" for e in errs) for name, errs in noisy.items()))
    print(f"comparison on {len(jpeg_images):,} images: {seconds:.1f} s ("
          + ", ".join(f"{k} {v:.1f} s" for k, v in result.seconds.items()) + ")")


def holes(dataset: str) -> None:
    info = ae.DATASETS[dataset]
    vaes = checkpoints.load_model(info.vae).cpu()
    plain = (vaes if info.autoencoders is None else checkpoints.load_model(info.autoencoders).cpu())["ae2"]
    x = ae.as_batch(ae.images(dataset, "test")[0])
    mu, codes = vae.encode(vaes["vae2"], x), vae.encode(plain, x)
    with torch.no_grad():
        reconstruction, kl = vae.elbo_terms(vaes["vae2"], x, torch.Generator().manual_seed(0))
    pictures, clean = ae.images(dataset)[0], x[:, 0].numpy()
    n = vae.GRID if len(pictures) >= 1000 else 6
    empty = {name: vae.empty_cells(c, *vae.code_range(c), n) for name, c in (("AE", codes), ("VAE", mu))}
    holes_ = {"AE": vae.draws_in_holes(vae.fitted_gaussian_samples(codes, 2000, 0), codes),
              "VAE": vae.draws_in_holes(vae.prior_samples(2000, 2, 0), mu)}
    print(f"{info.title:18s} empty cells of {n}×{n}: AE {empty['AE']:.1%}, VAE {empty['VAE']:.1%}; draws in a hole: "
          f"AE (fitted Gaussian) {holes_['AE']:.1%}, VAE (prior) {holes_['VAE']:.1%}; VAE μ mean "
          f"{np.round(mu.mean(0), 2)} std {np.round(mu.std(0), 2)}; AE code std {np.round(codes.std(0), 2)}")
    print(f"{'':18s} VAE reconstruction {reconstruction.item():.1f} nats, KL {kl.item():.2f} nats; MSE through μ "
          f"{ae.mse(ae.reconstruct(vaes['vae2'], pictures), clean).mean():.4f}, plain 2-D AE "
          f"{ae.mse(ae.reconstruct(plain, pictures), clean).mean():.4f}")


def training() -> None:
    print("\nTraining (manifest, as recorded when built; `python -m core.recipes NAME`):")
    manifest = checkpoints.read_manifest()
    total_bytes = 0
    for name in ("ae_fashion", "ae_mnist", "vae_fashion", "vae_mnist", "vae_faces"):
        entry = manifest.get(name)
        size = (checkpoints.CHECKPOINT_DIR / f"{name}.safetensors").stat().st_size
        total_bytes += size
        nets = {k: v for k, v in entry.metrics.items() if k.endswith("_train_seconds")}
        print(f"  {name:12s} {size / 1e6:5.2f} MB  {entry.steps} steps per network  "
              f"{entry.metrics['train_seconds']:6.1f} s on {entry.metrics['device']} ("
              + ", ".join(f"{k[:-14]} {v:.0f} s" for k, v in nets.items()) + ")")
    print(f"  total {total_bytes / 1e6:.2f} MB")
    torch.set_num_threads(1)
    X28, X25 = torch.rand(512, 1, 28, 28), torch.rand(100, 1, 25, 25)
    for label, cfg, X in [("conv autoencoder, batch 128", AEConfig(code=32), X28),
                          ("conv VAE, batch 128", AEConfig(code=2, variational=True), X28),
                          ("faces MLP VAE, batch 100", AEConfig(code=2, side=25, channels=(), hidden=128,
                                                                variational=True), X25)]:
        net = Autoencoder(cfg)
        ae.fit(net, X, steps=10)
        start = time.perf_counter()
        ae.fit(net, X, steps=40)
        per = (time.perf_counter() - start) / 40
        print(f"  speed, 1 thread: {label}: {per * 1000:.1f} ms/step")
    steps = {"ae_fashion": 4, "ae_mnist": 4, "vae_fashion": 1, "vae_mnist": 1}
    conv = sum(manifest[n].steps * k for n, k in steps.items())
    print(f"  conv steps in all recipes: {conv:,} (+ {2 * manifest['vae_faces'].steps:,} faces MLP steps)")


def page(repeats: int) -> None:
    set_threads(spare=1)
    print(f"\nPage computations ({describe()}), median / best of {repeats}:")
    nets = checkpoints.load_model("ae_fashion")
    vaes = checkpoints.load_model("vae_fashion")
    test = ae.images("fashion", "test")[0]
    chosen = test[:10]
    x = ae.as_batch(test)
    grid = vae.grid_points((-3, -3), (3, 3), 12)
    mu = vae.encode(vaes["vae2"], x[:2])
    rows = {
        "read Fashion-MNIST train + fit PCA (once per server)": lambda: ae.fit_pca(ae.images("fashion", "train")[0]),
        "reconstruct 10 images, AE": lambda: ae.reconstruct(nets["ae8"], chosen),
        "JPEG matched to 16 bytes, 10 images": lambda: [ae.jpeg_at_budget(p, 16) for p in chosen],
        "JPEG matched to 64 bytes, 10 images": lambda: [ae.jpeg_at_budget(p, 64) for p in chosen],
        "encode the 10,000 test images to 2-D (once)": lambda: vae.encode(nets["ae2"], x),
        "denoising curve, 9 levels × 500 images (once)": lambda: ae.denoising_errors(nets, test[:500]),
        "decode one latent point": lambda: vae.decode(vaes["vae2"], np.zeros((1, 2), np.float32)),
        "decode the 12×12 grid": lambda: vae.decode(vaes["vae2"], grid),
        "interpolation, 10 steps": lambda: vae.decode(vaes["vae2"], vae.interpolate(mu[0], mu[1], 10)),
    }
    pca = ae.fit_pca(ae.images("fashion", "train")[0])
    for label, fn in rows.items():
        median, best = timed(fn, 1 if "once" in label else repeats)
        print(f"  {label:55s} {median:7.3f} s  {best:7.3f} s")
    start = time.perf_counter()
    ae.compare(nets, pca, test[:500])
    print(f"  {'bytes vs error on 500 images (once per server)':55s} {time.perf_counter() - start:7.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    set_threads(spare=1)
    for dataset in ("fashion", "mnist"):
        errors(dataset, args.quick)
    print("\nThe 2-D planes (test set):")
    for dataset in ("fashion", "mnist", "faces"):
        holes(dataset)
    training()
    page(args.repeats)


if __name__ == "__main__":
    main()
