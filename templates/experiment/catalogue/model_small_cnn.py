"""Catalogue model: a small CNN for any image size (derive --model small_cnn)."""

from torch import nn


class SmallCNN(nn.Module):
    """Three conv blocks (conv, batch norm, ReLU, 2x2 pooling while the map allows), global
    average pooling and a linear head: about 0.1M parameters, fast on a CPU."""

    def __init__(self, input_shape: tuple[int, int, int], num_classes: int, width: int = 32) -> None:
        super().__init__()
        channels, height, _ = input_shape
        layers: list[nn.Module] = []
        size = height
        for out in (width, width * 2, width * 4):
            layers += [nn.Conv2d(channels, out, 3, padding=1, bias=False), nn.BatchNorm2d(out), nn.ReLU()]
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
