"""The search space of this bundle (ConfigSpace 1.x). Each dimension's meta names its rule."""

from ConfigSpace import Categorical, ConfigurationSpace, EqualsCondition, Float, Integer

SPACE_NAME = "cifar10_insights-image"
SPACE_SEED = 0


def get_configspace() -> ConfigurationSpace:
    """Build the space; equal to configspace.json beside this file."""
    cs = ConfigurationSpace(name=SPACE_NAME, seed=SPACE_SEED)
    cs.add(
        [
            Categorical(
                "activation",
                ["relu", "leaky_relu", "elu", "swish"],
                default="relu",
                meta={"rule": "S000-ACTIVATION", "reason": "seed 000 choices"},
            ),
            Categorical(
                "batch_norm",
                [True, False],
                default=True,
                meta={"rule": "S000-BATCHNORM", "reason": "seed 000 choices"},
            ),
            Categorical(
                "batch_size",
                [16, 32, 64, 128, 256],
                default=128,
                ordered=True,
                meta={
                    "rule": "HPG-INSIGHTS",
                    "reason": "OpenML insight: default 128 (median of 2), choices [16, 32, 64, 128, 256]; from setups 1, 2 (neural network)",
                },
            ),
            Float(
                "color_jitter",
                (0.0, 0.3),
                default=0.0,
                meta={
                    "rule": "S000-JITTER",
                    "reason": "colour images only: brightness/contrast/saturation jitter",
                },
            ),
            Float(
                "dropout",
                (0.1, 0.6),
                default=0.6,
                meta={
                    "rule": "HPG-INSIGHTS",
                    "reason": "OpenML insight: default 0.6 (median of 1), range [0.1, 0.6]; from setup 2 (neural network)",
                },
            ),
            Categorical(
                "horizontal_flip",
                [False, True],
                default=False,
                meta={"rule": "S000-FLIP", "reason": "seed 000 choices"},
            ),
            Integer(
                "initial_filters",
                (16, 64),
                default=32,
                log=True,
                meta={"rule": "S000-FILTERS", "reason": "seed 000 range (log scale)"},
            ),
            Categorical(
                "kernel_size",
                [3, 5],
                default=3,
                meta={"rule": "S000-KERNEL", "reason": "seed 000 choices"},
            ),
            Float(
                "leaky_relu_slope",
                (0.01, 0.3),
                default=0.01,
                log=True,
                meta={"rule": "S000-LEAKY-SLOPE", "reason": "seed 000 range (log scale)"},
            ),
            Float(
                "learning_rate",
                (1e-05, 0.2),
                default=0.175,
                log=True,
                meta={
                    "rule": "HPG-INSIGHTS",
                    "reason": "OpenML insight: default 0.175 (median of 2), range [1e-05, 0.2]; from setups 1, 2 (neural network)",
                },
            ),
            Float(
                "momentum",
                (0.8, 0.95),
                default=0.9,
                meta={
                    "rule": "HPG-INSIGHTS",
                    "reason": "OpenML insight: default 0.9 (median of 1), range [0.8, 0.95]; from setup 1 (neural network)",
                },
            ),
            Integer(
                "n_conv_layers",
                (3, 6),
                default=4,
                meta={"rule": "S000-CONV-LAYERS", "reason": "medium tier: 3-6 conv layers"},
            ),
            Categorical(
                "optimizer",
                ["adam", "sgd", "adamw"],
                default="sgd",
                meta={
                    "rule": "HPG-INSIGHTS",
                    "reason": "OpenML insight: default 'sgd' (most frequent of 2); from setups 1, 2 (neural network)",
                },
            ),
            Categorical(
                "pooling",
                ["max", "avg"],
                default="max",
                meta={"rule": "S000-POOLING", "reason": "seed 000 choices"},
            ),
            Float(
                "rotation_degrees",
                (0.0, 30.0),
                default=0.0,
                meta={"rule": "S000-ROTATION", "reason": "seed 000 range"},
            ),
            Float(
                "spatial_dropout",
                (0.0, 0.3),
                default=0.0,
                meta={"rule": "S000-SPATIAL-DROPOUT", "reason": "seed 000 range"},
            ),
            Float(
                "weight_decay",
                (1e-06, 0.001),
                default=1e-05,
                log=True,
                meta={"rule": "S000-WEIGHT-DECAY", "reason": "seed 000 range (log scale)"},
            ),
        ]
    )
    cs.add(
        [
            EqualsCondition(cs["leaky_relu_slope"], cs["activation"], "leaky_relu"),
            EqualsCondition(cs["momentum"], cs["optimizer"], "sgd"),
        ]
    )
    return cs


if __name__ == "__main__":
    print(get_configspace())
