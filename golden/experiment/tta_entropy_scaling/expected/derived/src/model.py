"""Models of the experiment: build one by name, save and load its weights.

Weights are saved as a state_dict with the facts needed to rebuild the model, and loaded with
torch.load(weights_only=True): no pickled code is ever executed on load.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F


class BasicBlock(nn.Module):
    """Two 3x3 conv layers with batch norm and a shortcut; a 1x1 projection where the shape changes."""

    def __init__(self, inputs: int, outputs: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(inputs, outputs, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(outputs)
        self.conv2 = nn.Conv2d(outputs, outputs, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(outputs)
        self.shortcut = nn.Sequential()
        if stride != 1 or inputs != outputs:
            self.shortcut = nn.Sequential(
                nn.Conv2d(inputs, outputs, 1, stride=stride, bias=False), nn.BatchNorm2d(outputs)
            )

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + self.shortcut(x))


class ResNet20(nn.Module):
    """Three stages of three basic blocks (16, 32, 64 channels), global pooling, a linear head."""

    def __init__(self, input_shape: tuple[int, int, int], num_classes: int) -> None:
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(input_shape[0], 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU()
        )
        blocks, inputs = [], 16
        for outputs, stride in ((16, 1), (32, 2), (64, 2)):
            for index in range(3):
                blocks.append(BasicBlock(inputs, outputs, stride if index == 0 else 1))
                inputs = outputs
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Linear(64, num_classes)

    def forward(self, x):
        out = self.blocks(self.stem(x))
        return self.head(F.adaptive_avg_pool2d(out, 1).flatten(1))


def build_model(name: str, input_shape: tuple[int, int, int], num_classes: int) -> nn.Module:
    """A freshly initialised model for images of input_shape (C, H, W)."""
    if name != "resnet20":
        raise ValueError(f"this package builds the model 'resnet20', not {name!r}")
    return ResNet20(tuple(input_shape), num_classes)


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
