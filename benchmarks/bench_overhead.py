"""Training throughput of the generated image train function against the bare training step
of the same network on tensors already in memory.

The bare step is forward, loss, backward, gradient clipping and the optimiser step (the
clipping is printed apart); the generated function adds the data path (conversion, split,
standardising, device transfer), augmentation checks, per-epoch validation for early stopping
and the LR schedule, metrics and bookkeeping. Target: those cost at most 15%. Each figure is
the median of --repeats interleaved runs of --epochs epochs. Runs on CUDA when available
(bf16 autocast, channels_last, as train.py does), else on the CPU.

Usage: python benchmarks/bench_overhead.py [--epochs N] [--repeats N]
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HPOGEN = str(Path(sys.executable).with_name("hpogen"))


def load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def bare_loop(train_module, settings: dict, images, labels, epochs: int, device, clip: bool) -> float:
    """Images/s of the training step alone on in-memory tensors (clip: with gradient clipping)."""
    import torch
    import torch.nn.functional as F

    arch = train_module.describe_architecture(settings, tuple(images.shape[1:]), int(labels.max()) + 1)
    model, optimizer, _ = train_module.build_training(arch, settings, device, 0)
    images = images.to(device)
    labels = labels.to(device)
    if device.type == "cuda":
        images = images.to(memory_format=torch.channels_last)
    batch = min(settings["batch_size"], len(labels))
    model.train()
    sync(device)
    started = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(len(labels), device=device)
        for start in range(0, len(labels), batch):
            rows = order[start : start + batch]
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
                logits = model(images[rows])
            loss = F.cross_entropy(logits.float(), labels[rows])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if clip:
                torch.nn.utils.clip_grad_norm_(model.parameters(), train_module.GRADIENT_CLIP_NORM)
            optimizer.step()
    sync(device)
    return epochs * len(labels) / (time.perf_counter() - started)


def sync(device) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize()


def measure(bundle: Path, name: str, X, y, epochs: int, repeats: int) -> None:
    import statistics

    import numpy as np
    import torch

    train_module = load(bundle / "train.py", f"train_{name}")
    space = load(bundle / "config_space.py", f"space_{name}")
    config = dict(space.get_configspace().get_default_configuration())
    device = train_module.pick_device()
    # the same number of epochs in both: no early stopping and a patience longer than the run
    train_module.EARLY_STOPPING_PATIENCE = epochs + 1
    n_train = int(round(len(y) * (1 - train_module.VALIDATION_FRACTION)))
    settings = train_module.read_settings(config)
    images = torch.as_tensor(np.asarray(X[:n_train], dtype=np.float32))
    # The bare step gets the standardised values train() trains on, computed outside the timing:
    # on the CPU the very same step runs about 20% faster on raw 0-16 digit pixels than on
    # standardised ones, which would flatter the reference for reasons outside the data path.
    std, mean = torch.std_mean(images, dim=(0, 2, 3), keepdim=True, correction=0)
    images = (images - mean) / std.clamp_min(1e-6)
    labels = torch.as_tensor(np.unique(y[:n_train], return_inverse=True)[1])
    train_module.train(config, {"X": X, "y": y}, 0, budget=1)  # warm-up (allocator, kernels)
    bare_loop(train_module, settings, images, labels, 1, device, clip=True)
    figures = {"generated": [], "bare": [], "bare_no_clip": []}
    for _ in range(repeats):  # interleaved, so machine noise hits all three alike
        result = train_module.train(config, {"X": X, "y": y}, 0, budget=epochs)
        assert result["epochs_completed"] == epochs, result["epochs_completed"]
        figures["generated"].append(epochs * n_train / result["training_time"])
        figures["bare"].append(bare_loop(train_module, settings, images, labels, epochs, device, clip=True))
        figures["bare_no_clip"].append(bare_loop(train_module, settings, images, labels, epochs, device, clip=False))
    generated, bare, no_clip = (statistics.median(figures[key]) for key in ("generated", "bare", "bare_no_clip"))
    overhead = 1 - generated / bare
    print(f"{name:20s} {device.type:4s} generated {generated:9.0f} img/s   bare step {bare:9.0f} img/s   "
          f"overhead {overhead:6.1%} ({'met' if overhead <= 0.15 else 'NOT met'}: <= 15%)   "
          f"[clipping itself costs {1 - bare / no_clip:5.1%} of the bare step]")


def main() -> None:
    import numpy as np

    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=20, help="per run (the digits bundle's smallest rung is 18)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", choices=("digits", "cifar"), help="one case (cifar takes ~15 min on 2 CPU cores)")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.only != "cifar":
            digits_case(work, args)
        if args.only != "digits":
            cifar_case(work, args, rng)


def digits_case(work: Path, args) -> None:
    """All 1797 of scikit-learn's 8x8 digits: tiny images, where per-step overheads weigh most."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    subprocess.run([HPOGEN, "generate", "--dataset", "digits", "--out", str(work / "digits")], check=True,
                   capture_output=True)
    measure(work / "digits", "digits 1x8x8", digits.data.reshape(-1, 1, 8, 8), digits.target, args.epochs, args.repeats)


def cifar_case(work: Path, args, rng) -> None:
    """5000 synthetic 3x32x32 images (the class shifts the pixel mean), CIFAR-10's shape."""
    import numpy as np

    subprocess.run([HPOGEN, "generate", "--dataset-type", "image", "--name", "cifar_like", "--n-samples", "5000",
                    "--n-classes", "10", "--image-shape", "3,32,32", "--out", str(work / "cifar")],
                   check=True, capture_output=True)
    y = rng.integers(0, 10, 5000)
    X = (rng.normal(size=(5000, 3, 32, 32)) + y[:, None, None, None] * 0.1).astype(np.float32)
    measure(work / "cifar", "cifar-like 3x32x32", X, y, args.epochs, args.repeats)


if __name__ == "__main__":
    main()
