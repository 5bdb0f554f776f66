"""Data of the experiment: load a dataset as tensors, split off validation rows, standardise.

load_dataset(name, data_root, subset, seed) returns a dict of tensors:
X_train, y_train, X_val, y_val, X_test, y_test (float32 images N x C x H x W, int64 labels),
plus num_classes and input_shape. Standardisation statistics come from the training rows only.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

VALIDATION_FRACTION = 0.2

CONTEXT_LENGTH = 64
WIKITEXT_FILES = {
    "train": "wiki.train.tokens",
    "valid": "wiki.valid.tokens",
    "test": "wiki.test.tokens",
}
TINY_CORPUS_CHARACTERS = {"train": 40_000, "valid": 8_000, "test": 8_000}
TINY_GRAMMAR = {
    "subject": [
        "the model",
        "a small network",
        "the optimiser",
        "each layer",
        "the teacher",
        "the student",
        "a gradient",
        "the loss",
        "every batch",
        "the scheduler",
    ],
    "verb": [
        "reduces",
        "predicts",
        "updates",
        "measures",
        "smooths",
        "follows",
        "ignores",
        "mixes",
        "weights",
        "calibrates",
    ],
    "object": [
        "the error",
        "its confidence",
        "the next token",
        "a noisy label",
        "the learning rate",
        "the validation score",
        "each sample",
        "the soft targets",
        "a second view",
        "the test split",
    ],
    "ending": [
        "quickly",
        "after one epoch",
        "on average",
        "with care",
        "in the end",
        "at every step",
    ],
}


def tiny_corpus(split: str) -> str:
    """Deterministic text for smoke runs: subject verb object ending sentences, seeded per split."""
    rng = np.random.default_rng({"train": 0, "valid": 1, "test": 2}[split])
    sentences, length = [], 0
    while length < TINY_CORPUS_CHARACTERS[split]:
        words = [TINY_GRAMMAR[part][rng.integers(len(TINY_GRAMMAR[part]))] for part in TINY_GRAMMAR]
        sentence = " ".join(words).capitalize() + ". "
        sentences.append(sentence)
        length += len(sentence)
    return "".join(sentences)


def character_vocabulary(text: str) -> dict[str, int]:
    """Index of every character of the training text, from 1; 0 is left for unseen characters."""
    return {character: index for index, character in enumerate(sorted(set(text)), start=1)}


def encode(text: str, vocabulary: dict[str, int]) -> np.ndarray:
    return np.array([vocabulary.get(character, 0) for character in text], dtype=np.int64)


def windows(ids: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Non-overlapping windows: inputs ids[i : i + length], targets the next tokens ids[i + 1 : i + length + 1]."""
    count = max((len(ids) - 1) // length, 0)
    starts = np.arange(count) * length
    offsets = np.arange(length)
    return ids[starts[:, None] + offsets], ids[starts[:, None] + offsets + 1]


def take_windows(
    X: np.ndarray, y: np.ndarray, size: int | None, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """A seeded subset of at most size windows, kept in text order (all when size is None)."""
    if size is None or size >= len(y):
        return X, y
    rows = np.sort(np.random.default_rng(seed).permutation(len(y))[:size])
    return X[rows], y[rows]


def load_raw(name: str, data_root: str | None, seed: int) -> dict:
    """{"train", "valid", "test"}: the raw text of each split."""
    if name == "tiny_corpus":
        return {split: tiny_corpus(split) for split in WIKITEXT_FILES}
    if name != "wikitext2":
        raise ValueError(f"this package loads 'wikitext2' (or 'tiny_corpus'), not {name!r}")
    folder = Path(data_root or "data") / "wikitext-2"
    texts = {}
    for split, file_name in WIKITEXT_FILES.items():
        path = folder / file_name
        if not path.is_file():
            raise SystemExit(
                f"error: WikiText-2 file {path} not found (the package never downloads it)"
            )
        texts[split] = path.read_text(encoding="utf-8")
    return texts


def take_subset(
    X: np.ndarray, y: np.ndarray, size: int | None, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """A seeded, class-stratified subset of at most size rows (all rows when size is None)."""
    if size is None or size >= len(y):
        return X, y
    rng = np.random.default_rng(seed)
    rows = []
    classes = np.unique(y)
    per_class = max(1, size // len(classes))
    for label in classes:
        members = np.flatnonzero(y == label)
        rows.extend(rng.permutation(members)[:per_class].tolist())
    rows = np.sort(np.array(rows[:size]))
    return X[rows], y[rows]


def split_validation(X: np.ndarray, y: np.ndarray, seed: int) -> tuple[np.ndarray, ...]:
    """Seeded split of the training rows into fit and validation parts (stratified by class)."""
    rng = np.random.default_rng(seed + 1)
    fit, val = [], []
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        n_val = int(round(len(members) * VALIDATION_FRACTION)) if len(members) > 1 else 0
        val.extend(members[:n_val].tolist())
        fit.extend(members[n_val:].tolist())
    fit, val = np.sort(np.array(fit, dtype=np.int64)), np.sort(np.array(val, dtype=np.int64))
    return X[fit], y[fit], X[val], y[val]


def standardise(train: torch.Tensor, *others: torch.Tensor) -> list[torch.Tensor]:
    """Every tensor scaled by the per-channel mean and std of the training images."""
    mean = train.mean(dim=(0, 2, 3), keepdim=True)
    std = train.std(dim=(0, 2, 3), keepdim=True).clamp_min(1e-6)
    return [(t - mean) / std for t in (train, *others)]


def load_dataset(name: str, data_root: str | None, subset: int | None, seed: int) -> dict:
    """Windows of CONTEXT_LENGTH characters with their next characters, train / validation / test;
    subset caps the windows of each split."""
    texts = load_raw(name, data_root, seed)
    vocabulary = character_vocabulary(texts["train"])
    data = {"num_classes": len(vocabulary) + 1, "input_shape": (CONTEXT_LENGTH,), "kind": "tokens"}
    for split, part, offset in (("train", "train", 0), ("valid", "val", 1), ("test", "test", 2)):
        X, y = take_windows(
            *windows(encode(texts[split], vocabulary), CONTEXT_LENGTH), subset, seed + offset
        )
        if len(y) == 0:
            raise SystemExit(
                f"error: the {split} text of {name} is shorter than one window of {CONTEXT_LENGTH}"
            )
        data[f"X_{part}"] = torch.as_tensor(X, dtype=torch.int64)
        data[f"y_{part}"] = torch.as_tensor(y, dtype=torch.int64)
    return data
