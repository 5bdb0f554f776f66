"""One run variation of the experiment, started by src/main.py as `python -m src.train`.

Usage: python -m src.train --config CONFIG.yaml --run-id RUN_ID --results-dir DIR

It prints the experiment description, then one JSON line per evaluation (each carrying run_id)
and a final one, and writes {results_dir}/{run_id}/results.json and the best model's weights.

Config schema (config/smoke_test.yaml and config/full_experiment.yaml share it):
  experiment: name, family, scale, method_dataset, method_model (what the method names),
              seeds, variants, not_implemented, and training: the settings every run shares
  runs: one entry per variation and seed
    - run_id: letters, digits, '-', '_' and '.'; unique
      variant: the variation this run belongs to (run_id without the seed)
      dataset, model: catalogue names; data_root: folder of dataset files (or null)
      seed: an integer (seeds expand into runs)
      training: {...}   this run's own settings, over experiment.training (the shared ones);
                        numbers are converted with float()/int() even when YAML gave strings

Family part of train.py: test-time adaptation of a source model on a stream of corrupted batches.

A run (1) trains a source model on the clean training rows (cross-entropy, SGD, the weights of
the best validation epoch), (2) corrupts the standardised test images offline, seeded, in the
style of CIFAR-10-C (Hendrycks & Dietterich 2019: 15 corruption types x 5 severities, the
published CIFAR parameters), and (3) predicts each (corruption, severity) stream of test
batches in natural order while adapting online with the run's `adapt` arm:
  source    no adaptation: the source model in eval mode;
  bn_adapt  batch norm normalises with each test batch's own statistics (Schneider et al. 2020
            with N = 0, Nado et al. 2020's prediction-time BN); nothing is learned;
  tent      Wang et al. 2021: batch statistics as in bn_adapt, and adapt_steps steps per batch
            on the batch norm affine parameters only, minimising the adaptation loss; each
            batch's predictions come from the forward pass of its (last) update, as TENT's.
With reset_per_stream the model (and the optimiser) go back to the source weights before every
(corruption, severity) stream, as TENT's CIFAR-10-C protocol does; otherwise adaptation goes on
through the streams in order (continual adaptation).

Hook adapt_loss: fn(logits, loss, weights, context, training) -> (loss, weights). loss is a
per-sample loss tensor (TENT's Shannon entropy of the softmax to start with), weights a
per-sample tensor of non-negative weights (ones to start with; 0 drops a sample). Each change
switched on gets the previous one's (loss, weights), so changes compose in training.changes
order. context: entropy (per-sample, with its graph), num_classes, batch (index in the stream),
stream {corruption, severity}. The step minimises sum(weights * loss) / (samples with weight >
0); a batch without such samples takes no step.

Records: per stream, the online accuracy after the first first_k_batches batches and after the
whole pass, the share of samples that took part in updates, and the adaptation overhead (the
arm's seconds over the seconds of plain source inference on the same stream). The run's
best_test_accuracy is the mean online accuracy over all its streams; best_val_accuracy is the
source model's clean validation accuracy; best_model is the source model.

With reuse_source_model and a --results-dir on the command line, the source model of a seed is
saved under {results_dir}/_source/ and reused by the other variants of that seed (a key hashes
the source settings, the data, and the code of train.py and model.py, so any change retrains).

training keys: adapt (source | bn_adapt | tent), changes, epochs, batch_size, learning_rate,
weight_decay, momentum, augment_magnitude, label_smoothing, subset, corruptions, severities,
stream_batch_size, first_k_batches, adapt_optimizer (adam | sgd), adapt_lr, adapt_momentum,
adapt_steps, reset_per_stream, reuse_source_model, target_accuracy.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import math
import os
import re
import sys
import time
from pathlib import Path

import numpy as np
import torch
import yaml
from src.model import build_model, load_model, save_model
from src.preprocess import load_dataset
from torch import nn
from torch.nn import functional as F

EXPERIMENT_DESCRIPTION = {
    "family": "tta",
    "experiment": "test-time adaptation of a source model on a stream of corrupted test batches",
    "changes": ["entropy_threshold"],
    "method": "Reliable-Sample TENT (RS-TENT) keeps TENT's protocol (test-batch statistics in batch normalisation, optimisation of the BN scale and shift only, one step per batch, predictions from the forward pass of the update) and changes which samples enter the loss. For each test sample we compute the entropy H(x) of the softmax prediction and only samples with entropy below a threshold E0 contribute to t...",
    "notes": [],
}
RUN_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


def load_run(config_path: Path, run_id: str) -> dict:
    """The run called run_id from a config file, its training settings over the shared ones."""
    with open(config_path, encoding="utf-8") as handle:
        config = yaml.safe_load(handle) or {}
    runs = config.get("runs")
    if not isinstance(runs, list):
        raise SystemExit(f"error: {config_path} has no list of runs (is the package derived yet?)")
    shared = (config.get("experiment") or {}).get("training") or {}
    for run in runs:
        if isinstance(run, dict) and run.get("run_id") == run_id:
            return {**run, "training": {**shared, **(run.get("training") or {})}}
    raise SystemExit(f"error: no run {run_id!r} in {config_path}")


def number(settings: dict, key: str, default: float | None = None) -> float:
    """A float from the config, whether YAML read it as a float or as a string like '1e-3'."""
    value = settings.get(key, default)
    if value is None:
        raise SystemExit(f"error: training.{key} is required")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise SystemExit(f"error: training.{key} must be a number, not {value!r}") from None


def integer(settings: dict, key: str, default: int | None = None) -> int:
    return int(round(number(settings, key, default)))


def emit(record: dict) -> None:
    """One JSON line on stdout (the machine-readable log of the run)."""
    print(json.dumps(record), flush=True)


def augment(x: torch.Tensor, magnitude, noise: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    """Contrast and brightness jitter scaled by magnitude: differentiable in magnitude."""
    contrast, brightness = noise
    return x * (1.0 + magnitude * contrast) + magnitude * brightness


def augment_noise(
    n: int, like: torch.Tensor, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    shape = (n, 1, 1, 1)
    contrast = torch.randn(shape, generator=generator, dtype=like.dtype, device="cpu").to(
        like.device
    )
    brightness = torch.randn(shape, generator=generator, dtype=like.dtype, device="cpu").to(
        like.device
    )
    return contrast, brightness


def smoothed_cross_entropy(logits: torch.Tensor, y: torch.Tensor, smoothing) -> torch.Tensor:
    """Cross-entropy against (1 - s) one-hot + s / K targets; differentiable in s."""
    log_probs = torch.log_softmax(logits, dim=1)
    nll = -log_probs.gather(1, y[:, None]).squeeze(1)
    uniform = -log_probs.mean(dim=1)
    return ((1.0 - smoothing) * nll + smoothing * uniform).mean()


def make_optimizer(model: nn.Module, hyper: dict) -> torch.optim.Optimizer:
    return torch.optim.SGD(
        model.parameters(),
        lr=float(hyper["learning_rate"]),
        momentum=float(hyper["momentum"]),
        weight_decay=float(hyper["weight_decay"]),
    )


def train_epochs(
    model, optimizer, data: dict, hyper: dict, epochs: int, batch_size: int, generator
) -> None:
    """epochs passes over the training rows in seeded random order (the data stays on its device)."""
    X, y = data["X_train"], data["y_train"]
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(y), generator=generator).to(X.device)
        for start in range(0, len(y), batch_size):
            rows = order[start : start + batch_size]
            if len(rows) < 2 and len(y) > 1:
                continue  # a batch of one breaks batch norm
            x = augment(
                X[rows], float(hyper["augment_magnitude"]), augment_noise(len(rows), X, generator)
            )
            loss = smoothed_cross_entropy(model(x), y[rows], float(hyper["label_smoothing"]))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()


@torch.no_grad()
def accuracy(model: nn.Module, X: torch.Tensor, y: torch.Tensor, batch_size: int = 1024) -> float:
    """The share of correct predictions: per image, or per token when y holds sequences."""
    model.eval()
    correct = 0
    for start in range(0, len(y), batch_size):
        correct += int(
            (model(X[start : start + batch_size]).argmax(-1) == y[start : start + batch_size]).sum()
        )
    return correct / max(y.numel(), 1)


def changes_for(hook: str, training: dict) -> list:
    """The functions of the catalogue changes this run switches on (training.changes) at hook,
    in that order; an empty list means the family's base algorithm."""
    registered = CHANGES.get(hook, {})
    return [registered[name] for name in training.get("changes") or [] if name in registered]


