"""The search space of this bundle (ConfigSpace 1.x). Each dimension's meta names its rule."""

from ConfigSpace import Categorical, ConfigurationSpace, EqualsCondition, Float, Integer

SPACE_NAME = "sensors_large-time_series"
SPACE_SEED = 0


def get_configspace() -> ConfigurationSpace:
    """Build the space; equal to configspace.json beside this file."""
    cs = ConfigurationSpace(name=SPACE_NAME, seed=SPACE_SEED)
    cs.add(
        [
            Categorical(
                "algorithm",
                ["rocket", "cnn"],
                default="rocket",
                meta={
                    "rule": "HPG-TS-FAMILIES",
                    "reason": "one branch per family; rocket first as the fast standard",
                },
            ),
            Categorical(
                "cnn_architecture",
                ["resnet", "inception"],
                default="resnet",
                meta={
                    "rule": "HPG-TS-SPACE",
                    "reason": "Ismail Fawaz et al. 2019 (ResNet: best deep classifier on the UCR archive); Ismail Fawaz et al. 2020, 'InceptionTime', DMKD 34",
                },
            ),
            Categorical(
                "cnn_batch_size",
                [16, 32, 64],
                default=16,
                ordered=True,
                meta={
                    "rule": "HPG-TS-SPACE",
                    "reason": "Ismail Fawaz et al. 2019: batch size min(n/10, 16) for ResNet",
                },
            ),
            Integer(
                "cnn_depth",
                (1, 4),
                default=3,
                meta={
                    "rule": "HPG-TS-SPACE",
                    "reason": "Wang et al. 2017: three residual blocks; InceptionTime: six modules (two residual blocks of three)",
                },
            ),
            Float(
                "cnn_dropout",
                (0.0, 0.5),
                default=0.1,
                meta={
                    "rule": "HPG-TS-SPACE",
                    "reason": "hpogen: dropout before the linear head, none to moderate",
                },
            ),
            Integer(
                "cnn_filters",
                (16, 128),
                default=64,
                log=True,
                meta={
                    "rule": "HPG-TS-SPACE",
                    "reason": "Wang, Yan & Oates 2017 (ResNet: 64-128 filters); InceptionTime: 32 per branch",
                },
            ),
            Float(
                "cnn_learning_rate",
                (0.0001, 0.01),
                default=0.001,
                log=True,
                meta={"rule": "HPG-TS-SPACE", "reason": "Ismail Fawaz et al. 2019: Adam at 0.001"},
            ),
            Float(
                "cnn_weight_decay",
                (1e-06, 0.01),
                default=0.0001,
                log=True,
                meta={"rule": "HPG-TS-SPACE", "reason": "hpogen: light AdamW weight decay"},
            ),
            Categorical(
                "length_rule",
                ["pad_zero", "pad_last", "resample"],
                default="pad_zero",
                meta={
                    "rule": "HPG-TS-LENGTH",
                    "reason": "pad with zeros or the last value, or resample: why lengths vary is not known",
                },
            ),
            Categorical(
                "normalise",
                [False, True],
                default=False,
                meta={
                    "rule": "HPG-TS-NORMALISE",
                    "reason": "z-normalise each series per channel, or keep its scale",
                },
            ),
            Categorical(
                "rocket_max_dilations",
                [16, 32, 64],
                default=32,
                ordered=True,
                meta={
                    "rule": "HPG-TS-SPACE",
                    "reason": "Dempster et al. 2021: 32 dilations per kernel by default",
                },
            ),
            Categorical(
                "rocket_transform",
                ["minirocket", "multirocket"],
                default="minirocket",
                meta={
                    "rule": "HPG-TS-SPACE",
                    "reason": "Dempster et al. 2021 (MiniRocket); Tan et al. 2022, 'MultiRocket: multiple pooling operators and transformations for fast and effective time series classification', DMKD 36",
                },
            ),
        ]
    )
    cs.add(
        [
            EqualsCondition(cs["cnn_architecture"], cs["algorithm"], "cnn"),
            EqualsCondition(cs["cnn_batch_size"], cs["algorithm"], "cnn"),
            EqualsCondition(cs["cnn_depth"], cs["algorithm"], "cnn"),
            EqualsCondition(cs["cnn_dropout"], cs["algorithm"], "cnn"),
            EqualsCondition(cs["cnn_filters"], cs["algorithm"], "cnn"),
            EqualsCondition(cs["cnn_learning_rate"], cs["algorithm"], "cnn"),
            EqualsCondition(cs["cnn_weight_decay"], cs["algorithm"], "cnn"),
            EqualsCondition(cs["rocket_max_dilations"], cs["algorithm"], "rocket"),
            EqualsCondition(cs["rocket_transform"], cs["algorithm"], "rocket"),
        ]
    )
    return cs


if __name__ == "__main__":
    print(get_configspace())
