"""Small real image sets for the tests and their driver processes: scikit-learn's 8x8 digits.

Imported by driver processes that run generated code, so nothing heavy is imported at module level.
"""

from __future__ import annotations

import numpy as np


def digits_images(n_images: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A random subset of sklearn's 8x8 digits as (N, 8, 8) float32 images and int labels."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    rows = np.random.default_rng(seed).choice(len(digits.target), n_images, replace=False)
    return digits.images[rows].astype(np.float32), digits.target[rows]


def rgb_digits(n_images: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """3-channel synthetic images: each digit in red, its negative in green, a blur in blue."""
    images, labels = digits_images(n_images, seed)
    blurred = (images + np.roll(images, 1, axis=1) + np.roll(images, 1, axis=2)) / 3
    return np.stack([images, 16 - images, blurred], axis=1), labels


def write_digit_folder(path, per_class: int = 12, odd: bool = True):
    """PNGs of 8x8 digits in class subfolders; with `odd`, one RGB image (class_3) and one 16x16
    image (class_4) among them."""
    from pathlib import Path

    from PIL import Image
    from sklearn.datasets import load_digits

    path = Path(path)
    digits = load_digits()
    for label in range(10):
        (path / f"class_{label}").mkdir(parents=True)
        for k, row in enumerate(np.flatnonzero(digits.target == label)[:per_class]):
            image = Image.fromarray((digits.images[row] * 15).astype("uint8"), mode="L")
            if odd and (label, k) == (3, 0):
                image = image.convert("RGB")
            if odd and (label, k) == (4, 0):
                image = image.resize((16, 16))
            image.save(path / f"class_{label}" / f"{k:03d}.png")
    return path