def save_best(model: nn.Module, run: dict, data: dict, run_dir: Path) -> float:
    """Save the model's weights, load them back with weights_only=True, return the reloaded test accuracy."""
    path = run_dir / "model.pt"
    save_model(model, path, run["model"], data["input_shape"], data["num_classes"])
    device = data["X_test"].device
    reloaded = load_model(path).to(device)
    return accuracy(reloaded, data["X_test"], data["y_test"])


NOT_IMPLEMENTED = []
ADAPT_ARMS = ("source", "bn_adapt", "tent")
SOURCE_KEYS = (
    "epochs",
    "batch_size",
    "learning_rate",
    "weight_decay",
    "momentum",
    "augment_magnitude",
    "label_smoothing",
    "subset",
)
SOURCE_DEFAULTS = {
    "learning_rate": 0.05,
    "weight_decay": 5e-4,
    "momentum": 0.9,
    "augment_magnitude": 0.0,
    "label_smoothing": 0.0,
}

# Hendrycks & Dietterich 2019, make_cifar_c.py: the CIFAR parameters of severities 1..5.
GAUSSIAN_NOISE = (0.04, 0.06, 0.08, 0.09, 0.10)
SHOT_NOISE = (500.0, 250.0, 100.0, 75.0, 50.0)
IMPULSE_NOISE = (0.01, 0.02, 0.03, 0.05, 0.07)
SPECKLE_NOISE = (0.06, 0.10, 0.12, 0.16, 0.20)
GAUSSIAN_BLUR = (0.4, 0.6, 0.7, 0.8, 1.0)
DEFOCUS_BLUR = ((0.3, 0.4), (0.4, 0.5), (0.5, 0.6), (1.0, 0.2), (1.5, 0.1))
CONTRAST = (0.75, 0.5, 0.4, 0.3, 0.15)
BRIGHTNESS = (0.05, 0.1, 0.15, 0.2, 0.3)
FOG = ((0.2, 3.0), (0.5, 3.0), (0.75, 2.5), (1.0, 2.0), (1.5, 1.75))
PIXELATE = (0.95, 0.9, 0.85, 0.75, 0.65)
JPEG_QUALITY = (80, 65, 58, 50, 40)
# The JPEG standard's luminance quantisation table (ITU-T T.81, Annex K), used for every channel.
JPEG_TABLE = (
    (16, 11, 10, 16, 24, 40, 51, 61),
    (12, 12, 14, 19, 26, 58, 60, 55),
    (14, 13, 16, 24, 40, 57, 69, 56),
    (14, 17, 22, 29, 51, 87, 80, 62),
    (18, 22, 37, 56, 68, 109, 103, 77),
    (24, 35, 55, 64, 81, 104, 113, 92),
    (49, 64, 78, 87, 103, 121, 120, 101),
    (72, 92, 95, 98, 112, 100, 103, 99),
)


