"""Catalogue model: a small causal transformer language model (derive --model causal_transformer).

GPT-2's design at toy size (Radford et al. 2019): learned positional embeddings, pre-norm blocks
with causal self-attention, a final layer norm and an output head tied to the token embedding.
"""

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
        block = nn.TransformerEncoderLayer(D_MODEL, HEADS, dim_feedforward=4 * D_MODEL, dropout=DROPOUT,
                                           activation="gelu", batch_first=True, norm_first=True)
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
