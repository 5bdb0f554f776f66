"""Catalogue dataset: a torchvision set read from local files, never downloaded (derive --dataset NAME).

FakeData of the same shape stands in for it in smoke runs, so CI needs no files.
"""

import numpy as np

DATASET_NAME = {dataset_name}
IMAGE_SHAPE = {image_shape}
NUM_CLASSES = {num_classes}


def _as_arrays(dataset) -> tuple[np.ndarray, np.ndarray]:
    """Images N x C x H x W (uint8 scale) and labels of a torchvision dataset."""
    images = np.stack([np.asarray(image, dtype=np.float32) for image, _ in dataset])
    images = images[:, None, :, :] if images.ndim == 3 else images.transpose(0, 3, 1, 2)
    labels = np.array([int(label) for _, label in dataset], dtype=np.int64)
    return images, labels


def _fake_data(seed: int) -> dict:
    """torchvision FakeData with the real set's image shape and classes (smoke runs only)."""
    from torchvision.datasets import FakeData

    train = FakeData(size=512, image_size=IMAGE_SHAPE, num_classes=NUM_CLASSES, random_offset=seed)
    test = FakeData(size=128, image_size=IMAGE_SHAPE, num_classes=NUM_CLASSES, random_offset=seed + 10_000)
    X, y = _as_arrays(train)
    X_test, y_test = _as_arrays(test)
    return {"X": X, "y": y, "X_test": X_test, "y_test": y_test, "num_classes": NUM_CLASSES}


def load_raw(name: str, data_root: str | None, seed: int) -> dict:
    """{"X", "y", "X_test", "y_test"} as numpy arrays (images N x C x H x W, raw pixel scale).

    The real set comes from data_root with download=False, as on an air-gapped cluster.
    """
    if name == "fakedata":
        return _fake_data(seed)
    if name != DATASET_NAME:
        raise ValueError(f"this package loads {DATASET_NAME!r} (or 'fakedata'), not {name!r}")
    import torchvision.datasets

    dataset_class = getattr(torchvision.datasets, {torchvision_class})
    root = data_root or "data"
    try:
        train = dataset_class(root=root, train=True, download=False)
        test = dataset_class(root=root, train=False, download=False)
    except RuntimeError as exc:
        raise SystemExit(f"error: {DATASET_NAME} files not found under {root!r} ({exc})") from None
    X, y = _as_arrays(train)
    X_test, y_test = _as_arrays(test)
    return {"X": X, "y": y, "X_test": X_test, "y_test": y_test, "num_classes": NUM_CLASSES}