def gaussian_noise(x: torch.Tensor, severity: int, generator: torch.Generator) -> torch.Tensor:
    return x + GAUSSIAN_NOISE[severity - 1] * torch.randn(x.shape, generator=generator)


def shot_noise(x: torch.Tensor, severity: int, generator: torch.Generator) -> torch.Tensor:
    """Poisson photon noise: fewer photons per unit of intensity at higher severity."""
    photons = SHOT_NOISE[severity - 1]
    return torch.poisson(x.clamp(0, 1) * photons, generator=generator) / photons


def impulse_noise(x: torch.Tensor, severity: int, generator: torch.Generator) -> torch.Tensor:
    """Salt-and-pepper noise on a share of the pixel values, half salt, half pepper."""
    hit = torch.rand(x.shape, generator=generator) < IMPULSE_NOISE[severity - 1]
    salt = torch.rand(x.shape, generator=generator) < 0.5
    return torch.where(hit, salt.to(x.dtype), x)


def speckle_noise(x: torch.Tensor, severity: int, generator: torch.Generator) -> torch.Tensor:
    return x + x * SPECKLE_NOISE[severity - 1] * torch.randn(x.shape, generator=generator)


def _convolve(x: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """Each channel convolved with one 2-D kernel, borders reflected (replicated on tiny images)."""
    channels, pad = x.shape[1], kernel.shape[-1] // 2
    mode = "reflect" if pad < min(x.shape[-2:]) else "replicate"
    padded = F.pad(x, (pad, pad, pad, pad), mode=mode)
    weight = kernel.to(x.dtype).expand(channels, 1, *kernel.shape)
    return F.conv2d(padded, weight, groups=channels)


def _gaussian_kernel(sigma: float, radius: int | None = None) -> torch.Tensor:
    radius = max(1, math.ceil(3 * sigma)) if radius is None else radius
    grid = torch.arange(-radius, radius + 1, dtype=torch.float64)
    line = torch.exp(-(grid**2) / (2 * sigma**2))
    kernel = line[:, None] * line[None, :]
    return (kernel / kernel.sum()).float()


def gaussian_blur(x: torch.Tensor, severity: int, generator: torch.Generator) -> torch.Tensor:
    return _convolve(x, _gaussian_kernel(GAUSSIAN_BLUR[severity - 1]))


def defocus_blur(x: torch.Tensor, severity: int, generator: torch.Generator) -> torch.Tensor:
    """An aliased disk of the given radius, softened by a 3x3 Gaussian, as make_cifar_c's disk()."""
    radius, alias_blur = DEFOCUS_BLUR[severity - 1]
    size = math.ceil(radius) + 1
    grid = torch.arange(-size, size + 1, dtype=torch.float32)
    disk = ((grid[:, None] ** 2 + grid[None, :] ** 2) <= radius**2).float()
    disk = F.conv2d(disk[None, None], _gaussian_kernel(alias_blur, 1)[None, None], padding=1)[0, 0]
    return _convolve(x, disk / disk.sum())


def contrast(x: torch.Tensor, severity: int, generator: torch.Generator) -> torch.Tensor:
    means = x.mean(dim=(1, 2, 3), keepdim=True)
    return (x - means) * CONTRAST[severity - 1] + means


def brightness(x: torch.Tensor, severity: int, generator: torch.Generator) -> torch.Tensor:
    """HSV value + c at unchanged hue and saturation: every channel scaled by (v + c) / v."""
    value = x.amax(dim=1, keepdim=True)
    brighter = (value + BRIGHTNESS[severity - 1]).clamp(max=1.0)
    return torch.where(value > 1e-6, x * brighter / value.clamp_min(1e-6), brighter.expand_as(x))


def _low_frequency_field(
    n: int, height: int, width: int, decay: float, generator: torch.Generator
) -> torch.Tensor:
    """Fractal noise in [0, 1]: octaves of smooth random grids, each decay times weaker than the
    coarser one, like the plasma fractal of make_cifar_c's fog."""
    field = torch.zeros(n, 1, height, width)
    cells, amplitude = 2, 1.0
    while cells <= 2 * max(height, width):
        grid = torch.rand(n, 1, cells, cells, generator=generator)
        field += amplitude * F.interpolate(
            grid, size=(height, width), mode="bilinear", align_corners=True
        )
        cells, amplitude = cells * 2, amplitude / decay
    low = field.amin(dim=(2, 3), keepdim=True)
    high = field.amax(dim=(2, 3), keepdim=True)
    return (field - low) / (high - low).clamp_min(1e-6)


def fog(x: torch.Tensor, severity: int, generator: torch.Generator) -> torch.Tensor:
    strength, decay = FOG[severity - 1]
    peak = x.amax(dim=(1, 2, 3), keepdim=True)
    foggy = x + strength * _low_frequency_field(len(x), x.shape[2], x.shape[3], decay, generator)
    return foggy * peak / (peak + strength)


def pixelate(x: torch.Tensor, severity: int, generator: torch.Generator) -> torch.Tensor:
    """Box-downsampled to a share of the side, then blown up again with nearest neighbours."""
    height, width = x.shape[-2:]
    share = PIXELATE[severity - 1]
    small = F.adaptive_avg_pool2d(x, (max(1, int(height * share)), max(1, int(width * share))))
    return F.interpolate(small, size=(height, width), mode="nearest")


def _dct_matrix(size: int = 8) -> torch.Tensor:
    """The orthonormal DCT-II matrix: coefficients = D @ block @ D.T."""
    k = torch.arange(size, dtype=torch.float64)[:, None]
    n = torch.arange(size, dtype=torch.float64)[None, :]
    matrix = torch.cos(math.pi * (2 * n + 1) * k / (2 * size)) * math.sqrt(2 / size)
    matrix[0] /= math.sqrt(2)
    return matrix.float()


def jpeg_compression(x: torch.Tensor, severity: int, generator: torch.Generator) -> torch.Tensor:
    """JPEG's lossy step: 8x8 block DCT, quantised with the quality-scaled luminance table
    (libjpeg's scaling) per channel; no chroma subsampling or entropy coding."""
    quality = JPEG_QUALITY[severity - 1]
    scale = 5000 / quality if quality < 50 else 200 - 2 * quality
    table = torch.floor((torch.tensor(JPEG_TABLE, dtype=torch.float32) * scale + 50) / 100).clamp(
        1, 255
    )
    n, channels, height, width = x.shape
    padded = F.pad(x * 255 - 128, (0, -width % 8, 0, -height % 8), mode="replicate")
    blocks = padded.unfold(2, 8, 8).unfold(3, 8, 8)
    dct = _dct_matrix()
    coefficients = torch.round(dct @ blocks @ dct.T / table) * table
    restored = (dct.T @ coefficients @ dct).permute(0, 1, 2, 4, 3, 5).reshape(padded.shape)
    return (restored[:, :, :height, :width] + 128) / 255


CORRUPTIONS = {
    "gaussian_noise": gaussian_noise,
    "shot_noise": shot_noise,
    "impulse_noise": impulse_noise,
    "speckle_noise": speckle_noise,
    "defocus_blur": defocus_blur,
    "gaussian_blur": gaussian_blur,
    "contrast": contrast,
    "brightness": brightness,
    "fog": fog,
    "pixelate": pixelate,
    "jpeg_compression": jpeg_compression,
}


def unit_range(clean: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-channel (low, high) of the clean test images: the affine map of the standardised images
    back to [0, 1], where the published corruption parameters apply."""
    low = clean.amin(dim=(0, 2, 3), keepdim=True)
    high = clean.amax(dim=(0, 2, 3), keepdim=True)
    return low, (high - low).clamp_min(1e-6)


def corrupt(clean: torch.Tensor, corruption: str, severity: int, seed: int) -> torch.Tensor:
    """The standardised test images with one corruption at one severity, on the CPU; the same seed
    gives the same images."""
    if corruption not in CORRUPTIONS:
        raise SystemExit(f"error: unknown corruption {corruption!r}; known: {sorted(CORRUPTIONS)}")
    if not 1 <= severity <= 5:
        raise SystemExit(f"error: severity must be 1..5, not {severity}")
    images = clean.detach().float().cpu()
    low, span = unit_range(images)
    index = list(CORRUPTIONS).index(corruption)
    generator = torch.Generator().manual_seed(seed * 1000 + index * 10 + severity)
    corrupted = CORRUPTIONS[corruption]((images - low) / span, severity, generator).clamp(0, 1)
    return corrupted * span + low


def corruption_settings(training: dict) -> tuple[list[str], list[int]]:
    corruptions = [str(name) for name in training.get("corruptions") or list(CORRUPTIONS)]
    severities = [int(level) for level in training.get("severities") or [1, 2, 3, 4, 5]]
    return corruptions, severities


def source_hyper(training: dict) -> dict:
    return {name: number(training, name, default) for name, default in SOURCE_DEFAULTS.items()}


def train_source(run: dict, data: dict, training: dict, seed: int, log) -> tuple[nn.Module, dict]:
    """Supervised training on the clean rows; the weights of the best validation epoch."""
    hyper = source_hyper(training)
    model = build_model(run["model"], data["input_shape"], data["num_classes"]).to(
        data["X_train"].device
    )
    optimizer = make_optimizer(model, hyper)
    generator = torch.Generator().manual_seed(seed)
    epochs, batch_size = integer(training, "epochs", 30), integer(training, "batch_size", 128)
    best_val, best_state, started = -1.0, None, time.perf_counter()
    for epoch in range(1, epochs + 1):
        train_epochs(model, optimizer, data, hyper, 1, batch_size, generator)
        val = accuracy(model, data["X_val"], data["y_val"])
        if val > best_val:
            best_val, best_state = val, copy.deepcopy(model.state_dict())
        log(
            {
                "event": "source_epoch",
                "epoch": epoch,
                "val_accuracy": val,
                "best_val_accuracy": best_val,
            }
        )
    model.load_state_dict(best_state)
    summary = {
        "epochs": epochs,
        "best_val_accuracy": best_val,
        "train_seconds": time.perf_counter() - started,
        "clean_test_accuracy": accuracy(model, data["X_test"], data["y_test"]),
        "reused": False,
    }
    return model, summary


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"


def source_cache_path(run: dict, data: dict, training: dict, seed: int) -> Path | None:
    """Where this seed's source model is kept for the other variants, or None (no --results-dir
    on the command line, or reuse_source_model off)."""
    if not bool(training.get("reuse_source_model", True)):
        return None
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--results-dir", type=Path, default=None)
    results_dir = parser.parse_known_args()[0].results_dir
    if results_dir is None:
        return None
    here = Path(__file__).resolve()
    key = {
        "model": run["model"],
        "dataset": run["dataset"],
        "data_root": run.get("data_root"),
        "seed": seed,
        "settings": {name: training.get(name) for name in SOURCE_KEYS},
        "data": [
            float(data["X_train"].double().sum()),
            int(data["y_train"].sum()),
            len(data["y_train"]),
            float(data["X_val"].double().sum()),
            float(data["X_test"].double().sum()),
        ],
        "code": [_file_digest(here), _file_digest(here.with_name("model.py"))],
    }
    digest = hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return results_dir / "_source" / f"seed{seed}-{digest}.pt"


def load_cached_source(path: Path, data: dict) -> tuple[nn.Module, dict] | None:
    """The cached source model and its summary, or None when either file is missing or unreadable."""
    summary_path = path.with_suffix(".json")
    if not (path.is_file() and summary_path.is_file()):
        return None
    try:
        model = load_model(path).to(data["X_train"].device)
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    except (OSError, RuntimeError, KeyError, ValueError):
        return None
    return model, {**summary, "reused": True}


def store_source(path: Path, model: nn.Module, run: dict, data: dict, summary: dict) -> None:
    """Weights first, then the summary, each written to a temporary name and renamed into place."""
    weights = path.with_suffix(".tmp")
    save_model(model, weights, run["model"], data["input_shape"], data["num_classes"])
    os.replace(weights, path)
    text = path.with_suffix(".json.tmp")
    text.write_text(json.dumps(summary), encoding="utf-8")
    os.replace(text, path.with_suffix(".json"))


def source_model(run: dict, data: dict, training: dict, seed: int, log) -> tuple[nn.Module, dict]:
    """The seed's source model: reused from an earlier variant of the same seed when allowed."""
    path = source_cache_path(run, data, training, seed)
    cached = load_cached_source(path, data) if path is not None else None
    if cached is not None:
        log({"event": "source_reused", "path": str(path)})
        return cached
    model, summary = train_source(run, data, training, seed, log)
    if path is not None:
        store_source(path, model, run, data, summary)
    return model, summary


def batch_norm_layers(model: nn.Module) -> list[nn.Module]:
    return [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]


def use_batch_statistics(model: nn.Module) -> nn.Module:
    """Batch norm normalises with each batch's own statistics and keeps no running ones (TENT's
    configure_model); every other layer stays in eval mode."""
    layers = batch_norm_layers(model)
    if not layers:
        raise SystemExit("error: test-time BN adaptation needs a model with batch norm layers")
    model.eval()
    for layer in layers:
        layer.train()
        layer.track_running_stats = False
        layer.running_mean, layer.running_var = None, None
    return model


def batch_norm_affine(model: nn.Module) -> list[nn.Parameter]:
    """The BN scale and shift parameters, the only ones TENT updates; the rest is frozen."""
    model.requires_grad_(False)
    params = []
    for layer in batch_norm_layers(model):
        for param in (layer.weight, layer.bias):
            if param is not None:
                param.requires_grad_(True)
                params.append(param)
    return params


def adapt_optimizer(params: list[nn.Parameter], training: dict) -> torch.optim.Optimizer:
    """TENT's optimiser: Adam (its CIFAR setting, lr 1e-3, betas 0.9/0.999) or SGD with momentum."""
    lr, kind = number(training, "adapt_lr", 1e-3), str(training.get("adapt_optimizer", "adam"))
    if kind == "adam":
        return torch.optim.Adam(params, lr=lr, betas=(0.9, 0.999))
    if kind == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=number(training, "adapt_momentum", 0.9))
    raise SystemExit(f"error: training.adapt_optimizer must be adam or sgd, not {kind!r}")


