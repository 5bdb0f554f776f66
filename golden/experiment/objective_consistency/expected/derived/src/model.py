"""Models of the experiment: build one by name, save and load its weights.

Weights are saved as a state_dict with the facts needed to rebuild the model, and loaded with
torch.load(weights_only=True): no pickled code is ever executed on load.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn


class SmallCNN(nn.Module):
    """Three conv blocks (conv, batch norm, ReLU, 2x2 pooling while the map allows), global
    average pooling and a linear head: about 0.1M parameters, fast on a CPU."""

    def __init__(
        self, input_shape: tuple[int, int, int], num_classes: int, width: int = 32
    ) -> None:
        super().__init__()
        channels, height, _ = input_shape
        layers: list[nn.Module] = []
        size = height
        for out in (width, width * 2, width * 4):
            layers += [
                nn.Conv2d(channels, out, 3, padding=1, bias=False),
                nn.BatchNorm2d(out),
                nn.ReLU(),
            ]
            if size >= 4:
                layers.append(nn.MaxPool2d(2))
                size //= 2
            channels = out
        self.features = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Linear(channels, num_classes)

    def forward(self, x):
        return self.head(self.features(x))


def build_model(name: str, input_shape: tuple[int, int, int], num_classes: int) -> nn.Module:
    """A freshly initialised model for images of input_shape (C, H, W)."""
    if name != "small_cnn":
        raise ValueError(f"this package builds the model 'small_cnn', not {name!r}")
    return SmallCNN(tuple(input_shape), num_classes)


def save_model(
    model: nn.Module, path: Path, name: str, input_shape: tuple[int, ...], num_classes: int
) -> None:
    """The weights and what rebuilding them needs, in one torch file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {key: value.detach().cpu() for key, value in model.state_dict().items()}
    torch.save(
        {
            "model": name,
            "input_shape": list(input_shape),
            "num_classes": num_classes,
            "state_dict": state,
        },
        path,
    )


def load_model(path: Path) -> nn.Module:
    """A model saved by save_model, rebuilt and loaded with weights_only=True."""
    saved = torch.load(path, map_location="cpu", weights_only=True)
    model = build_model(saved["model"], tuple(saved["input_shape"]), int(saved["num_classes"]))
    model.load_state_dict(saved["state_dict"])
    return model
