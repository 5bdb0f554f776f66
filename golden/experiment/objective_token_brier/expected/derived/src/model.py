"""Models of the experiment: build one by name, save and load its weights.

Weights are saved as a state_dict with the facts needed to rebuild the model, and loaded with
torch.load(weights_only=True): no pickled code is ever executed on load.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

D_MODEL = 64
HEADS = 4
LAYERS = 2
DROPOUT = 0.1


class CausalTransformer(nn.Module):
    """Token and position embeddings, LAYERS pre-norm causal blocks, tied output head: logits N x T x V."""

    def __init__(self, context_length: int, vocabulary: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocabulary, D_MODEL)
        self.position = nn.Embedding(context_length, D_MODEL)
        block = nn.TransformerEncoderLayer(
            D_MODEL,
            HEADS,
            dim_feedforward=4 * D_MODEL,
            dropout=DROPOUT,
            activation="gelu",
            batch_first=True,
            norm_first=True,
        )
        self.blocks = nn.TransformerEncoder(block, LAYERS, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(D_MODEL)
        self.head = nn.Linear(D_MODEL, vocabulary, bias=False)
        self.head.weight = self.embed.weight  # weight tying (Press & Wolf 2017), as in GPT-2
        nn.init.normal_(self.embed.weight, std=0.02)
        nn.init.normal_(self.position.weight, std=0.02)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        length = tokens.shape[1]
        positions = torch.arange(length, device=tokens.device)
        hidden = self.embed(tokens) + self.position(positions)[None]
        mask = nn.Transformer.generate_square_subsequent_mask(length, device=tokens.device)
        hidden = self.blocks(hidden, mask=mask, is_causal=True)
        return self.head(self.norm(hidden))


def build_model(name: str, input_shape: tuple[int, ...], num_classes: int) -> nn.Module:
    """A freshly initialised model for token windows of input_shape (T,) over num_classes tokens."""
    if name != "causal_transformer":
        raise ValueError(f"this package builds the model 'causal_transformer', not {name!r}")
    return CausalTransformer(int(input_shape[0]), num_classes)


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