def softmax_entropy(logits: torch.Tensor) -> torch.Tensor:
    """The Shannon entropy of each sample's predicted class distribution (TENT's loss)."""
    return -(logits.softmax(dim=1) * logits.log_softmax(dim=1)).sum(dim=1)


def adaptation_objective(
    logits: torch.Tensor, context: dict, training: dict
) -> tuple[torch.Tensor, torch.Tensor]:
    """The scalar loss of one batch and each sample's weight, after every active change."""
    entropy = softmax_entropy(logits)
    loss, weights = entropy, torch.ones_like(entropy)
    for change in changes_for("adapt_loss", training):
        loss, weights = change(logits, loss, weights, {**context, "entropy": entropy}, training)
    used = (weights > 0).sum()
    return (weights * loss).sum() / used.clamp_min(1), weights.detach()


class Adapter:
    """One arm's model during a stream: predict(x) gives the batch's logits, adapting on it first."""

    def __init__(self, source: nn.Module, arm: str, training: dict, num_classes: int) -> None:
        if arm not in ADAPT_ARMS:
            raise SystemExit(f"error: training.adapt must be one of {ADAPT_ARMS}, not {arm!r}")
        self.source, self.arm, self.training, self.num_classes = source, arm, training, num_classes
        self.steps = max(1, integer(training, "adapt_steps", 1))
        self.used, self.seen = 0, 0
        self.reset()

    def reset(self) -> None:
        """Back to the source weights (and a fresh optimiser)."""
        self.model = copy.deepcopy(self.source)
        self.optimizer = None
        if self.arm == "source":
            self.model.eval()
            return
        use_batch_statistics(self.model)
        if self.arm == "tent":
            self.optimizer = adapt_optimizer(batch_norm_affine(self.model), self.training)

    def predict(self, x: torch.Tensor, context: dict) -> torch.Tensor:
        self.seen += len(x)
        if self.optimizer is None:
            with torch.no_grad():
                return self.model(x)
        for _ in range(self.steps):
            logits = self.model(x)
            loss, weights = adaptation_objective(
                logits, {**context, "num_classes": self.num_classes}, self.training
            )
            if bool((weights > 0).any()):
                self.optimizer.zero_grad(set_to_none=True)
                loss.backward()
                self.optimizer.step()
        self.used += int((weights > 0).sum())
        return logits.detach()


