"""Training throughput of the generated image train function against the bare
forward/backward/step loop of the same network on tensors already in memory.

The difference is what the data path, augmentation, per-epoch validation, early-stopping
bookkeeping, metrics and logging cost. Target: at most 15% overhead. Runs on CUDA when
available (bf16 autocast, channels_last, as train.py does), else on the CPU.

Usage: python benchmarks/bench_overhead.py [--epochs N]
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


def bare_loop(train_module, settings: dict, images, labels, epochs: int, device) -> float:
    """Images/s of forward, backward and step on in-memory tensors, nothing else."""
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
            optimizer.step()
    sync(device)
    return epochs * len(labels) / (time.perf_counter() - started)


def sync(device) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize()


def measure(bundle: Path, name: str, X, y, epochs: int) -> None:
    import numpy as np
    import torch

    train_module = load(bundle / "train.py", f"train_{name}")
    space = load(bundle / "config_space.py", f"space_{name}")
    config = dict(space.get_configspace().get_default_configuration())
    device = train_module.pick_device()
    # the same number of epochs in both: no early stopping and a patience longer than the run
    train_module.EARLY_STOPPING_PATIENCE = epochs + 1
    train_module.train(config, {"X": X, "y": y}, 0, budget=1)  # warm-up (allocator, kernels)
    result = train_module.train(config, {"X": X, "y": y}, 0, budget=epochs)
    n_train = int(round(len(y) * (1 - train_module.VALIDATION_FRACTION)))
    generated = result["epochs_completed"] * n_train / result["training_time"]
    settings = train_module.read_settings(config)
    images = torch.as_tensor(np.asarray(X[:n_train], dtype=np.float32))
    labels = torch.as_tensor(np.unique(y[:n_train], return_inverse=True)[1])
    bare_loop(train_module, settings, images, labels, 1, device)  # warm-up
    bare = bare_loop(train_module, settings, images, labels, result["epochs_completed"], device)
    overhead = 1 - generated / bare
    print(f"{name:22s} {device.type:4s} generated {generated:10.0f} img/s   bare {bare:10.0f} img/s   "
          f"overhead {overhead:6.1%}  ({'met' if overhead <= 0.15 else 'NOT met'}: <= 15%)")


def main() -> None:
    import numpy as np
    from sklearn.datasets import load_digits

    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        digits = load_digits()
        subprocess.run([HPOGEN, "generate", "--dataset", "digits", "--out", str(work / "digits")], check=True,
                       capture_output=True)
        measure(work / "digits", "digits 1x8x8", digits.data.reshape(-1, 1, 8, 8), digits.target, args.epochs)
        subprocess.run([HPOGEN, "generate", "--dataset-type", "image", "--name", "cifar_like", "--n-samples", "5000",
                        "--n-classes", "10", "--image-shape", "3,32,32", "--out", str(work / "cifar")],
                       check=True, capture_output=True)
        y = rng.integers(0, 10, 5000)
        X = (rng.normal(size=(5000, 3, 32, 32)) + y[:, None, None, None] * 0.1).astype(np.float32)
        measure(work / "cifar", "cifar-like 3x32x32", X, y, args.epochs)


if __name__ == "__main__":
    main()
