"""Catalogue model: a two-hidden-layer MLP on flattened images (derive --model mlp)."""

import math

from torch import nn


class MLP(nn.Module):
    """Flatten, two hidden layers of 256 units with ReLU, a linear head."""

    def __init__(self, input_shape: tuple[int, int, int], num_classes: int, hidden: int = 256) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Flatten(),
            nn.Linear(math.prod(input_shape), hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, num_classes),
        )

    def forward(self, x):
        return self.net(x)


def build_model(name: str, input_shape: tuple[int, int, int], num_classes: int) -> nn.Module:
    """A freshly initialised model for images of input_shape (C, H, W)."""
    if name != "mlp":
        raise ValueError(f"this package builds the model 'mlp', not {name!r}")
    return MLP(tuple(input_shape), num_classes)