def _synchronise(x: torch.Tensor) -> None:
    if x.is_cuda:
        torch.cuda.synchronize(x.device)


def plain_inference_seconds(source: nn.Module, batches: list[torch.Tensor]) -> float:
    """Seconds the source model takes to predict the stream without adapting: the overhead's base."""
    source.eval()
    started = time.perf_counter()
    with torch.no_grad():
        for x in batches:
            source(x)
    _synchronise(batches[0])
    return time.perf_counter() - started


def run_stream(
    adapter: Adapter, images: torch.Tensor, labels: torch.Tensor, stream: dict, training: dict
) -> dict:
    """Online predictions over one stream of batches in natural order, adapting as the arm does."""
    batch_size, first_k = (
        integer(training, "stream_batch_size", 128),
        integer(training, "first_k_batches", 10),
    )
    batches = [images[start : start + batch_size] for start in range(0, len(labels), batch_size)]
    used, seen, correct, correct_k, seen_k = adapter.used, adapter.seen, 0, 0, 0
    started = time.perf_counter()
    for index, x in enumerate(batches):
        y = labels[index * batch_size : index * batch_size + len(x)]
        hits = int(
            (adapter.predict(x, {"batch": index, "stream": stream}).argmax(dim=1) == y).sum()
        )
        correct += hits
        if index < first_k:
            correct_k, seen_k = correct_k + hits, seen_k + len(x)
    _synchronise(images)
    seconds = time.perf_counter() - started
    plain = plain_inference_seconds(adapter.source, batches)
    return {
        **stream,
        "batches": len(batches),
        "samples": len(labels),
        "online_accuracy": correct / len(labels),
        "online_accuracy_first_k": correct_k / max(seen_k, 1),
        "adapt_seconds": seconds,
        "inference_seconds": plain,
        "overhead": seconds / max(plain, 1e-9),
        "update_share": (adapter.used - used) / max(adapter.seen - seen, 1),
    }


