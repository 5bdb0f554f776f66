"""Models of the experiment: build one by name, save and load its weights.

Weights are saved as a state_dict with the facts needed to rebuild the model, and loaded with
torch.load(weights_only=True): no pickled code is ever executed on load.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

# PLACEHOLDER: will be replaced with the derived model's definition (hpogen derive --model)
MODEL_PLACEHOLDER = "MODEL_PLACEHOLDER"


def build_model(name: str, input_shape: tuple[int, int, int], num_classes: int) -> nn.Module:
    """A freshly initialised model for images of input_shape (C, H, W)."""
    # PLACEHOLDER: will be replaced with the constructor of the derived model
    raise NotImplementedError(f"{MODEL_PLACEHOLDER}: no model {name!r} in the base package")


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