def stream_point(streams: list[dict], stream: dict, epochs: int, started: float) -> dict:
    """A trajectory point after one stream: best_test_accuracy is the mean online accuracy so far."""
    return {
        "event": "stream",
        "corruption": stream["corruption"],
        "severity": stream["severity"],
        "online_accuracy": stream["online_accuracy"],
        "online_accuracy_first_k": stream["online_accuracy_first_k"],
        "best_test_accuracy": sum(s["online_accuracy"] for s in streams) / len(streams),
        "wall_time_s": time.perf_counter() - started,
        "cumulative_epochs": epochs,
    }


def adapt_through_streams(
    source: nn.Module, data: dict, training: dict, seed: int, log
) -> tuple[list, list]:
    """Every (corruption, severity) stream in order, with the model reset between them when asked."""
    arm = str(training.get("adapt", "tent"))
    adapter = Adapter(source, arm, training, data["num_classes"])
    corruptions, severities = corruption_settings(training)
    reset = bool(training.get("reset_per_stream", True))
    device, epochs = data["X_test"].device, integer(training, "epochs", 30)
    streams, trajectory, started = [], [], time.perf_counter()
    for corruption in corruptions:
        for severity in severities:
            if reset:
                adapter.reset()
            images = corrupt(data["X_test"], corruption, severity, seed).to(device)
            stream = run_stream(
                adapter,
                images,
                data["y_test"],
                {"corruption": corruption, "severity": severity},
                training,
            )
            streams.append(stream)
            trajectory.append(stream_point(streams, stream, epochs, started))
            log(
                {
                    **trajectory[-1],
                    "overhead": stream["overhead"],
                    "update_share": stream["update_share"],
                }
            )
    return streams, trajectory


def target_fraction(training: dict) -> float:
    """The target accuracy as a fraction, whether the config gives 0.9 or 90 (percent)."""
    target = number(training, "target_accuracy", 0.9)
    return target / 100 if target > 1 else target


def mean_of(streams: list[dict], key: str) -> float:
    return sum(s[key] for s in streams) / max(len(streams), 1)


def run_experiment(run: dict, data: dict, training: dict, seed: int, log) -> dict:
    """Train (or reuse) the source model, then adapt through the corrupted test streams."""
    source, summary = source_model(run, data, training, seed, log)
    log({"event": "source", **summary})
    streams, trajectory = adapt_through_streams(source, data, training, seed, log)
    adapt_seconds, plain_seconds = (
        sum(s["adapt_seconds"] for s in streams),
        sum(s["inference_seconds"] for s in streams),
    )
    samples = sum(s["samples"] for s in streams)
    return {
        "family": "tta",
        "adapt": str(training.get("adapt", "tent")),
        "changes": list(training.get("changes") or []),
        "source": summary,
        "source_clean_test_accuracy": summary["clean_test_accuracy"],
        "first_k_batches": integer(training, "first_k_batches", 10),
        "streams": streams,
        "mean_online_accuracy": mean_of(streams, "online_accuracy"),
        "mean_online_accuracy_first_k": mean_of(streams, "online_accuracy_first_k"),
        "adaptation_overhead": adapt_seconds / max(plain_seconds, 1e-9),
        "update_share": sum(s["update_share"] * s["samples"] for s in streams) / max(samples, 1),
        "trajectory": trajectory,
        "best_val_accuracy": summary["best_val_accuracy"],
        "best_test_accuracy": mean_of(streams, "online_accuracy"),
        "target_accuracy": target_fraction(training),
        "not_implemented": NOT_IMPLEMENTED,
        "best_model": source,
    }


def entropy_mask(entropy: torch.Tensor, num_classes: int, margin: float, side: str) -> torch.Tensor:
    """1.0 for the samples kept, 0.0 for the others: entropy < E0 (below) or entropy > E0 (above)."""
    threshold = margin * math.log(num_classes)
    if side == "below":
        return (entropy.detach() < threshold).to(entropy.dtype)
    if side == "above":
        return (entropy.detach() > threshold).to(entropy.dtype)
    raise SystemExit(f"error: training.threshold_side must be below or above, not {side!r}")


def entropy_filtered_loss(logits, loss, weights, context: dict, training: dict):
    """(loss, weights) with the weights of the samples outside the threshold set to zero."""
    margin = number(training, "threshold_margin", 0.4)
    side = str(training.get("threshold_side", "below"))
    return loss, weights * entropy_mask(
        context["entropy"], int(context["num_classes"]), margin, side
    )


CHANGES = {"adapt_loss": {"entropy_threshold": entropy_filtered_loss}}


def main() -> None:
    parser = argparse.ArgumentParser(description="Run one variation of the experiment.")
    parser.add_argument("--config", required=True, type=Path)
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--results-dir", required=True, type=Path)
    args = parser.parse_args()
    if not RUN_ID_PATTERN.match(args.run_id):
        raise SystemExit(f"error: unsafe run_id {args.run_id!r}")
    run = load_run(args.config, args.run_id)
    seed = int(run.get("seed", 0))
    torch.manual_seed(seed)
    np.random.seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    training = run.get("training") or {}
    emit(
        {
            "run_id": args.run_id,
            "description": EXPERIMENT_DESCRIPTION,
            "variant": run.get("variant"),
            "dataset": run["dataset"],
            "model": run["model"],
            "seed": seed,
            "device": str(device),
        }
    )
    data = load_dataset(run["dataset"], run.get("data_root"), training.get("subset"), seed)
    data = {k: v.to(device) if isinstance(v, torch.Tensor) else v for k, v in data.items()}
    run_dir = args.results_dir / args.run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results = run_experiment(
        run, data, training, seed, lambda record: emit({"run_id": args.run_id, **record})
    )
    best_model = results.pop("best_model")
    results["model_reload_test_accuracy"] = save_best(best_model, run, data, run_dir)
    results.update(
        run_id=args.run_id,
        variant=run.get("variant"),
        dataset=run["dataset"],
        model=run["model"],
        seed=seed,
        wall_time_s=time.perf_counter() - started,
    )
    results = json.loads(json.dumps(results, default=float))
    if not all(math.isfinite(v) for v in results.values() if isinstance(v, float)):
        raise SystemExit(f"error: non-finite result in run {args.run_id}")
    (run_dir / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    emit(
        {
            "run_id": args.run_id,
            "event": "final",
            **{k: v for k, v in results.items() if not isinstance(v, list | dict)},
        }
    )


if __name__ == "__main__":
    sys.exit(main())
